/**
 * YAML front matter and `course.yaml`: parsed with `yaml` (for positions), validated with zod
 * (for types). Every problem points at the key (or list item) that causes it.
 */
import { isMap, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { suggestion } from "./did-you-mean.js";
import { KNOWN_NEEDS } from "./needs.js";
import type { Position, Problem } from "./types.js";

/** Seconds per command or check when the front matter does not say. */
export const DEFAULT_TIMEOUT = 30;

/** A lesson id: what learners type, so no spaces, and never something that reads as a position. */
const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

const lessonSchema = z.strictObject({
  title: z.string().trim().min(1),
  id: z.string().regex(ID_PATTERN).optional(),
  requires: z.array(z.string().regex(ID_PATTERN)).optional(),
  needs: z.array(z.enum(KNOWN_NEEDS)).optional(),
  timeout: z.number().positive().finite().optional(),
});

const courseSchema = z.strictObject({
  title: z.string().trim().min(1).optional(),
  summary: z.string().optional(),
});

/** What each key must hold, in words, for messages. */
const EXPECTED: Record<string, string> = {
  title: "a non-empty string",
  id: "a word of letters, digits, `-`, `_` or `.` (e.g. `bridge`)",
  requires: "a list of lesson ids (e.g. `[veth-pair]`, or `[]` for none)",
  needs: `a list of capabilities, one of: ${KNOWN_NEEDS.join(", ")}`,
  timeout: "a positive number of seconds",
  summary: "a string",
};

/** Front matter as validated, with where its keys and list items are. */
export interface FrontMatter {
  title?: string;
  id?: string;
  requires?: string[];
  needs?: string[];
  timeout?: number;
  /** Position of each top-level key (`title`, `requires`…). */
  keyAt: Record<string, Position>;
  /** Position of each item of `requires`, in order. */
  requiresAt: Position[];
}

/** `course.yaml`, as validated. */
export interface CourseYaml {
  title?: string;
  summary?: string;
}

/** Where the YAML text sits in its file: the position of its first character. */
interface Origin {
  file: string;
  line: number;
  column: number;
}

interface YamlResult {
  data: Record<string, unknown> | undefined;
  keyAt: Record<string, Position>;
  itemAt: Record<string, Position[]>;
  problems: Problem[];
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 40)})`;
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `"${value.slice(0, 40)}"`;
  return `${typeof value} ${String(value)}`;
}

/** Parse YAML that must be a mapping, keeping file positions of keys and sequence items. */
function parseYamlMapping(text: string, origin: Origin, what: string): YamlResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const p = lines.linePos(offset);
    return {
      file: origin.file,
      line: origin.line + p.line - 1,
      column: p.line === 1 ? origin.column + p.col - 1 : p.col,
    };
  };
  const problems: Problem[] = [];
  for (const error of doc.errors) {
    const first = error.message.split("\n")[0] ?? error.message;
    const message = first.replace(/ at line \d+, column \d+:?$/, "");
    problems.push({
      ...at(error.pos[0]),
      severity: "error",
      rule: "yaml-syntax",
      message: `${what} is not valid YAML: ${message}`,
    });
  }
  const keyAt: Record<string, Position> = {};
  const itemAt: Record<string, Position[]> = {};
  if (problems.length > 0) return { data: undefined, keyAt, itemAt, problems };
  const contents = doc.contents;
  if (contents === null) return { data: {}, keyAt, itemAt, problems };
  if (!isMap(contents)) {
    problems.push({
      ...at(contents.range?.[0] ?? 0),
      severity: "error",
      rule: "yaml-not-mapping",
      message: `${what} must be a mapping of \`key: value\` lines, found ${describe(contents.toJSON())}`,
    });
    return { data: undefined, keyAt, itemAt, problems };
  }
  for (const pair of contents.items) {
    const key = pair.key as Node | null;
    const name = key && "value" in key ? String((key as { value: unknown }).value) : "";
    if (key?.range) keyAt[name] = at(key.range[0]);
    const value = pair.value as Node | null;
    if (value && isSeq(value)) {
      itemAt[name] = value.items.map((item) =>
        at((item as Node | null)?.range?.[0] ?? value.range?.[0] ?? 0),
      );
    }
  }
  try {
    const data = doc.toJS() as Record<string, unknown>;
    return { data, keyAt, itemAt, problems };
  } catch (error) {
    // `yaml` refuses alias bombs and similar while building values.
    problems.push({
      ...at(0),
      severity: "error",
      rule: "yaml-syntax",
      message: `${what} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    });
    return { data: undefined, keyAt, itemAt, problems };
  }
}

/** Turn zod issues into located problems, with "did you mean" for unknown keys. */
function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  data: Record<string, unknown>,
  parsed: YamlResult,
  origin: Origin,
  known: readonly string[],
  what: string,
): Problem[] {
  const problems: Problem[] = [];
  // Missing keys are reported at the opening `---` (the line before the YAML text).
  const start: Position = { file: origin.file, line: Math.max(1, origin.line - 1), column: 1 };
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({
          ...(parsed.keyAt[key] ?? start),
          severity: "error",
          rule: "unknown-key",
          message: `unknown key \`${key}\` in ${what}${suggestion(key, known)}; known keys: ${known.join(", ")}`,
        });
      }
      continue;
    }
    const key = String(issue.path[0] ?? "");
    const index = issue.path[1];
    const value = data[key];
    if (value === undefined && issue.code === "invalid_type") {
      problems.push({
        ...start,
        severity: "error",
        rule: "missing-key",
        message: `${what} has no \`${key}\`: add a line \`${key}: ...\` (${EXPECTED[key] ?? "required"})`,
      });
      continue;
    }
    let where = parsed.keyAt[key] ?? start;
    let found: unknown = value;
    if (typeof index === "number" && Array.isArray(value)) {
      where = parsed.itemAt[key]?.[index] ?? where;
      found = value[index];
    }
    let message = `\`${key}\` must be ${EXPECTED[key] ?? "valid"}, found ${describe(found)}`;
    if (key === "needs" && typeof found === "string") {
      message = `unknown need \`${found}\`${suggestion(found, KNOWN_NEEDS)}; known: ${KNOWN_NEEDS.join(", ")}`;
    }
    problems.push({ ...where, severity: "error", rule: "bad-value", message });
  }
  return problems;
}

