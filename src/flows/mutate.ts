/**
 * `course test --mutate`: leave out one command of a step's solution at a time, in a fresh lab,
 * replaying setup and every earlier step. When every check of that step and every check at the
 * end of the lesson still pass without it, nothing checks that the command matters: either the
 * command is not needed, or the checks are too weak to notice it was skipped.
 */
import type { CommandBlock, Lesson, Step } from "../lesson/types.js";
import {
  isReadOnlyCommand,
  type ShellCommand,
  splitCommands,
  withoutCommand,
} from "./shell-analysis.js";
import {
  allPass,
  allPassWithin,
  BACKGROUND_SETTLE_MS,
  blockProblem,
  hasBackground,
  type LessonDriver,
  type LessonTestResult,
  newResult,
  prepareLab,
  runFence,
  type TestProblem,
} from "./test-lesson.js";

/** One command left out of one step. */
export interface Mutant {
  lesson: Lesson;
  step: Step;
  block: CommandBlock;
  command: ShellCommand;
}

/**
 * Every mutant of a lesson: each command unit of each step's runnable fences, except fences
 * marked `show` and commands that only show state (see isReadOnlyCommand).
 */
export async function mutantsOf(lesson: Lesson): Promise<Mutant[]> {
  const mutants: Mutant[] = [];
  for (const step of lesson.steps) {
    // A step without checks cannot kill a mutant of its own; lint already warns about it.
    for (const block of step.commands) {
      if (block.options.noRun || block.options.show || block.options.noMutate !== undefined) {
        continue;
      }
      for (const command of await splitCommands(block.code, block.codeLine)) {
        if (await isReadOnlyCommand(command.text)) continue;
        mutants.push({ lesson, step, block, command });
      }
    }
  }
  return mutants;
}

/** A fence `--mutate` leaves alone on the lesson's word (`no-mutate="REASON"`), for the report. */
export interface LeftAlone {
  line: number;
  step: number;
  reason: string;
}

/** The fences of a lesson that `--mutate` leaves alone, with their reasons. */
export function leftAloneOf(lesson: Lesson): LeftAlone[] {
  return lesson.steps.flatMap((step) =>
    step.commands.flatMap((block) =>
      block.options.noMutate === undefined || block.options.noRun
        ? []
        : [{ line: block.line, step: step.index, reason: block.options.noMutate }],
    ),
  );
}

/**
 * How long a mutant's checks after a `background` fence may take to come true: a few times what
 * the plain test needed (a loaded machine is slower), at least half a second.
 */
function settleBudget(baseline: LessonTestResult, step: Step): number {
  const measured = baseline.settleMs[step.index];
  return measured === undefined ? BACKGROUND_SETTLE_MS : Math.max(500, 3 * measured);
}

/** The first line of a command, shortened for a message. */
function firstLine(text: string): string {
  const line = (text.split("\n")[0] ?? "").trim();
  const more = text.includes("\n") ? " …" : "";
  return line.length > 60 ? `${line.slice(0, 59)}…` : `${line}${more}`;
}

/**
 * Run one mutant. Resolves to the warning when it survives (every check still passes), and to
 * undefined when some check or a later command notices the missing command.
 */
export async function runMutant(
  driver: LessonDriver,
  mutant: Mutant,
  baseline: LessonTestResult,
): Promise<TestProblem | undefined> {
  const { lesson, step, block, command } = mutant;
  const scratch = newResult(lesson);
  const lab = await prepareLab(driver, lesson, scratch);
  // Setup passed in the plain test; if it fails now, the mutant tells nothing either way.
  if (lab === undefined) return undefined;
  try {
    const run = async (s: Step, b: CommandBlock): Promise<boolean> => {
      // `show` fences only display state: a mutant's fate is for the checks to decide, so they
      // are left out (a failing display, such as a ping, would otherwise hide a weak check).
      if (b.options.noRun || b.options.show) return true;
      if (b.code.trim() === "") return true;
      return blockProblem(b, await runFence(driver, lab, b, lesson), lesson, s) === undefined;
    };
    for (const s of lesson.steps) {
      const mutated = s === step;
      for (const b of s.commands) {
        const actual =
          mutated && b === block ? { ...b, code: withoutCommand(b.code, b.codeLine, command) } : b;
        if (!(await run(s, actual))) return undefined;
      }
      if (mutated && s.checks.length > 0) {
        // A check that only ran out of time did not catch the mutant: confirm it at full time.
        const confirm = { confirmTimeouts: true };
        const verdict = hasBackground(s)
          ? await allPassWithin(driver, lab, s.checks, lesson, settleBudget(baseline, s), confirm)
          : await allPass(driver, lab, s.checks, lesson, confirm);
        if (!verdict.allPassed) return undefined;
      }
    }
    const all = lesson.steps.flatMap((s) => s.checks);
    if (!(await allPass(driver, lab, all, lesson, { confirmTimeouts: true })).allPassed) {
      return undefined;
    }
  } finally {
    await lab.destroy();
  }
  return {
    file: lesson.file,
    line: command.line,
    step: step.index,
    rule: "unchecked-command",
    message: `step ${step.index}: nothing checks that line ${command.line} matters: without \`${firstLine(command.text)}\` every check of the step and of the lesson still passes`,
    expected: "some check fails when this command is left out",
    found: "every check passes without it",
  };
}
