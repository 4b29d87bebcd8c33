/**
 * Lesson Markdown for the terminal: headings, emphasis, inline code, highlighted code blocks,
 * links, lists and quotes, wrapped to the width. Walks the mdast from remark-parse (+ GFM) and
 * colours with picocolors; with colour off the output is plain text that still reads well.
 */
import type {
  Blockquote,
  Code,
  Heading,
  List,
  PhrasingContent,
  Root,
  RootContent,
  Table,
} from "mdast";
import pc from "picocolors";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { isHintQuote } from "../lesson/hint-rule.js";
import { plainText } from "../lesson/plain-text.js";
import { visibleText } from "./visible-text.js";

type Colors = ReturnType<typeof pc.createColors>;

export interface RenderMarkdownOptions {
  /** Columns to wrap prose to. @default 80 */
  width?: number;
  /** ANSI colours. @default false */
  color?: boolean;
  /** Leave out hints (src/lesson/hint-rule.ts says which quotes are): the guided flow shows them on request. */
  hideHints?: boolean;
  /** Leave out `check` fences. */
  hideChecks?: boolean;
}

/** One styled run of inline text. */
interface Span {
  text: string;
  style: (s: string) => string;
  /** Never break inside (inline code, URLs). */
  atomic?: boolean;
}

const parser = unified().use(remarkParse).use(remarkGfm);

/** Render Markdown source for a terminal (or a pipe, with colour off). Ends without a newline. */
export function renderMarkdown(source: string, options: RenderMarkdownOptions = {}): string {
  // Lesson text is shown, never obeyed: a control character in it (`\e[2J`) reaches the
  // terminal as a visible escape, like names from the lab do (render/visible-text.ts).
  const tree = parser.parse(
    visibleText(source.replaceAll("\r\n", "\n"), { keepNewlines: true }),
  ) as Root;
  const ctx: Ctx = {
    c: pc.createColors(options.color === true),
    width: Math.max(20, options.width ?? 80),
    hideHints: options.hideHints === true,
    hideChecks: options.hideChecks === true,
  };
  return blocks(tree.children, ctx, ctx.width).join("\n\n");
}

interface Ctx {
  c: Colors;
  width: number;
  hideHints: boolean;
  hideChecks: boolean;
}

function blocks(nodes: RootContent[], ctx: Ctx, width: number): string[] {
  const out: string[] = [];
  for (const node of nodes) {
    const text = block(node, ctx, width);
    if (text !== undefined) out.push(text);
  }
  return out;
}

function block(node: RootContent, ctx: Ctx, width: number): string | undefined {
  const { c } = ctx;
  switch (node.type) {
    case "heading":
      return heading(node, ctx, width);
    case "paragraph":
      return wrap(spans(node.children, ctx), width).join("\n");
    case "code":
      return codeBlock(node, ctx);
    case "blockquote":
      return quote(node, ctx, width);
    case "list":
      return list(node, ctx, width);
    case "thematicBreak":
      return c.dim("─".repeat(Math.min(width, 40)));
    case "table":
      return table(node, ctx);
    case "html":
      return c.dim(node.value);
    case "yaml":
    case "definition":
    case "footnoteDefinition":
      return undefined;
    default:
      return "children" in node
        ? blocks(node.children as RootContent[], ctx, width).join("\n\n")
        : undefined;
  }
}

function heading(node: Heading, ctx: Ctx, width: number): string {
  const { c } = ctx;
  const style =
    node.depth <= 1
      ? (s: string) => c.bold(c.magenta(s))
      : node.depth === 2
        ? (s: string) => c.bold(c.cyan(s))
        : c.bold;
  const lines = wrap(
    spans(node.children, ctx).map((s) => ({ ...s, style: (t: string) => style(s.style(t)) })),
    width,
  );
  if (ctx.c.isColorSupported) return lines.join("\n");
  // Without colour, underline top headings so they still stand out.
  const rule =
    node.depth <= 2
      ? `\n${(node.depth === 1 ? "=" : "-").repeat(Math.min(width, Math.max(...lines.map((l) => l.length))))}`
      : "";
  return `${lines.join("\n")}${rule}`;
}