/**
 * Parse and validate a lesson's front matter. `origin` is where the YAML text starts
 * (the line after the opening `---`). Returns what is valid even when some keys are not.
 */
export function parseFrontMatter(
  text: string,
  origin: Origin,
): { frontMatter: FrontMatter; problems: Problem[] } {
  const parsed = parseYamlMapping(text, origin, "front matter");
  const frontMatter: FrontMatter = {
    keyAt: parsed.keyAt,
    requiresAt: parsed.itemAt.requires ?? [],
  };
  if (parsed.data === undefined) return { frontMatter, problems: parsed.problems };
  const data = parsed.data;
  const result = lessonSchema.safeParse(data);
  const known = Object.keys(lessonSchema.shape);
  const problems = result.success
    ? []
    : issuesToProblems(result.error.issues, data, parsed, origin, known, "front matter");
  // Keep every key that is valid on its own, so one bad key does not hide the rest.
  const shape = lessonSchema.shape;
  const title = shape.title.safeParse(data.title);
  if (title.success) frontMatter.title = title.data;
  const id = shape.id.safeParse(data.id);
  if (id.success && id.data !== undefined) frontMatter.id = id.data;
  const requires = shape.requires.safeParse(data.requires);
  if (requires.success && requires.data !== undefined) frontMatter.requires = requires.data;
  const needs = shape.needs.safeParse(data.needs);
  if (needs.success && needs.data !== undefined) frontMatter.needs = needs.data;
  const timeout = shape.timeout.safeParse(data.timeout);
  if (timeout.success && timeout.data !== undefined) frontMatter.timeout = timeout.data;
  return { frontMatter, problems };
}

/** Parse and validate `course.yaml` (title, summary). */
export function parseCourseYaml(
  text: string,
  file: string,
): { courseYaml: CourseYaml; problems: Problem[] } {
  const origin = { file, line: 1, column: 1 };
  const parsed = parseYamlMapping(text, origin, "course.yaml");
  if (parsed.data === undefined) return { courseYaml: {}, problems: parsed.problems };
  const result = courseSchema.safeParse(parsed.data);
  if (result.success) {
    const courseYaml: CourseYaml = {};
    if (result.data.title !== undefined) courseYaml.title = result.data.title;
    if (result.data.summary !== undefined) courseYaml.summary = result.data.summary;
    return { courseYaml, problems: [] };
  }
  const known = Object.keys(courseSchema.shape);
  return {
    courseYaml: {},
    problems: issuesToProblems(
      result.error.issues,
      parsed.data,
      parsed,
      origin,
      known,
      "course.yaml",
    ),
  };
}
