/**
 * The Markdown front end of the lesson parser: a lesson's text → its block tree (mdast), with
 * every node's position in the text's own lines and columns, and the text under a node as
 * written. Knows Markdown, nothing about lessons (`parse-lesson.ts` gives the tree its meaning).
 * Pure.
 */
import type { Code, Heading, Nodes, Root, RootContent } from "mdast";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { type Plugin, unified } from "unified";
import type { Node as UnistNode } from "unist";
import { FRONT_MATTER_FENCE, scanBlocks } from "./block-scan.js";

type Processor = ReturnType<typeof makeProcessor>;
/** Built once each, on first use: with GFM tables, and without (see `blocksOnly`). */
let processor: Processor | undefined;
let tablelessProcessor: Processor | undefined;

/**
 * Inline constructs (emphasis, links, code spans, autolinks…) say nothing about a lesson's
 * structure, and tokenizing them is most of micromark's time (about half of a lesson's parse,
 * measured by bench/parse.mjs). Titles, hints and step Markdown are kept as Markdown source for
 * the terminal renderer, so the parser only needs blocks: fences, headings, blockquotes, lists,
 * tables and front matter.
 */
const INLINE_CONSTRUCTS = [
  "attention",
  "autolink",
  "characterEscape",
  "characterReference",
  "codeText",
  "hardBreakEscape",
  "htmlText",
  "labelStartImage",
  "labelStartLink",
  "labelEnd",
  "wwwAutolink",
  "protocolAutolink",
  "emailAutolink",
  "gfmFootnoteCall",
  "gfmPotentialFootnoteCall",
  "strikethrough",
  "tasklistCheck",
];

/**
 * GFM's table construct is tried at the start of every line of flow content (the only block
 * construct tried on any character rather than on a marker like `#` or a backtick), which made
 * it a quarter to a third of micromark's time on a typical lesson (bench/parse.mjs). A table
 * needs a delimiter row, so a text without one parses to the same tree with `tables: false`.
 * (An options object: unified ignores a plugin given a bare `false`.)
 */
const blocksOnly: Plugin<[{ tables: boolean }], Root> = function ({ tables }) {
  const data = this.data();
  data.micromarkExtensions ??= [];
  const disable = tables ? INLINE_CONSTRUCTS : [...INLINE_CONSTRUCTS, "table"];
  data.micromarkExtensions.push({ disable: { null: disable } });
  // Tree transforms too: the only one (GFM autolink literals) turns URLs in text into link
  // nodes without positions, which made a heading ending in a URL lose its title, and walked
  // the whole tree for every lesson (~4% of the parse).
  data.fromMarkdownExtensions = (data.fromMarkdownExtensions ?? []).map((extension) =>
    (Array.isArray(extension) ? extension : [extension]).map(({ transforms: _, ...rest }) => rest),
  );
};

/**
 * A line that could be a table's delimiter row (`| --- | :-: |`, `:-`): after container prefixes
 * (indentation, `>`), only `|`, `:`, `-` and blanks, with a `-` and a `|` or `:` (micromark's
 * rule; `---` alone is a thematic break or setext underline). Deliberately loose: a false match
 * only costs speed.
 */
const MAYBE_DELIMITER_ROW = /^[ \t>]*(?=[-:| \t]*-)(?=[-:| \t]*[:|])[-:| \t]+$/m;

function makeProcessor(tables = true) {
  return unified()
    .use(remarkParse)
    .use(remarkFrontmatter, ["yaml"])
    .use(remarkGfm)
    .use(blocksOnly, { tables })
    .freeze();
}

/** remark's tree of `text` as it is, every block construct on (the reference for tests). */
export function markdownTree(text: string): Root {
  processor ??= makeProcessor();
  return processor.parse(text) as Root;
}

/** remark's tree of `text`, with the table construct only when a line could be a delimiter row. */
function remarkTree(text: string): Root {
  if (MAYBE_DELIMITER_ROW.test(text)) return markdownTree(text);
  tablelessProcessor ??= makeProcessor(false);
  return tablelessProcessor.parse(text) as Root;
}

/**
 * remark's reading of lines `start` to `end` (a region between two boundaries, see
 * block-scan.ts) in the whole text's lines and columns; `undefined` when reading the region
 * alone could differ from reading it within the text: when it could open front matter, starts
 * with a byte order mark, could hold a table, or ends in a fence or HTML block that might still
 * be open (and so would swallow the boundary after it).
 */
