/**
 * `course verify`: every check of every step of a lesson, evaluated in the lesson's lab in a
 * constant number of round trips, reported step by step. `verifyLesson` returns data;
 * `renderVerifyReport` (render/) turns it into text.
 */
import { evaluateChecks } from "../checks/evaluate-checks.js";
import type { CheckResult } from "../checks/types.js";
import { type CommandContext, debugOption, labIo, warnOption } from "../context.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import type { Lab } from "../lab/types.js";
import { chooseHint } from "../lesson/choose-hint.js";
import { leftAloneByLesson } from "../lesson/lesson-design.js";
import type { Course, Lesson, Step } from "../lesson/types.js";
import { findLesson, requireCourse } from "../load-course.js";
import { lessonProgressOf } from "../progress/lesson-progress.js";
import { assertOpen } from "../progress/lesson-states.js";
import { openProgress } from "../progress/open-progress.js";
import type { ProgressStore } from "../progress/progress-store.js";
import { type RecordedResult, recordResult } from "../progress/record-result.js";
import { openLessonLab } from "./lesson-lab.js";

export interface StepReport {
  index: number;
  title: string;
  results: CheckResult[];
  /** Every check passes (a step without checks cannot pass: it cannot be verified). */
  passed: boolean;
  /** The hint to show after a failure (Markdown), if the step has one. */
  hint?: string;
}

export interface VerifyReport {
  lesson: { id: string; title: string; file: string; position: number };
  steps: StepReport[];
  /** Every check of every step passes. */
  passed: boolean;
  /** Lab round trips this verify took. */
  roundTrips: number;
  durationMs: number;
}

export interface VerifyOptions {
  /** Seconds per check. @default the lesson's timeout */
  timeout?: number;
  /** Diagnose failed pings and tcp checks. @default true */
  diagnose?: boolean;
  /**
   * The 1-based index of the hint of `step` the learner saw last (from progress), so that a
   * failure brings the next one. @default 0
   */
  hintShown?: (step: Step) => number;
}

/** Evaluate every check of `lesson` in `lab` and report step by step. */
export async function verifyLesson(
  lab: Lab,
  lesson: Lesson,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = performance.now();
  const before = lab.roundTrips;
  // All steps at once: one snapshot and one probe batch for the whole lesson.
  const all = lesson.steps.flatMap((s) => s.checks);
  const results = await evaluateChecks(lab, all, {
    timeout: options.timeout ?? lesson.timeout,
    diagnose: options.diagnose ?? true,
    leftAlone: leftAloneByLesson(lesson),
  });
  let at = 0;
  const steps = lesson.steps.map((step): StepReport => {
    const mine = results.slice(at, at + step.checks.length);
    at += step.checks.length;
    const passed = mine.length > 0 && mine.every((r) => r.passed);
    const report: StepReport = { index: step.index, title: step.title, results: mine, passed };
    if (!passed) {
      // The hint for the first failing check (src/lesson/choose-hint.ts).
      const chosen = chooseHint(step, {
        shown: options.hintShown?.(step) ?? 0,
        failing: mine.find((r) => !r.passed)?.check,
      });
      if (chosen !== undefined) report.hint = chosen.hint.markdown.trim();
    }
    return report;
  });
  return {
    lesson: { id: lesson.id, title: lesson.title, file: lesson.file, position: lesson.position },
    steps,
    passed:
      steps.every((s) => s.passed || s.results.length === 0) && results.every((r) => r.passed),
    roundTrips: lab.roundTrips - before,
    durationMs: Math.round(performance.now() - started),
  };
}

/** What `course verify LESSON` found and what it changed in the learner's progress. */
export interface VerifyOutcome {
  lesson: Lesson;
  report: VerifyReport;
  progress: {
    /** The lesson is complete (now or before). */
    complete: boolean;
    /** This verify completed it. */
    completedNow: boolean;
    /** Ids of the lessons this verify unlocked. */
    unlocked: string[];
  };
  /** The lessons this verify unlocked. */
  unlocked: Lesson[];
}

/** What `course verify --json` prints, and `POST /api/lessons/NAME/verify` answers: the report plus `progress`. */
export type VerifyJson = VerifyReport & { progress: VerifyOutcome["progress"] };

/** The JSON of a verify, one shape for the CLI and `course serve`. */
export function verifyJson(outcome: VerifyOutcome): VerifyJson {
  return { ...outcome.report, progress: outcome.progress };
}

export interface VerifyCourseLessonOptions {
  /**
   * The lesson's lab, already open (its setup done) and kept open by the caller: `course serve`
   * passes its terminal's lab, so a verify costs no lab join. Found only after the lock is
   * checked. @default the lesson's persistent lab, opened and closed here
   */
  lab?: (course: Course, lesson: Lesson) => Promise<Lab | undefined>;
}

/**
 * `course verify LESSON`: refuse a locked lesson (exit 3, before any lab is made), verify the
 * lesson in its persistent lab, record the result in the learner's progress.
 */
export async function verifyCourseLesson(
  ctx: CommandContext,
  lessonName: string,
  options: VerifyCourseLessonOptions = {},
): Promise<VerifyOutcome> {
  const course = await requireCourse(ctx);
  const lesson = findLesson(course, lessonName);
  // A locked lesson exits 3 naming what to finish first, before any lab is made.
  const store = openProgress(ctx);
  const before = await store.read();
  assertOpen(course, before, lesson);
  const seen = lessonProgressOf(before, course, lesson)?.hintsSeen ?? {};
  const debugging = debugOption(ctx);
  const kept = await options.lab?.(course, lesson);
  // A lesson whose `needs` this lab cannot meet is refused here (LabLacksError, exit 4).
  const lab =
    kept ??
    (
      await openLessonLab({
        spec: labSpecFromOption(ctx.global.lab),
        course,
        lesson,
        persistent: true,
        cwd: ctx.cwd,
        ...labIo(ctx),
        ...warnOption(ctx),
        ...debugging,
      })
    ).lab;
  let report: VerifyReport;
  try {
    report = await verifyLesson(lab, lesson, {
      hintShown: (step) => seen[String(step.index)] ?? 0,
    });
  } finally {
    if (kept === undefined) await lab.close();
  }
  debugging.debug?.(`verify: ${report.roundTrips} lab round trips, ${report.durationMs} ms`);
  const recorded = await recordVerifyReport(store, course, lesson, report);
  return {
    lesson,
    report,
    progress: {
      complete: recorded.entry.completedAt !== undefined,
      completedNow: recorded.completedNow,
      unlocked: recorded.unlocked.map((l) => l.id),
    },
    unlocked: recorded.unlocked,
  };
}

/**
 * Record a verify in the progress file: the passed steps, the failed ones, complete when every
 * check passes; says what it unlocked. `course verify` and the lab shell's `check` record
 * through here, so both record the same.
 */
export function recordVerifyReport(
  store: ProgressStore,
  course: Course,
  lesson: Lesson,
  report: VerifyReport,
): Promise<RecordedResult> {
  return recordResult(store, course, lesson, {
    passed: report.steps.filter((s) => s.passed).map((s) => s.index),
    failed: report.steps.filter((s) => !s.passed && s.results.length > 0).map((s) => s.index),
    complete: report.passed,
    solvedBy: "learner",
  });
}
