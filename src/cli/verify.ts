/** `course verify LESSON [--json]`: check the learner's work in the lesson's lab. */

import { type CommandContext, debugOption, useColor } from "../context.js";
import { ExitCode } from "../errors.js";
import { InterruptedError } from "../flows/learner-types.js";
import { openLessonLab } from "../flows/lesson-lab.js";
import { recordVerifyReport, type VerifyReport, verifyLesson } from "../flows/verify.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { requireCourse } from "../load-course.js";
import { lessonProgressOf } from "../progress/lesson-progress.js";
import { assertOpen, lessonLabel } from "../progress/lesson-states.js";
import { openProgress } from "../progress/open-progress.js";
import { startSpinner } from "../render/render-spinner.js";
import { renderVerifyReport } from "../render/render-verify-report.js";
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
  const course = await requireCourse(ctx);
  // Without a lesson: the current one, as `course shell` and `course graph` choose it.
  const lesson = await currentLesson(ctx, course, lessonName);
  // A locked lesson exits 3 naming what to finish first, before any lab is made.
  const store = openProgress(ctx);
  const before = await store.read();
  assertOpen(course, before, lesson);
  const seen = lessonProgressOf(before, course, lesson)?.hintsSeen ?? {};
  const debugging = debugOption(ctx);
  // A lesson whose `needs` this lab cannot meet is refused here (LabLacksError, exit 4).
  const { lab } = await openLessonLab({
    spec: labSpecFromOption(ctx.global.lab),
    course,
    lesson,
    persistent: true,
    ...debugging,
  });
  let report: VerifyReport;
  // On a terminal, say that something is happening (a lesson's probes can take seconds).
  const spinner =
    ctx.stderr.isTTY === true && !options.json
      ? startSpinner(ctx.stderr, `Checking ${lessonLabel(lesson)} in its lab…`, true)
      : undefined;
  try {
    report = await verifyLesson(lab, lesson, {
      // The failure shows the learner's next unseen hint (the last one once all are seen).
      hintIndex: (step) =>
        Math.max(0, Math.min(seen[String(step.index)] ?? 0, step.hints.length - 1)),
    });
  } finally {
    spinner?.stop();
    await lab.close();
  }
  debugging.debug?.(`verify: ${report.roundTrips} lab round trips, ${report.durationMs} ms`);
  const recorded = await recordVerifyReport(store, course, lesson, report);
  const progress = {
    complete: recorded.entry.completedAt !== undefined,
    completedNow: recorded.completedNow,
    unlocked: recorded.unlocked.map((l) => l.id),
  };
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify({ ...report, progress }, null, 2)}\n`
      : renderVerifyReport(report, { cwd: ctx.cwd, color: useColor(ctx) }),
  );
  if (!options.json && report.passed) {
    const c = useColor(ctx) ? "\u001b[32m✓\u001b[39m" : "✓";
    ctx.stdout.write(
      `${c} ${lessonLabel(lesson)} ${recorded.completedNow ? "is complete" : "still passes"}.\n`,
    );
    for (const l of recorded.unlocked) {
      ctx.stdout.write(`  Unlocked ${lessonLabel(l)}: ${l.title} (course start ${l.position})\n`);
    }
  }
  return report.passed ? ExitCode.ok : ExitCode.checksFailed;
}