function parseRegion(
  lines: readonly string[],
  start: number,
  end: number,
): RootContent[] | undefined {
  const first = lines[start] ?? "";
  // micromark reads front matter, and drops a byte order mark, only at the start of its input.
  if (FRONT_MATTER_FENCE.test(first) || first.startsWith("\ufeff")) return undefined;
  const region = lines.slice(start, end).join("\n");
  if (MAYBE_DELIMITER_ROW.test(region)) return undefined;
  tablelessProcessor ??= makeProcessor(false);
  const tree = tablelessProcessor.parse(region) as Root;
  let open = false;
  const visit = (node: Nodes) => {
    const position = node.position;
    if (!position) return;
    position.start.line += start;
    position.end.line += start;
    const fenced =
      node.type === "code" &&
      /^[`~]/.test((lines[position.start.line - 1] ?? "").slice(position.start.column - 1));
    if ((fenced || node.type === "html") && position.end.line >= end && end < lines.length) {
      open = true;
    }
    if ("children" in node) for (const child of node.children as Nodes[]) visit(child);
  };
  for (const node of tree.children) visit(node);
  return open ? undefined : tree.children;
}

/** A lesson's text split into lines, with the offsets that map tree positions back to it. */
export class MarkdownSource {
  /** The text's lines, and the line endings after each. */
  readonly lines: string[] = [];
  readonly endings: string[] = [];
  /** Offset of each line's first character in `text`. */
  readonly lineStarts: number[] = [];

  constructor(readonly text: string) {
    const parts = text.split(/(\r\n|\r|\n)/);
    let offset = 0;
    for (let i = 0; i < parts.length; i += 2) {
      const line = parts[i] ?? "";
      const ending = parts[i + 1] ?? "";
      this.lines.push(line);
      this.endings.push(ending);
      this.lineStarts.push(offset);
      offset += line.length + ending.length;
    }
  }

  /**
   * The text's block tree: from the block scan (block-scan.ts) when `fast` and the text is made
   * only of what it knows (regions it leaves go to remark), else from remark on the whole text
   * (without the table construct when no line could be a delimiter row: the same tree). `fast:
   * false` (remark, every construct) exists for the tests that prove "same result".
   */
  tree(fast: boolean): Root {
    if (!fast) return markdownTree(this.text);
    const scanned = this.scan();
    return scanned ? { type: "root", children: scanned } : remarkTree(this.text);
  }

  /** The block scan's top-level nodes (regions it leaves go to remark), if it answers. */
  scan(): RootContent[] | undefined {
    if (/[\r\0]/.test(this.text)) return undefined;
    return scanBlocks(this.lines, (start, end) => parseRegion(this.lines, start, end));
  }

  /** Offset in the text of a tree point. */
  offset(point: { line: number; column: number } | undefined): number {
    if (!point) return 0;
    const start = this.lineStarts[point.line - 1];
    if (start === undefined) return this.text.length;
    return start + point.column - 1;
  }

  /** Offsets of a node in the text. */
  span(node: UnistNode): { start: number; end: number } {
    return { start: this.offset(node.position?.start), end: this.offset(node.position?.end) };
  }

  /** A fence's content as written, line endings as `\n`. */
  codeValue(node: Code): string {
    return node.value.replace(/\r\n|\r/g, "\n");
  }

  /** A heading's text as written in the file. */
  headingText(node: Heading): string {
    const first = node.children[0];
    const last = node.children[node.children.length - 1];
    if (!first || !last) return "";
    const start = this.offset(first.position?.start);
    const end = this.offset(last.position?.end);
    return this.text.slice(start, end).replace(/\s+/g, " ").trim();
  }

  /** Each word of a fence's info string, with its 1-based line and column on the opening line. */
  infoWords(node: Code): { word: string; line: number; column: number }[] {
    const line = node.position?.start.line ?? 1;
    const source = this.lines[line - 1] ?? "";
    const fenceAt = Math.max(0, (node.position?.start.column ?? 1) - 1);
    // Skip the container prefix (`> `, list indent) and the fence characters.
    const fence = /[`~]{3,}/.exec(source.slice(fenceAt));
    let cursor = fence ? fenceAt + fence.index + fence[0].length : fenceAt;
    // A double-quoted value is one word (`no-mutate="no route cache since Linux 3.6"`).
    const words = `${node.lang ?? ""} ${node.meta ?? ""}`.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? [];
    return words.map((word) => {
      const found = source.indexOf(word, cursor);
      const index = found === -1 ? cursor : found;
      cursor = index + word.length;
      return { word, line, column: index + 1 };
    });
  }
}

/** The top-level nodes the fast path reads for `text` (for tests), or `undefined`. */
export function scannedTree(text: string): RootContent[] | undefined {
  return new MarkdownSource(text).scan();
}
