/**
 * `course verify`: every check of every step of a lesson, evaluated in the lesson's lab in a
 * constant number of round trips, reported step by step. `verifyLesson` returns data;
 * `renderVerifyReport` (render/) turns it into text.
 */
import { evaluateChecks } from "../checks/evaluate-checks.js";
import type { CheckResult } from "../checks/types.js";
import type { Lab } from "../lab/types.js";
import type { Lesson, Step } from "../lesson/types.js";

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
  /** Which hint of a failing step to show (the learner's next one). @default 0 */
  hintIndex?: (step: Step) => number;
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
  });
  let at = 0;
  const steps = lesson.steps.map((step): StepReport => {
    const mine = results.slice(at, at + step.checks.length);
    at += step.checks.length;
    const passed = mine.length > 0 && mine.every((r) => r.passed);
    const report: StepReport = { index: step.index, title: step.title, results: mine, passed };
    const hint = step.hints[Math.min(options.hintIndex?.(step) ?? 0, step.hints.length - 1)];
    if (!passed && hint !== undefined) report.hint = hint.markdown.trim();
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
