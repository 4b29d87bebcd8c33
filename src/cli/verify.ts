/** `course verify LESSON [--json]`: check the learner's work in the lesson's lab. */
import { ExitCode, LabError } from "../errors.js";
import { openLessonLab } from "../flows/lesson-lab.js";
import { renderVerifyReport, type VerifyReport, verifyLesson } from "../flows/verify.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { findLesson, requireCourse } from "../load-course.js";
import { type CommandContext, useColor } from "./context.js";

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
  const debug = ctx.global.debug ? (line: string) => ctx.stderr.write(`${line}\n`) : undefined;
  const { lab } = await openLessonLab({
    spec: labSpecFromOption(ctx.global.lab),
    course,
    lesson,
    persistent: true,
    ...(debug === undefined ? {} : { debug }),
  });
  let report: VerifyReport;
  try {
    if (lesson.needs.includes("docker") && !(await lab.capabilities()).docker) {
      throw new LabError(
        `lesson \`${lesson.id}\` needs docker, which this lab does not have; skipped`,
        {
          hint: "Use --lab vagrant (its VM has Docker).",
        },
      );
    }
    report = await verifyLesson(lab, lesson);
  } finally {
    await lab.close();
  }
  debug?.(`verify: ${report.roundTrips} lab round trips, ${report.durationMs} ms`);
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : renderVerifyReport(report, { cwd: ctx.cwd, color: useColor(ctx) }),
  );
  return report.passed ? ExitCode.ok : ExitCode.checksFailed;
}
