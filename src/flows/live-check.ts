/**
 * Live checks: after each command the learner types in the lab shell (the terminal's, or the
 * browser's with `course serve`), the current step's checks run in the lesson's lab, and the
 * learner sees the step tick. This module is the part without a terminal: it decides which
 * checks to run (one round trip), keeps the per-step state, and records progress. When the
 * lesson passes it records and unlocks exactly as `course verify` does (src/progress/record-result.ts).
 */
import { evaluateChecks } from "../checks/evaluate-checks.js";
import type { CheckResult } from "../checks/types.js";
import type { Lab } from "../lab/types.js";
import type { HintChoice } from "../lesson/choose-hint.js";
import type { Course, Lesson, Step } from "../lesson/types.js";
import { lessonProgressOf, takeNextHint } from "../progress/lesson-progress.js";
import type { ProgressStore } from "../progress/progress-store.js";
import { recordResult } from "../progress/record-result.js";

/** One step as the live checks last saw it. */
export interface LiveStep {
  index: number;
  title: string;
  /** How many checks the step has (0: it cannot be verified, live checks step over it). */
  checks: number;
  /** Passed at the last run; `undefined` before any run saw it (from progress: passed once). */
  passed: boolean | undefined;
}

/** The lesson as the live checks see it now. */
export interface LiveState {
  lesson: Lesson;
  steps: LiveStep[];
  /** The step in sight: the first step with checks that does not pass; undefined once all pass. */
  current: Step | undefined;
  /** Every step with checks passes (the last run evaluated them all). */
  lessonPassed: boolean;
}

/** What one live run found and changed. */
export interface LiveUpdate {
  state: LiveState;
  /** Steps that pass now and did not before this run (in order). */
  passedNow: number[];
  /** Steps that passed before and no longer do (the learner undid something). */
  brokenNow: number[];
  /** The failing checks of the steps checked, up to the one in sight (without diagnosis: a full verify gives that). */
  failures: CheckResult[];
  /** This run completed the lesson (recorded as `course verify` records it). */
  completedNow: boolean;
  /** Lessons this run unlocked. */
  unlocked: Lesson[];
  /** Lab round trips this run took (1 unless a step passed and the next one was checked too). */
  roundTrips: number;
  durationMs: number;
}

export interface LiveCheckerOptions {
  course: Course;
  lesson: Lesson;
  /** The lesson's open lab (the live checker never closes it). */
  lab: Lab;
  store: ProgressStore;
  /** Seconds per check. @default the lesson's timeout */
  timeout?: number;
}

/**
 * The live checks of one lesson in one open lab. Create it when the shell opens, call `check()`
 * after every command (and once at the start); calls that arrive while a run is under way are
 * folded into one run after it, so a burst of prompts never queues a burst of round trips.
 */
export class LiveChecker {
  private steps: LiveStep[];
  private lessonPassed = false;
  private running: Promise<LiveUpdate> | undefined;
  /** The lesson is recorded as complete (read at open, then kept up to date). */
  private complete: boolean;
  /** Progress writes of step changes, in order, behind the ticks. */
  private writing: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private queued: Promise<LiveUpdate> | undefined;
  /** The checks that failed at the last run (a hint answers the first of the step in sight). */
  private failures: CheckResult[] = [];

  private constructor(
    private readonly o: LiveCheckerOptions,
    passedBefore: ReadonlySet<number>,
    complete: boolean,
  ) {
    this.complete = complete;
    this.steps = o.lesson.steps.map((s) => ({
      index: s.index,
      title: s.title,
      checks: s.checks.length,
      passed: passedBefore.has(s.index) ? true : undefined,
    }));
  }

  /** A checker whose state starts from the learner's recorded progress (no lab round trip). */
  static async open(options: LiveCheckerOptions): Promise<LiveChecker> {
    const entry = lessonProgressOf(await options.store.read(), options.course, options.lesson);
    return new LiveChecker(
      options,
      new Set(entry?.stepsPassed ?? []),
      entry?.completedAt !== undefined,
    );
  }

  /** The state as last seen. */
  get state(): LiveState {
    return {
      lesson: this.o.lesson,
      steps: this.steps.map((s) => ({ ...s })),
      current: this.currentStep(),
      lessonPassed: this.lessonPassed,
    };
  }