function quote(node: Blockquote, ctx: Ctx, width: number): string | undefined {
  const { c } = ctx;
  const hint = isHintQuote(node);
  if (hint && ctx.hideHints) return undefined;
  const alert = alertOf(node);
  let children = node.children;
  let label = "";
  if (alert !== undefined) {
    // `> [!NOTE]` reads as a label line, as on GitHub.
    label = `${c.bold(alert.charAt(0) + alert.slice(1).toLowerCase())}\n`;
    children = structuredClone(node.children);
    const head = children[0]?.type === "paragraph" ? children[0].children[0] : undefined;
    if (head?.type === "text") head.value = head.value.replace(/^\[!\w+\]\s*/, "");
  }
  const inner = label + blocks(children, ctx, width - 2).join("\n\n");
  const bar =
    hint || alert === "TIP" ? c.green("│ ") : alert !== undefined ? c.yellow("│ ") : c.dim("│ ");
  return prefixLines(inner, bar, bar);
}

/** `> [!NOTE]`-style GitHub alerts: the kind, upper case. */
function alertOf(node: Blockquote): string | undefined {
  const first = node.children[0];
  if (first?.type !== "paragraph") return undefined;
  const head = first.children[0];
  const m = head?.type === "text" ? /^\[!(\w+)\]/.exec(head.value) : null;
  return m?.[1]?.toUpperCase();
}

function list(node: List, ctx: Ctx, width: number): string {
  const start = node.start ?? 1;
  const items = node.children.map((item, i) => {
    const marker = node.ordered
      ? `${start + i}. `
      : item.checked === true
        ? "[x] "
        : item.checked === false
          ? "[ ] "
          : "• ";
    const inner = blocks(item.children, ctx, width - marker.length).join(
      node.spread ? "\n\n" : "\n",
    );
    return prefixLines(inner, marker, " ".repeat(marker.length));
  });
  return items.join(node.spread ? "\n\n" : "\n");
}

function table(node: Table, ctx: Ctx): string {
  const rows = node.children.map((row) => row.children.map((cell) => plainText(cell)));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const [head, ...rest] = rows;
  return [ctx.c.bold(line(head ?? [])), ...rest.map(line)].join("\n");
}

function codeBlock(node: Code, ctx: Ctx): string | undefined {
  const { c } = ctx;
  const lang = (node.lang ?? "").toLowerCase();
  const meta = (node.meta ?? "").split(/\s+/).filter(Boolean);
  if (lang === "check" && ctx.hideChecks) return undefined;
  if (meta.includes("setup")) return undefined;
  const lines = node.value.split("\n");
  let body: string[];
  let label: string | undefined;
  if (lang === "sh" || lang === "bash" || lang === "shell") {
    // Fence words (`no-run`, `background`, `allow-fail`) tell course how to run the block;
    // they are the author's, not the learner's, and are not shown.
    body = lines.map((l) => highlightShell(l, c));
  } else if (lang === "check") {
    body = lines.map((l) => highlightCheck(l, c));
    label = "checks";
  } else if (lang === "console") {
    body = lines.map((l) => c.dim(l));
  } else {
    body = lines;
  }
  const bar = c.dim("│ ");
  const text = body.map((l) => `  ${bar}${l}`).join("\n");
  return label === undefined ? text : `  ${c.dim(`(${label})`)}\n${text}`;
}

