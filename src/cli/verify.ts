/** `course verify LESSON [--json]`: check the learner's work in the lesson's lab. */
import { type CommandContext, useColor } from "../context.js";
import { ExitCode } from "../errors.js";
import { InterruptedError } from "../flows/learner-types.js";
import { verifyCourseLesson, verifyJson } from "../flows/verify.js";
import { requireCourse } from "../load-course.js";
import { lessonLabel } from "../progress/lesson-states.js";
import { startSpinner } from "../render/render-spinner.js";
import { renderVerifyReport } from "../render/render-verify-report.js";
import { visibleData } from "../render/visible-text.js";
import { currentLesson } from "./shell.js";

export interface VerifyCommandOptions {
  json: boolean;
}

/** Exit 0 when every check passes, 1 otherwise. */
export async function verifyCommand(
  ctx: CommandContext,
  lessonName: string | undefined,
  options: VerifyCommandOptions,
): Promise<number> {
  // Ctrl-C says what happened (nothing recorded, lab and progress kept) instead of a silent 130.
  let onSigint: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSigint = () =>
      reject(
        new InterruptedError(
          `interrupted: the check of ${lessonName === undefined ? "the current lesson" : `lesson ${lessonName}`} stopped before it ended; nothing was recorded`,
          { hint: "Your lab and your progress are kept; run the same `course verify` again." },
        ),
      );
    process.once("SIGINT", onSigint);
  });
  interrupted.catch(() => {});
  try {
    return await Promise.race([verifyCommandRun(ctx, lessonName, options), interrupted]);
  } finally {
    if (onSigint) process.off("SIGINT", onSigint);
  }
}

async function verifyCommandRun(
  ctx: CommandContext,
  lessonName: string | undefined,
  options: VerifyCommandOptions,
): Promise<number> {
  // Without a lesson: the current one, as `course shell` and `course graph` choose it.
  const name = lessonName ?? (await currentLesson(ctx, await requireCourse(ctx), undefined)).id;
  // On a terminal, say that something is happening (a lesson's probes can take seconds).
  const spinner =
    ctx.stderr.isTTY === true && !options.json
      ? startSpinner(ctx.stderr, "Checking your work in the lab…", true)
      : undefined;
  let outcome: Awaited<ReturnType<typeof verifyCourseLesson>>;
  try {
    outcome = await verifyCourseLesson(ctx, name);
  } finally {
    spinner?.stop();
  }
  const { lesson, report, progress, unlocked } = outcome;
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify(verifyJson(outcome), null, 2)}\n`
      : // What the lab reported (names a learner chose) is shown, never obeyed by the terminal.
        renderVerifyReport(visibleData(report, { keepNewlines: true }), {
          cwd: ctx.cwd,
          color: useColor(ctx),
        }),
  );
  if (!options.json && report.passed) {
    const c = useColor(ctx) ? "\u001b[32m✓\u001b[39m" : "✓";
    ctx.stdout.write(
      `${c} ${lessonLabel(lesson)} ${progress.completedNow ? "is complete" : "still passes"}.\n`,
    );
    for (const l of unlocked) {
      ctx.stdout.write(`  Unlocked ${lessonLabel(l)}: ${l.title} (course start ${l.position})\n`);
    }
  }
  return report.passed ? ExitCode.ok : ExitCode.checksFailed;
}
