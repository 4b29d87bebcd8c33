/**
 * `course test` for one lesson: in a fresh lab, setup; then for each step its checks must not
 * all pass before its commands, and must all pass after them; at the end every check of every
 * step must still hold. Returns data; reporters print it.
 */
import { answersAtOnce, isProbe, runsAlone } from "../checks/kinds/registry.js";
import { LabLacksError } from "../errors.js";
import { lackingNeed } from "../lab/lab-needs.js";
import type { ExecResult, Lab } from "../lab/types.js";
import type { Check, CommandBlock, Lesson, Step } from "../lesson/types.js";
import { takeFailedLine, traceFence } from "./fence-trace.js";

/** The verdict on one check, as the check evaluator gives it. */
export interface CheckOutcome {
  check: Check;
  passed: boolean;
  /** What the check wanted, in words (for failures). */
  expected?: string;
  /** What the lab showed instead. */
  found?: string;
  /** A probe whose time ran out before it was answered. */
  timedOut?: boolean;
}

/**
 * What a lesson test needs from the rest of course: a fresh lab, a way to run a fence as the
 * learner's "run it for me" would, and the check evaluator. `defaultDriver` wires the real
 * ones; this seam keeps the flow independent of how labs are made.
 */
export interface LessonDriver {
  /** A fresh, empty lab for `lesson` (its setup not yet run); destroyed by the caller. */
  openLab(lesson: Lesson): Promise<Lab>;
  /**
   * `--fallback-lab`: where a lesson goes whose `needs` the first lab lacks (a kernel feature,
   * Docker), instead of being skipped; `name` is what reports say (`vagrant`).
   */
  fallback?: { name: string; openLab(lesson: Lesson): Promise<Lab> };
  /**
   * How long checks right after a `background` fence may take to come true (its server may not
   * listen yet). @default BACKGROUND_SETTLE_MS
   */
  settleMs?: number;
  /** Run one command fence with its fence semantics (background, allow-fail, timeout). */
  runBlock(lab: Lab, block: CommandBlock, lesson: Lesson): Promise<ExecResult>;
  /**
   * Evaluate checks in the lab; one outcome per check, in order. `diagnose`: explain a failed
   * ping or tcp (worth a round trip only when the failure is reported). `timeout`: seconds per
   * check instead of the lesson's.
   */
  evaluate(
    lab: Lab,
    checks: Check[],
    lesson: Lesson,
    options: { diagnose: boolean; timeout?: number },
  ): Promise<CheckOutcome[]>;
}

/** One reason a lesson test failed (or, for mutation, a warning). */
export interface TestProblem {
  /** The lesson file, as given (absolute). */
  file: string;
  /** The line the problem is about: a check, a fence, a step heading or a command. */
  line: number;
  /** The step it concerns (1-based), when it concerns one. */
  step?: number;
  /** What a rule name says for machines: `vacuous-step`, `check-failed`, `undone`, ... */
  rule: TestRule;
  /** One line for humans; starts with `step N:` when about a step. */
  message: string;
  expected?: string;
  found?: string;
}

export type TestRule =
  | "vacuous-step"
  | "command-failed"
  | "check-failed"
  | "undone"
  | "setup-failed"
  | "lab-error"
  | "unchecked-command"
  | "straight-through";

export type LessonStatus = "passed" | "failed" | "skipped";