/** Shell: comments dim, the command word bold, options yellow, strings green, variables magenta. */
export function highlightShell(line: string, c: Colors): string {
  let out = "";
  let commandNext = true;
  const tokens =
    /(\s+)|(#.*$)|('[^']*'?|"(?:[^"\\]|\\.)*"?)|(\$\{?\w+\}?)|(&&|\|\||[|;&()])|([^\s'"|;&()]+)/g;
  for (const [all, space, comment, str, variable, op, word] of line.matchAll(tokens)) {
    if (space !== undefined) out += space;
    else if (comment !== undefined) out += c.dim(comment);
    else if (str !== undefined) out += c.green(str);
    else if (variable !== undefined) out += c.magenta(variable);
    else if (op !== undefined) {
      out += c.dim(op);
      commandNext = true;
    } else if (word !== undefined && commandNext && !/^\w+=/.test(word)) {
      out += c.bold(c.cyan(word));
      commandNext = false;
    } else if (word?.startsWith("-")) out += c.yellow(word);
    else out += all;
  }
  return out;
}

/** Check lines: `NS:` prefix magenta, the kind bold, comments dim. */
function highlightCheck(line: string, c: Colors): string {
  const m = /^(\s*)([\w.-]+:\s+)?(not\s+)?(\w+)(.*)$/.exec(line);
  if (m === null || line.trimStart().startsWith("#")) return c.dim(line);
  const [, lead = "", ns = "", not = "", kind = "", rest = ""] = m;
  const hash = rest.indexOf(" #");
  const args = hash >= 0 ? rest.slice(0, hash) : rest;
  const comment = hash >= 0 ? c.dim(rest.slice(hash)) : "";
  const paint = (f: (s: string) => string, t: string) => (t === "" ? "" : f(t));
  return `${lead}${paint(c.magenta, ns)}${paint(c.red, not)}${c.bold(kind)}${args}${comment}`;
}

/** Inline content as styled spans. */
function spans(
  nodes: PhrasingContent[],
  ctx: Ctx,
  style: (s: string) => string = (s) => s,
): Span[] {
  const { c } = ctx;
  const out: Span[] = [];
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        out.push({ text: node.value, style });
        break;
      case "emphasis":
        out.push(...spans(node.children, ctx, (s) => style(c.italic(s))));
        break;
      case "strong":
        out.push(...spans(node.children, ctx, (s) => style(c.bold(s))));
        break;
      case "delete":
        out.push(...spans(node.children, ctx, (s) => style(c.strikethrough(s))));
        break;
      case "inlineCode": {
        // A code span may run over a line break in the source; it is one command, never
        // broken (Markdown reads that line break as a space).
        const code = node.value.replace(/[ \t]*\r?\n[ \t]*/g, " ");
        out.push({
          text: c.isColorSupported ? code : `\`${code}\``,
          style: (s) => c.yellow(s),
          atomic: true,
        });
        break;
      }
      case "break":
        out.push({ text: "\n", style });
        break;
      case "link": {
        const text = plainText(node);
        out.push(...spans(node.children, ctx, (s) => style(c.underline(c.blue(s)))));
        if (text !== node.url && `mailto:${text}` !== node.url) {
          out.push({ text: " ", style });
          out.push({ text: `(${node.url})`, style: (s) => c.dim(s), atomic: true });
        }
        break;
      }
      case "image":
        out.push({ text: `[image: ${node.alt ?? node.url}]`, style: c.dim });
        break;
      case "html":
        out.push({ text: node.value, style: c.dim });
        break;
      default:
        if ("children" in node) out.push(...spans(node.children as PhrasingContent[], ctx, style));
        else if ("value" in node) out.push({ text: String(node.value), style });
    }
  }
  return out;
}

/** Greedy word wrap on visible width; styles are applied per word so wrapping never splits an escape. */
function wrap(input: Span[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  let used = 0;
  let pendingSpace = false;
  const flush = () => {
    lines.push(line);
    line = "";
    used = 0;
    pendingSpace = false;
  };
  for (const span of input) {
    const parts = span.atomic ? [span.text] : span.text.split(/(\s+)/);
    for (const part of parts) {
      if (part === "") continue;
      if (!span.atomic && /^\s+$/.test(part)) {
        if (part.includes("\n")) flush();
        else if (used > 0) pendingSpace = true;
        continue;
      }
      const len = [...part].length;
      const space = pendingSpace ? 1 : 0;
      if (used > 0 && used + space + len > width) flush();
      else if (pendingSpace) {
        line += " ";
        used += 1;
      }
      pendingSpace = false;
      line += span.style(part);
      used += len;
    }
    // A space at a span boundary ("see `x` now") is carried by the text spans themselves.
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

function prefixLines(text: string, first: string, rest: string): string {
  return text
    .split("\n")
    .map((l, i) => (i === 0 ? first : rest) + l)
    .join("\n");
}
