/**
 * One lesson file → `Lesson`, with every problem located at the line and column that causes it.
 * Pure: the caller reads the file. Course-level facts (position, the default of `requires`,
 * unique ids) are settled by `parseCourse`.
 */
import type { Blockquote, Code, Heading, Nodes, Root, RootContent } from "mdast";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { type Plugin, unified } from "unified";
import type { Node as UnistNode } from "unist";
import { scanBlocks } from "./block-scan.js";
import { decodeLesson } from "./decode-lesson.js";
import { didYouMean, suggestion } from "./did-you-mean.js";
import { DEFAULT_TIMEOUT, type FrontMatter, parseFrontMatter } from "./front-matter.js";
import { MAX_NESTING, tooDeeplyNested } from "./nesting-depth.js";
import { parseCheckLine } from "./parse-check.js";
import { FRONT_MATTER_FENCE, skeleton, uncutColumn, uncutValue } from "./skeleton.js";
import type {
  Check,
  CommandBlock,
  CommandLang,
  CommandOptions,
  Hint,
  Lesson,
  Position,
  Problem,
  Step,
} from "./types.js";

const COMMAND_LANGS: readonly string[] = ["sh", "bash", "shell"] satisfies CommandLang[];

/** Words allowed after a command fence's language. `timeout` takes `=N`. */
export const FENCE_OPTIONS = [
  "setup",
  "no-run",
  "background",
  "allow-fail",
  "timeout",
  "show",
  "no-mutate",
] as const;

export interface ParseLessonOptions {
  /** Path of the file, used in every position (the loader passes an absolute path). */
  file: string;
  /**
   * Read the blocks with the block scan (block-scan.ts) when the lesson is made only of what it
   * knows, else parse the block skeleton (skeleton.ts) with remark, skipping the table construct
   * when no line could be a table's delimiter row: same result, many times faster. `false`
   * (remark on the whole text, every construct) exists for the tests that prove "same result".
   * @default true
   */
  fast?: boolean;
  /** 1-based position in the course. @default 1 */
  position?: number;
}

export interface ParsedLesson {
  /** The lesson, as far as it could be understood; present unless the file is not text at all. */
  lesson?: Lesson;
  /** Every problem found, errors and warnings. */
  problems: Problem[];
  /** The validated front matter with key positions (for course-level checks of `requires` and `id`). */
  frontMatter?: FrontMatter;
}

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
 * only costs speed. The skeleton never creates such a line (it keeps lines that start with
 * `-`, `:` or `|` whole and cuts others after a character that is none of them).
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

/** `03-bridge.md` → `bridge`; a name that is only a number keeps it (`07.md` → `07`). */
export function idFromFileName(file: string): string {
  const base = (file.split(/[\\/]/).pop() ?? file).replace(/\.md$/i, "");
  const stripped = base.replace(/^\d+[-_. ]*/, "");
  return stripped === "" ? base : stripped;
}

/** Plain text of a node (a heading's title, a paragraph's first words). */
function plainText(node: Nodes): string {
  if ("value" in node && typeof node.value === "string") return node.value;
  if ("children" in node) return (node.children as Nodes[]).map(plainText).join("");
  return "";
}

/** `Hint:` (also in bold or italics) or a GitHub `[!TIP]` alert, at the start of a blockquote. */
const HINT_MARKER = /^\s*(?:\*\*Hint:\*\*|__Hint:__|\*Hint:\*|_Hint:_|Hint:|\[!TIP\])[ \t]*/;

/** Whether a blockquote is a hint: it begins with `Hint:` or is a GitHub `> [!TIP]` alert. */
export function isHint(node: Blockquote): boolean {
  const first = node.children[0];
  if (first?.type !== "paragraph") return false;
  return HINT_MARKER.test(plainText(first));
}

/** Drop leading and trailing blank lines (keep indentation of the first line). */
function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, "").replace(/\s+$/, "");
}

/** remark's tree of `text` as it is, every block construct on (the reference for tests). */
export function markdownTree(text: string): Root {
  processor ??= makeProcessor();
  return processor.parse(text) as Root;
}

/**
 * remark's tree of the whole text: of its block skeleton when `fast` (see skeleton.ts, with the
 * table construct only when a line could be a delimiter row), else of the text as it is.
 */
