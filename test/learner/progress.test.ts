import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { LockedError } from "../../src/errors.js";
import {
  courseProgress,
  forgetLesson,
  lessonProgressOf,
  recordChecks,
  takeNextHint,
} from "../../src/progress/lesson-progress.js";
import { assertOpen, lessonStates } from "../../src/progress/lesson-states.js";
import {
  emptyProgress,
  PROGRESS_FORMAT_VERSION,
  ProgressError,
  ProgressStore,
} from "../../src/progress/progress-store.js";
import { recordResult } from "../../src/progress/record-result.js";
import { runToolAsync } from "../helpers/tool.js";
import { ensureBuilt } from "./build.js";
import { lessonAt, makeCourse } from "./make-course.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "course-progress-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const pass = (steps: number[]) => ({
  passed: steps,
  failed: [],
  complete: true,
  solvedBy: "learner" as const,
});

describe("unlocking", () => {
  it("opens a lesson when its requires are complete and names what to finish first", () => {
    const course = makeCourse("/c", 3);
    const p = emptyProgress();
    expect(lessonStates(course, p).map((s) => s.state)).toEqual(["open", "locked", "locked"]);
    expect(() => assertOpen(course, p, lessonAt(course, 2))).toThrow(LockedError);
    try {
      assertOpen(course, p, lessonAt(course, 2));
    } catch (e) {
      expect((e as LockedError).exitCode).toBe(3);
      expect((e as LockedError).message).toContain("finish lesson-2 (l2) first");
    }
    recordChecks(p, course, lessonAt(course, 0), pass([1, 2]));
    expect(lessonStates(course, p).map((s) => s.state)).toEqual(["done", "open", "locked"]);
  });

  it("counts a runner's pass only with --count, and never downgrades a learner's", () => {
    const course = makeCourse("/c", 2);
    const p = emptyProgress();
    const l1 = lessonAt(course, 0);
    recordChecks(p, course, l1, { ...pass([1, 2]), solvedBy: "runner", count: false });
    const [s1, s2] = lessonStates(course, p);
    expect(s1?.state).toBe("open");
    expect(s1?.solvedByRunner).toBe(true);
    expect(s2?.state).toBe("locked");
    recordChecks(p, course, l1, pass([1, 2]));
    recordChecks(p, course, l1, { ...pass([1, 2]), solvedBy: "runner" });
    expect(lessonProgressOf(p, course, l1)?.solvedBy).toBe("learner");
    expect(lessonStates(course, p)[1]?.state).toBe("open");
  });

  it("never erases a finished lesson's record when a later verify fails", () => {
    const course = makeCourse("/c", 2);
    const l1 = lessonAt(course, 0);
    const p = emptyProgress();
    recordChecks(p, course, l1, pass([1, 2]));
    const again = recordChecks(p, course, l1, {
      passed: [],
      failed: [1, 2],
      complete: false,
      solvedBy: "learner",
    });
    expect(again).toMatchObject({ stepsPassed: [1, 2], attempts: 2 });
    expect(again.completedAt).toBeDefined();
    // While a lesson is unfinished, a step that fails again is no longer counted.
    const l2 = lessonAt(course, 1);
    recordChecks(p, course, l2, { ...pass([1]), complete: false });
    const back = recordChecks(p, course, l2, {
      passed: [],
      failed: [1],
      complete: false,
      solvedBy: "learner",
    });
    expect(back.stepsPassed).toEqual([]);
  });

  it("keeps progress of an edited lesson where its steps still fit", () => {
    const course = makeCourse("/c", 2, 3);
    const p = emptyProgress();
    recordChecks(p, course, lessonAt(course, 0), pass([1, 2, 3]));
    recordChecks(p, course, lessonAt(course, 1), { ...pass([1, 3]), complete: false });
    const edited = makeCourse("/c", 2, 3);
    lessonAt(edited, 1).steps.pop();
    const l2 = lessonProgressOf(p, edited, lessonAt(edited, 1));
    expect(l2?.stepsPassed).toEqual([1]);
    expect(lessonStates(edited, p)[0]?.state).toBe("done");
    // A lesson that gained a step is not complete any more.
    const grown = makeCourse("/c", 2, 4);
    expect(lessonStates(grown, p)[0]?.state).toBe("open");
  });

  it("gives hints one at a time, remembering which was shown last, then the first again", () => {
    const course = makeCourse("/c", 1);
    const p = emptyProgress();
    const l = lessonAt(course, 0);
    const take = (step: number) => {
      const t = takeNextHint(p, course, l, step);
      return t && { index: t.index, total: t.total, wrapped: t.wrapped, text: t.hint.markdown };
    };
    expect(take(1)).toEqual({ index: 1, total: 2, wrapped: false, text: "first hint" });
    expect(take(1)).toEqual({ index: 2, total: 2, wrapped: false, text: "second hint" });
    // Past the last hint the learner goes back to the first, and is told so.
    expect(take(1)).toEqual({ index: 1, total: 2, wrapped: true, text: "first hint" });
    expect(take(1)).toEqual({ index: 2, total: 2, wrapped: false, text: "second hint" });
    expect(take(2)).toEqual({ index: 1, total: 2, wrapped: false, text: "first hint" });
    expect(lessonProgressOf(p, course, l)?.hintsSeen).toEqual({ "1": 2, "2": 1 });
    expect(forgetLesson(p, course, l)).toBe(true);
    expect(courseProgress(p, course).lessons).toEqual({});
  });
});

