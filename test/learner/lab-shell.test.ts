/**
 * The live lab shell's prompt path (src/flows/lab-shell.ts) on a real sandbox lab, a real bash
 * under a real pty and a real progress file: the check a command sets off starts only after the
 * next prompt is on the terminal, and none runs with live checks off. The whole shell in a real terminal is
 * test/e2e/live-shell.test.ts; the time it adds per prompt is bench/live-shell.mjs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLabShell } from "../../src/flows/lab-shell.js";
import { learnerDriver } from "../../src/flows/learner-driver.js";
import type { Lab } from "../../src/lab/types.js";
import type { Course, Lesson } from "../../src/lesson/types.js";
import { loadCourse } from "../../src/load-course.js";
import { ProgressStore } from "../../src/progress/progress-store.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learner");

let dir: string;
let course: Course;
let lesson: Lesson;
let lab: Lab;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "course-lab-shell-"));
  ({ course } = await loadCourse({ cwd: FIXTURE, lessons: FIXTURE }));
  const first = course.lessons[0];
  if (first === undefined) throw new Error("fixture course has no lesson");
  lesson = first;
  const driver = learnerDriver({
    spec: { kind: "sandbox" },
    course,
    persistent: false,
    runtimeDir: join(dir, "run"),
    env: process.env,
  });
  ({ lab } = await driver.openLab(lesson));
}, 60_000);

afterAll(async () => {
  try {
    await lab?.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** What happened, in order: each write to the terminal, and each lab call the checks made. */
type Happening = { at: number; write: string } | { at: number; exec: string };

/** The lab shell on a terminal of streams; `lab.exec` calls (the checks' round trips) are logged. */
function shellOn(live: boolean) {
  const log: Happening[] = [];
  const stdin = new PassThrough();
  const stdout = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      log.push({ at: performance.now(), write: String(chunk) });
      done();
    },
  }) as Writable & { columns: number; rows: number };
  stdout.columns = 100;
  stdout.rows = 30;
  const logged: Lab = Object.create(lab, {
    exec: {
      value: (script: string, options?: Parameters<Lab["exec"]>[1]) => {
        log.push({ at: performance.now(), exec: script.split("\n")[0] ?? "" });
        return lab.exec(script, options);
      },
    },
  });
  const ended = runLabShell({
    course,
    lesson,
    lab: logged,
    store: new ProgressStore({ dir: join(dir, `state-${live}`) }),
    stdin,
    stdout,
    color: false,
    cwd: dir,
    card: false,
    live,
  });
  const screen = () => log.map((h) => ("write" in h ? h.write : "")).join("");
  const until = async (test: () => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const prompts = () => screen().split("\u001b]133;B\u0007").length - 1;
  return { log, stdin, ended, screen, until, prompts };
}

describe("the live lab shell's prompt path", () => {
  it("starts a command's check only after the next prompt reached the terminal", async () => {
    const s = shellOn(true);
    await s.until(() => s.prompts() >= 1, "the first prompt");
    // The shell's start is checked once (the learner may come back to a lab with work in it).
    await s.until(() => s.log.some((h) => "exec" in h), "the first check");
    await new Promise((r) => setTimeout(r, 300));
    const before = s.log.length;
    s.stdin.write("true\r");
    await s.until(() => s.log.slice(before).some((h) => "exec" in h), "the check");
    const after = s.log.slice(before);
    const promptAt = after.findIndex((h) => "write" in h && h.write.includes("\u001b]133;B\u0007"));
    const checkAt = after.findIndex((h) => "exec" in h);
    expect(promptAt).toBeGreaterThanOrEqual(0);
    expect(checkAt).toBeGreaterThan(promptAt);
    // Not even in the same turn of the event loop: the terminal gets time to draw the prompt.
    const prompt = after[promptAt];
    const check = after[checkAt];
    expect((check?.at ?? 0) - (prompt?.at ?? 0)).toBeGreaterThanOrEqual(15);
    s.stdin.write("exit\r");
    expect(await s.ended).toBe(0);
  }, 60_000);

  it("runs no check with live checks off (COURSE_LIVE=0)", async () => {
    const off = shellOn(false);
    await off.until(() => off.prompts() >= 1, "the first prompt");
    off.stdin.write("true\r");
    await off.until(() => off.prompts() >= 2, "the second prompt");
    await new Promise((r) => setTimeout(r, 300));
    expect(off.log.filter((h) => "exec" in h)).toEqual([]);
    off.stdin.write("exit\r");
    expect(await off.ended).toBe(0);
  }, 60_000);
});
