/** `course verify LESSON [--json]`: check the learner's work in the lesson's lab. */

import { type CommandContext, debugOption, useColor } from "../context.js";
import { ExitCode } from "../errors.js";
import { openLessonLab } from "../flows/lesson-lab.js";
import { type VerifyReport, verifyLesson } from "../flows/verify.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { findLesson, requireCourse } from "../load-course.js";
import { lessonProgressOf } from "../progress/lesson-progress.js";
import { assertOpen, lessonLabel } from "../progress/lesson-states.js";
import { openProgress } from "../progress/open-progress.js";
import { recordResult } from "../progress/record-result.js";
import { renderVerifyReport } from "../render/render-verify-report.js";

export interface VerifyCommandOptions {
  json: boolean;
}

/** Exit 0 when every check passes, 1 otherwise. */
export async function verifyCommand(
  ctx: CommandContext,
  lessonName: string,
  options: VerifyCommandOptions,
): Promise<number> {
  const course = await requireCourse(ctx);
  const lesson = findLesson(course, lessonName);
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
  try {
    report = await verifyLesson(lab, lesson, {
      // The failure shows the learner's next unseen hint (the last one once all are seen).
      hintIndex: (step) =>
        Math.max(0, Math.min(seen[String(step.index)] ?? 0, step.hints.length - 1)),
    });
  } finally {
    await lab.close();
  }
  debugging.debug?.(`verify: ${report.roundTrips} lab round trips, ${report.durationMs} ms`);
  const recorded = await recordResult(store, course, lesson, {
    passed: report.steps.filter((s) => s.passed).map((s) => s.index),
    failed: report.steps.filter((s) => !s.passed && s.results.length > 0).map((s) => s.index),
    complete: report.passed,
    solvedBy: "learner",
  });
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
