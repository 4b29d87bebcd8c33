/**
 * `course test` over many lessons: lesson tests (and, with `--mutate`, their mutants) share one
 * pool of `jobs` workers, each task in a lab of its own. Results come out in course order, each
 * as soon as it and every lesson before it are done, so reporters can stream.
 */
import type { Lesson } from "../lesson/types.js";
import { leftAloneOf, type Mutant, mutantsOf, runMutant } from "./mutate.js";
import {
  type LessonDriver,
  type LessonTestResult,
  type TestProblem,
  testLesson,
} from "./test-lesson.js";

export interface TestCourseOptions {
  driver: LessonDriver;
  /** Tasks (lesson tests, mutants) at once. */
  jobs: number;
  /** Stop starting new lessons after the first failure. */
  bail?: boolean;
  /** Also run the mutants of every lesson that passes. */
  mutate?: boolean;
  /** With `mutate`: a command no check depends on fails the lesson instead of warning. */
  strict?: boolean;
  /** Called once per lesson, in course order, when its result is final. */
  onResult?: (result: LessonTestResult) => void;
}

export interface TestCourseReport {
  results: LessonTestResult[];
  /** Lessons not run because `bail` stopped the run. */
  notRun: Lesson[];
  durationMs: number;
}

/** Run the tasks in `queue` (which running tasks may grow) with at most `jobs` at once. */
async function drain(queue: (() => Promise<void>)[], jobs: number, stop: () => boolean) {
  let running = 0;
  let wake: (() => void) | undefined;
  let idle = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const signal = () => {
    wake?.();
    idle = new Promise<void>((resolve) => {
      wake = resolve;
    });
  };
  const worker = async () => {
    for (;;) {
      if (stop()) return;
      const task = queue.shift();
      if (task === undefined) {
        // An empty queue is final only when no running task can add to it.
        if (running === 0) return;
        await idle;
        continue;
      }
      running++;
      try {
        await task();
      } finally {
        running--;
        signal();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
}

/** Test `lessons` (see the module comment). */
export async function testCourse(
  lessons: Lesson[],
  options: TestCourseOptions,
): Promise<TestCourseReport> {
  const started = performance.now();
  const { driver } = options;
  const results = new Map<Lesson, LessonTestResult>();
  const pendingMutants = new Map<Lesson, number>();
  const done = new Set<Lesson>();
  let emitted = 0;
  let failed = false;

  const emit = () => {
    for (;;) {
      const next = lessons[emitted];
      if (next === undefined || !done.has(next)) return;
      const result = results.get(next);
      if (result !== undefined) options.onResult?.(result);
      emitted++;
    }
  };
  const finish = (lesson: Lesson) => {
    const result = results.get(lesson);
    if (result?.status === "failed") failed = true;
    done.add(lesson);
    emit();
  };

  const queue: (() => Promise<void>)[] = [];
  const mutantTask = (mutant: Mutant, result: LessonTestResult) => async () => {
    const started = performance.now();
    let problem: TestProblem | undefined;
    try {
      problem = await runMutant(driver, mutant, result);
    } catch (error) {
      problem = {
        file: mutant.lesson.file,
        line: mutant.command.line,
        step: mutant.step.index,
        rule: "lab-error",
        message: `step ${mutant.step.index}: the lab broke while leaving out line ${mutant.command.line}: ${error instanceof Error ? error.message : String(error)}`,
      };
      result.failures.push(problem);
      result.status = "failed";
      problem = undefined;
    }
    if (problem !== undefined) {
      if (options.strict === true) {
        result.failures.push(problem);
        result.status = "failed";
      } else result.warnings.push(problem);
    }
    result.mutants++;
    result.mutantMs += performance.now() - started;
    const left = (pendingMutants.get(mutant.lesson) ?? 1) - 1;
    pendingMutants.set(mutant.lesson, left);
    if (left === 0) {
      result.warnings.sort((a, b) => a.line - b.line);
      result.failures.sort((a, b) => a.line - b.line);
      finish(mutant.lesson);
    }
  };
  for (const lesson of lessons) {
    queue.push(async () => {
      const result = await testLesson(driver, lesson);
      results.set(lesson, result);
      const mutants =
        options.mutate === true && result.status === "passed" ? await mutantsOf(lesson) : [];
      if (options.mutate === true && result.status === "passed") {
        result.leftAlone = leftAloneOf(lesson);
      }
      if (mutants.length === 0) {
        finish(lesson);
        return;
      }
      pendingMutants.set(lesson, mutants.length);
      // Mutants go to the front: a lesson's report is then ready soon, and bail stops early.
      queue.unshift(...mutants.map((m) => mutantTask(m, result)));
    });
  }
  await drain(queue, options.jobs, () => options.bail === true && failed);
  const notRun = lessons.filter((l) => !done.has(l));
  return {
    results: lessons.flatMap((l) => {
      const r = results.get(l);
      return r !== undefined && done.has(l) ? [r] : [];
    }),
    notRun,
    durationMs: performance.now() - started,
  };
}
