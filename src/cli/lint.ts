/**
 * `course lint [PATH...] [--format json]`: every problem of the course at once, as
 * `FILE:LINE:COL: error|warning: message`, then a summary. Exit 0 without errors, 2 with.
 */
import { type CommandContext, useColor } from "../context.js";
import { ExitCode } from "../errors.js";
import { lint } from "../flows/lint-course.js";
import { formatLintReport } from "../render/format-lint-report.js";

export interface LintOptions {
  /** @default "text" */
  format?: "text" | "json";
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
