/** `course verify LESSON [--json]`: check the learner's work in the lesson's lab. */
import { type CommandContext, useColor } from "../context.js";
import { ExitCode } from "../errors.js";
import { verifyCourseLesson } from "../flows/verify.js";
import { lessonLabel } from "../progress/lesson-states.js";
import { renderVerifyReport } from "../render/render-verify-report.js";
import { visibleData } from "../render/visible-text.js";

export interface VerifyCommandOptions {
  json: boolean;
}

/** Exit 0 when every check passes, 1 otherwise. */
export async function verifyCommand(
  ctx: CommandContext,
  lessonName: string,
  options: VerifyCommandOptions,
): Promise<number> {
  const { lesson, report, progress, unlocked } = await verifyCourseLesson(ctx, lessonName);
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify({ ...report, progress }, null, 2)}\n`
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
