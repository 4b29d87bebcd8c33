/** `course run LESSON [--count] [--graph]`: run every command in a fresh lab, then verify. */

import { type CommandContext, debugOption, labIo, useColor, warnOption } from "../context.js";
import { learnerDriver } from "../flows/learner-driver.js";
import { runExitCode, runLesson } from "../flows/run-lesson.js";
import { drawLab } from "../graph/draw-lab.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { findLesson, requireCourse } from "../load-course.js";
import { openProgress } from "../progress/open-progress.js";

export interface RunOptions {
  /** Count a pass as the lesson's completion. */
  count: boolean;
  /** Draw the lab (as `course graph` does) after each step. */
  graph: boolean;
}

/** The command: exit 0 when every command and check passed, 1 otherwise. */
export async function runCommand(
  ctx: CommandContext,
  lessonName: string,
  options: RunOptions,
): Promise<number> {
  const course = await requireCourse(ctx);
  const lesson = findLesson(course, lessonName);
  const color = useColor(ctx);
  const report = await runLesson({
    course,
    lesson,
    store: openProgress(ctx),
    driver: learnerDriver({
      spec: labSpecFromOption(ctx.global.lab),
      course,
      cwd: ctx.cwd,
      ...labIo(ctx),
      ...warnOption(ctx),
      ...debugOption(ctx),
    }),
    stdout: ctx.stdout,
    color,
    count: options.count,
    ...(options.graph
      ? {
          graph: (lab) =>
            drawLab(lab, "text", { width: Math.min(ctx.stdout.columns ?? 80, 100), color }),
        }
      : {}),
  });
  return runExitCode(report);
}
