import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { lessonLabKey } from "../flows/lesson-lab.js";
import { destroySandboxLabs, listSandboxLabs } from "../lab/lab-records.js";
import { localTransport } from "../lab/local-transport.js";
import { labSpecFromOption, openLab } from "../lab/open-lab.js";
import { sandboxLabId } from "../lab/sandbox-lab.js";
import type { Lesson } from "../lesson/types.js";
import { findLesson, requireCourse } from "../load-course.js";
import { runtimeDir } from "../paths.js";

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
  const spec = labSpecFromOption(ctx.global.lab);
  const dir = runtimeDir(ctx.env);
  let lessons: Lesson[] = [];

  if (options.all) {
    // ssh and vagrant: the same sandbox labs, recorded on the remote machine.
    const remote =
      spec.kind === "ssh" || spec.kind === "vagrant"
        ? await (await import("../lab/ssh-lab.js")).openLabMachine(spec, {
            runtimeDir: dir,
            env: ctx.env,
          })
        : undefined;
    const transport = remote?.transport ?? localTransport();
    const recordsDir = remote?.recordsDir ?? dir;
    const labs =
      spec.kind === "sandbox" || remote !== undefined
        ? await listSandboxLabs(transport, recordsDir)
        : [];
    // Ephemeral labs belong to running `course test` processes: they end with them.
    const persistent = labs.filter((l) => l.persistent);
    await destroySandboxLabs(
      transport,
      recordsDir,
      persistent.map((l) => l.id),
    );
    rmSync(join(dir, "host-labs"), { recursive: true, force: true });
    if (remote !== undefined) {
      // Docker lessons in the VM's own namespaces: forget that their setup ran (see openLab).
      const { runLabScript } = await import("../lab/run-lab-script.js");
      await runLabScript(remote.transport, 'rm -rf -- "$1"', [`${recordsDir}/host-labs`]);
    }
    ctx.stdout.write(
      persistent.length === 0
        ? "no labs to reset\n"
        : `reset ${persistent.length} lab${persistent.length === 1 ? "" : "s"}: ${persistent.map((l) => l.label).join(", ")}\n`,
    );
    if (options.progress) lessons = (await requireCourse(ctx)).lessons;
  } else if (lessonName !== undefined) {
    const course = await requireCourse(ctx);
    const lesson = findLesson(course, lessonName);
    lessons = [lesson];
    const key = lessonLabKey(course, lesson);
    let found = true;
    if (spec.kind === "sandbox") {
      const id = sandboxLabId(key, lesson.id, true);
      const labs = await listSandboxLabs(localTransport(), dir);
      found = labs.some((l) => l.id === id);
      await destroySandboxLabs(localTransport(), dir, [id]);
    } else {
      // The host, ssh and vagrant labs: open the lesson's lab handle (no setup runs) and end it.
      // On the vagrant lab, a lesson that needs docker has a host-style lab in the VM's own
      // namespaces (see openLab): open that one, whose destroy only forgets that setup ran.
      const hostStyle = spec.kind === "vagrant" && lesson.needs.includes("docker");
      const { lab, created } = await openLab({
        spec,
        key,
        label: lesson.id,
        persistent: true,
        runtimeDir: dir,
        ...(hostStyle ? { needs: lesson.needs } : {}),
      });
      found = !created;
      await lab.destroy();
      if (hostStyle || spec.kind === "host") {
        ctx.stdout.write(
          `note: ${lesson.id} runs in the ${spec.kind === "host" ? "machine's" : "VM's"} own namespaces, which a reset cannot throw away: what it made there (containers, interfaces, routes, rules) stays; the lesson's setup runs again next time\n`,
        );
      }
    }
    ctx.stdout.write(
      found
        ? `reset the lab of ${lesson.id}: the next command starts a fresh one\n`
        : `${lesson.id} had no lab to reset\n`,
    );
  }

  if (options.progress) {
    // --progress: forget the progress of `lessons` (owned by the progress engineer; see issue).
    await forgetProgress(ctx, lessons);
  }
  return 0;
}

/** Forget the progress of `lessons`. */
async function forgetProgress(ctx: CommandContext, lessons: Lesson[]): Promise<void> {
  if (lessons.length === 0) return;
  const course = await requireCourse(ctx);
  const { openProgress } = await import("../progress/open-progress.js");
  const { forgetLesson } = await import("../progress/lesson-progress.js");
  let forgotten = 0;
  await openProgress(ctx).update((progress) => {
    for (const lesson of lessons) if (forgetLesson(progress, course, lesson)) forgotten += 1;
  });
  ctx.stdout.write(`forgot the progress of ${forgotten} lesson${forgotten === 1 ? "" : "s"}\n`);
}
