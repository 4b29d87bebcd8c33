/**
 * Hints that name the checks they answer (src/lesson/hint-rule.ts) and the one choice of which
 * hint to show (src/lesson/choose-hint.ts): every written form names the same checks through
 * the block scan and through remark, a hint without names works as before, and a failure
 * brings the hint for its check, never one written for another check.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseHint } from "../../src/lesson/choose-hint.js";
import { parseLesson } from "../../src/lesson/parse-lesson.js";
import type { Step } from "../../src/lesson/types.js";
import { renderMarkdown } from "../../src/render/render-markdown.js";

const CHECKS = "link veth0 up\nns1: link veth1 up\nns1: ping 10.0.0.2\nlink veth01 up";

const lesson = (quotes: string) =>
  `---\ntitle: T\n---\n\n## Step\n\n\`\`\`sh\ntrue\n\`\`\`\n\n${quotes}\n\n\`\`\`check\n${CHECKS}\n\`\`\`\n`;

function parsed(quotes: string, fast = true) {
  const r = parseLesson(lesson(quotes), { file: "/x/01-t.md", fast });
  const step = r.lesson?.steps[0];
  if (step === undefined) throw new Error("no step");
  return { step, problems: r.problems };
}

describe("a hint names checks by their first words", () => {
  const FORMS: [string, number[]][] = [
    ["> Hint for `link veth0`: bring it up", [0]],
    ["> hint for `link veth0 up`: bring it up", [0]],
    ["> **Hint for `link veth0`:** bring it up", [0]],
    ["> **Hint** for `link veth0`: bring it up", [0]],
    ["> _Hint for `link veth0`_: bring it up", [0]],
    ["> [!TIP]\n> For `link veth0`: bring it up", [0]],
    ["> [!TIP] for `link veth0`: bring it up", [0]],
    // Without `NS:` a name matches in every namespace; with it, only there.
    ["> Hint for `link veth1`: bring it up", [1]],
    ["> Hint for `ns1: link veth1`: bring it up", [1]],
    ["> Hint for `ns1:   link   veth1`: bring it up", [1]],
    ["> Hint for `link veth0` and `ns1: ping`: bring it up", [0, 2]],
    ["> Hint for `ping 10.0.0.2`, `link veth01`, and `link veth0`: bring it up", [0, 2, 3]],
  ];
  for (const [quote, answers] of FORMS) {
    it(`${JSON.stringify(quote)} answers checks ${answers.join(", ")}, the same in both parses`, () => {
      for (const fast of [true, false]) {
        const { step, problems } = parsed(quote, fast);
        expect(problems).toEqual([]);
        expect(step.hints.map((h) => [h.markdown, h.answers])).toEqual([["bring it up", answers]]);
      }
      // The renderer hides the same quote from the step's text.
      expect(renderMarkdown(quote, { hideHints: true })).not.toContain("bring it up");
    });
  }

  it("keeps every hint of LESSON-FORMAT as it was: no names, answers the step as a whole", () => {
    for (const quote of [
      "> Hint: bring it up",
      "> [!TIP]\n> bring it up",
      "> **Hint**: bring it up",
    ]) {
      const { step } = parsed(quote);
      expect(step.hints).toHaveLength(1);
      expect(step.hints[0]?.markdown).toBe("bring it up");
      expect(step.hints[0]?.answers).toBeUndefined();
    }
  });

  it("leaves a quote that names no check in backticks as prose", () => {
    for (const fast of [true, false]) {
      expect(parsed("> Hint for beginners: bring it up", fast).step.hints).toEqual([]);
    }
  });

  it("reports a name no check of the step begins with, at its backticks, with the fix", () => {
    const { step, problems } = parsed("> Hint for `link veth0` and `link veht1`: x");
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.rule}: ${p.message}`)).toEqual([
      '11:29: unknown-hint-target: this hint names `link veht1`, but no check of step 1 ("Step") begins with it: did you mean `link veth1`?',
    ]);
    // The names that resolve still count.
    expect(step.hints[0]?.answers).toEqual([0]);
    // A name is a prefix of whole words: `link veth0` is not `link veth01 up`'s start.
    expect(parsed("> Hint for `link veth0`: x").step.hints[0]?.answers).toEqual([0]);
  });
});

describe("which hint a step shows", () => {
  const { step } = parsed(
    [
      "> Hint: a general hint",
      "> Hint for `link veth0`: the host end",
      "> Hint for `ns1: link veth1`: the namespace end",
      "> Hint for `link veth0`: the host end, again",
    ].join("\n\n"),
  );
  const [host, peer, ping, other] = step.checks;
  const text = (c: ReturnType<typeof chooseHint>) =>
    c && [c.index, c.hint.markdown, c.targeted, c.wrapped];

  it("after a failure, the hint that names the failing check, round its own hints", () => {
    expect(text(chooseHint(step, { shown: 0, failing: peer }))).toEqual([
      3,
      "the namespace end",
      true,
      false,
    ]);
    expect(text(chooseHint(step, { shown: 0, failing: host }))).toEqual([
      2,
      "the host end",
      true,
      false,
    ]);
    expect(text(chooseHint(step, { shown: 2, failing: host }))).toEqual([
      4,
      "the host end, again",
      true,
      false,
    ]);
    expect(text(chooseHint(step, { shown: 4, failing: host }))).toEqual([
      2,
      "the host end",
      true,
      true,
    ]);
  });

  it("a failure no hint names brings a hint for the step as a whole, never another check's", () => {
    expect(text(chooseHint(step, { shown: 3, failing: ping }))).toEqual([
      1,
      "a general hint",
      false,
      true,
    ]);
    const named = { ...step, hints: step.hints.slice(1) } satisfies Step;
    expect(chooseHint(named, { shown: 0, failing: ping })).toBeUndefined();
    expect(chooseHint(named, { shown: 0, failing: other })).toBeUndefined();
    // A learner who asks gets one anyway.
    expect(text(chooseHint(named, { shown: 0, failing: ping, asked: true }))).toEqual([
      1,
      "the host end",
      false,
      false,
    ]);
  });

  it("without a known failure: the next hint, and the first again past the last", () => {
    expect(text(chooseHint(step, { shown: 0 }))).toEqual([1, "a general hint", false, false]);
    expect(text(chooseHint(step, { shown: 1 }))).toEqual([2, "the host end", false, false]);
    expect(text(chooseHint(step, { shown: 4 }))).toEqual([1, "a general hint", false, true]);
    // Progress written by an older course (a count past a shortened step's hints) still works.
    expect(text(chooseHint(step, { shown: 9 }))).toEqual([2, "the host end", false, true]);
    expect(chooseHint({ ...step, hints: [] }, { shown: 0 })).toBeUndefined();
  });
});

describe("the shipped course", () => {
  it("lesson 3: a down host end brings the host end's hint, a bare container end the other", () => {
    const file = join(import.meta.dirname, "..", "..", "lessons", "03-bridge.md");
    const { lesson, problems } = parseLesson(readFileSync(file, "utf8"), { file });
    expect(problems).toEqual([]);
    const step = lesson?.steps.find((s) => s.title === "Plug in c1, the ip way");
    if (step === undefined) throw new Error('lesson 3 has no step "Plug in c1, the ip way"');
    const [hostEnd, containerLink, containerAddr] = step.checks;
    const hint = (failing: typeof hostEnd) =>
      chooseHint(step, { shown: 0, failing })?.hint.markdown;
    expect(hint(hostEnd)).toMatch(/plugs the host end/);
    expect(hint(containerLink)).toMatch(/the container end needs an address/);
    expect(hint(containerAddr)).toMatch(/the container end needs an address/);
    // Seen both already: the host end's hint still comes for the host end.
    expect(chooseHint(step, { shown: 2, failing: hostEnd })?.hint.markdown).toMatch(/host end/);
  });
});