function parseMarkdown(parser: LessonParser, fast: boolean): Root {
  if (!fast) return markdownTree(parser.text);
  let markdown: Processor;
  if (!MAYBE_DELIMITER_ROW.test(parser.text)) {
    tablelessProcessor ??= makeProcessor(false);
    markdown = tablelessProcessor;
  } else {
    processor ??= makeProcessor();
    markdown = processor;
  }
  const cut = skeleton(parser.lines, parser.endings);
  parser.parsedLines = cut.lines;
  return markdown.parse(cut.text) as Root;
}

/**
 * remark's reading of lines `start` to `end` (a region between two boundaries, see
 * block-scan.ts) in the whole text's lines and columns, fence contents as written (micromark
 * reads the region's skeleton); `undefined` when reading the region alone could differ from
 * reading it within the text: when it could open front matter, starts with a byte order mark,
 * could hold a table, or ends in a fence or HTML block that might still be open (and so would
 * swallow the boundary after it).
 */
function parseRegion(parser: LessonParser, start: number, end: number): RootContent[] | undefined {
  const { lines } = parser;
  const first = lines[start] ?? "";
  // micromark reads front matter, and drops a byte order mark, only at the start of its input.
  if (FRONT_MATTER_FENCE.test(first) || first.startsWith("\ufeff")) return undefined;
  if (MAYBE_DELIMITER_ROW.test(lines.slice(start, end).join("\n"))) return undefined;
  parser.skeletonLines ??= skeleton(lines, parser.endings).lines;
  const cut = parser.skeletonLines.slice(start, end);
  tablelessProcessor ??= makeProcessor(false);
  const tree = tablelessProcessor.parse(cut.join("\n")) as Root;
  /** A point of the region's skeleton → the same point in the text. */
  const move = (point: { line: number; column: number }) => {
    const parsed = cut[point.line - 1] ?? "";
    const original = lines[start + point.line - 1] ?? "";
    point.line += start;
    point.column = uncutColumn(parsed, original, point.column - 1) + 1;
  };
  let open = false;
  const visit = (node: Nodes) => {
    const position = node.position;
    if (!position) return;
    const first = position.start.line;
    move(position.start);
    move(position.end);
    if (node.type === "code" && node.value !== "") {
      node.value = node.value
        .split("\n")
        .map((value, i) => uncutValue(cut[first + i] ?? "", lines[start + first + i] ?? "", value))
        .join("\n");
    }
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

/** The block scan's tree of the parser's text (regions it leaves go to remark), if it answers. */
function scan(parser: LessonParser): RootContent[] | undefined {
  if (/[\r\0]/.test(parser.text)) return undefined;
  return scanBlocks(parser.lines, (start, end) => parseRegion(parser, start, end));
}

/** The top-level nodes the fast path reads for `text` (for tests), or `undefined`. */
export function scannedTree(text: string): RootContent[] | undefined {
  return scan(new LessonParser(text, "-"));
}

class LessonParser {
  readonly problems: Problem[] = [];
  /** The file's lines, and the line endings after each. */
  readonly lines: string[] = [];
  readonly endings: string[] = [];
  /** Offset of each line's first character in `text`. */
  readonly lineStarts: number[] = [];
  /** The lines micromark reads (see skeleton.ts); the same as `lines` when not fast. */
  parsedLines: string[];
  /** The skeleton's lines, once a region of the text needed remark. */
  skeletonLines: string[] | undefined;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
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
    this.parsedLines = this.lines;
  }

  /** Offset in the original text of a point in the parsed text (the two differ only in cut tails). */
  offset(point: { line: number; column: number } | undefined): number {
    if (!point) return 0;
    const start = this.lineStarts[point.line - 1];
    if (start === undefined) return this.text.length;
    const parsed = this.parsedLines[point.line - 1] ?? "";
    const original = this.lines[point.line - 1] ?? "";
    return start + uncutColumn(parsed, original, point.column - 1);
  }

  /** Offsets of a node in the original text. */
  span(node: UnistNode): { start: number; end: number } {
    return { start: this.offset(node.position?.start), end: this.offset(node.position?.end) };
  }

  /** A fence's content as written in the file (the parsed value may have cut lines). */
  codeValue(node: Code): string {
    if (node.value === "") return "";
    const first = (node.position?.start.line ?? 1) + 1;
    return node.value
      .split(/\r\n|\r|\n/)
      .map((value, i) => {
        const parsed = this.parsedLines[first - 1 + i];
        const original = this.lines[first - 1 + i];
        if (parsed === undefined || original === undefined) return value;
        return uncutValue(parsed, original, value);
      })
      .join("\n");
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

  at(line: number, column: number): Position {
    return { file: this.file, line, column };
  }

  report(where: Position, severity: Problem["severity"], rule: string, message: string): void {
    this.problems.push({ ...where, severity, rule, message });
  }

  /** Column of each word of a fence's info string, found on the opening line itself. */
  infoWords(node: Code): { word: string; at: Position }[] {
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
      return { word, at: this.at(line, index + 1) };
    });
  }

  commandOptions(node: Code, inIntro: boolean): CommandOptions {
    const options: CommandOptions = {
      setup: false,
      noRun: false,
      background: false,
      allowFail: false,
      show: false,
    };
    for (const { word, at } of this.infoWords(node).slice(1)) {
      const eq = word.indexOf("=");
      const name = eq < 0 ? word : word.slice(0, eq);
      const value = eq < 0 ? undefined : word.slice(eq + 1);
      switch (name) {
        case "setup":
          if (!inIntro) {
            this.report(
              at,
              "error",
              "setup-outside-intro",
              "`setup` fences belong in the introduction (before the first `##` step): move this fence there, or drop `setup` to make it one of the step's commands",
            );
          }
          options.setup = true;
          break;
        case "no-run":
          options.noRun = true;
          break;
        case "background":
          options.background = true;
          break;
        case "allow-fail":
          options.allowFail = true;
          break;
        case "show":
          options.show = true;
          break;
        case "no-mutate": {
          const reason = /^"(.*)"$/.exec(value ?? "")?.[1]?.trim();
          if (reason === undefined || reason === "") {
            this.report(
              at,
              "error",
              "bad-no-mutate",
              `\`${word}\`: say why \`course test --mutate\` must leave these commands alone: \`no-mutate="REASON"\` (e.g. \`no-mutate="no IPv4 route cache since Linux 3.6"\`)`,
            );
          } else {
            options.noMutate = reason;
          }
          break;
        }
        case "timeout": {
          const seconds = value === undefined ? Number.NaN : Number(value);
          if (value === undefined || !/^\d+(?:\.\d+)?$/.test(value) || !(seconds > 0)) {
            this.report(
              at,
              "error",
              "bad-timeout",
              `\`${word}\`: expected \`timeout=N\` with N a positive number of seconds (e.g. \`timeout=60\`)`,
            );
          } else {
            options.timeout = seconds;
          }
          break;
        }
        default:
          this.report(
            at,
            "error",
            "unknown-fence-option",
            `unknown fence option \`${word}\`${suggestion(name, FENCE_OPTIONS)}; known: setup, no-run, background, allow-fail, show, no-mutate="REASON", timeout=N`,
          );
      }
    }
    if (options.setup && !inIntro) options.setup = false;
    return options;
  }

  command(node: Code, inIntro: boolean): CommandBlock {
    const start = node.position?.start ?? { line: 1, column: 1 };
    const options = this.commandOptions(node, inIntro);
    const code = this.codeValue(node);
    if (code.trim() === "") {
      this.report(
        this.at(start.line, start.column),
        "warning",
        "empty-fence",
        `this \`${node.lang}\` fence is empty: add the commands it should run, or remove it`,
      );
    }
    return {
      file: this.file,
      line: start.line,
      column: start.column,
      lang: node.lang as CommandLang,
      code,
      codeLine: start.line + 1,
      options,
    };
  }

  /** The checks of a `check` fence, and how many of its lines are broken. */
  checks(node: Code): { checks: Check[]; broken: number } {
    const start = node.position?.start ?? { line: 1, column: 1 };
    for (const { word, at } of this.infoWords(node).slice(1)) {
      this.report(
        at,
        "error",
        "check-fence-option",
        `a \`check\` fence takes no options, found \`${word}\`: remove it`,
      );
    }
    const checks: Check[] = [];
    let broken = 0;
    const value = this.codeValue(node);
    const valueLines = value === "" ? [] : value.split("\n");
    valueLines.forEach((value, i) => {
      const line = start.line + 1 + i;
      const source = this.lines[line - 1] ?? value;
      // The value has the container's prefix (`> `, indentation) removed: find the column
      // where this line's text starts in the file.
      const column = source.endsWith(value) ? source.length - value.length + 1 : start.column;
      const result = parseCheckLine(value, this.at(line, column));
      this.problems.push(...result.problems);
      if (result.check) checks.push(result.check);
      else if (result.problems.length > 0) broken++;
    });
    return { checks, broken };
  }

  hint(node: Blockquote): Hint {
    const { start, end } = this.span(node);
    const body = this.text
      .slice(start, end)
      .split(/\r\n|\r|\n/)
      .map((line) => line.replace(/^[ \t]{0,3}>[ \t]?/, ""))
      .join("\n")
      .replace(HINT_MARKER, "");
    const pos = node.position?.start ?? { line: 1, column: 1 };
    return { file: this.file, line: pos.line, column: pos.column, markdown: trimBlankLines(body) };
  }
}

