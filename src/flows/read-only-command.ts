/**
 * Decides whether a command unit only shows state, so that `course test --mutate` does not report
 * it: leaving out `ip netns list` never breaks a check, and that is no weakness of the checks.
 * Conservative: anything not recognised here is mutated. The list is documented in
 * docs/instructors.md; keep the two in step.
 */

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

type Token = { word: string } | { op: string };

/** Whether `text` (one unit from splitCommands) only shows state. */
export function isReadOnlyCommand(text: string): boolean {
  const tokens = tokenize(text);
  if (tokens === undefined) return false;
  let words: string[] = [];
  const commands: string[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined) continue;
    if ("word" in t) {
      words.push(t.word);
      continue;
    }
    if (/^[0-9]*(>|>>|&>|>&|>\|)$/.test(t.op)) {
      // Output redirection writes a file, unless it goes to /dev/null or another descriptor.
      const target = tokens[i + 1];
      i++;
      if (target === undefined || !("word" in target)) return false;
      if (target.word !== "/dev/null" && !/^&?[0-9-]$/.test(target.word)) return false;
      continue;
    }
    if (t.op === "<") {
      i++;
      continue;
    }
    if (words.length > 0) commands.push(words);
    words = [];
  }
  if (words.length > 0) commands.push(words);
  return commands.length > 0 && commands.every(isReadOnlySimple);
}

function isReadOnlySimple(argv: string[]): boolean {
  let rest = argv;
  while (rest[0] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0])) rest = rest.slice(1);
  const [name, ...args] = rest;
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

/**
 * Words and operators of a unit, quotes removed. Undefined when the unit has compound commands,
 * command substitutions that are not read-only, or anything else this does not follow: those
 * are mutated.
 */
function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) tokens.push({ word });
    word = undefined;
  };
  while (i < text.length) {
    const c = text[i] ?? "";
    if (c === "\\" && text[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === " " || c === "\t") {
      endWord();
      i++;
      continue;
    }
    if (c === "#" && word === undefined) {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "\n" || c === ";" || c === "|" || c === "&" || c === "(" || c === ")") {
      if (c === "(" || c === ")") return undefined; // subshells, functions, case patterns
      if (c === "&" && text[i + 1] === ">") {
        endWord();
        tokens.push({ op: "&>" });
        i += text[i + 2] === ">" ? 3 : 2;
        continue;
      }
      endWord();
      let op = c;
      if ((c === "|" || c === "&" || c === ";") && text[i + 1] === c) op += c;
      tokens.push({ op });
      i += op.length;
      continue;
    }
    if (c === ">" || c === "<") {
      // A leading fd number (`2>`) belongs to the operator.
      let op = "";
      if (word !== undefined && /^[0-9]+$/.test(word)) {
        op = word;
        word = undefined;
      } else endWord();
      if (c === "<" && text[i + 1] === "<") return undefined; // here-documents feed commands
      op += c;
      i++;
      if (text[i] === ">" || text[i] === "&" || text[i] === "|") {
        op += text[i];
        i++;
      }
      tokens.push({ op });
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === "$" && text[i + 1] === "(") {
      const end = matchingParen(text, i + 1);
      if (end < 0) return undefined;
      const inner = text.slice(i + 2, end);
      if (inner.startsWith("(")) {
        word = `${word ?? ""}0`; // arithmetic
      } else if (!isReadOnlyCommand(inner)) return undefined;
      else word = `${word ?? ""}X`;
      i = end + 1;
      continue;
    }
    if (c === "`") return undefined;
    if (c === '"') {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") {
          value += text[j + 1] ?? "";
          j += 2;
          continue;
        }
        if (text[j] === "$" && text[j + 1] === "(") {
          const end = matchingParen(text, j + 1);
          if (end < 0 || !isReadOnlyCommand(text.slice(j + 2, end))) return undefined;
          value += "X";
          j = end + 1;
          continue;
        }
        if (text[j] === "`") return undefined;
        value += text[j];
        j++;
      }
      if (j >= text.length) return undefined;
      word = (word ?? "") + value;
      i = j + 1;
      continue;
    }
    if (c === "\\") {
      word = (word ?? "") + (text[i + 1] ?? "");
      i += 2;
      continue;
    }
    word = (word ?? "") + c;
    i++;
  }
  endWord();
  const first = tokens[0];
  if (
    first !== undefined &&
    "word" in first &&
    /^(if|for|while|until|case|function|\{|select)$/.test(first.word)
  ) {
    return undefined;
  }
  return tokens;
}

/** Index of the `)` closing the `(` at `open`, skipping quotes; -1 when there is none. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < text.length; j++) {
    const c = text[j];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}
