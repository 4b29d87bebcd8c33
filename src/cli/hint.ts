/**
 * `course hint LESSON [STEP]`: the next hint of a step (src/lesson/choose-hint.ts chooses);
 * past the last one, the first again.
 */

import { type CommandContext, useColor } from "../context.js";
import { ExitCode, UsageError } from "../errors.js";
import type { Lesson, Step } from "../lesson/types.js";
import { findLesson, requireCourse } from "../load-course.js";
import { lessonProgressOf, takeNextHint } from "../progress/lesson-progress.js";
import { assertOpen, lessonLabel } from "../progress/lesson-states.js";
import { openProgress } from "../progress/open-progress.js";
import { hintTitle } from "../render/hint-title.js";
import { renderMarkdown } from "../render/render-markdown.js";

/** Parse a step argument (`2`, `step-2`, `step 2`) against a lesson. */
export function parseStep(lesson: Lesson, arg: string): Step {
  const m = /^(?:step[-\s]?)?(\d+)$/i.exec(arg.trim());
  const step = m ? lesson.steps[Number(m[1]) - 1] : undefined;
  if (step === undefined) {
    throw new UsageError(
      `${lessonLabel(lesson)} has no step \`${arg}\`: expected a number from 1 to ${lesson.steps.length}`,
      { hint: lesson.steps.map((s) => `  step ${s.index}: ${s.title}`).join("\n") },
    );
  }
  return step;
}

/**
 * Take the next hint of a step (STEP, or the first not passed) and record it: the rule `course
 * hint` and the API of `course serve` share. `taken` is undefined when the step has no hints.
 */
export async function takeHint(ctx: CommandContext, lessonName: string, stepArg?: string) {
  const course = await requireCourse(ctx);
  const lesson = findLesson(course, lessonName);
  const store = openProgress(ctx);
  // A locked lesson's hints would give away what it asks before its requirements are done.
  assertOpen(course, await store.read(), lesson);
  let step: Step | undefined;
  if (stepArg !== undefined) step = parseStep(lesson, stepArg);
  else {
    const passed = new Set(lessonProgressOf(await store.read(), course, lesson)?.stepsPassed);
    step = lesson.steps.find((s) => !passed.has(s.index)) ?? lesson.steps.at(-1);
  }
  if (step === undefined) throw new UsageError(`${lessonLabel(lesson)} has no steps`);
  const chosen = step;
  const taken = await store.update((p) => takeNextHint(p, course, lesson, chosen.index));
  return { lesson, step: chosen, taken };
}

/** The command: prints one hint (or says there are none) and exits 0. */
export async function hintCommand(
  ctx: CommandContext,
  lessonName: string,
  stepArg?: string,
): Promise<number> {
  const { lesson, step: chosen, taken } = await takeHint(ctx, lessonName, stepArg);
  const color = useColor(ctx);
  const width = Math.min(ctx.stdout.columns ?? 80, 100);
  const head = `${lessonLabel(lesson)}, step ${chosen.index} (${chosen.title})`;
  if (taken === undefined) {
    ctx.stdout.write(
      `${head} has no hints. The step's commands are its solution:\n\n${renderMarkdown(
        chosen.commands.map((b) => `\`\`\`${b.lang}\n${b.code}\n\`\`\``).join("\n\n"),
        { width, color },
      )}\n`,
    );
    return ExitCode.ok;
  }
  const more =
    taken.total === 1
      ? "(the only hint; `course start` can show the solution)"
      : taken.index < taken.total
        ? `(run it again for hint ${taken.index + 1})`
        : "(that was the last hint: run it again to start over from hint 1; `course start` can show the solution)";
  ctx.stdout.write(
    `${hintTitle(taken)} for ${head}:\n\n${renderMarkdown(taken.hint.markdown, { width, color })}\n\n${more}\n`,
  );
  return ExitCode.ok;
}