export interface LessonTestResult {
  lesson: Lesson;
  status: LessonStatus;
  /** Why it was skipped (a `needs` the lab lacks). */
  skipReason?: string;
  /** The `--fallback-lab` it ran in, because the first lab lacks one of its `needs`. */
  fallbackLab?: string;
  failures: TestProblem[];
  /** Mutation findings: warnings, or failures with `--strict` (then also in `failures`). */
  warnings: TestProblem[];
  /** Milliseconds of the plain test (mutants: `mutantMs`). */
  durationMs: number;
  /** Check evaluations made (for the summary). */
  checksRun: number;
  /** Mutants run by `--mutate` (0 otherwise). */
  mutants: number;
  /** Fences `--mutate` left alone (`no-mutate="REASON"`), with their reasons. */
  leftAlone?: { line: number; step: number; reason: string }[];
  /** Milliseconds of lab time the mutants took, added up (they run in parallel). */
  mutantMs: number;
  /**
   * Milliseconds the checks of each step with a `background` fence took to come true (by step
   * index): mutants of that step wait a few times as long, not the full budget.
   */
  settleMs: Record<number, number>;
}

/**
 * Seconds a probe gets where only "does some check fail?" is asked (before a step, and in
 * mutants). In a lab a ping answers in microseconds, so a ping that has not answered in this
 * time will not; a probe cut short only makes a step look unfinished or a mutant caught, which
 * can hide a weakness but never invents one (so `not` probes keep the full timeout). Verdicts
 * that are reported use the full timeout.
 */
export const QUICK_PROBE_SECONDS = 2;

/**
 * Whether every check passes, evaluating the cheap state checks first: a step's "before" run
 * only needs one failure, and a failed state check spares waiting for a probe's timeout.
 */
export async function allPass(
  driver: LessonDriver,
  lab: Lab,
  checks: Check[],
  lesson: Lesson,
  options: { confirmTimeouts?: boolean } = {},
): Promise<{ allPassed: boolean; outcomes: CheckOutcome[]; evaluated: number }> {
  const state = checks.filter((c) => !isProbe(c.spec));
  const probes = checks.filter((c) => isProbe(c.spec));
  const outcomes: CheckOutcome[] = [];
  let evaluated = 0;
  if (state.length > 0) {
    outcomes.push(...(await driver.evaluate(lab, state, lesson, { diagnose: false })));
    evaluated += state.length;
    if (outcomes.some((o) => !o.passed)) return { allPassed: false, outcomes, evaluated };
  }
  // Pings and TCP connects in a lab answer in microseconds or not at all: a second is plenty;
  // `run` and `capture` start programs (tcpdump, servers) and get QUICK_PROBE_SECONDS.
  // Captures run one at a time (each watches an interface), so they come after the others: one
  // failure there spares every capture. A `not` probe passes when its probe fails, so cutting
  // it short could make it pass: it keeps the full timeout.
  const quick = (c: Check) => answersAtOnce(c.spec);
  const alone = (c: Check) => runsAlone(c.spec);
  const short = Math.min(lesson.timeout, QUICK_PROBE_SECONDS);
  const batches: { checks: Check[]; timeout?: number }[] = [
    { checks: probes.filter((c) => !c.negate && quick(c)), timeout: Math.min(short, 1) },
    { checks: probes.filter((c) => !c.negate && !quick(c) && !alone(c)), timeout: short },
    { checks: probes.filter((c) => !c.negate && alone(c)), timeout: short },
    { checks: probes.filter((c) => c.negate) },
  ];
  for (const batch of batches) {
    if (batch.checks.length === 0) continue;
    const evalOptions =
      batch.timeout === undefined
        ? { diagnose: false }
        : { diagnose: false, timeout: batch.timeout };
    const batchOutcomes = await driver.evaluate(lab, batch.checks, lesson, evalOptions);
    evaluated += batch.checks.length;
    // A probe cut short is no answer: where a failure must be real (a mutant "caught"), the
    // probes that ran out of time get their full timeout before they count.
    const cut = batchOutcomes.filter((o) => !o.passed && o.timedOut === true);
    if (options.confirmTimeouts === true && batch.timeout !== undefined && cut.length > 0) {
      const again = await driver.evaluate(
        lab,
        cut.map((o) => o.check),
        lesson,
        { diagnose: false },
      );
      evaluated += again.length;
      for (const o of again) batchOutcomes[batchOutcomes.findIndex((b) => b.check === o.check)] = o;
    }
    outcomes.push(...batchOutcomes);
    if (outcomes.some((o) => !o.passed)) return { allPassed: false, outcomes, evaluated };
  }
  return { allPassed: outcomes.every((o) => o.passed), outcomes, evaluated };
}

