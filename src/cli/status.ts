/** `course status [--json]`: done / open / locked lessons with step progress. */

import { type CommandContext, useColor } from "../context.js";
import { ExitCode } from "../errors.js";
import { requireCourse } from "../load-course.js";
import { openProgress } from "../progress/open-progress.js";
import { statusReport } from "../progress/status-report.js";
import { renderStatus } from "../render/render-status.js";
import { visibleData } from "../render/visible-text.js";

export interface StatusOptions {
  json?: boolean;
}

/** The command: prints the report; exit 0. */
export async function statusCommand(
  ctx: CommandContext,
  options: StatusOptions = {},
): Promise<number> {
  const course = await requireCourse(ctx);
  const progress = await openProgress(ctx).read();
  const report = statusReport(course, progress);
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : // Titles and ids are shown, never obeyed (a `\e[2J` in a title must not clear the screen).
        `${renderStatus(visibleData(report), useColor(ctx))}\n`,
  );
  return ExitCode.ok;
}
