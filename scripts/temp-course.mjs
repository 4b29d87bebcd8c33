// `course` (the built dist/bin.js) with state and runtime dirs of its own in a new temp dir, for
// the scripts and benchmarks that run lessons: they never touch the user's progress or labs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

/**
 * A temp dir named `prefix…`. `course(...words)` runs the binary with `args` then `words`, from
 * the repository's root, and returns spawnSync's result (utf8); `dispose()` ends every lab it
 * made (`course reset --all`) and removes the dir: call it in a `finally`.
 * @param {{ prefix: string, args?: string[], timeout?: number }} options
 */
export function tempCourse({ prefix, args = [], timeout }) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env = {
    ...process.env,
    NO_COLOR: "1",
    COURSE_STATE_DIR: join(dir, "state"),
    COURSE_RUNTIME_DIR: join(dir, "runtime"),
  };
  const course = (...words) =>
    spawnSync(process.execPath, [join(root, "dist/bin.js"), ...args, ...words], {
      cwd: root,
      env,
      encoding: "utf8",
      ...(timeout === undefined ? {} : { timeout }),
    });
  return {
    dir,
    env,
    course,
    dispose() {
      course("reset", "--all");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
