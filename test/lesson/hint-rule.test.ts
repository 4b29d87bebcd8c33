/**
 * One rule for what a hint is (src/lesson/hint-rule.ts): every form the parser offers as a hint
 * (through the block scan and through remark alike) is the form the renderer hides from the
 * step's text, and a quote that is not a hint is shown and never offered.
 */
import { describe, expect, it } from "vitest";
import { parseLesson } from "../../src/lesson/parse-lesson.js";
import { renderMarkdown } from "../../src/render/render-markdown.js";

const lesson = (quote: string) =>
  `---\ntitle: T\n---\n\n## Step\n\n\`\`\`sh\ntrue\n\`\`\`\n\n${quote}\n\n\`\`\`check\nnetns a\n\`\`\`\n`;

function hintsOf(quote: string, fast: boolean): string[] {
  const parsed = parseLesson(lesson(quote), { file: "/x/01-t.md", fast });
  return parsed.lesson?.steps[0]?.hints.map((h) => h.markdown) ?? [];
}

const HINTS = [
  "> Hint: run `ip netns add a`",
  "> hint: run `ip netns add a`",
  "> HINT: run `ip netns add a`",
  "> *Hint:* run `ip netns add a`",
  "> _Hint:_ run `ip netns add a`",
  "> **Hint:** run `ip netns add a`",
  "> __Hint:__ run `ip netns add a`",
  "> **Hint**: run `ip netns add a`",
  "> [!TIP]\n> run `ip netns add a`",
  "> [!tip] run `ip netns add a`",
];

const NOT_HINTS = [
  "> Note: run `ip netns add a`",
  "> Hints: run `ip netns add a`",
  "> [!NOTE]\n> run `ip netns add a`",
  "> `hint:` run `ip netns add a`",
  "> run `ip netns add a`. Hint: none",
];

describe("what a hint is", () => {
  for (const quote of HINTS) {
    it(`${JSON.stringify(quote)} is a hint to the parser and hidden by the renderer`, () => {
      for (const fast of [true, false]) {
        expect(hintsOf(quote, fast)).toEqual(["run `ip netns add a`"]);
      }
      const shown = renderMarkdown(quote, { hideHints: true });
      expect(shown).not.toContain("ip netns add a");
    });
  }
  for (const quote of NOT_HINTS) {
    it(`${JSON.stringify(quote)} is prose: shown, never offered`, () => {
      for (const fast of [true, false]) expect(hintsOf(quote, fast)).toEqual([]);
      expect(renderMarkdown(quote, { hideHints: true })).toContain("ip netns add a");
    });
  }
});
