/**
 * What `course test --mutate` and start's "run the commands for me" need to know about a command
 * fence, read from a real Bash syntax tree (tree-sitter-bash through web-tree-sitter, both loaded
 * on first use only, so no other command pays for the WebAssembly):
 * - splitCommands: the units `--mutate` leaves out one at a time. A unit is a top-level statement
 *   with every line it spans (a compound command, a continued line, a pipeline or `&&` list
 *   across lines, an open quote or `$( … )`, here-documents); statements that share a line
 *   (`a; b`) are one unit, because the report names lines and a line is what an author reads.
 * - isReadOnlyCommand: whether a unit only shows state, so `--mutate` does not report it.
 *   Conservative: anything not recognised is mutated. The list is documented in
 *   docs/instructors.md; keep the two in step.
 */
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import type { Parser, Node as SyntaxNode } from "web-tree-sitter";

/** One unit of a script: lines `line`..`endLine` (1-based, absolute in the lesson file). */
export interface ShellCommand {
  /** First line in the lesson file. */
  line: number;
  /** Last line in the lesson file (inclusive). */
  endLine: number;
  /** The unit's source text, comments included, as written. */
  text: string;
}

let parserLoading: Promise<Parser> | undefined;

/** The Bash parser, loaded once per process (~50–70 ms: two WebAssembly modules). */
export function bashParser(): Promise<Parser> {
  parserLoading ??= (async () => {
    // Baseline code only: V8's optimising tier recompiled the parser's hot functions on a
    // background thread for seconds, and on two shared cores that made every mutant of
    // `--mutate` about twice as slow (lesson 3: 0.26 → 0.5 s a mutant; docs/benchmarks.md).
    // The baseline tier parses a fence in a millisecond or two. No other WebAssembly runs here.
    setFlagsFromString("--liftoff-only");
    const { Parser, Language } = await import("web-tree-sitter");
    await Parser.init();
    const require = createRequire(import.meta.url);
    const bash = await Language.load(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
    const parser = new Parser();
    parser.setLanguage(bash);
    return parser;
  })();
  return parserLoading;
}

/** Parses `source` and hands the tree's root to `use`, freeing the tree (WebAssembly memory). */
async function withTree<T>(source: string, use: (root: SyntaxNode) => T): Promise<T> {
  const parser = await bashParser();
  const tree = parser.parse(source);
  if (tree === null) throw new Error("tree-sitter-bash returned no tree");
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** Last row `node` covers: a node that ends at a line's start (a here-document) ends before. */
function lastRow(node: SyntaxNode): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}

/**
 * Units of `code`, whose first line is line `firstLine` of the lesson file. Blank and
 * comment-only lines belong to no unit. A script the parser cannot read (an unterminated quote or
 * `if`) still yields units: the parser's error nodes count as statements, so nothing is lost;
 * lint and the shell report such scripts, this only decides what to leave out.
 */
export async function splitCommands(code: string, firstLine: number): Promise<ShellCommand[]> {
  const lines = code.split("\n");
  const spans = await withTree(code, (root) => {
    const found: [number, number][] = [];
    // Every child, tokens too: where the parser gave up, the root is one ERROR node whose
    // children are loose tokens (a stray `)`), and each still belongs to a unit.
    for (const node of root.children) {
      if (node === null || node.type === "comment") continue;
      let end = lastRow(node);
      end = Math.max(end, heredocsEnd(node, lines, end));
      found.push([node.startPosition.row, end]);
    }
    return found.sort((a, b) => a[0] - b[0]);
  });
  // Statements that share a line are one unit.
  const merged: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  // Where the parser gave up it may skip text; a skipped line joins the unit before it, so that
  // leaving out every unit still leaves out every command.
  for (let row = 0; row < lines.length; row++) {
    const text = (lines[row] ?? "").trim();
    if (text === "" || text.startsWith("#")) continue;
    const before = merged.findLastIndex(([start]) => start <= row);
    const unit = merged[before];
    if (unit === undefined) merged.unshift([row, row]);
    else if (unit[1] < row) unit[1] = row;
  }
  return merged.map(([start, end]) => {
    // Trim trailing blank lines inside the unit (an unterminated construct runs to the end).
    let last = end;
    while (last > start && (lines[last] ?? "").trim() === "") last--;
    return {
      line: firstLine + start,
      endLine: firstLine + last,
      text: lines.slice(start, last + 1).join("\n"),
    };
  });
}

/**
 * tree-sitter-bash 0.25 reads only the first of two here-documents on one command
 * (`paste 3<<A <<B`: the second becomes a file redirect, its body stray commands; upstream
 * tree-sitter/tree-sitter-bash, reported in dekobon/big-code-analysis#1444). Where a statement
 * holds a here-document the parser did not follow, this finds the end of the rest from the
 * delimiters on its first line, so the unit still owns every body. Returns `end` otherwise.
 */
function heredocsEnd(node: SyntaxNode, lines: string[], end: number): number {
  if (!node.hasError) return end;
  const starts = node.descendantsOfType("heredoc_start");
  if (starts.length === 0) return end;
  const firstRow = node.startPosition.row;
  // `<<` inside quotes (`echo "a<<b"`) is no here-document.
  const head = (lines[firstRow] ?? "").replace(/'[^']*'|"[^"]*"/g, (q) => q.replace(/<</g, ""));
  const delimiters = [...head.matchAll(/<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/g)].map((m) => ({
    word: m[3] ?? "",
    strip: m[1] === "-",
  }));
  if (delimiters.length <= starts.length) return end;
  let row = end;
  for (const { word, strip } of delimiters.slice(starts.length)) {
    row++;
    while (row < lines.length) {
      const line = lines[row] ?? "";
      if ((strip ? line.replace(/^\t+/, "") : line) === word) break;
      row++;
    }
  }
  return Math.min(row, lines.length - 1);
}

/**
 * `code` with the lines of `unit` blanked out (so every other line keeps its number, and error
 * messages from the shell still point at the right line).
 */
export function withoutCommand(code: string, firstLine: number, unit: ShellCommand): string {
  return code
    .split("\n")
    .map((text, index) => {
      const line = firstLine + index;
      return line >= unit.line && line <= unit.endLine ? "" : text;
    })
    .join("\n");
}

/** Whether `text` (one unit from splitCommands) only shows state. */
export async function isReadOnlyCommand(text: string): Promise<boolean> {
  return withTree(text, (root) => !root.hasError && readOnlyStatements(root));
}

/** Whether every statement under `node` (a program, `$( … )`) only shows state. */
function readOnlyStatements(node: SyntaxNode): boolean {
  const statements = node.namedChildren.filter((c) => c !== null && c.type !== "comment");
  return statements.length > 0 && statements.every((s) => s !== null && readOnlyStatement(s));
}

function readOnlyStatement(node: SyntaxNode): boolean {
  switch (node.type) {
    case "command":
      return readOnlyCommandNode(node);
    case "pipeline":
    case "list":
      return node.namedChildren.every((c) => c !== null && readOnlyStatement(c));
    case "redirected_statement": {
      const [body, ...redirects] = node.namedChildren;
      if (body === undefined || body === null || !readOnlyStatement(body)) return false;
      return redirects.every((r) => r !== null && readOnlyRedirect(r));
    }
    default:
      // Assignments set state for later commands; compound commands, subshells, functions and
      // tests are more than this follows: all are mutated.
      return false;
  }
}

/** Output to a file writes it; to /dev/null or another descriptor it does not. */
function readOnlyRedirect(node: SyntaxNode): boolean {
  const words = node.namedChildren.filter((c) => c !== null && c.type !== "file_descriptor");
  const values = words.map((w) => (w === null ? undefined : wordValue(w)));
  if (values.some((v) => v === undefined)) return false;
  if (node.type === "herestring_redirect") return true;
  if (node.type !== "file_redirect") return false; // here-documents feed commands
  const operator = node.children.find((c) => c !== null && !c.isNamed)?.type ?? "";
  if (operator.endsWith("&-")) return values.length === 0; // closes a descriptor
  // `echo >FILE WORD`: the parser puts WORD in the redirect; the first word is where it goes.
  if (values.length !== 1) return false;
  const [target] = values;
  if (operator === "<" || operator === "<&") return true;
  return target === "/dev/null" || (operator === ">&" && /^[0-9]+-?$/.test(target ?? ""));
}

function readOnlyCommandNode(node: SyntaxNode): boolean {
  const argv: string[] = [];
  for (const child of node.namedChildren) {
    if (child === null) continue;
    if (child.type === "variable_assignment") {
      if (argv.length > 0) return false;
      const value = child.childForFieldName("value");
      if (value !== null && wordValue(value) === undefined) return false;
      continue; // a prefix assignment only sets the command's environment
    }
    if (child.type === "comment") continue;
    if (child.type.endsWith("_redirect")) {
      if (!readOnlyRedirect(child)) return false;
      continue;
    }
    const word = child.type === "command_name" ? child.firstNamedChild : child;
    if (word === null) return false;
    const value = wordValue(word);
    if (value === undefined) return false;
    argv.push(value);
  }
  return isReadOnlySimple(argv);
}

/**
 * A word's value with quotes removed; a read-only `$( … )` stands for "X", an arithmetic
 * expansion for "0", a parameter expansion for itself. Undefined for anything that may change
 * state (a substitution that does) or that this does not follow.
 */
function wordValue(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case "word":
      return node.text.replace(/\\(.)/gs, "$1");
    case "number":
    case "simple_expansion":
    case "expansion":
    case "variable_name":
      return node.text.trim();
    case "raw_string":
      return node.text.slice(1, -1);
    case "ansi_c_string":
      return node.text.slice(2, -1);
    case "arithmetic_expansion":
      return "0";
    case "command_substitution":
    case "process_substitution":
      return readOnlyStatements(node) ? "X" : undefined;
    case "string_content":
      return node.text.replace(/\\([$`"\\\n])/g, "$1");
    case "string":
    case "translated_string":
    case "concatenation": {
      let value = "";
      for (const part of node.namedChildren) {
        if (part === null) continue;
        const v = wordValue(part);
        if (v === undefined) return undefined;
        value += v;
      }
      return value;
    }
    default:
      return undefined;
  }
}

/** Commands that read or display, whatever their arguments (their redirections still count). */
const ALWAYS_READ_ONLY = new Set([
  "cat",
  "echo",
  "printf",
  "ls",
  "head",
  "tail",
  "grep",
  "egrep",
  "fgrep",
  "wc",
  "sort",
  "uniq",
  "cut",
  "tr",
  "column",
  "jq",
  "less",
  "more",
  "true",
  ":",
  "readlink",
  "realpath",
  "basename",
  "dirname",
  "stat",
  "file",
  "id",
  "whoami",
  "uname",
  "date",
  "ps",
  "pstree",
  "lsns",
  "ss",
  "netstat",
  "ping",
  "ping6",
  "arping",
  "traceroute",
  "tracepath",
  "curl",
  "tcpdump",
  "getent",
  "dig",
  "nslookup",
  "host",
  "which",
  "type",
  "sleep",
  "iptables-save",
  "ip6tables-save",
  "nft",
  "conntrack",
]);

/** `ip` subcommands that show (with their usual abbreviations). */
const IP_SHOW = new Set([
  "show",
  "sho",
  "sh",
  "s",
  "list",
  "lis",
  "li",
  "l",
  "lst",
  "get",
  "list-id",
  "identify",
  "pids",
]);

/** `ip` options that take a value. */
const IP_OPTIONS_WITH_VALUE = new Set([
  "-n",
  "-netns",
  "--netns",
  "-f",
  "-family",
  "--family",
  "-b",
  "-batch",
  "-rc",
  "-rcvbuf",
  "-l",
  "-loops",
]);

function isReadOnlySimple(argv: string[]): boolean {
  const [name, ...args] = argv;
  if (name === undefined) return false; // a bare assignment sets state for later commands
  if (name === "sed") return !args.some((a) => a.startsWith("-i") || a === "--in-place");
  if (name === "awk") return true;
  if (ALWAYS_READ_ONLY.has(name)) return name !== "nft" || args[0] === "list";
  if (name === "ip") return isReadOnlyIp(args);
  if (name === "bridge")
    return (
      ["link", "fdb", "vlan", "mdb", "l"].includes(args[0] ?? "") &&
      (args[1] === undefined || IP_SHOW.has(args[1]))
    );
  if (name === "brctl") return ["show", "showmacs", "showstp"].includes(args[0] ?? "");
  if (name === "ethtool") return isReadOnlyEthtool(args);
  if (name === "iptables" || name === "ip6tables") return isReadOnlyIptables(args);
  if (name === "sysctl") return !args.some((a) => a === "-w" || a === "-p" || a.includes("="));
  if (name === "arp") return !args.some((a) => a === "-s" || a === "-d" || a === "-f");
  if (name === "route") return !args.some((a) => a === "add" || a === "del");
  if (name === "hostname") return args.length === 0 || args.every((a) => /^-[A-Za-z]$/.test(a));
  return false;
}

function isReadOnlyIp(args: string[]): boolean {
  let i = 0;
  while (i < args.length && (args[i] ?? "").startsWith("-")) {
    i += IP_OPTIONS_WITH_VALUE.has(args[i] ?? "") ? 2 : 1;
  }
  const object = args[i];
  const sub = args[i + 1];
  if (object === undefined) return false;
  if (object === "netns" && sub === "exec") {
    // `ip netns exec NS COMMAND…`: read-only when COMMAND is.
    return isReadOnlySimple(args.slice(i + 3));
  }
  if (object === "monitor" || object === "mon") return false; // never ends
  return sub === undefined || IP_SHOW.has(sub);
}

function isReadOnlyEthtool(args: string[]): boolean {
  const showing = new Set([
    "-S",
    "--statistics",
    "-i",
    "--driver",
    "-k",
    "--show-features",
    "--show-offload",
    "-g",
    "--show-ring",
    "-a",
    "--show-pause",
    "-c",
    "--show-coalesce",
    "-l",
    "--show-channels",
    "-T",
    "--show-time-stamping",
    "-P",
    "--show-permaddr",
    "--json",
  ]);
  return args.every((a) => !a.startsWith("-") || showing.has(a));
}

function isReadOnlyIptables(args: string[]): boolean {
  let lists = false;
  for (const a of args) {
    if (a === "--list" || a === "--list-rules" || a === "--check") lists = true;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      if (/[AIDPFNXRZE]/.test(a)) return false;
      if (/[LSC]/.test(a)) lists = true;
    } else if (
      /^--(append|insert|delete|policy|flush|new-chain|delete-chain|replace|zero|rename-chain)$/.test(
        a,
      )
    ) {
      return false;
    }
  }
  return lists;
}
