/** `course lint`'s work: every problem of the course at once, sorted, paths shown relative to the cwd. */
import type { CommandContext } from "../context.js";
import { displayPath } from "../display-path.js";
import type { Problem } from "../lesson/types.js";
import { type LoadCourseOptions, loadCourse } from "../load-course.js";

export interface LintSummary {
  errors: number;
  warnings: number;
  /** Lessons that were parsed (files that are not text at all are not counted). */
  lessons: number;
}

export interface LintReport {
  /** Every problem, grouped by file (in course order), then by line and column. */
  problems: Problem[];
  summary: LintSummary;
}

/** Lint a course (or the given lesson files and directories). File paths are relative to `ctx.cwd` when inside it. */
export async function lint(ctx: CommandContext, paths: string[] = []): Promise<LintReport> {
  // Lint always parses: it is how an instructor checks their edits.
  const options: LoadCourseOptions = { cwd: ctx.cwd, paths };
  if (ctx.global.lessons !== undefined) options.lessons = ctx.global.lessons;
  const { course, problems } = await loadCourse(options);
  const fileOrder = new Map<string, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  const sorted = [...problems]
    .sort(
      (a, b) =>
        (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) ||
        a.line - b.line ||
        a.column - b.column,
    )
    .map((p) => ({ ...p, file: displayPath(p.file, ctx.cwd) }));
  const errors = sorted.filter((p) => p.severity === "error").length;
  return {
    problems: sorted,
    summary: { errors, warnings: sorted.length - errors, lessons: course.lessons.length },
  };
}
