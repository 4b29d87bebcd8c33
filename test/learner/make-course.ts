import type { Course, Lesson } from "../../src/lesson/types.js";

/** A course of `n` lessons with `steps` steps each, lesson k requiring lesson k-1 (the default). */
export function makeCourse(dir: string, n: number, steps = 2): Course {
  const lessons: Lesson[] = [];
  for (let i = 1; i <= n; i++) {
    const file = `${dir}/${String(i).padStart(2, "0")}-l${i}.md`;
    const pos = { file, line: 1, column: 1 };
    lessons.push({
      file,
      id: `l${i}`,
      position: i,
      title: `Lesson ${i}`,
      requires: i === 1 ? [] : [`l${i - 1}`],
      needs: [],
      timeout: 30,
      intro: `Intro ${i}`,
      setup: [],
      steps: Array.from({ length: steps }, (_, s) => ({
        index: s + 1,
        title: `Step ${s + 1}`,
        heading: pos,
        markdown: "",
        commands: [],
        checks: [],
        hints: [
          { ...pos, markdown: "first hint" },
          { ...pos, markdown: "second hint" },
        ],
      })),
      position0: pos,
    });
  }
  return { dir, lessons };
}

/** The lesson at 0-based `i`, or a test failure. */
export function lessonAt(course: Course, i: number): Lesson {
  const lesson = course.lessons[i];
  if (lesson === undefined) throw new Error(`no lesson ${i} in the test course`);
  return lesson;
}
