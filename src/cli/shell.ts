import type { Readable } from "node:stream";
import { type CommandContext, inputIsTerminal, labIo, useColor, warnOption } from "../context.js";
import { openLessonLab } from "../flows/lesson-lab.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import type { Course, Lesson } from "../lesson/types.js";
import { findLesson, requireCourse } from "../load-course.js";

/** The lesson `course shell` and `course reset` act on: the named one, else the current one. */
export async function currentLesson(
  ctx: CommandContext,
  course: Course,
  name: string | undefined,
): Promise<Lesson> {
  if (name !== undefined) return findLesson(course, name);
  const { openProgress } = await import("../progress/open-progress.js");
  const { firstOpenLesson } = await import("../progress/lesson-states.js");
  const progress = await openProgress(ctx).read();
  const lesson = firstOpenLesson(course, progress) ?? course.lessons[0];
  if (lesson === undefined) throw new Error("a loaded course has at least one lesson");
  return lesson;
}

/**
 * `course shell [LESSON] [-c COMMAND]`: open the lesson's lab (creating it and running its setup
 * when needed) and start an interactive bash whose prompt names the lesson, or run COMMAND.
 * The lab stays for later commands (`course verify`, `course reset`).
 * @returns the shell's (or COMMAND's) exit status.
 */
export async function shellCommand(
  ctx: CommandContext,
  lessonName: string | undefined,
  command: string | undefined,
): Promise<number> {
  const course = await requireCourse(ctx);
  const lesson = await currentLesson(ctx, course, lessonName);
  const debug = ctx.global.debug
    ? (line: string) => ctx.stderr.write(`debug: ${line}\n`)
    : undefined;
  const opened = await openLessonLab({
    spec: labSpecFromOption(ctx.global.lab),
    course,
    lesson,
    persistent: true,
    cwd: ctx.cwd,
    ...labIo(ctx),
    ...warnOption(ctx),
    ...(debug ? { debug } : {}),
  });
  const { lab } = opened;
  try {
    const terminal = inputIsTerminal(ctx);
    const interactive = terminal && ctx.stdout.isTTY === true;
    if (command === undefined) {
      if (opened.created)
        ctx.stderr.write(`course: created the lab of ${lesson.id} (${lab.description})\n`);
      ctx.stderr.write(
        `course: a shell in the lab of lesson ${lesson.id}; \`exit\` leaves it (the lab stays until \`course reset ${lesson.id}\`)\n`,
      );
      if (interactive) {
        const { runLabShell } = await import("../flows/lab-shell.js");
        const { openProgress } = await import("../progress/open-progress.js");
        return await runLabShell({
          course,
          lesson,
          lab,
          store: openProgress(ctx),
          stdin: ctx.stdin,
          stdout: ctx.stdout,
          color: useColor(ctx),
          cwd: ctx.cwd,
          live: liveChecksOn(ctx),
        });
      }
      return await lab.shell({ label: lesson.id, terminal });
    }
    if (interactive) return await lab.shell({ command, label: lesson.id, terminal });
    // Not on a terminal: run it like a script, streaming its output, and do not wait for
    // what it leaves running in the background (`course shell -c 'server &'` returns). What
    // comes on standard input is the command's (`course shell 1 -c 'bash -s' < script`); a
    // terminal's is not read (it would wait for Ctrl-D).
    const input = terminal ? "" : await readAll(ctx.stdin);
    const result = await lab.exec(`set +e +o pipefail\n${command}`, {
      timeout: 24 * 60 * 60,
      onOutput: (chunk, stream) => (stream === "stdout" ? ctx.stdout : ctx.stderr).write(chunk),
      ...(input === "" ? {} : { input }),
    });
    return result.exitCode;
  } finally {
    await lab.close();
  }
}

/** Live checks in the lab shell, unless `COURSE_LIVE=0` (`step`/`hint`/`check` work either way). */
export function liveChecksOn(ctx: CommandContext): boolean {
  return ctx.env.COURSE_LIVE !== "0";
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
