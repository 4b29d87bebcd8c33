/**
 * The block scan: the part of remark's tree that the lesson parser reads (front matter,
 * top-level headings, fences, blockquotes and whether they are hints), built from the lines
 * without running micromark wherever that is certain. Pure.
 *
 * Fences and ATX headings that start in column 1 split the text into *regions*. A region of
 * blank lines, plain prose (lines whose first character can start no block) and blockquotes of
 * plain paragraphs (`>` in column 1, lazy continuation lines included) is read here. Any other
 * region (lists, tables, HTML, setext headings, indented fences, tabs…) is handed to the
 * caller's `RegionParser` (remark), which may refuse it; then, as for CR, NUL or an unclosed
 * front matter, the whole text goes to remark. Paragraphs are left out of the tree: no part of
 * the lesson parser reads them.
 *
 * remark stays the reference: a property test (test/lesson/block-scan.test.ts) checks that
 * wherever the scan answers, its nodes, positions, lesson and problems are exactly remark's.
 *
 * Why: micromark spends 20-30 µs on every block (a tokenizer per paragraph, per fence info,
 * per heading text), so a typical lesson took ~1.5 ms in it even with inline constructs off;
 * the scan reads one in a few tens of µs (bench/parse.mjs).
 */
import type { Blockquote, Code, Heading, RootContent, Yaml } from "mdast";
import type { Point } from "unist";

/** A front matter fence: `---` alone on a line (trailing blanks allowed). */
export const FRONT_MATTER_FENCE = /^---[ \t]*$/;

const FENCE_OPEN = /^(`{3,}|~{3,})([\s\S]*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const ATX = /^(#{1,6})(?=[ \t]|$)/;
const LETTER = /^[A-Za-z]/;
const THEMATIC_BREAK = /^([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*$/;
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const MAYBE_DELIMITER_ROW = /^[-:| \t]+$/;
const ALERT = /^\[![A-Za-z]+\](?!:)/;

/**
 * Whether a line whose first non-blank character starts `rest` (after at most three spaces)
 * can only be paragraph text: it opens no block, underlines no heading and delimits no table.
 */
export function plainStart(rest: string): boolean {
  if (LETTER.test(rest)) return true;
  const c = rest.charAt(0);
  switch (c) {
    case "#":
      return !ATX.test(rest);
    case "`":
      return !rest.startsWith("```");
    case "~":
      return !rest.startsWith("~~~");
    case "[":
      return ALERT.test(rest);
    case "<":
    case ">":
    case "=":
    case "|":
    case ":":
    case "":
      return false;
    case "-":
    case "*":
    case "+":
    case "_":
      return !(
        LIST_MARKER.test(rest) ||
        THEMATIC_BREAK.test(rest) ||
        SETEXT_UNDERLINE.test(rest) ||
        MAYBE_DELIMITER_ROW.test(rest)
      );
    default:
      return !(c >= "0" && c <= "9" && LIST_MARKER.test(rest));
  }
}

const point = (line: number, column: number): Point => ({ line, column });

/** End of a line (1-based `line`), trailing blanks included, as remark places it. */
const lineEnd = (lines: readonly string[], line: number): Point =>
  point(line, (lines[line - 1] ?? "").length + 1);

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

interface OpenQuote {
  start: number;
  end: number;
  /** Lines of the quote's first paragraph, leading blanks removed. */
  first?: string[];
  firstClosed: boolean;
  /** Whether a paragraph is open (so that a plain line after it is a lazy continuation). */
  paraOpen: boolean;
}

/**
 * Reads lines `start` to `end` (0-based, end excluded) with remark: the top-level nodes, with
 * positions in the whole text, or `undefined` if remark's reading of the region alone could
 * differ from its reading of the whole text (then the whole text goes to remark).
 */
export type RegionParser = (start: number, end: number) => RootContent[] | undefined;

/**
 * The top-level nodes the lesson parser reads, for `lines` (the text split at `\n`; the text
 * holds no `\r`), or `undefined` when the document is left to remark as a whole.
 *
 * Fences and ATX headings that start in column 1 are *boundaries*: no container, paragraph or
 * other block can hold such a line (outside a fence or HTML block, which `parseRegion` checks
 * for), so remark reads the lines between two boundaries (a *region*) the same alone as within
 * the text. A region of plain prose and simple blockquotes is read here; any other region is
 * handed to `parseRegion` (without one, the document is left to remark).
 */
export function scanBlocks(
  lines: readonly string[],
  parseRegion?: RegionParser,
): RootContent[] | undefined {
  const out: RootContent[] = [];
  const n = lines.length;
  let i = 0;

  if (FRONT_MATTER_FENCE.test(lines[0] ?? "")) {
    let close = 1;
    while (close < n && !FRONT_MATTER_FENCE.test(lines[close] ?? "")) close++;
    if (close >= n) return undefined;
    const yaml: Yaml = {
      type: "yaml",
      value: lines.slice(1, close).join("\n"),
      position: { start: point(1, 1), end: lineEnd(lines, close + 1) },
    };
    out.push(yaml);
    i = close + 1;
  }

  let regionStart = i;
  /** Read the region before line `end`; false if the document must go to remark. */
  const region = (end: number): boolean => {
    if (end > regionStart) {
      const mark = out.length;
      if (!simpleRegion(lines, regionStart, end, out)) {
        out.length = mark;
        const nodes = parseRegion?.(regionStart, end);
        if (!nodes) return false;
        out.push(...nodes);
      }
    }
    return true;
  };

  for (; i < n; i++) {
    const line = lines[i] ?? "";
    const c = line.charAt(0);
    if (c === "`" || c === "~") {
      const open = FENCE_OPEN.exec(line);
      const marker = open?.[1] ?? "";
      const info = open?.[2] ?? "";
      // A backtick fence's info string cannot hold a backtick: such a line is prose.
      if (open && !(c === "`" && info.includes("`"))) {
        if (!region(i)) return undefined;
        i = fence(lines, i, marker, info, out);
        regionStart = i + 1;
      }
    } else if (c === "#") {
      const atx = ATX.exec(line);
      if (atx) {
        if (!region(i)) return undefined;
        out.push(heading(lines, i, (atx[1] ?? "").length));
        regionStart = i + 1;
      }
    }
  }
  if (!region(n)) return undefined;
  return out;
}

