/**
 * Hints that name their checks, end to end on a real sandbox lab: `course verify` (the built
 * binary) shows the hint for the first failing check, `course hint` goes round to the first
 * hint past the last and says so, and the lab shell's `hint` (the live checker) answers the
 * check that failed at its last run. The fixture's step has a general hint, one for the peer
 * end and one for the first end, in that order, so the next-unseen rule of old would show the
 * general hint every time.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openLessonLab } from "../../src/flows/lesson-lab.js";
import { LiveChecker } from "../../src/flows/live-check.js";
import { loadCourse } from "../../src/load-course.js";
import { ProgressStore } from "../../src/progress/progress-store.js";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";

const lessons = join(import.meta.dirname, "..", "fixtures", "hints");
const bin = new CourseBin({
  prefix: "course-hint-targets-",
  args: ["--lessons", lessons],
  timeout: 60_000,
});
const course = (args: string[]) => bin.run(args);

labsInTempHome(bin);

/** The fixture lesson and its persistent lab, the one the binary's runs use. */
async function openFixtureLab() {
  const { course: c } = await loadCourse({ cwd: repoRoot, lessons });
  const lesson = c.lessons[0];
  if (lesson === undefined) throw new Error("no lesson");
  const spec = { kind: "sandbox" } as const;
  const runtimeDir = join(bin.dir, "runtime");
  const { lab } = await openLessonLab({
    spec,
    course: c,
    lesson,
    persistent: true,
    runtimeDir,
    env: process.env,
  });
  return { course: c, lesson, lab };
}

async function inLab(script: string): Promise<void> {
  const { lab } = await openFixtureLab();
  try {
    expect((await lab.exec(script)).exitCode).toBe(0);
  } finally {
    await lab.close();
  }
}

describe("hints that name their checks", () => {
  test("the fixture lints clean", () => {
    const r = course(["lint"]);
    expect(r.stdout + r.stderr).not.toMatch(/error|warning/);
    expect(r.code).toBe(0);
  });

  test("verify shows the hint for the first failing check", async () => {
    const before = course(["verify", "1"]);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain("    Hint: the first end: `ip link set veth0 up`.\n");

    await inLab("ip link add veth0 type veth peer name veth1 && ip link set veth0 up");
    const half = course(["verify", "1"]);
    expect(half.code).toBe(1);
    expect(half.stdout).toContain("✗ Step 1: Make the cable and bring both ends up (1/2 checks)\n");
    expect(half.stdout).toContain(
      "    Hint: the peer end is a device of its own: `ip link set veth1 up`.\n",
    );
  }, 120_000);

  test("course hint goes through the hints, then back to the first, saying so", () => {
    const texts = [1, 2, 3, 4].map(() => course(["hint", "1"]));
    expect(texts.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(texts[0]?.stdout).toContain("Hint 1 of 3 for lesson-1 (two-ends), step 1");
    expect(texts[0]?.stdout).toContain("(run it again for hint 2)");
    expect(texts[2]?.stdout).toContain("Hint 3 of 3 for");
    expect(texts[2]?.stdout).toContain(
      "that was the last hint: run it again to start over from hint 1",
    );
    expect(texts[3]?.stdout).toContain(
      "Hint 1 of 3, again (past the last hint, back to the first) for lesson-1 (two-ends), step 1",
    );
    expect(texts[3]?.stdout).toContain("a veth pair is made in one go");
    // Hints seen do not change which hint a failure brings.
    expect(course(["verify", "1"]).stdout).toContain("    Hint: the peer end is a device");
  });

  test("the lab shell's hint answers the check that failed at the last live run", async () => {
    const { course: c, lesson, lab } = await openFixtureLab();
    try {
      const store = new ProgressStore({ dir: join(bin.dir, "state") });
      const live = await LiveChecker.open({ course: c, lesson, lab, store });
      await live.check();
      const peer = await live.nextHint();
      expect([peer?.index, peer?.targeted, peer?.hint.markdown]).toEqual([
        2,
        true,
        "the peer end is a device of its own: `ip link set veth1 up`.",
      ]);
      await lab.exec("ip link set veth1 up && ip link set veth0 down");
      await live.check();
      expect((await live.nextHint())?.hint.markdown).toBe("the first end: `ip link set veth0 up`.");
    } finally {
      await lab.close();
    }
  }, 120_000);
});
