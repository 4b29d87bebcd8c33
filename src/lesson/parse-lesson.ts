/**
 * One lesson file → `Lesson`, with every problem located at the line and column that causes it:
 * the lesson semantics (front matter, steps, fences, checks, hints) over the block tree that
 * `markdown-source.ts` reads. Pure: the caller reads the file. Course-level facts (position, the default of `requires`,
 * unique ids) are settled by `parseCourse`.
 */
import type { Blockquote, Code, Heading, RootContent } from "mdast";
import { decodeLesson } from "./decode-lesson.js";
import { didYouMean, suggestion } from "./did-you-mean.js";
import { DEFAULT_TIMEOUT, type FrontMatter, parseFrontMatter } from "./front-matter.js";
import { checkNames, isHintQuote, namesCheck, readHintMarker } from "./hint-rule.js";
import { MarkdownSource } from "./markdown-source.js";
import { MAX_NESTING, tooDeeplyNested } from "./nesting-depth.js";
import { parseCheckLine } from "./parse-check.js";
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
   * knows, else with remark, skipping the table construct when no line could be a table's
   * delimiter row: same result, many times faster. `false` (remark on the whole text, every
   * construct) exists for the tests that prove "same result". @default true
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

/** `03-bridge.md` → `bridge`; a name that is only a number keeps it (`07.md` → `07`). */
export function idFromFileName(file: string): string {
  const base = (file.split(/[\\/]/).pop() ?? file).replace(/\.md$/i, "");
  const stripped = base.replace(/^\d+[-_. ]*/, "");
  return stripped === "" ? base : stripped;
}

/** Drop leading and trailing blank lines (keep indentation of the first line). */
function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, "").replace(/\s+$/, "");
}

/** The lesson semantics over a Markdown source: positions, problems, fences, checks, hints. */
class LessonParser {
  readonly problems: Problem[] = [];
  readonly source: MarkdownSource;
  readonly text: string;

  constructor(
    text: string,
    readonly file: string,
  ) {
    this.source = new MarkdownSource(text);
    this.text = text;
  }

  at(line: number, column: number): Position {
    return { file: this.file, line, column };
  }

  report(where: Position, severity: Problem["severity"], rule: string, message: string): void {
    this.problems.push({ ...where, severity, rule, message });
  }

  /** Each word of a fence's info string, with its position on the opening line. */
  infoWords(node: Code): { word: string; at: Position }[] {
    return this.source
      .infoWords(node)
      .map(({ word, line, column }) => ({ word, at: this.at(line, column) }));
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
    const code = this.source.codeValue(node);
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
    const value = this.source.codeValue(node);
    const valueLines = value === "" ? [] : value.split("\n");
    valueLines.forEach((value, i) => {
      const line = start.line + 1 + i;
      const source = this.source.lines[line - 1] ?? value;
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

  hint(node: Blockquote): { hint: Hint; targets: string[] } {
    const { start, end } = this.source.span(node);
    const { markdown, targets } = readHintMarker(
      this.text
        .slice(start, end)
        .split(/\r\n|\r|\n/)
        .map((line) => line.replace(/^[ \t]{0,3}>[ \t]?/, ""))
        .join("\n"),
    );
    const pos = node.position?.start ?? { line: 1, column: 1 };
    const hint = {
      file: this.file,
      line: pos.line,
      column: pos.column,
      markdown: trimBlankLines(markdown),
    };
    return { hint, targets };
  }

  /**
   * Resolve the checks each hint of a step names to the step's checks; a name that matches
   * none is an error at its backticks.
   */
  hintTargets(step: number, title: string, section: Section): void {
    for (const { hint, targets } of section.targeted) {
      const answers = new Set<number>();
      for (const target of targets) {
        const named = section.checks.flatMap((c, i) => (namesCheck(target, c) ? [i] : []));
        if (named.length === 0) {
          const sources = section.checks.map((c) => c.source);
          const close = didYouMean(target, checkNames(target, section.checks));
          const fix =
            close !== undefined
              ? `did you mean \`${close}\`?`
              : sources.length > 0
                ? `name one by its first words, e.g. \`${sources[0]}\``
                : "add a `check` fence to the step, or drop the name";
          this.report(
            this.targetAt(hint, target),
            "error",
            "unknown-hint-target",
            `this hint names \`${target}\`, but no check of step ${step} ("${title}") begins with it: ${fix}`,
          );
        }
        for (const i of named) answers.add(i);
      }
      if (answers.size > 0) hint.answers = [...answers].sort((a, b) => a - b);
    }
  }

  /** Where a hint's named check is written (its backticks), else the hint itself. */
  private targetAt(hint: Hint, target: string): Position {
    for (let line = hint.line; line < hint.line + 3; line++) {
      const column = (this.source.lines[line - 1] ?? "").indexOf(`\`${target}`);
      if (column >= 0) return this.at(line, column + 1);
    }
    return this.at(hint.line, hint.column);
  }
}

/** What one section (the introduction or a step) collects while its nodes are walked. */
interface Section {
  commands: CommandBlock[];
  checks: Check[];
  hints: Hint[];
  /** The hints that name checks, with the names as written (resolved once the step is read). */
  targeted: { hint: Hint; targets: string[] }[];
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
          section.cut.push(parser.source.span(node));
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
  if (node.type === "blockquote" && isHintQuote(node)) {
    const { hint, targets } = parser.hint(node);
    if (inIntro) {
      parser.report(
        parser.at(hint.line, hint.column),
        "warning",
        "hint-in-intro",
        "a hint before the first `##` step belongs to no step and is never offered: move it into a step",
      );
    } else {
      section.hints.push(hint);
      if (targets.length > 0) section.targeted.push({ hint, targets });
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
  return { commands: [], checks: [], hints: [], targeted: [], brokenChecks: 0, cut: [] };
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
  const deep = tooDeeplyNested(parser.source.lines);
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
  const tree = parser.source.tree(options.fast !== false);

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
    bodyStart = parser.source.span(first).end;
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
    const title = parser.source.headingText(heading);
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
    const end = next ? parser.source.span(next).start : text.length;
    // A step whose only checks are broken is already reported at those lines.
    if (section.checks.length === 0 && section.brokenChecks === 0) {
      parser.report(
        headingAt,
        "warning",
        "step-without-check",
        `step ${index} cannot be verified: "${title}" has no \`check\` fence; add one with at least one check that fails before the step's commands run`,
      );
    }
    parser.hintTargets(index, title, section);
    steps.push({
      index,
      title,
      heading: headingAt,
      markdown: sliceWithout(text, parser.source.span(heading).end, end, []),
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

  const introEnd = stepStarts[0] ? parser.source.span(stepStarts[0].heading).start : text.length;
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