  /** Run the checks of the step in sight (and re-check the steps before it). */
  check(): Promise<LiveUpdate> {
    if (this.running === undefined) {
      const run = this.run().finally(() => {
        if (this.running === run) this.running = undefined;
      });
      this.running = run;
      return run;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.check();
      });
    return this.queued;
  }

  /**
   * A hint for the step in sight, chosen as `course hint` chooses (src/lesson/choose-hint.ts)
   * with the check that failed at the last run, and remembered in progress. Undefined without
   * hints.
   */
  async nextHint(): Promise<(HintChoice & { step: Step }) | undefined> {
    const step = this.currentStep() ?? this.o.lesson.steps.at(-1);
    if (step === undefined) return undefined;
    const failing = this.failures.find((r) => step.checks.includes(r.check))?.check;
    const taken = await this.o.store.update((p) =>
      takeNextHint(p, this.o.course, this.o.lesson, step.index, failing),
    );
    return taken === undefined ? undefined : { ...taken, step };
  }

  /**
   * Resolves once every progress write of the runs so far is done (call it before the lab
   * shell ends, or before reading the progress file); rejects with a write's error.
   */
  async settled(): Promise<void> {
    await this.writing;
    this.throwWriteError();
  }

  private throwWriteError(): void {
    if (this.writeError === undefined) return;
    const error = this.writeError;
    this.writeError = undefined;
    throw error;
  }

  private currentStep(): Step | undefined {
    const at = this.steps.find((s) => s.checks > 0 && s.passed !== true);
    return at === undefined ? undefined : this.o.lesson.steps[at.index - 1];
  }

  private async run(): Promise<LiveUpdate> {
    // A progress write that failed behind an earlier tick is reported now.
    this.throwWriteError();
    const started = performance.now();
    const { lab, lesson } = this.o;
    const roundTripsBefore = lab.roundTrips;
    const before = this.steps.map((s) => s.passed);
    let failures: CheckResult[] = [];
    // Steps up to the one in sight: the earlier ones are re-checked so an undone step shows.
    let upTo = this.currentStep()?.index ?? lesson.steps.length;
    for (;;) {
      const steps = lesson.steps.slice(0, upTo);
      const results = await evaluateChecks(
        lab,
        steps.flatMap((s) => s.checks),
        { timeout: this.o.timeout ?? lesson.timeout, diagnose: false },
      );
      let at = 0;
      for (const step of steps) {
        const mine = results.slice(at, at + step.checks.length);
        at += step.checks.length;
        const live = this.steps[step.index - 1];
        if (live !== undefined && mine.length > 0) live.passed = mine.every((r) => r.passed);
      }
      failures = results.filter((r) => !r.passed);
      // The step in sight passed: the next may already hold too (typed ahead); look once more.
      const next = this.currentStep()?.index ?? lesson.steps.length;
      if (next <= upTo) break;
      upTo = next;
    }
    this.failures = failures;
    this.lessonPassed = this.currentStep() === undefined;
    const passedNow: number[] = [];
    const brokenNow: number[] = [];
    for (const [i, s] of this.steps.entries()) {
      if (s.passed === true && before[i] !== true) passedNow.push(s.index);
      if (s.passed === false && before[i] === true) brokenNow.push(s.index);
    }
    let completedNow = false;
    let unlocked: Lesson[] = [];
    const record = () =>
      recordResult(this.o.store, this.o.course, lesson, {
        passed: this.steps.filter((s) => s.passed === true && s.checks > 0).map((s) => s.index),
        failed: this.steps.filter((s) => s.passed === false).map((s) => s.index),
        complete: this.lessonPassed,
        solvedBy: "learner",
      });
    // Record only what changed: a prompt that changes nothing is not a check run of its own.
    if (this.lessonPassed && !this.complete) {
      // What it unlocked is part of the news: wait for the write.
      await this.settled();
      const recorded = await record();
      completedNow = recorded.completedNow;
      unlocked = recorded.unlocked;
      this.complete = recorded.entry.completedAt !== undefined;
    } else if (passedNow.length > 0 || brokenNow.length > 0) {
      // A step's tick need not wait for the progress file's locked, fsynced write.
      this.writing = this.writing.then(record).then(
        () => undefined,
        (error: unknown) => {
          this.writeError = error;
        },
      );
    }
    return {
      state: this.state,
      passedNow,
      brokenNow,
      failures,
      completedNow,
      unlocked,
      roundTrips: lab.roundTrips - roundTripsBefore,
      durationMs: Math.round(performance.now() - started),
    };
  }
}
