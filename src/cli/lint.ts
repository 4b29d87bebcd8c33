/**
 * `course lint [PATH...] [--format json]`: every problem of the course at once, as
 * `FILE:LINE:COL: error|warning: message`, then a summary. Exit 0 without errors, 2 with.
 */
import pc from "picocolors";
import { ExitCode } from "../errors.js";
import type { Problem } from "../lesson/types.js";
import { displayPath, type LoadCourseOptions, loadCourse } from "../load-course.js";
import { type CommandContext, useColor } from "./context.js";

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

export interface LintOptions {
  /** @default "text" */
  format?: "text" | "json";
}

/** Lint a course (or the given lesson files and directories). File paths are relative to `ctx.cwd` when inside it. */
export async function lint(ctx: CommandContext, paths: string[] = []): Promise<LintReport> {
  // Lint always parses: it is how an instructor checks their edits.
  const options: LoadCourseOptions = { cwd: ctx.cwd, paths, cache: false };
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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The text report: one line a problem, then a summary line. */
export function formatLintReport(report: LintReport, color = false): string {
  const c = color ? pc : pc.createColors(false);
  const lines = report.problems.map((p) => {
    const severity = p.severity === "error" ? c.red("error") : c.yellow("warning");
    return `${c.bold(`${p.file}:${p.line}:${p.column}`)}: ${severity}: ${p.message}`;
  });
  const { errors, warnings, lessons } = report.summary;
  const checked = `${plural(lessons, "lesson")} checked`;
  if (errors === 0 && warnings === 0) {
    lines.push(c.green(`no problems (${checked})`));
  } else {
    const counts = `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
    lines.push(`${errors > 0 ? c.red(counts) : c.yellow(counts)} (${checked})`);
  }
  return `${lines.join("\n")}\n`;
}

/** The command: prints the report and returns the exit code. */
export async function lintCommand(
  ctx: CommandContext,
  paths: string[],
  options: LintOptions = {},
): Promise<number> {
  const report = await lint(ctx, paths);
  if (options.format === "json") {
    ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    ctx.stdout.write(formatLintReport(report, useColor(ctx)));
  }
  return report.summary.errors > 0 ? ExitCode.usage : ExitCode.ok;
}
