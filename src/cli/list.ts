/**
 * `course list [--json]`: the lessons of the course, one row each. Rows are plain data built by
 * `listRows`; columns are a list, so a new column (progress) is one more entry.
 */

import { type CommandContext, useColor } from "../context.js";
import { displayPath } from "../display-path.js";
import { ExitCode } from "../errors.js";
import type { Course, Lesson } from "../lesson/types.js";
import { type LoadCourseOptions, loadCourse } from "../load-course.js";
import { cacheDir } from "../paths.js";
import { type LessonStateName, lessonStates } from "../progress/lesson-states.js";
import { openProgress } from "../progress/open-progress.js";
import { type ListColumn, renderTable } from "../render/render-table.js";
import { visibleData, visibleText } from "../render/visible-text.js";

/** One lesson as `course list` shows it. */
export interface ListRow {
  position: number;
  id: string;
  title: string;
  steps: number;
  /** From the progress file: done, open or locked (added by `listCommand`). */
  state?: LessonStateName;
  /** Steps whose checks passed. */
  stepsPassed?: number;
}

/** A row for one lesson. Extend here (and in `LIST_COLUMNS`) to show more. */
export function listRow(lesson: Lesson): ListRow {
  return {
    position: lesson.position,
    id: lesson.id,
    title: lesson.title,
    steps: lesson.steps.length,
  };
}

/** The rows of a course, in course order. */
export function listRows(course: Course): ListRow[] {
  return course.lessons.map(listRow);
}

export const LIST_COLUMNS: ListColumn<ListRow>[] = [
  { header: "#", value: (r) => String(r.position), right: true },
  { header: "ID", value: (r) => r.id },
  { header: "TITLE", value: (r) => r.title },
  { header: "STEPS", value: (r) => String(r.steps), right: true },
  { header: "STATUS", value: (r) => r.state ?? "" },
  {
    header: "PROGRESS",
    value: (r) => (r.stepsPassed === undefined ? "" : `${r.stepsPassed}/${r.steps}`),
    right: true,
  },
];

export interface ListOptions {
  json?: boolean;
}

/**
 * The command. A course with errors is still listed (what could be read), with a note on
 * stderr and exit 2, so that a script notices.
 */
export async function listCommand(ctx: CommandContext, options: ListOptions = {}): Promise<number> {
  const load: LoadCourseOptions = { cwd: ctx.cwd, cacheDir: cacheDir(ctx.env) };
  if (ctx.global.lessons !== undefined) load.lessons = ctx.global.lessons;
  const { course, problems } = await loadCourse(load);
  const rows = listRows(course);
  // Progress is shown when it can be read; a broken state file must not hide the lessons.
  try {
    const states = lessonStates(course, await openProgress(ctx).read());
    rows.forEach((row, i) => {
      const state = states[i];
      if (state === undefined) return;
      row.state = state.state;
      row.stepsPassed = state.stepsPassed;
    });
  } catch (error) {
    ctx.stderr.write(`course: progress not shown: ${(error as Error).message}\n`);
  }
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    const title = course.title ?? displayPath(course.dir, ctx.cwd);
    // Titles and ids are shown, never obeyed (a `\e[2J` in a title must not clear the screen).
    ctx.stdout.write(
      `${visibleText(title)}\n\n${renderTable(visibleData(rows), LIST_COLUMNS, useColor(ctx))}\n`,
    );
  }
  const errors = problems.filter((p) => p.severity === "error").length;
  if (errors > 0) {
    ctx.stderr.write(
      `course: the course has ${errors} error${errors === 1 ? "" : "s"}; run \`course lint\` to see them\n`,
    );
    return ExitCode.usage;
  }
  return ExitCode.ok;
}
