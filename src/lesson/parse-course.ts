/**
 * Lesson files → `Course`: order, positions, unique ids, and `requires` resolved within the
 * course. Pure: the loader (`src/load-course.ts`) reads the files and passes their contents.
 */
import { suggestion } from "./did-you-mean.js";
import { parseCourseYaml } from "./front-matter.js";
import { type ParsedLesson, parseLesson } from "./parse-lesson.js";
import type { Course, Lesson, Problem } from "./types.js";

/** One lesson file as read from disk, or the problem that stopped it from being read. */
export interface LessonSource {
  /** Absolute path. */
  file: string;
  /** Contents; undefined when the file could not be read (then `problem` says why). */
  contents?: string | Uint8Array;
  problem?: Problem;
}

export interface CourseSource {
  /** Absolute path of the lessons directory. */
  dir: string;
  lessons: LessonSource[];
  /** `course.yaml`, when the directory has one. */
  courseYaml?: { file: string; text: string };
}

const baseName = (file: string) => file.split(/[\\/]/).pop() ?? file;

/** File-name order, with numbers compared as numbers (`9-x.md` before `10-y.md`). */
export function compareLessonFiles(a: string, b: string): number {
  return baseName(a).localeCompare(baseName(b), "en", { numeric: true }) || a.localeCompare(b);
}

/** Ids a learner could not tell from a position (`3`, `lesson-3`). */
const POSITION_LIKE = /^(?:lesson-)?\d+$/i;

/** Parse every lesson of a course and check what only makes sense across lessons. */
export function parseCourse(source: CourseSource): { course: Course; problems: Problem[] } {
  const problems: Problem[] = [];
  const course: Course = { dir: source.dir, lessons: [] };
  if (source.courseYaml) {
    const parsed = parseCourseYaml(source.courseYaml.text, source.courseYaml.file);
    problems.push(...parsed.problems);
    if (parsed.courseYaml.title !== undefined) course.title = parsed.courseYaml.title;
    if (parsed.courseYaml.summary !== undefined) course.summary = parsed.courseYaml.summary;
  }

  const parsedLessons: { parsed: ParsedLesson; lesson: Lesson }[] = [];
  const files = [...source.lessons].sort((a, b) => compareLessonFiles(a.file, b.file));
  for (const entry of files) {
    if (entry.contents === undefined) {
      if (entry.problem) problems.push(entry.problem);
      continue;
    }
    const parsed = parseLesson(entry.contents, {
      file: entry.file,
      position: parsedLessons.length + 1,
    });
    problems.push(...parsed.problems);
    if (parsed.lesson) parsedLessons.push({ parsed, lesson: parsed.lesson });
  }

  // Ids: unique, and never confusable with a position.
  const byId = new Map<string, Lesson>();
  for (const { parsed, lesson } of parsedLessons) {
    const where = parsed.frontMatter?.keyAt.id ?? { file: lesson.file, line: 1, column: 1 };
    const fromFile = parsed.frontMatter?.id === undefined;
    if (POSITION_LIKE.test(lesson.id)) {
      problems.push({
        ...where,
        severity: "error",
        rule: "bad-id",
        message: `lesson id \`${lesson.id}\` looks like a lesson position, so learners could not name this lesson by it: ${fromFile ? "add an `id:` to the front matter or rename the file (e.g. `03-bridge.md`)" : "choose a word (e.g. `bridge`)"}`,
      });
    }
    const other = byId.get(lesson.id);
    if (other) {
      problems.push({
        ...where,
        severity: "error",
        rule: "duplicate-id",
        message: `lesson id \`${lesson.id}\` is already used by ${baseName(other.file)}: ids must be unique; ${fromFile ? "add a different `id:` to the front matter" : "change this `id:`"}`,
      });
    } else {
      byId.set(lesson.id, lesson);
    }
  }

  // Requires: default to the lesson before; explicit ids must exist.
  const ids = [...byId.keys()];
  parsedLessons.forEach(({ parsed, lesson }, i) => {
    const given = parsed.frontMatter?.requires;
    if (given === undefined) {
      const previous = parsedLessons[i - 1]?.lesson;
      lesson.requires = previous ? [previous.id] : [];
      return;
    }
    const at = parsed.frontMatter?.requiresAt ?? [];
    const fallback = parsed.frontMatter?.keyAt.requires ?? {
      file: lesson.file,
      line: 1,
      column: 1,
    };
    given.forEach((id, k) => {
      const where = at[k] ?? fallback;
      if (id === lesson.id) {
        problems.push({
          ...where,
          severity: "error",
          rule: "self-require",
          message: `lesson \`${id}\` requires itself: remove \`${id}\` from \`requires\``,
        });
      } else if (!byId.has(id)) {
        problems.push({
          ...where,
          severity: "error",
          rule: "unknown-require",
          message: `\`requires\` names \`${id}\`, which is no lesson of this course${suggestion(id, ids)}; lesson ids: ${ids.join(", ")}`,
        });
      }
    });
    lesson.requires = given.filter((id) => id !== lesson.id && byId.has(id));
  });

  // A cycle in `requires` would lock its lessons forever.
  const state = new Map<string, "visiting" | "done">();
  const reported = new Set<string>();
  const visit = (lesson: Lesson, path: string[]): void => {
    state.set(lesson.id, "visiting");
    for (const id of lesson.requires) {
      const next = byId.get(id);
      if (!next) continue;
      if (state.get(id) === "visiting") {
        const cycle = [...path.slice(path.indexOf(id)), lesson.id, id];
        if (!reported.has(lesson.id)) {
          reported.add(lesson.id);
          const parsed = parsedLessons.find((p) => p.lesson === lesson)?.parsed;
          const where = parsed?.frontMatter?.keyAt.requires ?? {
            file: lesson.file,
            line: 1,
            column: 1,
          };
          problems.push({
            ...where,
            severity: "error",
            rule: "require-cycle",
            message: `\`requires\` forms a cycle (${cycle.join(" → ")}), so these lessons could never be opened: remove one of the links`,
          });
        }
      } else if (state.get(id) === undefined) {
        visit(next, [...path, lesson.id]);
      }
    }
    state.set(lesson.id, "done");
  };
  for (const lesson of byId.values()) if (!state.has(lesson.id)) visit(lesson, []);

  course.lessons = parsedLessons.map((p) => p.lesson);
  return { course, problems };
}
