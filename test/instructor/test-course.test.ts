/**
 * The scheduling of `testCourse` (a pool shared by lesson tests and mutants, results in course
 * order, --jobs and --bail), over a tiny in-memory lab whose only state is a set of namespace
 * names. The flow's verdicts on real labs are tested through the binary in course-test.test.ts.
 */
import { describe, expect, test } from "vitest";
import { LabLacksError } from "../../src/errors.js";
import { testCourse } from "../../src/flows/test-course.js";
import type { CheckOutcome, LessonDriver } from "../../src/flows/test-lesson.js";
import type { ExecResult, Lab } from "../../src/lab/types.js";
import type { Check, CommandBlock, Lesson, Step } from "../../src/lesson/types.js";

const at = (file: string, line: number) => ({ file, line, column: 1 });

function block(file: string, line: number, code: string): CommandBlock {
  return {
    ...at(file, line),
    lang: "sh",
    code,
    codeLine: line + 1,
    options: { setup: false, noRun: false, background: false, allowFail: false, show: false },
  };
}

function netnsCheck(file: string, line: number, name: string): Check {
  return {
    ...at(file, line),
    source: `netns ${name}`,
    negate: false,
    spec: { kind: "netns", name },
  };
}

/** A lesson of one step per entry: the step adds `adds` and checks for `checks`. */
function lesson(
  id: string,
  position: number,
  steps: { adds: string[]; checks: string[] }[],
): Lesson {
  const file = `/course/${id}.md`;
  return {
    file,
    id,
    position,
    title: id,
    requires: [],
    needs: [],
    timeout: 30,
    intro: "",
    setup: [],
    steps: steps.map(
      (s, i): Step => ({
        index: i + 1,
        title: `step ${i + 1}`,
        heading: at(file, 10 * (i + 1)),
        markdown: "",
        commands: [
          block(file, 10 * (i + 1) + 1, s.adds.map((n) => `ip netns add ${n}`).join("\n")),
        ],
        checks: s.checks.map((n, k) => netnsCheck(file, 10 * (i + 1) + 5 + k, n)),
        hints: [],
      }),
    ),
    position0: at(file, 1),
  };
}

/** Labs that remember namespace names; each lesson's commands take `delay[id]` ms. */
function memoryDriver(delay: Record<string, number>) {
  let open = 0;
  let maxOpen = 0;
  const driver: LessonDriver = {
    async openLab() {
      open++;
      maxOpen = Math.max(maxOpen, open);
      const names = new Set<string>();
      const lab = {
        names,
        async destroy() {
          open--;
        },
        async capabilities() {
          return { docker: false };
        },
      };
      return lab as unknown as Lab;
    },
    async runBlock(lab, b, l) {
      await new Promise((r) => setTimeout(r, delay[l.id] ?? 0));
      const names = (lab as unknown as { names: Set<string> }).names;
      for (const m of b.code.matchAll(/ip netns add (\S+)/g)) if (m[1]) names.add(m[1]);
      const result: ExecResult = {
        exitCode: 0,
        stdout: "",
        stderr: "",
        durationMs: 0,
        timedOut: false,
        truncated: false,
      };
      return result;
    },
    async evaluate(lab, checks) {
      const names = (lab as unknown as { names: Set<string> }).names;
      return checks.map((check): CheckOutcome => {
        const name = check.spec.kind === "netns" ? check.spec.name : "";
        return { check, passed: names.has(name), expected: `a namespace "${name}"`, found: "" };
      });
    },
  };
  return { driver, maxOpen: () => maxOpen, open: () => open };
}

