/** `course test --watch`: a lesson is tested again when its file changes; Ctrl-C ends it. */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { BIN, collectOutput, course, isolatedEnv } from "./run-course.js";

const { env, cleanup } = isolatedEnv();
const dir = mkdtempSync(join(tmpdir(), "course-watch-"));
afterAll(() => {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test("--watch reruns a lesson after its file is edited, and exits 130 on Ctrl-C", async () => {
  const lessons = join(dir, "lessons");
  expect((await course(["new", "demo", "--lessons", lessons], env, { cwd: dir })).code).toBe(0);
  const file = join(lessons, "01-demo.md");
  const child = spawn(process.execPath, [BIN, "test", "--watch", "--lessons", lessons], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = collectOutput(child);
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const waitFor = async (what: () => boolean, label: string) => {
    const deadline = Date.now() + 30_000;
    while (!what()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${label}:\n${out.stdout}\n${out.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await waitFor(() => out.stderr.includes("watching for changes"), "the first run");
    expect(out.stdout).toContain("✓ demo (lessons/01-demo.md)");
    expect(out.stdout).toContain("1 lesson: 1 passed, 0 failed");

    // Break the check: the rerun must show the failure.
    writeFileSync(file, readFileSync(file, "utf8").replace("netns demo\n", "netns other\n"));
    await waitFor(() => out.stdout.includes("✗ demo"), "the rerun after the edit");
    expect(out.stderr).toContain("course: lessons/01-demo.md changed; testing it again");
    expect(out.stdout).toContain("lessons/01-demo.md:");
    expect(out.stdout).toContain("`netns other` fails after the step's commands");

    // A half-written lesson: its lint errors are shown, and watching goes on.
    const watching = () => out.stderr.split("watching for changes").length - 1;
    const before = watching();
    writeFileSync(file, readFileSync(file, "utf8").replace("title:", "titel:"));
    await waitFor(() => watching() > before, "the lint errors");
    expect(out.stderr).toMatch(/01-demo\.md:2:1: error: unknown key `titel`/);
    expect(child.exitCode).toBe(null);

    child.kill("SIGINT");
    expect(await exited).toBe(130);
  } finally {
    child.kill("SIGKILL");
  }
});
