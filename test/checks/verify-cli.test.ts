/**
 * `course verify` through the built binary on a real sandbox lab (`npm test` builds first; run
 * `npm run build` before running this file alone). Labs and progress live in a temp dir and are
 * destroyed with `course reset --all` afterwards, even when a test failed.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openLessonLab } from "../../src/flows/lesson-lab.js";
import { loadCourse } from "../../src/load-course.js";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";

const lessons = join(import.meta.dirname, "course");
const bin = new CourseBin({
  prefix: "course-verify-cli-",
  args: ["--lessons", lessons],
  timeout: 60_000,
});
const course = (args: string[]) => bin.run(args);

labsInTempHome(bin);

describe("course verify", () => {
  test("before any work: exit 1, step by step, found/expected at file:line, the hint", () => {
    const r = course(["verify", "1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "Lesson 1: Two namespaces, one cable\n✗ Step 1: Create two namespaces (0/2 checks)\n",
    );
    expect(r.stdout).toContain(
      '    ✗ test/checks/course/01-cable.md:16: netns ns2: found no named namespace in the lab, expected a namespace "ns2"\n',
    );
    expect(r.stdout).toContain(
      "    Hint: a veth end only carries traffic once it is `up` on both sides.\n",
    );
    expect(r.stdout).toMatch(/0 of 2 steps pass, 0 of 5 checks\.\n$/);
  });

  test("--json: the report as data", () => {
    const r = course(["verify", "cable", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.passed).toBe(false);
    expect(report.lesson.id).toBe("cable");
    expect(report.steps[1].results[0]).toMatchObject({
      passed: false,
      expected: "interface veth0 with UP, peer ns2:veth1",
      found: 'no namespace "ns1" in the lab',
      check: { line: 36, source: "ns1: link veth0 up peer ns2:veth1", spec: { kind: "link" } },
    });
  });

  test("after the work is done in the lab: exit 0; --debug prints each round trip", async () => {
    const { course: c } = await loadCourse({ cwd: repoRoot, lessons });
    const lesson = c.lessons[0];
    if (lesson === undefined) throw new Error("no lesson");
    const { lab } = await openLessonLab({
      env: process.env,
      spec: { kind: "sandbox" },
      course: c,
      lesson,
      persistent: true,
      runtimeDir: join(bin.dir, "runtime"),
    });
    try {
      for (const step of lesson.steps) {
        const done = await lab.exec(step.commands.map((b) => b.code).join("\n"));
        expect(done.exitCode).toBe(0);
      }
    } finally {
      await lab.close();
    }
    const r = course(["--debug", "verify", "1"]);
    expect(r.stdout).toMatch(/All 5 checks pass: lesson cable is done\.\n/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/'# checks: 1 probes, facts for 4 checks' → exit 0/);
    expect(r.stderr).toMatch(/verify: 1 lab round trips, \d+ ms/);
  });

  test("an unknown lesson is a usage error (exit 2)", () => {
    const r = course(["verify", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no lesson named `nope`/);
  });
});