describe("testCourse", () => {
  test("results come out in course order, whatever finishes first; never more labs than jobs", async () => {
    const lessons = [
      lesson("slow", 1, [{ adds: ["a"], checks: ["a"] }]),
      lesson("fast", 2, [{ adds: ["b"], checks: ["b"] }]),
      lesson("faster", 3, [{ adds: ["c"], checks: ["c"] }]),
    ];
    const { driver, maxOpen, open } = memoryDriver({ slow: 60, fast: 5, faster: 0 });
    const seen: string[] = [];
    const report = await testCourse(lessons, {
      driver,
      jobs: 2,
      onResult: (r) => seen.push(r.lesson.id),
    });
    expect(seen).toEqual(["slow", "fast", "faster"]);
    expect(report.results.map((r) => r.status)).toEqual(["passed", "passed", "passed"]);
    expect(maxOpen()).toBe(2);
    expect(open()).toBe(0);
  });

  test("mutants share the pool: a command no check needs is a warning, or a failure when strict", async () => {
    const weak = () => [lesson("weak", 1, [{ adds: ["a", "unchecked"], checks: ["a"] }])];
    const { driver, maxOpen, open } = memoryDriver({});
    const warned = await testCourse(weak(), { driver, jobs: 3, mutate: true });
    const result = warned.results[0];
    expect(result?.status).toBe("passed");
    expect(result?.mutants).toBe(2);
    expect(result?.warnings.map((w) => [w.line, w.rule])).toEqual([[13, "unchecked-command"]]);
    expect(maxOpen()).toBeLessThanOrEqual(3);
    expect(open()).toBe(0);

    const strict = await testCourse(weak(), { driver, jobs: 3, mutate: true, strict: true });
    expect(strict.results[0]?.status).toBe("failed");
    expect(strict.results[0]?.failures.map((f) => f.message)).toEqual([
      "step 1: nothing checks that line 13 matters: without `ip netns add unchecked` every check of the step and of the lesson still passes",
    ]);
  });

  test("bail: no lesson starts after a failure; the rest are listed as not run", async () => {
    const lessons = [
      lesson("broken", 1, [{ adds: ["a"], checks: ["b"] }]),
      lesson("next", 2, [{ adds: ["a"], checks: ["a"] }]),
      lesson("last", 3, [{ adds: ["a"], checks: ["a"] }]),
    ];
    const { driver } = memoryDriver({});
    const report = await testCourse(lessons, { driver, jobs: 1, bail: true });
    expect(report.results.map((r) => [r.lesson.id, r.status])).toEqual([["broken", "failed"]]);
    expect(report.notRun.map((l) => l.id)).toEqual(["next", "last"]);
  });

  test("a step whose checks hold before its commands is reported as vacuous, at its heading", async () => {
    const l = lesson("mixed", 1, [
      { adds: ["a"], checks: ["a"] },
      { adds: ["a"], checks: ["a"] }, // already true before its commands
    ]);
    const { driver } = memoryDriver({});
    const report = await testCourse([l], { driver, jobs: 1 });
    expect(report.results[0]?.failures.map((f) => [f.rule, f.step, f.line])).toEqual([
      ["vacuous-step", 2, 20],
    ]);
  });

  test("--fallback-lab: a lesson whose needs the lab lacks runs in the fallback lab, not skipped", async () => {
    const needy = () => ({
      ...lesson("needy", 1, [{ adds: ["a"], checks: ["a"] }]),
      needs: ["docker"],
    });
    const plain = lesson("plain", 2, [{ adds: ["b"], checks: ["b"] }]);
    const lacks = () =>
      new LabLacksError("lesson `needy` needs docker", "docker", "needs docker: no engine here");
    const first = memoryDriver({});
    const second = memoryDriver({});
    const openedFirst: string[] = [];
    const openedSecond: string[] = [];
    const driver: LessonDriver = {
      ...first.driver,
      async openLab(l) {
        openedFirst.push(l.id);
        if (l.needs.includes("docker")) throw lacks();
        return first.driver.openLab(l);
      },
      fallback: {
        name: "vagrant",
        async openLab(l) {
          openedSecond.push(l.id);
          const lab = await second.driver.openLab(l);
          return { ...lab, capabilities: async () => ({ docker: true }) } as Lab;
        },
      },
    };
    const report = await testCourse([needy(), plain], { driver, jobs: 1, mutate: true });
    expect(report.results.map((r) => [r.lesson.id, r.status, r.fallbackLab])).toEqual([
      ["needy", "passed", "vagrant"],
      ["plain", "passed", undefined],
    ]);
    // The first lab is asked once per lesson; the lesson's later labs (straight run, mutants)
    // go to the fallback at once.
    expect(openedFirst.filter((id) => id === "needy")).toHaveLength(1);
    expect(openedSecond.every((id) => id === "needy")).toBe(true);
    expect(openedSecond.length).toBeGreaterThan(1);
    expect(first.open() + second.open()).toBe(0);

    // Without a fallback it is skipped; with one that lacks it too, skipped with both reasons.
    const { fallback: _, ...noFallback } = driver;
    const skipped = await testCourse([needy()], { driver: noFallback, jobs: 1 });
    expect(skipped.results[0]?.status).toBe("skipped");
    expect(skipped.results[0]?.skipReason).toBe("needs docker: no engine here");
    const both = await testCourse([needy()], {
      driver: { ...noFallback, fallback: { name: "vagrant", openLab: second.driver.openLab } },
      jobs: 1,
    });
    expect(both.results[0]?.status).toBe("skipped");
    expect(both.results[0]?.skipReason).toMatch(
      /^needs docker: no engine here; in the vagrant lab \(--fallback-lab\) too: needs docker, and no Docker engine answers/,
    );
  });
});
