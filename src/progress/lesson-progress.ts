/**
 * Pure operations on progress data: what a verify, a hint or a reset changes. They run inside
 * `ProgressStore.update` so the read-modify-write is locked.
 */
import { resolve } from "node:path";
import { chooseHint, type HintChoice } from "../lesson/choose-hint.js";
import type { Check, Course, Lesson } from "../lesson/types.js";
import type { CourseProgress, LessonProgress, ProgressFile } from "./progress-file.js";

/** The key a course's progress is kept under: its directory, resolved. */
export function courseKey(course: Pick<Course, "dir">): string {
  return resolve(course.dir);
}

/** The course's progress (created empty when absent). */
export function courseProgress(progress: ProgressFile, course: Course): CourseProgress {
  const key = courseKey(course);
  let entry = progress.courses[key];
  if (entry === undefined) {
    entry = { dir: key, lessons: {} };
    if (course.title !== undefined) entry.title = course.title;
    progress.courses[key] = entry;
  }
  return entry;
}

/**
 * A lesson's progress, reconciled with the lesson as it is now: steps that no longer exist
 * are dropped (an edited lesson keeps what still fits). Read-only: never creates an entry.
 */
export function lessonProgressOf(
  progress: ProgressFile,
  course: Course,
  lesson: Lesson,
): LessonProgress | undefined {
  const entry = progress.courses[courseKey(course)]?.lessons[lesson.id];
  if (entry === undefined) return undefined;
  return reconcile(entry, lesson);
}

function reconcile(entry: LessonProgress, lesson: Lesson): LessonProgress {
  const count = lesson.steps.length;
  if (entry.stepCount === count && entry.stepsPassed.every((s) => s <= count)) return entry;
  const out: LessonProgress = {
    ...entry,
    stepsPassed: entry.stepsPassed.filter((s) => s <= count),
    stepCount: count,
  };
  // A lesson that gained steps is no longer complete: the new steps were never checked.
  if (count > entry.stepCount) delete out.completedAt;
  if (out.currentStep !== undefined && out.currentStep > count) delete out.currentStep;
  return out;
}

/** The lesson's entry, created (and reconciled) for writing. */
export function touchLesson(
  progress: ProgressFile,
  course: Course,
  lesson: Lesson,
  now = new Date(),
): LessonProgress {
  const cp = courseProgress(progress, course);
  const existing = cp.lessons[lesson.id];
  const at = now.toISOString();
  const entry: LessonProgress =
    existing === undefined
      ? {
          stepsPassed: [],
          stepCount: lesson.steps.length,
          attempts: 0,
          firstAt: at,
          lastAt: at,
          hintsSeen: {},
        }
      : reconcile(existing, lesson);
  entry.lastAt = at;
  cp.lessons[lesson.id] = entry;
  return entry;
}

/** Whether the lesson counts as complete (checks passed by the learner, or `run --count`). */
export function isComplete(entry: LessonProgress | undefined): boolean {
  return entry?.completedAt !== undefined;
}

/** The outcome of checking some steps of a lesson, as recorded. */
export interface CheckOutcome {
  /** Steps (1-based) whose checks all passed in this run. */
  passed: number[];
  /** Steps whose checks were run and failed. */
  failed: number[];
  /** Every step of the lesson passed: the lesson is complete (unless solved by the runner uncounted). */
  complete: boolean;
  solvedBy: "learner" | "runner";
  /** `course run` without `--count`: record but do not count. @default true */
  count?: boolean;
}

/**
 * Record a check run: one attempt, passed steps added, failed ones removed (unless the lesson
 * is complete: its record is never erased by a later failure), completion.
 */
export function recordChecks(
  progress: ProgressFile,
  course: Course,
  lesson: Lesson,
  outcome: CheckOutcome,
  now = new Date(),
): LessonProgress {
  const entry = touchLesson(progress, course, lesson, now);
  entry.attempts += 1;
  const passed = new Set(entry.stepsPassed);
  for (const s of outcome.passed) passed.add(s);
  // A finished lesson stays finished: a later failing verify (a reset lab, an experiment) is an
  // attempt, not a reason to forget the steps it was finished with.
  if (entry.completedAt === undefined) for (const s of outcome.failed) passed.delete(s);
  entry.stepsPassed = [...passed].sort((a, b) => a - b);
  if (outcome.complete) {
    if (outcome.count !== false) entry.completedAt ??= now.toISOString();
    // A learner's own pass is never downgraded by a later `course run`.
    entry.solvedBy =
      outcome.solvedBy === "learner" || entry.solvedBy === "learner" ? "learner" : "runner";
  }
  return entry;
}

/** Remember the step the guided flow is on. */
export function recordCurrentStep(
  progress: ProgressFile,
  course: Course,
  lesson: Lesson,
  step: number,
): void {
  touchLesson(progress, course, lesson).currentStep = step;
}

/**
 * The hint to show a learner who asks for one (src/lesson/choose-hint.ts chooses), remembered
 * as the step's hint shown last. Undefined when the step has no hints.
 */
export function takeNextHint(
  progress: ProgressFile,
  course: Course,
  lesson: Lesson,
  step: number,
  failing?: Check,
): HintChoice | undefined {
  const at = lesson.steps[step - 1];
  if (at === undefined || at.hints.length === 0) return undefined;
  const entry = touchLesson(progress, course, lesson);
  const choice = chooseHint(at, {
    shown: entry.hintsSeen[String(step)] ?? 0,
    failing,
    asked: true,
  });
  if (choice !== undefined) entry.hintsSeen[String(step)] = choice.index;
  return choice;
}

/** Forget one lesson's progress; true when there was some. */
export function forgetLesson(progress: ProgressFile, course: Course, lesson: Lesson): boolean {
  const cp = progress.courses[courseKey(course)];
  if (cp?.lessons[lesson.id] === undefined) return false;
  delete cp.lessons[lesson.id];
  return true;
}
