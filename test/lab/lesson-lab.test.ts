import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { LabError } from "../../src/errors.js";
import {
  blockFailed,
  blockTimeout,
  lessonLabKey,
  openLessonLab,
  runCommandBlock,
} from "../../src/flows/lesson-lab.js";
import { listSandboxLabs } from "../../src/lab/lab-records.js";
import { localTransport } from "../../src/lab/local-transport.js";
import { openLab } from "../../src/lab/open-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { findLesson, loadCourse } from "../../src/load-course.js";

const runtimeDir = mkdtempSync(join(tmpdir(), "course-lesson-lab-"));
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.destroy().catch(() => {})));
});
afterAll(() => rmSync(runtimeDir, { recursive: true, force: true }));

async function fixture() {
  const { course } = await loadCourse({
    lessons: join(import.meta.dirname, "fixtures", "lesson-lab"),
    cwd: process.cwd(),
  });
  return course;
}

describe("openLessonLab", () => {
  test("a lab whose setup did not finish is built again at the next open, saying so", async () => {
    const course = await fixture();
    const lesson = findLesson(course, "counted");
    // What a run killed during the setup leaves: the lesson's lab, made, its setup not done.
    const half = await openLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: lessonLabKey(course, lesson),
      label: lesson.id,
      persistent: true,
      runtimeDir,
    });
    labs.push(half.lab);
    expect(half.created).toBe(true);
    await half.lab.exec("touch /tmp/half-built");
    await half.lab.close();
    const warnings: string[] = [];
    const opened = await openLessonLab({
      env: process.env,
      spec: { kind: "sandbox" },
      course,
      lesson,
      persistent: true,
      runtimeDir,
      onWarning: (w: string) => warnings.push(w),
    });
    labs.push(opened.lab);
    expect(opened.created).toBe(true);
    expect(warnings).toEqual([
      "the lab of lesson `counted` was left half-built (its setup did not finish): building it again",
    ]);
    const r = await opened.lab.exec("cat /tmp/setup-runs; ls /tmp/half-built 2>&1 || true");
    expect(r.stdout).toMatch(/^ran\n.*No such file/s);
  });

  test("runs the setup fences once, when the lab is created; allow-fail setup may fail", async () => {
    const course = await fixture();
    const lesson = findLesson(course, "counted");
    const warnings: string[] = [];
    const opts = {
      spec: { kind: "sandbox" as const },
      env: process.env,
      course,
      lesson,
      persistent: true,
      runtimeDir,
      onWarning: (w: string) => warnings.push(w),
    };
    const first = await openLessonLab(opts);
    labs.push(first.lab);
    expect(first.created).toBe(true);
    await first.lab.close();
    const second = await openLessonLab(opts);
    labs.push(second.lab);
    expect(second.created).toBe(false);
    expect((await second.lab.exec("cat /tmp/setup-runs; ip netns list")).stdout).toBe(
      "ran\nfrom-setup\n",
    );
    expect(warnings).toEqual([]);
    const records = await listSandboxLabs(localTransport(process.env), runtimeDir);
    expect(records.find((r) => r.label === "counted")?.key).toBe(lessonLabKey(course, lesson));
  });

  test("a failing setup throws a LabError naming file:line and leaves no lab", async () => {
    const course = await fixture();
    const lesson = findLesson(course, "bad-setup");
    const error = await openLessonLab({
      env: process.env,
      spec: { kind: "sandbox" },
      course,
      lesson,
      persistent: true,
      runtimeDir,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toMatch(
      /setup of lesson `bad-setup` failed at .*02-bad-setup\.md:8: exit status 9\nabout to fail/,
    );
    expect(
      (await listSandboxLabs(localTransport(process.env), runtimeDir)).some(
        (r) => r.label === "bad-setup",
      ),
    ).toBe(false);
  });
});

test("a setup command that fails in the middle of its fence is named by its own line", async () => {
  const course = await fixture();
  const lesson = findLesson(course, "bad-line");
  const error = (await openLessonLab({
    env: process.env,
    spec: { kind: "sandbox" },
    course,
    lesson,
    persistent: false,
    runtimeDir,
  }).catch((e: unknown) => e)) as LabError;
  expect(error).toBeInstanceOf(LabError);
  expect(error.message).toMatch(
    /failed at .*03-bad-line\.md:8: exit status 2\nls: cannot access '\/nonexistent-course-path'/,
  );
  expect(error.message).not.toMatch(/@@course/);
});

describe("runCommandBlock", () => {
  test("fence options: timeout=N, the lesson's timeout, background, allow-fail", async () => {
    const course = await fixture();
    const lesson = findLesson(course, "counted");
    const opened = await openLessonLab({
      env: process.env,
      spec: { kind: "sandbox" },
      course,
      lesson,
      persistent: false,
      runtimeDir,
    });
    labs.push(opened.lab);
    const [short, long, background, allowFail] = lesson.steps[0]?.commands ?? [];
    if (!short || !long || !background || !allowFail) throw new Error("fixture has four fences");
    expect(blockTimeout(short, lesson)).toBe(1);
    expect(blockTimeout(long, lesson)).toBe(7);

    const timedOut = await runCommandBlock(opened.lab, short, lesson);
    expect(timedOut.timedOut).toBe(true);
    expect(timedOut.durationMs).toBeLessThan(3000);
    expect(blockFailed(short, timedOut)).toBe(true);

    const chunks: string[] = [];
    const bg = await runCommandBlock(opened.lab, background, lesson, {
      onOutput: (c) => chunks.push(c),
    });
    expect(bg.exitCode).toBe(0);
    expect(bg.durationMs).toBeLessThan(1000);
    expect(chunks.join("")).toMatch(/started in the background/);

    const failed = await runCommandBlock(opened.lab, allowFail, lesson);
    expect(failed.exitCode).toBe(3);
    expect(blockFailed(allowFail, failed)).toBe(false);
  });
});