/**
 * Read lines `start` to `end` if they are only blank lines, plain prose (see `plainStart`) and
 * blockquotes (`>` in column 1) of plain paragraphs: push the blockquotes, and return true.
 * Return false for anything else (lists, tables, HTML, tabs, nested blocks…).
 */
function simpleRegion(
  lines: readonly string[],
  start: number,
  end: number,
  out: RootContent[],
): boolean {
  let quote: OpenQuote | undefined;
  const closeQuote = () => {
    if (!quote) return;
    const node: Blockquote = {
      type: "blockquote",
      children: [],
      position: { start: point(quote.start + 1, 1), end: lineEnd(lines, quote.end + 1) },
    };
    if (quote.first) {
      node.children.push({
        type: "paragraph",
        children: [{ type: "text", value: quote.first.join("\n").replace(/[ \t]+$/, "") }],
      });
    }
    out.push(node);
    quote = undefined;
  };

  for (let i = start; i < end; i++) {
    const line = lines[i] ?? "";
    if (line.includes("\t")) return false;
    if (line.charAt(0) === ">") {
      let content = line.slice(1);
      if (content.charCodeAt(0) === 32) content = content.slice(1);
      quote ??= { start: i, end: i, firstClosed: false, paraOpen: false };
      quote.end = i;
      const indent = indentOf(content);
      if (indent === content.length) {
        // A blank quote line ends the paragraph.
        quote.paraOpen = false;
        if (quote.first) quote.firstClosed = true;
        continue;
      }
      if (indent >= 4 || !plainStart(content.slice(indent))) return false;
      if (!quote.firstClosed) {
        quote.first ??= [];
        quote.first.push(content.slice(indent));
      }
      quote.paraOpen = true;
      continue;
    }
    const indent = indentOf(line);
    if (indent === line.length) {
      closeQuote();
      continue;
    }
    const rest = line.slice(indent);
    if (indent >= 4) {
      // Indented code or a paragraph's continuation: no block the parser reads. Left to remark
      // if it could be a table row (delimiter rows are never indented this far, but be sure).
      if (rest.includes("|")) return false;
    } else if (!plainStart(rest)) {
      return false;
    }
    if (quote?.paraOpen) {
      // A lazy continuation line of the quote's paragraph.
      quote.end = i;
      if (!quote.firstClosed) quote.first?.push(rest);
    } else {
      closeQuote();
    }
  }
  closeQuote();
  return true;
}

/**
 * A fence opening at line index `at`: push its code node, and return the index of its last
 * line (the closing fence, or the document's last line).
 */
function fence(
  lines: readonly string[],
  at: number,
  marker: string,
  info: string,
  out: RootContent[],
): number {
  const words = /^[ \t]*([^ \t]+)(?:[ \t]+([\s\S]*))?$/.exec(info);
  const lang = words?.[1] ?? null;
  const meta = words?.[2] === undefined || words[2] === "" ? null : words[2];
  const n = lines.length;
  let close = at + 1;
  for (; close < n; close++) {
    const closing = CLOSING_FENCE.exec(lines[close] ?? "");
    const run = closing?.[1];
    if (run !== undefined && run.charAt(0) === marker.charAt(0) && run.length >= marker.length) {
      break;
    }
  }
  let content: string[];
  let end: Point;
  if (close < n) {
    content = lines.slice(at + 1, close);
    end = lineEnd(lines, close + 1);
  } else {
    // Unclosed: the code runs to the end of the text (a last empty "line" is no line at all).
    close = n - 1;
    content = lines.slice(at + 1, n);
    if (content.length > 0 && content[content.length - 1] === "") content.pop();
    end = lineEnd(lines, n);
  }
  const code: Code = {
    type: "code",
    lang,
    meta,
    value: content.join("\n"),
    position: { start: point(at + 1, 1), end },
  };
  out.push(code);
  return close;
}

/** An ATX heading in column 1 at line index `at` with `depth` `#`s. */
function heading(lines: readonly string[], at: number, depth: number): Heading {
  const line = lines[at] ?? "";
  let start = depth;
  while (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9) start++;
  // The text, without trailing blanks and a closing sequence (`#`s after a blank, or alone).
  let body = line.slice(start).replace(/[ \t]+$/, "");
  const closing = /(?:^|[ \t])#+$/.exec(body);
  if (closing) body = body.slice(0, closing.index).replace(/[ \t]+$/, "");
  const node: Heading = {
    type: "heading",
    depth: depth as Heading["depth"],
    children: [],
    position: { start: point(at + 1, 1), end: lineEnd(lines, at + 1) },
  };
  if (body !== "") {
    node.children.push({
      type: "text",
      value: body,
      position: { start: point(at + 1, start + 1), end: point(at + 1, start + body.length + 1) },
    });
  }
  return node;
}