/** What one section (the introduction or a step) collects while its nodes are walked. */
interface Section {
  commands: CommandBlock[];
  checks: Check[];
  hints: Hint[];
  /** Check lines that did not parse (reported already; they also count as "has checks"). */
  brokenChecks: number;
  /** Source spans to leave out of the section's Markdown (setup fences). */
  cut: { start: number; end: number }[];
}

function walk(parser: LessonParser, node: RootContent, section: Section, inIntro: boolean): void {
  if (node.type === "code") {
    const lang = node.lang ?? "";
    const start = node.position?.start ?? { line: 1, column: 1 };
    const where = parser.at(start.line, start.column);
    if (COMMAND_LANGS.includes(lang)) {
      const block = parser.command(node, inIntro);
      if (inIntro) {
        if (block.options.setup) {
          section.commands.push(block);
          section.cut.push(parser.span(node));
        } else if (!block.options.noRun) {
          parser.report(
            where,
            "warning",
            "command-in-intro",
            `this \`${lang}\` fence is before the first \`##\` step, so it never runs: add \`setup\` to run it when the lab is created, or \`no-run\` if it is only shown`,
          );
        }
      } else {
        section.commands.push(block);
      }
    } else if (lang === "check") {
      const { checks, broken } = parser.checks(node);
      if (inIntro) {
        parser.report(
          where,
          "error",
          "check-in-intro",
          "a `check` fence before the first `##` step belongs to no step: move it into the step it verifies",
        );
      } else {
        section.checks.push(...checks);
        section.brokenChecks += broken;
      }
    } else if (lang !== "" && lang !== "console" && didYouMean(lang, ["check"]) !== undefined) {
      parser.report(
        where,
        "warning",
        "unknown-fence-language",
        `fence language \`${lang}\` (did you mean "check"?) is shown as plain text, so its lines are not checked`,
      );
    }
    return;
  }
  if (node.type === "blockquote" && isHint(node)) {
    const hint = parser.hint(node);
    if (inIntro) {
      parser.report(
        parser.at(hint.line, hint.column),
        "warning",
        "hint-in-intro",
        "a hint before the first `##` step belongs to no step and is never offered: move it into a step",
      );
    } else {
      section.hints.push(hint);
    }
    return;
  }
  if ("children" in node) {
    for (const child of node.children as RootContent[]) walk(parser, child, section, inIntro);
  }
}