/** Whether a step starts something in the background (which may still be starting). */
export function hasBackground(step: Step): boolean {
  return step.commands.some((b) => b.options.background && !b.options.noRun);
}

/** How long checks after a `background` fence may take to come true. */
export const BACKGROUND_SETTLE_MS = 5_000;

/**
 * `allPass`, retried for up to `budgetMs` (and at most the lesson's timeout): for checks right
 * after a `background` fence, whose server may not be listening yet.
 */
export async function allPassWithin(
  driver: LessonDriver,
  lab: Lab,
  checks: Check[],
  lesson: Lesson,
  budgetMs = driver.settleMs ?? BACKGROUND_SETTLE_MS,
  options: { confirmTimeouts?: boolean } = {},
): Promise<{ allPassed: boolean; evaluated: number }> {
  const deadline = performance.now() + Math.min(budgetMs, lesson.timeout * 1000);
  let evaluated = 0;
  for (;;) {
    const attempt = await allPass(driver, lab, checks, lesson, options);
    evaluated += attempt.evaluated;
    if (attempt.allPassed || performance.now() >= deadline) {
      return { allPassed: attempt.allPassed, evaluated };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Run a fence as `course run` would, traced so that a failure names its line. */
export function runFence(
  driver: LessonDriver,
  lab: Lab,
  block: CommandBlock,
  lesson: Lesson,
): Promise<ExecResult> {
  const plain = block.options.background || block.options.allowFail;
  return driver.runBlock(lab, plain ? block : { ...block, code: traceFence(block.code) }, lesson);
}

/** The last lines of a command's output, for "found". */
export function outputTail(result: ExecResult, lines = 5): string {
  const clean = (t: string) => takeFailedLine(t).stderr.trim();
  const text = (clean(result.stderr) || clean(result.stdout)).split("\n");
  const tail = text.slice(-lines).join("\n");
  return tail === "" ? "(no output)" : tail;
}

/** Failure of a fence that exited non-zero (or timed out), or undefined when it is fine. */
export function blockProblem(
  block: CommandBlock,
  result: ExecResult,
  lesson: Lesson,
  step: Step | undefined,
): TestProblem | undefined {
  if (block.options.background || block.options.allowFail) return undefined;
  if (result.exitCode === 0 && !result.timedOut) return undefined;
  const where = step === undefined ? "setup" : `step ${step.index}`;
  const seconds = block.options.timeout ?? lesson.timeout;
  const what = result.timedOut
    ? `timed out after ${seconds} s`
    : `exited with status ${result.exitCode}`;
  const traced = result.timedOut ? undefined : takeFailedLine(result.stderr).line;
  const offset = traced === undefined ? undefined : traced - 1;
  const command = offset === undefined ? undefined : block.code.split("\n")[offset]?.trim();
  const line = offset === undefined || !command ? block.line : block.codeLine + offset;
  const problem: TestProblem = {
    file: lesson.file,
    line,
    rule: step === undefined ? "setup-failed" : "command-failed",
    message:
      line === block.line
        ? `${where}: the commands at line ${block.line} ${what}`
        : `${where}: line ${line} \`${command}\` ${what}`,
    expected: "exit status 0",
    found: outputTail(result),
  };
  if (step !== undefined) problem.step = step.index;
  return problem;
}

/**
 * Open a fresh lab, skip when a `needs` is missing, run setup. Returns the lab, or the result
 * that ends the lesson (skipped or failed) with the lab already destroyed. A lesson whose
 * `needs` the lab lacks goes to the driver's fallback lab when it has one.
 */
export async function prepareLab(
  driver: LessonDriver,
  lesson: Lesson,
  result: LessonTestResult,
): Promise<Lab | undefined> {
  const lab = await labMeetingNeeds(driver, lesson, result);
  if (lab === undefined) return undefined;
  try {
    for (const block of lesson.setup) {
      if (block.options.noRun) continue;
      const problem = blockProblem(
        block,
        await runFence(driver, lab, block, lesson),
        lesson,
        undefined,
      );
      if (problem !== undefined) {
        result.status = "failed";
        result.failures.push(problem);
        await lab.destroy();
        return undefined;
      }
    }
    return lab;
  } catch (error) {
    await lab.destroy().catch(() => undefined);
    throw error;
  }
}

/** Lessons (by file) whose needs the driver's first lab lacks: their mutants go straight on. */
const lackingFirst = new WeakMap<LessonDriver, Set<string>>();

/**
 * A lab that has the lesson's `needs`: the driver's, else its fallback's. Undefined when the
 * result is settled (skipped with the reason, or failed to get a lab).
 */
async function labMeetingNeeds(
  driver: LessonDriver,
  lesson: Lesson,
  result: LessonTestResult,
): Promise<Lab | undefined> {
  const known = lackingFirst.get(driver) ?? new Set<string>();
  lackingFirst.set(driver, known);
  const fallback = driver.fallback;
  let lacking: LabLacksError | undefined;
  if (fallback === undefined || !known.has(lesson.file)) {
    const first = await openWithNeeds((l) => driver.openLab(l), lesson, result);
    if (!(first instanceof LabLacksError)) return first;
    lacking = first;
    if (fallback === undefined) {
      result.status = "skipped";
      result.skipReason = lacking.reason;
      return undefined;
    }
    known.add(lesson.file);
  }
  if (fallback === undefined) return undefined;
  const second = await openWithNeeds((l) => fallback.openLab(l), lesson, result);
  if (second instanceof LabLacksError) {
    result.status = "skipped";
    result.skipReason = `${lacking === undefined ? "" : `${lacking.reason}; `}in the ${fallback.name} lab (--fallback-lab) too: ${second.reason}`;
    return undefined;
  }
  if (second !== undefined) result.fallbackLab = fallback.name;
  return second;
}

/**
 * A fresh lab from `open` checked against the lesson's `needs`: the lab, the LabLacksError of
 * a need it lacks (the lab destroyed), or undefined when no lab could be made (result failed).
 */
async function openWithNeeds(
  open: (lesson: Lesson) => Promise<Lab>,
  lesson: Lesson,
  result: LessonTestResult,
): Promise<Lab | LabLacksError | undefined> {
  let lab: Lab;
  try {
    lab = await open(lesson);
  } catch (error) {
    // A lab that can never host the lesson (docker on the sandbox lab) lacks a need.
    if (error instanceof LabLacksError) return error;
    result.status = "failed";
    result.failures.push({
      file: lesson.file,
      line: lesson.position0.line,
      rule: "lab-error",
      message: `the lab could not be created: ${error instanceof Error ? error.message : String(error)}`,
    });
    return undefined;
  }
  try {
    const lacking =
      lesson.needs.length > 0 ? await lackingNeed(lab, lesson.needs, lesson.id) : undefined;
    if (lacking !== undefined) await lab.destroy();
    return lacking ?? lab;
  } catch (error) {
    await lab.destroy().catch(() => undefined);
    throw error;
  }
}

/** A new, empty result for `lesson`. */
export function newResult(lesson: Lesson): LessonTestResult {
  return {
    lesson,
    status: "passed",
    failures: [],
    warnings: [],
    durationMs: 0,
    checksRun: 0,
    mutants: 0,
    mutantMs: 0,
    settleMs: {},
  };
}

function checkProblem(
  lesson: Lesson,
  outcome: CheckOutcome,
  step: number,
  rule: TestRule,
  message: string,
): TestProblem {
  const problem: TestProblem = {
    file: lesson.file,
    line: outcome.check.line,
    step,
    rule,
    message,
  };
  if (outcome.expected !== undefined) problem.expected = outcome.expected;
  if (outcome.found !== undefined) problem.found = outcome.found;
  return problem;
}

/** Test one lesson in a fresh lab (see the module comment). Never throws for a lesson's fault. */
export async function testLesson(driver: LessonDriver, lesson: Lesson): Promise<LessonTestResult> {
  const started = performance.now();
  const result = newResult(lesson);
  try {
    const lab = await prepareLab(driver, lesson, result);
    if (lab === undefined) return result;
    try {
      await runSteps(driver, lab, lesson, result);
    } finally {
      await lab.destroy();
    }
    // The checks between steps take time that can hide a race (IPv6 duplicate address
    // detection): run the solution again as `course run` does, straight through.
    if (result.status === "passed") await runStraightThrough(driver, lesson, result);
  } catch (error) {
    result.status = "failed";
    result.failures.push({
      file: lesson.file,
      line: lesson.position0.line,
      rule: "lab-error",
      message: `the lab broke: ${error instanceof Error ? error.message : String(error)}`,
    });
  } finally {
    result.durationMs = performance.now() - started;
  }
  return result;
}

/**
 * In a fresh lab: setup, every step's commands one after another with no check between, then
 * every check of the lesson. A failure is the lesson's (rule `straight-through`).
 */
async function runStraightThrough(
  driver: LessonDriver,
  lesson: Lesson,
  result: LessonTestResult,
): Promise<void> {
  const scratch = newResult(lesson);
  const lab = await prepareLab(driver, lesson, scratch);
  if (lab === undefined) return; // setup passed once: a lab that fails now is not the lesson's
  const how = "when the solution runs straight through, as `course run` does";
  try {
    for (const step of lesson.steps) {
      for (const block of step.commands) {
        if (block.options.noRun || (block.options.show && block.options.allowFail)) continue;
        const problem = blockProblem(
          block,
          await runFence(driver, lab, block, lesson),
          lesson,
          step,
        );
        if (problem !== undefined) {
          result.failures.push({
            ...problem,
            rule: "straight-through",
            message: `${problem.message} ${how}`,
          });
          result.status = "failed";
          return;
        }
      }
    }
    const all = lesson.steps.flatMap((s) => s.checks);
    if (all.length === 0) return;
    const stepOf = new Map<Check, number>();
    for (const step of lesson.steps) for (const check of step.checks) stepOf.set(check, step.index);
    // A server started in the background needs a moment, as between steps.
    if (lesson.steps.some(hasBackground)) await allPassWithin(driver, lab, all, lesson);
    const end = await driver.evaluate(lab, all, lesson, { diagnose: true });
    result.checksRun += end.length;
    for (const outcome of end.filter((o) => !o.passed)) {
      const step = stepOf.get(outcome.check) ?? 0;
      result.failures.push(
        checkProblem(
          lesson,
          outcome,
          step,
          "straight-through",
          `step ${step}: line ${outcome.check.line} (\`${outcome.check.source}\`) fails ${how}, though it passes step by step: the checks between steps hid a race`,
        ),
      );
      result.status = "failed";
    }
  } finally {
    await lab.destroy();
  }
}

/**
 * The steps, with as few lab round trips as the rules allow: nothing runs between a step's
 * "after" checks and the next step's "before" checks, so one evaluation answers both; and the
 * last step's "after" checks are part of the end-of-lesson evaluation.
 */
async function runSteps(
  driver: LessonDriver,
  lab: Lab,
  lesson: Lesson,
  result: LessonTestResult,
): Promise<void> {
  const stepOf = new Map<Check, number>();
  for (const step of lesson.steps) for (const check of step.checks) stepOf.set(check, step.index);
  const steps = lesson.steps;
  // State-check outcomes of the current step, already evaluated with the step before's "after".
  let knownBefore: CheckOutcome[] | undefined;

  for (const [i, step] of steps.entries()) {
    const next = steps[i + 1];
    if (step.checks.length > 0) {
      let allPassed: boolean;
      if (knownBefore?.some((o) => !o.passed)) {
        allPassed = false;
      } else {
        const rest =
          knownBefore === undefined ? step.checks : step.checks.filter((c) => isProbe(c.spec));
        const before = await allPass(driver, lab, rest, lesson);
        result.checksRun += before.evaluated;
        allPassed = before.allPassed;
      }
      if (allPassed) {
        result.failures.push({
          file: lesson.file,
          line: step.heading.line,
          step: step.index,
          rule: "vacuous-step",
          message: `step ${step.index}: its checks already pass before its commands, so they cannot tell whether it was done`,
          expected: "at least one check fails before the step's commands run",
          found: "every check passes",
        });
      }
    }
    knownBefore = undefined;
    for (const block of step.commands) {
      if (block.options.noRun) continue;
      // A `show allow-fail` fence changes nothing (show) and cannot fail (allow-fail): running it
      // would prove nothing, and such fences often show a failure on purpose, which takes time.
      if (block.options.show && block.options.allowFail) continue;
      const problem = blockProblem(block, await runFence(driver, lab, block, lesson), lesson, step);
      if (problem !== undefined) {
        result.failures.push(problem);
        result.status = "failed";
        return; // later steps build on this one: their results would only repeat it
      }
    }
    if (step.checks.length > 0 && hasBackground(step)) {
      // A server started in the background needs a moment before it listens.
      const started = performance.now();
      const settled = await allPassWithin(driver, lab, step.checks, lesson);
      result.checksRun += settled.evaluated;
      result.settleMs[step.index] = performance.now() - started;
    }
    if (next === undefined) break; // the end-of-lesson evaluation covers this step's checks
    const nextState = next.checks.filter((c) => !isProbe(c.spec));
    if (step.checks.length === 0 && nextState.length === 0) continue;
    const outcomes = await driver.evaluate(lab, [...step.checks, ...nextState], lesson, {
      diagnose: true,
    });
    result.checksRun += outcomes.length;
    const after = outcomes.slice(0, step.checks.length);
    if (nextState.length > 0) knownBefore = outcomes.slice(step.checks.length);
    const failed = after.filter((o) => !o.passed);
    for (const outcome of failed) result.failures.push(afterProblem(lesson, outcome, step.index));
    if (failed.length > 0) {
      result.status = "failed";
      return;
    }
  }

  const all = steps.flatMap((s) => s.checks);
  const last = steps.at(-1);
  if (all.length > 0) {
    const end = await driver.evaluate(lab, all, lesson, { diagnose: true });
    result.checksRun += end.length;
    const failed = end.filter((o) => !o.passed);
    const lastFailed = failed.filter((o) => stepOf.get(o.check) === last?.index);
    // The last step's own checks failing is "fails after the step", not "undone later".
    const reported = lastFailed.length > 0 ? lastFailed : failed;
    for (const outcome of reported) {
      const step = stepOf.get(outcome.check) ?? 0;
      result.failures.push(
        step === last?.index
          ? afterProblem(lesson, outcome, step)
          : checkProblem(
              lesson,
              outcome,
              step,
              "undone",
              `step ${step}: line ${outcome.check.line} no longer holds at the end of the lesson (\`${outcome.check.source}\`): a later step undid it`,
            ),
      );
    }
  }
  if (result.failures.length > 0) result.status = "failed";
}

function afterProblem(lesson: Lesson, outcome: CheckOutcome, step: number): TestProblem {
  return checkProblem(
    lesson,
    outcome,
    step,
    "check-failed",
    `step ${step}: line ${outcome.check.line} \`${outcome.check.source}\` fails after the step's commands`,
  );
}
