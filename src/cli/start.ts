/** `course start [LESSON]`: the guided flow (src/flows/start.ts) on this terminal. */
import { spawnSync } from "node:child_process";
import { learnerDriver } from "../flows/learner-driver.js";
import { startFlow } from "../flows/start.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { requireCourse } from "../load-course.js";
import { openProgress } from "../progress/open-progress.js";
import { type CommandContext, useColor } from "./context.js";
import { inquirerPrompts } from "./prompts.js";

/**
 * The command. Prompts only when stdin and stdout are both terminals; otherwise (CI runs
 * `./install.sh </dev/null`) it makes the lab, prints the lesson's start and exits 0.
 */
export async function startCommand(ctx: CommandContext, lessonName?: string): Promise<number> {
  const course = await requireCourse(ctx);
  const interactive =
    (ctx.stdin as { isTTY?: boolean }).isTTY === true && ctx.stdout.isTTY === true;
  const debug = ctx.global.debug ? (line: string) => ctx.stderr.write(`${line}\n`) : undefined;
  const driver = learnerDriver({
    spec: labSpecFromOption(ctx.global.lab),
    course,
    cwd: ctx.cwd,
    ...(debug === undefined ? {} : { debug }),
  });
  return startFlow({
    course,
    ...(lessonName === undefined ? {} : { lessonName }),
    store: openProgress(ctx),
    driver,
    prompts: inquirerPrompts({ input: ctx.stdin, output: ctx.stdout }),
    stdout: ctx.stdout,
    interactive,
    color: useColor(ctx),
    signals: process,
    openShell: async (lab, lesson) => {
      try {
        return await lab.shell({ label: lesson.id });
      } finally {
        reclaimTerminal(ctx);
      }
    },
  });
}

/**
 * Take the terminal back after the lab shell. An interactive bash makes its own process group
 * the terminal's foreground group; in the lab's PID namespace it cannot see ours to hand the
 * terminal back on exit, which would leave the next prompt unable to read (EIO). perl-base is
 * on every Debian/Ubuntu; without it this is a no-op and the lab layer is expected to cope.
 */
function reclaimTerminal(ctx: CommandContext): void {
  if ((ctx.stdin as { isTTY?: boolean }).isTTY !== true) return;
  spawnSync(
    "perl",
    ["-MPOSIX", "-e", '$SIG{TTOU} = "IGNORE"; POSIX::tcsetpgrp(0, getpgrp()) or exit 1'],
    { stdio: "inherit" },
  );
}
