/**
 * Validation of the progress file, by hand. The file is ours and its schema is small, and
 * `course list` / `course status` read it on every start: importing zod would cost about as
 * much as node's own start-up (measured by bench/parse.mjs). Same rules as the schema it
 * replaced: unknown keys are dropped, integers are safe integers, optional keys may be absent
 * but not `null`. A property test checks it against an equivalent zod schema.
 */
import type { CourseProgress, LessonProgress, ProgressFile } from "./progress-file.js";

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

const isPositive = (value: unknown): value is number => isCount(value) && value > 0;

/** Absent, or valid by `check`. */
const optional = (data: Obj, key: string, check: (value: unknown) => boolean): boolean =>
  !(key in data) || check(data[key]);

/** A record of values that `each` turns into valid values (undefined = invalid). */
function record<T>(
  value: unknown,
  each: (item: unknown) => T | undefined,
): Record<string, T> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, T> = {};
  for (const key of Object.keys(value)) {
    const item = each(value[key]);
    if (item === undefined) return undefined;
    out[key] = item;
  }
  return out;
}

function lessonProgress(value: unknown): LessonProgress | undefined {
  if (!isObject(value)) return undefined;
  const { stepsPassed, stepCount, attempts, firstAt, lastAt } = value;
  if (!Array.isArray(stepsPassed) || !stepsPassed.every(isPositive)) return undefined;
  if (!isCount(stepCount) || !isCount(attempts)) return undefined;
  if (typeof firstAt !== "string" || typeof lastAt !== "string") return undefined;
  if (!optional(value, "currentStep", isPositive)) return undefined;
  if (!optional(value, "completedAt", (v) => typeof v === "string")) return undefined;
  if (!optional(value, "solvedBy", (v) => v === "learner" || v === "runner")) return undefined;
  const hintsSeen = record(value.hintsSeen, (n) => (isCount(n) ? n : undefined));
  if (hintsSeen === undefined) return undefined;
  // Keys in the order the schema declares them, as the file was written before.
  const out: LessonProgress = {
    stepsPassed: [...stepsPassed],
    stepCount,
    ...("currentStep" in value ? { currentStep: value.currentStep as number } : {}),
    attempts,
    firstAt,
    lastAt,
    ...("completedAt" in value ? { completedAt: value.completedAt as string } : {}),
    ...("solvedBy" in value ? { solvedBy: value.solvedBy as "learner" | "runner" } : {}),
    hintsSeen,
  };
  return out;
}

function courseProgress(value: unknown): CourseProgress | undefined {
  if (!isObject(value) || typeof value.dir !== "string") return undefined;
  if (!optional(value, "title", (v) => typeof v === "string")) return undefined;
  const lessons = record(value.lessons, lessonProgress);
  if (lessons === undefined) return undefined;
  return {
    dir: value.dir,
    ...("title" in value ? { title: value.title as string } : {}),
    lessons,
  };
}

/**
 * `data` (parsed JSON) as a progress file of format `version`, or undefined when it is not
 * one (the caller moves such a file aside). Returns a copy without unknown keys.
 */
export function validateProgress(data: unknown, version: number): ProgressFile | undefined {
  if (!isObject(data) || data.formatVersion !== version) return undefined;
  const courses = record(data.courses, courseProgress);
  if (courses === undefined) return undefined;
  return { formatVersion: version, courses };
}
