/**
 * The live checks' flow part (src/flows/live-check.ts) on a real sandbox lab and a real
 * progress file: which step is in sight, one round trip per prompt, ticks in order, and the
 * lesson recorded and unlocked as `course verify` would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { learnerDriver } from "../../src/flows/learner-driver.js";
import { LiveChecker } from "../../src/flows/live-check.js";
import type { Lab } from "../../src/lab/types.js";
import type { Course, Lesson } from "../../src/lesson/types.js";
import { loadCourse } from "../../src/load-course.js";
import { lessonProgressOf } from "../../src/progress/lesson-progress.js";
import { ProgressStore } from "../../src/progress/progress-store.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learner");

let dir: string;
let course: Course;
let lesson: Lesson;
let lab: Lab;
let store: ProgressStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "course-live-check-"));
  ({ course } = await loadCourse({ cwd: FIXTURE, lessons: FIXTURE }));
  const first = course.lessons[0];
  if (first === undefined) throw new Error("fixture course has no lesson");
  lesson = first;
  store = new ProgressStore({ dir: join(dir, "state") });
  const driver = learnerDriver({
    env: process.env,
    spec: { kind: "sandbox" },
    course,
    persistent: false,
    runtimeDir: join(dir, "run"),
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

describe("live checks", () => {
  it("tick step by step, one round trip a prompt, then record and unlock the lesson", async () => {
    const live = await LiveChecker.open({ course, lesson, lab, store });
    expect(live.state.current?.index).toBe(1);

    // Nothing done yet: step 1 in sight, one round trip, nothing recorded.
    const idle = await live.check();
    expect(idle.roundTrips).toBe(1);
    expect(idle.passedNow).toEqual([]);
    expect(idle.state.current?.index).toBe(1);
    expect(idle.failures.map((f) => f.check.source)).toEqual(["netns blue"]);
    expect(lessonProgressOf(await store.read(), course, lesson)).toBeUndefined();

    await lab.exec("ip netns add blue");
    const one = await live.check();
    expect(one.passedNow).toEqual([1]);
    expect(one.state.current?.index).toBe(2);
    expect(one.completedNow).toBe(false);
    await live.settled();
    expect(lessonProgressOf(await store.read(), course, lesson)?.stepsPassed).toEqual([1]);

    // Undo step 1: it is in sight again and no longer recorded as passed.
    await lab.exec("ip netns del blue");
    const undone = await live.check();
    expect(undone.brokenNow).toEqual([1]);
    expect(undone.state.current?.index).toBe(1);
    await live.settled();
    expect(lessonProgressOf(await store.read(), course, lesson)?.stepsPassed).toEqual([]);

    // Both steps typed before the next prompt: both tick in one update, the lesson completes.
    await lab.exec("ip netns add blue && ip -n blue link set lo up");
    const done = await live.check();
    expect(done.passedNow).toEqual([1, 2]);
    expect(done.state.current).toBeUndefined();
    expect(done.state.lessonPassed).toBe(true);
    expect(done.completedNow).toBe(true);
    expect(done.unlocked.map((l) => l.id)).toEqual([course.lessons[1]?.id]);
    const entry = lessonProgressOf(await store.read(), course, lesson);
    expect(entry?.completedAt).toBeDefined();
    expect(entry?.solvedBy).toBe("learner");

    // Still passing: nothing new is recorded.
    const again = await live.check();
    expect(again.completedNow).toBe(false);
    expect(again.unlocked).toEqual([]);
    expect(lessonProgressOf(await store.read(), course, lesson)?.attempts).toBe(entry?.attempts);
  }, 60_000);

  it("folds calls made while a run is under way into one run after it", async () => {
    const live = await LiveChecker.open({ course, lesson, lab, store });
    const before = lab.roundTrips;
    const runs = await Promise.all([live.check(), live.check(), live.check(), live.check()]);
    // The first run, then one more for the three that came while it ran.
    expect(lab.roundTrips - before).toBe(2);
    expect(runs[1]).toBe(runs[3]);
  }, 60_000);

  it("gives the next hint of the step in sight, then the first again", async () => {
    await lab.exec("ip netns del blue");
    const live = await LiveChecker.open({ course, lesson, lab, store });
    await live.check();
    const first = await live.nextHint();
    expect(first?.step.index).toBe(1);
    expect([first?.index, first?.total]).toEqual([1, 2]);
    expect((await live.nextHint())?.index).toBe(2);
    const again = await live.nextHint();
    expect([again?.index, again?.wrapped]).toEqual([1, true]);
  }, 60_000);
});
