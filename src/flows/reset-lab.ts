/**
 * `course reset`'s work: destroy a lesson's lab (every process in it; the next command makes a
 * fresh one and runs the lesson's setup again), or every persistent lab of this user, and
 * forget progress. The functions return what they did; `cli/reset.ts` words it.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { type CommandContext, labIo } from "../context.js";
import { destroySandboxLabs, listSandboxLabs } from "../lab/lab-records.js";
import { localTransport } from "../lab/local-transport.js";
import { labSpecFromOption, openLab } from "../lab/open-lab.js";
import { ensurePrivateDir, labIdSecret } from "../lab/private-dir.js";
import { sandboxLabId } from "../lab/sandbox-lab.js";
import type { Course, Lesson } from "../lesson/types.js";
import { runtimeDir } from "../paths.js";
import { lessonLabKey } from "./lesson-lab.js";

/** What `resetLessonLab` did. */
export interface LessonReset {
  /** The lesson had a lab (which is now gone). */
  found: boolean;
  /**
   * The lab ran in a machine's own namespaces (`host`: this machine's, `vm`: the vagrant VM's),
   * which a reset cannot throw away: only the record that its setup ran is forgotten.
   */
  ownNamespaces?: "host" | "vm";
}

/** Destroy the persistent lab of `lesson` on the lab chosen by `--lab` / `COURSE_LAB`. */
export async function resetLessonLab(
  ctx: CommandContext,
  course: Course,
  lesson: Lesson,
): Promise<LessonReset> {
  const spec = labSpecFromOption(ctx.global.lab);
  const dir = runtimeDir(ctx.env);
  const key = lessonLabKey(course, lesson);
  if (spec.kind === "sandbox") {
    ensurePrivateDir(dir);
    const id = sandboxLabId(key, lesson.id, true, labIdSecret(dir));
    const local = localTransport(ctx.env);
    const labs = await listSandboxLabs(local, dir);
    await destroySandboxLabs(local, dir, [id]);
    return { found: labs.some((l) => l.id === id) };
  }
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
    ...labIo(ctx),
    ...(hostStyle ? { needs: lesson.needs } : {}),
  });
  await lab.destroy();
  if (spec.kind === "host") return { found: !created, ownNamespaces: "host" };
  if (hostStyle) return { found: !created, ownNamespaces: "vm" };
  return { found: !created };
}

/**
 * Destroy every persistent lab of this user on the lab chosen by `--lab` (this machine's, or
 * the ssh/vagrant machine's). Ephemeral labs belong to running `course test` processes: they
 * end with them.
 * @returns the labels of the labs destroyed.
 */
export async function resetAllLabs(ctx: CommandContext): Promise<string[]> {
  const spec = labSpecFromOption(ctx.global.lab);
  const dir = runtimeDir(ctx.env);
  // ssh and vagrant: the same sandbox labs, recorded on the remote machine.
  const remote =
    spec.kind === "ssh" || spec.kind === "vagrant"
      ? await (await import("../lab/lab-machine.js")).openLabMachine(spec, {
          runtimeDir: dir,
          env: ctx.env,
        })
      : undefined;
  const transport = remote?.transport ?? localTransport(ctx.env);
  const recordsDir = remote?.recordsDir ?? ensurePrivateDir(dir);
  const labs =
    spec.kind === "sandbox" || remote !== undefined
      ? await listSandboxLabs(transport, recordsDir)
      : [];
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
  return persistent.map((l) => l.label);
}

/** Forget the progress of `lessons`. @returns how many lessons had progress. */
export async function forgetProgress(
  ctx: CommandContext,
  course: Course,
  lessons: Lesson[],
): Promise<number> {
  if (lessons.length === 0) return 0;
  const { openProgress } = await import("../progress/open-progress.js");
  const { forgetLesson } = await import("../progress/lesson-progress.js");
  let forgotten = 0;
  await openProgress(ctx).update((progress) => {
    for (const lesson of lessons) if (forgetLesson(progress, course, lesson)) forgotten += 1;
  });
  return forgotten;
}
