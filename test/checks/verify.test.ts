// verifyLesson and its renderer on a real lab: a lesson verified before, half-way and after
// its commands ran, step by step, with found/expected lines and the step's hint.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { verifyLesson } from "../../src/flows/verify.js";
import { loadCourse } from "../../src/load-course.js";
import { renderVerifyReport } from "../../src/render/render-verify-report.js";
import { destroyLabsAfterEach, labWith } from "./helpers.js";

destroyLabsAfterEach();

const dir = fileURLToPath(new URL("./course", import.meta.url));
const cwd = fileURLToPath(new URL("../..", import.meta.url));

async function lesson() {
  const { course, problems } = await loadCourse({ cwd, lessons: dir });
  expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  const found = course.lessons[0];
  if (found === undefined) throw new Error("no lesson");
  return found;
}

describe("verifyLesson", () => {
  it("reports step by step: nothing done, then step 1 done, then everything", async () => {
    const l = await lesson();
    const lab = await labWith("");
    const none = await verifyLesson(lab, l, { timeout: 3 });
    expect(none.passed).toBe(false);
    expect(none.steps.map((s) => [s.index, s.passed, s.results.map((r) => r.passed)])).toEqual([
      [1, false, [false, false]],
      [2, false, [false, false, false]],
    ]);
    expect(none.steps[1]?.hint).toBe(
      "a veth end only carries traffic once it is `up` on both sides.",
    );

    const [step1, step2] = l.steps;
    if (!step1 || !step2) throw new Error("steps");
    await lab.exec(step1.commands[0]?.code ?? "");
    const half = await verifyLesson(lab, l, { timeout: 3, hintShown: () => 1 });
    expect(half.steps.map((s) => s.passed)).toEqual([true, false]);
    expect(half.steps[1]?.hint).toBe("`ip -n ns1 link` shows whether veth0 is UP.");
    const text = renderVerifyReport(half, { cwd, color: false });
    expect(text).toContain(
      "Lesson 1: Two namespaces, one cable\n✓ Step 1: Create two namespaces (2/2 checks)\n✗ Step 2: Plug in the cable (0/3 checks)\n",
    );
    expect(text).toContain(
      `    ✗ test/checks/course/01-cable.md:36: ns1: link veth0: found no interface "veth0" in ns1 (it has lo), expected interface veth0 with UP, peer ns2:veth1\n`,
    );
    expect(text).toContain("      why: Namespace ns1 has no interface besides lo.\n");
    expect(text).toContain("    Hint: `ip -n ns1 link` shows whether veth0 is UP.\n");
    expect(text).toMatch(/1 of 2 steps pass, 2 of 5 checks\.\n$/);

    await lab.exec(step2.commands[0]?.code ?? "");
    const all = await verifyLesson(lab, l, { timeout: 3 });
    expect(all.passed).toBe(true);
    expect(all.steps.every((s) => s.hint === undefined)).toBe(true);
    // The ping, then one snapshot for the state checks: one round trip.
    expect(all.roundTrips).toBe(1);
    expect(renderVerifyReport(all, { cwd, color: false })).toMatch(
      /All 5 checks pass: lesson cable is done\.\n$/,
    );
  });
});
