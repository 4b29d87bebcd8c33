/**
 * The block scan: for the lessons most instructors write, the part of remark's tree that the
 * lesson parser reads (front matter, top-level headings, fences, blockquotes), built straight
 * from the lines without running micromark. Pure.
 *
 * It reads only documents made of: front matter; blank lines; ATX headings and code fences
 * that start in column 1; blockquotes (`>` in column 1) of plain paragraphs, with lazy
 * continuation lines; and plain prose (lines whose first character can start no block).
 * Anything else (lists, tables, HTML, setext headings, thematic breaks, indented fences or
 * headings, tabs and carriage returns outside fences, NUL, an unclosed front matter) makes it
 * return `undefined`, and the caller hands the document to remark, which stays the reference:
 * a property test checks that, wherever the scan answers, the lesson and problems are exactly
 * those of remark's full parse. Paragraphs are left out of the tree: no part of the lesson
 * parser reads them.
 *
 * Why: micromark spends 20-30 µs on every block (a tokenizer per paragraph, per fence info,
 * per heading text), so a typical lesson took 1.5 ms in it even with inline constructs off;
 * this scan takes a few µs per lesson (bench/parse.mjs).
 */
import type { Blockquote, Code, Heading, RootContent, Yaml } from "mdast";
import type { Point } from "unist";

const FRONT_MATTER_FENCE = /^---[ \t]*$/;
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
 * The top-level nodes the lesson parser reads, for `lines` (the text split at `\n`; the text
 * holds no `\r`), or `undefined` when the document uses anything this scan leaves to remark.
 */
export function scanBlocks(lines: readonly string[]): RootContent[] | undefined {
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

  for (; i < n; i++) {
    const line = lines[i] ?? "";
    const c = line.charAt(0);
    if (c === "`" || c === "~") {
      const open = FENCE_OPEN.exec(line);
      if (open) {
        closeQuote();
        const end = fence(lines, i, open[1] ?? "", open[2] ?? "", out);
        if (end === undefined) return undefined;
        i = end;
        continue;
      }
    }
    if (line.includes("\t")) return undefined;
    if (c === "#") {
      const atx = ATX.exec(line);
      if (atx) {
        closeQuote();
        out.push(heading(lines, i, (atx[1] ?? "").length));
        continue;
      }
    }
    if (c === ">") {
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
      if (indent >= 4 || !plainStart(content.slice(indent))) return undefined;
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
      // Indented code or a paragraph's continuation: no block the parser reads. Kept out if it
      // could be a table row (delimiter rows are never indented this far, but be sure).
      if (rest.includes("|")) return undefined;
    } else if (!plainStart(rest)) {
      return undefined;
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
  return out;
}

/**
 * A fence opening at line index `at`: push its code node, and return the index of its last
 * line (the closing fence, or the document's last line), or `undefined` if a backtick fence's
 * info string holds a backtick (then the line is not a fence at all).
 */
function fence(
  lines: readonly string[],
  at: number,
  marker: string,
  info: string,
  out: RootContent[],
): number | undefined {
  if (marker.charAt(0) === "`" && info.includes("`")) return undefined;
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
  while (line.charCodeAt(start) === 32) start++;
  // The text, without trailing blanks and a closing sequence (`#`s after a blank, or alone).
  let body = line.slice(start).replace(/ +$/, "");
  const closing = /(?:^|[ ])#+$/.exec(body);
  if (closing) body = body.slice(0, closing.index).replace(/ +$/, "");
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
