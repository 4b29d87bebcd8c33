import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { forgetProgress, resetAllLabs, resetLessonLab } from "../flows/reset-lab.js";
import type { Course, Lesson } from "../lesson/types.js";
import { findLesson, requireCourse } from "../load-course.js";

export interface ResetOptions {
  /** Every lab of this user (on this machine, for the sandbox and host labs). */
  all: boolean;
  /** Also forget progress. */
  progress: boolean;
}

/**
 * `course reset [LESSON | --all]`: destroy a lesson's lab (every process in it; the next command
 * makes a fresh one and runs the lesson's setup again), or every persistent lab of this user.
 * @returns 0
 */
export async function resetCommand(
  ctx: CommandContext,
  lessonName: string | undefined,
  options: ResetOptions,
): Promise<number> {
  if (lessonName === undefined && !options.all) {
    throw new UsageError("`course reset` needs a lesson or --all", {
      hint: "e.g. `course reset bridge` (one lesson's lab) or `course reset --all` (every lab)",
    });
  }
  if (lessonName !== undefined && options.all) {
    throw new UsageError("`course reset` takes a lesson or --all, not both");
  }
  let course: Course | undefined;
  let lessons: Lesson[] = [];

  if (options.all) {
    const labels = await resetAllLabs(ctx);
    ctx.stdout.write(
      labels.length === 0
        ? "no labs to reset\n"
        : `reset ${labels.length} lab${labels.length === 1 ? "" : "s"}: ${labels.join(", ")}\n`,
    );
    if (options.progress) {
      course = await requireCourse(ctx);
      lessons = course.lessons;
    }
  } else if (lessonName !== undefined) {
    course = await requireCourse(ctx);
    const lesson = findLesson(course, lessonName);
    lessons = [lesson];
    const { found, ownNamespaces } = await resetLessonLab(ctx, course, lesson);
    if (ownNamespaces !== undefined) {
      ctx.stdout.write(
        `note: ${lesson.id} runs in the ${ownNamespaces === "host" ? "machine's" : "VM's"} own namespaces, which a reset cannot throw away: what it made there (containers, interfaces, routes, rules) stays; the lesson's setup runs again next time\n`,
      );
    }
    ctx.stdout.write(
      found
        ? `reset the lab of ${lesson.id}: the next command starts a fresh one\n`
        : `${lesson.id} had no lab to reset\n`,
    );
  }

  if (options.progress && course !== undefined && lessons.length > 0) {
    const forgotten = await forgetProgress(ctx, course, lessons);
    ctx.stdout.write(`forgot the progress of ${forgotten} lesson${forgotten === 1 ? "" : "s"}\n`);
  }
  return 0;
}
