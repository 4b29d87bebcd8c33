import { expect, test } from "vitest";
import { parseLesson } from "../../src/lesson/parse-lesson.js";

const lesson = (heading: string) =>
  `---\ntitle: t\n---\n\n${heading}\n\n\`\`\`check\nnetns a\n\`\`\`\n`;

test("a step title may end in a URL or an e-mail address (no tree transform drops it)", () => {
  for (const [heading, title] of [
    ["## Read http://example.com", "Read http://example.com"],
    ["## See www.example.com/docs", "See www.example.com/docs"],
    ["## Mail root@example.com", "Mail root@example.com"],
  ] as const) {
    const fast = parseLesson(lesson(heading), { file: "/x/01-a.md" });
    const full = parseLesson(lesson(heading), { file: "/x/01-a.md", fast: false });
    expect(fast.lesson?.steps[0]?.title).toBe(title);
    expect(fast.problems).toEqual([]);
    expect(full).toEqual(fast);
  }
});
