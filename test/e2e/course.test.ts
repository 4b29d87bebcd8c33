/**
 * The shipped course proves itself: `course test lessons` passes in both lab modes, as root and
 * as an unprivileged user, and `--mutate --strict` passes as both too (issue 13: the whole course
 * keeps working in a user namespace). Slow: real labs, every lesson.
 */
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ensureLabUser, LAB_TEST_USER, labUserDir } from "../helpers/lab-user.js";
import { runTool, tool } from "../helpers/tool.js";
import { course, isolatedEnv, ROOT } from "../instructor/run-course.js";

const isRoot = process.getuid?.() === 0;
const { env, cleanup } = isolatedEnv();
const dirs: string[] = [];
afterAll(() => {
  cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Where the test user can run course from: the checkout itself when that user can read it, else
 * a copy (a checkout under /root is not readable by other users).
 */
function readableCopy(home: string, ids: { uid: number; gid: number }): string {
  const readable = runTool("runuser", [
    "-u",
    LAB_TEST_USER,
    "--",
    "test",
    "-r",
    join(ROOT, "dist/bin.js"),
  ]);
  if (readable.code === 0) return ROOT;
  const copy = join(home, "course");
  for (const part of ["dist", "lessons", "node_modules", "package.json"]) {
    cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  }
  tool("chown", ["-R", `${ids.uid}:${ids.gid}`, copy]);
  return copy;
}

/** A readable report of a failed run, so that a CI log shows what broke. */
const explain = (run: { stdout: string; stderr: string }) => `${run.stdout}\n${run.stderr}`;

describe("the shipped course", { timeout: 600_000 }, () => {
  test("passes `course test` as root", async () => {
    expect(isRoot, "the end-to-end tests run as root (npm test in CI)").toBe(true);
    const run = await course(["test", "lessons", "--jobs", "2"], env);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toMatch(/\d+ lessons: \d+ passed, 0 failed/);
  });

  test("passes `course test --mutate --strict` as an unprivileged user (sandbox lab in a user namespace)", async () => {
    const ids = ensureLabUser();
    const home = labUserDir(ids, "course-user-");
    dirs.push(home);
    const where = readableCopy(home, ids);
    const run = await course(
      [
        "-u",
        LAB_TEST_USER,
        "--",
        "env",
        `HOME=${home}`,
        `COURSE_RUNTIME_DIR=${join(home, "run")}`,
        `COURSE_STATE_DIR=${join(home, "state")}`,
        "NO_COLOR=1",
        process.execPath,
        join(where, "dist/bin.js"),
        "test",
        "lessons",
        "--mutate",
        "--strict",
        "--jobs",
        "2",
      ],
      { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      { command: "runuser", cwd: where },
    );
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toMatch(/\d+ lessons: \d+ passed, 0 failed/);
    expect(run.stdout).toMatch(/, 0 unchecked commands \(/);
  });

  test("passes `course test --mutate --strict` as root: every command is checked", async () => {
    const run = await course(["test", "lessons", "--mutate", "--strict", "--jobs", "2"], env);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toMatch(/, 0 unchecked commands \(/);
  });
});
