import { describe, expect, test } from "vitest";
import { compareLessonFiles, parseCourse } from "../../src/lesson/parse-course.js";

const lesson = (title: string, front = "") =>
  `---\ntitle: ${title}\n${front}---\n\n## Step\n\n\`\`\`check\nnetns a\n\`\`\`\n`;

describe("parseCourse", () => {
  test("orders by file name, numbers as numbers, and chains requires by default", () => {
    const { course, problems } = parseCourse({
      dir: "/c",
      lessons: [
        { file: "/c/10-ten.md", contents: lesson("Ten") },
        { file: "/c/02-two.md", contents: lesson("Two") },
        { file: "/c/9-nine.md", contents: lesson("Nine", "requires: []\n") },
        { file: "/c/01-one.md", contents: lesson("One") },
      ],
    });
    expect(problems).toEqual([]);
    expect(course.lessons.map((l) => [l.position, l.id, l.requires])).toEqual([
      [1, "one", []],
      [2, "two", ["one"]],
      [3, "nine", []],
      [4, "ten", ["nine"]],
    ]);
  });

  test("course.yaml gives the title; unknown keys are errors with did-you-mean", () => {
    const good = parseCourse({
      dir: "/c",
      lessons: [],
      courseYaml: { file: "/c/course.yaml", text: "title: Networking\nsummary: netns to NAT\n" },
    });
    expect([good.course.title, good.course.summary, good.problems]).toEqual([
      "Networking",
      "netns to NAT",
      [],
    ]);
    const bad = parseCourse({
      dir: "/c",
      lessons: [],
      courseYaml: { file: "/c/course.yaml", text: "title: Networking\nsumary: x\n" },
    });
    expect(bad.problems).toEqual([
      {
        file: "/c/course.yaml",
        line: 2,
        column: 1,
        severity: "error",
        rule: "unknown-key",
        message:
          'unknown key `sumary` in course.yaml (did you mean "summary"?); known keys: title, summary',
      },
    ]);
  });

  test("ids that look like positions are refused", () => {
    const { problems } = parseCourse({
      dir: "/c",
      lessons: [
        { file: "/c/07.md", contents: lesson("Seven") },
        { file: "/c/08-x.md", contents: lesson("X", "id: lesson-2\n") },
      ],
    });
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}:${p.rule}`)).toEqual([
      "/c/07.md:1:1:bad-id",
      "/c/08-x.md:3:1:bad-id",
    ]);
  });

  test("self-requires and cycles are errors at the requires key", () => {
    const { problems } = parseCourse({
      dir: "/c",
      lessons: [
        { file: "/c/01-a.md", contents: lesson("A", "requires: [b]\n") },
        { file: "/c/02-b.md", contents: lesson("B", "requires: [a]\n") },
        { file: "/c/03-c.md", contents: lesson("C", "requires: [b, c]\n") },
      ],
    });
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([
      "/c/03-c.md:3:15: lesson `c` requires itself: remove `c` from `requires`",
      "/c/02-b.md:3:1: `requires` forms a cycle (a → b → a), so these lessons could never be opened: remove one of the links",
    ]);
  });

  test("an unreadable file's problem is kept and the rest still parses", () => {
    const problem = {
      file: "/c/01-a.md",
      line: 1,
      column: 1,
      severity: "error" as const,
      rule: "unreadable-file",
      message: "cannot read /c/01-a.md: permission denied",
    };
    const { course, problems } = parseCourse({
      dir: "/c",
      lessons: [
        { file: "/c/01-a.md", problem },
        { file: "/c/02-b.md", contents: lesson("B") },
      ],
    });
    expect(problems).toEqual([problem]);
    expect(course.lessons.map((l) => [l.position, l.id, l.requires])).toEqual([[1, "b", []]]);
  });

  test("compareLessonFiles compares base names", () => {
    expect(["/z/2-b.md", "/a/10-a.md", "/m/1-c.md"].sort(compareLessonFiles)).toEqual([
      "/m/1-c.md",
      "/z/2-b.md",
      "/a/10-a.md",
    ]);
  });
});