function sliceWithout(text: string, start: number, end: number, cut: Section["cut"]): string {
  let out = "";
  let cursor = start;
  for (const part of cut) {
    if (part.start < cursor || part.end > end) continue;
    out += text.slice(cursor, part.start);
    cursor = part.end;
  }
  out += text.slice(cursor, end);
  return trimBlankLines(out.replace(/\n{3,}/g, "\n\n"));
}

function emptySection(): Section {
  return { commands: [], checks: [], hints: [], brokenChecks: 0, cut: [] };
}

/**
 * Parse one lesson. Never throws for any input: problems (each with a line ≥ 1 inside the
 * file) describe whatever is wrong, and `lesson` holds as much as could be understood.
 */
export function parseLesson(
  source: string | Uint8Array,
  options: ParseLessonOptions,
): ParsedLesson {
  const { file } = options;
  let text: string;
  if (typeof source === "string") {
    text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  } else {
    const decoded = decodeLesson(source, file);
    if (decoded.text === undefined) return { problems: decoded.problems };
    text = decoded.text;
  }
  if (text.trim() === "") {
    return {
      problems: [
        {
          file,
          line: 1,
          column: 1,
          severity: "error",
          rule: "empty-file",
          message:
            "the file is empty: a lesson needs front matter with a `title` and at least one `##` step",
        },
      ],
    };
  }
  const parser = new LessonParser(text, file);
  const deep = tooDeeplyNested(parser.lines);
  if (deep) {
    return {
      problems: [
        {
          file,
          ...deep,
          severity: "error",
          rule: "too-deeply-nested",
          message: `blockquotes and lists are nested more than ${MAX_NESTING} deep here: flatten them`,
        },
      ],
    };
  }
  const fast = options.fast !== false;
  const scanned = fast ? scan(parser) : undefined;
  const tree: Root = scanned ? { type: "root", children: scanned } : parseMarkdown(parser, fast);

  // Front matter.
  let frontMatter: FrontMatter = { keyAt: {}, requiresAt: [] };
  let bodyStart = 0;
  const children = tree.children;
  const first = children[0];
  if (first?.type === "yaml") {
    const line = (first.position?.start.line ?? 1) + 1;
    const parsed = parseFrontMatter(first.value, { file, line, column: 1 });
    frontMatter = parsed.frontMatter;
    parser.problems.push(...parsed.problems);
    bodyStart = parser.span(first).end;
  } else {
    parser.report(
      parser.at(1, 1),
      "error",
      "missing-front-matter",
      "the lesson has no front matter: start the file with a `---` line, then `title: ...`, then `---`",
    );
  }

  // Sections: the introduction, then one step per top-level `##` heading.
  const intro = emptySection();
  const steps: Step[] = [];
  let current: { heading: Heading; section: Section } | undefined;
  const stepStarts: { heading: Heading; section: Section }[] = [];
  for (const node of children) {
    if (node.type === "yaml") continue;
    if (node.type === "heading" && node.depth === 2) {
      current = { heading: node, section: emptySection() };
      stepStarts.push(current);
      continue;
    }
    walk(parser, node, current?.section ?? intro, current === undefined);
  }

  stepStarts.forEach(({ heading, section }, i) => {
    const index = i + 1;
    const pos = heading.position?.start ?? { line: 1, column: 1 };
    const title = parser.headingText(heading);
    const headingAt = parser.at(pos.line, pos.column);
    if (title === "") {
      parser.report(
        headingAt,
        "error",
        "empty-step-title",
        `step ${index} has no title: write it after the \`##\``,
      );
    }
    const next = stepStarts[i + 1]?.heading;
    const end = next ? parser.span(next).start : text.length;
    // A step whose only checks are broken is already reported at those lines.
    if (section.checks.length === 0 && section.brokenChecks === 0) {
      parser.report(
        headingAt,
        "warning",
        "step-without-check",
        `step ${index} cannot be verified: "${title}" has no \`check\` fence; add one with at least one check that fails before the step's commands run`,
      );
    }
    steps.push({
      index,
      title,
      heading: headingAt,
      markdown: sliceWithout(text, parser.span(heading).end, end, []),
      commands: section.commands,
      checks: section.checks,
      hints: section.hints,
    });
  });

  if (steps.length === 0) {
    parser.report(
      parser.at(1, 1),
      "error",
      "no-steps",
      "the lesson has no step: start each step with a `## ` heading followed by its commands and a `check` fence",
    );
  }

  const introEnd = stepStarts[0] ? parser.span(stepStarts[0].heading).start : text.length;
  const id = frontMatter.id ?? idFromFileName(file);
  const lesson: Lesson = {
    file,
    id,
    position: options.position ?? 1,
    title: frontMatter.title ?? id,
    requires: frontMatter.requires ?? [],
    needs: frontMatter.needs ?? [],
    timeout: frontMatter.timeout ?? DEFAULT_TIMEOUT,
    intro: sliceWithout(text, bodyStart, introEnd, intro.cut),
    setup: intro.commands,
    steps,
    position0: parser.at(1, 1),
  };
  parser.problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { lesson, problems: parser.problems, frontMatter };
}
