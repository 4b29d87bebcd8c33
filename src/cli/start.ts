/** `course start [LESSON]`: the guided flow (src/flows/start.ts) on this terminal. */

import { type CommandContext, debugOption, labIo, useColor, warnOption } from "../context.js";
import { learnerDriver } from "../flows/learner-driver.js";
import { startFlow } from "../flows/start.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { requireCourse } from "../load-course.js";
import { openProgress } from "../progress/open-progress.js";
import { inquirerPrompts } from "./prompts.js";
import { liveChecksOn } from "./shell.js";

/**
 * The command. Prompts only when stdin and stdout are both terminals; otherwise (CI runs
 * `./install.sh </dev/null`) it makes the lab, prints the lesson's start and exits 0.
 */
export async function startCommand(ctx: CommandContext, lessonName?: string): Promise<number> {
  const course = await requireCourse(ctx);
  const interactive =
    (ctx.stdin as { isTTY?: boolean }).isTTY === true && ctx.stdout.isTTY === true;
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
    openShell: async (lab, lesson) => {
      if (!interactive) return lab.shell({ label: lesson.id });
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
      });
    },
  });
}