describe("the progress file", () => {
  it("records results, says what they unlocked, and survives a reload", async () => {
    const dir = tempDir();
    const course = makeCourse(join(dir, "course"), 3);
    const store = new ProgressStore({ dir });
    const r = await recordResult(store, course, lessonAt(course, 0), pass([1, 2]));
    expect(r.completedNow).toBe(true);
    expect(r.unlocked.map((l) => l.id)).toEqual(["l2"]);
    const again = await recordResult(store, course, lessonAt(course, 0), pass([1, 2]));
    expect(again.completedNow).toBe(false);
    expect(again.unlocked).toEqual([]);
    const data = JSON.parse(readFileSync(store.file, "utf8"));
    expect(data.formatVersion).toBe(PROGRESS_FORMAT_VERSION);
    const reread = await new ProgressStore({ dir }).read();
    expect(lessonProgressOf(reread, course, lessonAt(course, 0))?.attempts).toBe(2);
    expect(existsSync(store.lockFile)).toBe(false);
  });

  it("refuses a newer format clearly and leaves the file untouched", async () => {
    const dir = tempDir();
    const store = new ProgressStore({ dir });
    const newer = JSON.stringify({ formatVersion: PROGRESS_FORMAT_VERSION + 1, courses: {} });
    writeFileSync(store.file, newer);
    await expect(store.read()).rejects.toThrow(ProgressError);
    await expect(store.update(() => {})).rejects.toThrow(/newer course/);
    expect(readFileSync(store.file, "utf8")).toBe(newer);
  });

  it("moves a corrupt file aside with a message instead of resetting it silently", async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const store = new ProgressStore({ dir, onWarning: (m) => warnings.push(m) });
    writeFileSync(store.file, '{"formatVersion": 1, "courses": {"x": ');
    const course = makeCourse(join(dir, "course"), 1);
    await recordResult(store, course, lessonAt(course, 0), pass([1, 2]));
    const aside = readdirSync(dir).filter((f) => f.startsWith("progress.json.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] ?? ""), "utf8")).toContain('"courses": {"x": ');
    expect(warnings[0]).toContain("could not be read");
    expect(warnings[0]).toContain(aside[0]);
  });

  it("breaks a lock left by a dead process", async () => {
    const dir = tempDir();
    const store = new ProgressStore({ dir, lockTimeoutMs: 3000 });
    // pid 2^22+1 is above pid_max's default and so never alive.
    writeFileSync(store.lockFile, "4194305 deadbeef\n");
    const course = makeCourse(join(dir, "course"), 1);
    await recordResult(store, course, lessonAt(course, 0), pass([1, 2]));
    expect(existsSync(store.lockFile)).toBe(false);
  });

  it("clears a breaker lock left by a run killed while breaking a stale lock", async () => {
    const dir = tempDir();
    const store = new ProgressStore({ dir, lockTimeoutMs: 5000 });
    writeFileSync(store.lockFile, "4194305 deadbeef\n");
    writeFileSync(`${store.lockFile}.break`, "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${store.lockFile}.break`, old, old);
    const course = makeCourse(join(dir, "course"), 1);
    await recordResult(store, course, lessonAt(course, 0), pass([1, 2]));
    expect(readdirSync(dir).sort()).toEqual(["progress.json"]);
  });

  it("waits for a live lock and then says who holds it", async () => {
    const dir = tempDir();
    const store = new ProgressStore({ dir, lockTimeoutMs: 300 });
    writeFileSync(store.lockFile, `${process.pid} cafe\n`);
    await expect(store.update(() => {})).rejects.toThrow(`pid ${process.pid}`);
  });
});

describe("the progress file across processes", () => {
  beforeAll(() => ensureBuilt(), 120_000);
  const worker = join(import.meta.dirname, "progress-worker.mjs");

  async function run(args: string[]): Promise<number> {
    const r = await runToolAsync(process.execPath, [worker, ...args]);
    // The worker's own words, should it fail (its exit code is what the tests compare).
    if (r.code !== 0) console.error(`${r.command}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    return r.code ?? -1;
  }

  it("keeps all 40 results of 20 concurrent runs recording two lessons each, 3 times", async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir();
      const courseDir = join(dir, "course");
      const codes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => run([dir, courseDir, String(i + 1), "pair"])),
      );
      expect(codes).toEqual(Array(20).fill(0));
      const data = JSON.parse(readFileSync(join(dir, "progress.json"), "utf8"));
      expect(Object.keys(data.courses[courseDir].lessons)).toHaveLength(40);
    }
  });

  it("keeps all 20 results of 20 concurrent runs", async () => {
    const dir = tempDir();
    const courseDir = join(dir, "course");
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => run([dir, courseDir, String(i + 1)])),
    );
    expect(codes).toEqual(Array(20).fill(0));
    const data = JSON.parse(readFileSync(join(dir, "progress.json"), "utf8"));
    const lessons = data.courses[courseDir].lessons;
    expect(Object.keys(lessons).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `l${i + 1}`).sort(),
    );
    for (const entry of Object.values(lessons) as { completedAt?: string }[]) {
      expect(entry.completedAt).toBeTypeOf("string");
    }
    expect(readdirSync(dir).filter((f) => f !== "progress.json" && f !== "course")).toEqual([]);
  });

  it("is never truncated by kill -9 during writes", async () => {
    const dir = tempDir();
    const courseDir = join(dir, "course");
    for (let round = 0; round < 15; round++) {
      const child = spawn(process.execPath, [worker, dir, courseDir, "0", "loop"], {
        stdio: "inherit",
      });
      // Kill only once it is writing (Node start-up takes a while on a loaded machine).
      const deadline = Date.now() + 20_000;
      while (!existsSync(join(dir, "progress.json")) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
      child.kill("SIGKILL");
      await new Promise((r) => child.on("exit", r));
      const text = readFileSync(join(dir, "progress.json"), "utf8");
      const data = JSON.parse(text);
      expect(data.formatVersion).toBe(1);
    }
    // The last kill may leave a stale lock and a temp file; the next run carries on.
    expect(await run([dir, courseDir, "1"])).toBe(0);
    const store = new ProgressStore({ dir });
    const data = await store.read();
    expect(Object.keys(data.courses[courseDir]?.lessons ?? {}).length).toBeGreaterThan(1);
    // Temp files and locks of the killed runs are gone once a later run has written.
    expect(readdirSync(dir).filter((f) => f.startsWith("progress.json."))).toEqual([]);
  });
});
