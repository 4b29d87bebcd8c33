/** `course start [LESSON]`: the guided flow (src/flows/start.ts) on this terminal. */

import {
  type CommandContext,
  debugOption,
  inputIsTerminal,
  labIo,
  useColor,
  warnOption,
} from "../context.js";
import { learnerDriver } from "../flows/learner-driver.js";
import type { LiveState } from "../flows/live-check.js";
import { startFlow } from "../flows/start.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import type { Course, Lesson } from "../lesson/types.js";
import { requireCourse } from "../load-course.js";
import { openProgress } from "../progress/open-progress.js";
import { inquirerPrompts } from "./prompts.js";
import { liveChecksOn } from "./shell.js";
import {
  assertSplitPossible,
  insideTmux,
  openStepPane,
  runInNewTmuxSession,
  type StepPane,
} from "./split.js";

/**
 * The command. Prompts only when stdin and stdout are both terminals; otherwise (CI runs
 * `./install.sh </dev/null`) it makes the lab, prints the lesson's start and exits 0.
 */
export async function startCommand(
  ctx: CommandContext,
  lessonName?: string,
  options: { split?: boolean } = {},
): Promise<number> {
  const course = await requireCourse(ctx);
  if (options.split === true) {
    await assertSplitPossible(ctx);
    // Outside tmux: this same command in a new tmux session, where it splits its window.
    if (!insideTmux(ctx)) return runInNewTmuxSession(ctx, process.argv);
  }
  const interactive = inputIsTerminal(ctx) && ctx.stdout.isTTY === true;
  const pane =
    options.split === true ? await openStepPane(ctx, course.dir, useColor(ctx)) : undefined;
  try {
    return await guidedFlow(ctx, course, interactive, lessonName, pane);
  } finally {
    await pane?.close();
  }
}

async function guidedFlow(
  ctx: CommandContext,
  course: Course,
  interactive: boolean,
  lessonName: string | undefined,
  pane: StepPane | undefined,
): Promise<number> {
  const store = openProgress(ctx);
  const driver = learnerDriver({
    spec: labSpecFromOption(ctx.global.lab),
    course,
    cwd: ctx.cwd,
    ...labIo(ctx),
    ...warnOption(ctx),
    ...debugOption(ctx),
  });
  return startFlow({
    course,
    ...(lessonName === undefined ? {} : { lessonName }),
    store,
    driver,
    prompts: inquirerPrompts({ input: ctx.stdin, output: ctx.stdout }),
    stdout: ctx.stdout,
    interactive,
    color: useColor(ctx),
    signals: process,
    ...(pane === undefined
      ? {}
      : {
          onStep: (lesson: Lesson, step: number | null) => pane.update({ lesson: lesson.id, step }),
        }),
    openShell: async (lab, lesson) => {
      if (!interactive) return lab.shell({ label: lesson.id, terminal: inputIsTerminal(ctx) });
      const { runLabShell } = await import("../flows/lab-shell.js");
      return runLabShell({
        course,
        lesson,
        lab,
        store,
        stdin: ctx.stdin,
        stdout: ctx.stdout,
        color: useColor(ctx),
        cwd: ctx.cwd,
        // The guided flow has just shown the step.
        card: false,
        live: liveChecksOn(ctx),
        ...(pane === undefined
          ? {}
          : {
              onState: (state: LiveState) =>
                pane.update({ lesson: state.lesson.id, step: state.current?.index ?? null }),
            }),
      });
    },
  });
}
