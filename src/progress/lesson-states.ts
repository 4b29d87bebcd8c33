/**
 * Unlocking: a lesson is open when every lesson in its `requires` is complete; done when it is
 * complete itself; locked otherwise. Used by list, status, verify and start.
 */
import { LockedError } from "../errors.js";
import type { Course, Lesson } from "../lesson/types.js";
import { isComplete, lessonProgressOf } from "./lesson-progress.js";
import type { LessonProgress, ProgressFile } from "./progress-file.js";

export type LessonStateName = "done" | "open" | "locked";

export interface LessonState {
  lesson: Lesson;
  state: LessonStateName;
  /** Ids in `requires` not complete yet (empty unless locked). */
  missing: string[];
  stepsPassed: number;
  stepCount: number;
  /** `course run` made the checks pass without `--count`. */
  solvedByRunner: boolean;
  progress: LessonProgress | undefined;
}

/** The state of every lesson of the course, in course order. */
export function lessonStates(course: Course, progress: ProgressFile): LessonState[] {
  const complete = new Set(
    course.lessons
      .filter((l) => isComplete(lessonProgressOf(progress, course, l)))
      .map((l) => l.id),
  );
  return course.lessons.map((lesson) => {
    const p = lessonProgressOf(progress, course, lesson);
    const missing = lesson.requires.filter((id) => !complete.has(id));
    const state: LessonStateName = complete.has(lesson.id)
      ? "done"
      : missing.length > 0
        ? "locked"
        : "open";
    return {
      lesson,
      state,
      missing,
      // A done lesson is done in every step. A step without checks (lint warns, the format
      // allows it) is never recorded as passed, since nothing checks it: counting the recorded
      // steps said "done 3/4".
      stepsPassed: state === "done" ? lesson.steps.length : (p?.stepsPassed.length ?? 0),
      stepCount: lesson.steps.length,
      solvedByRunner: p?.solvedBy === "runner" && p.completedAt === undefined,
      progress: p,
    };
  });
}

/** The state of one lesson. */
export function lessonState(course: Course, progress: ProgressFile, lesson: Lesson): LessonState {
  const found = lessonStates(course, progress).find((s) => s.lesson.id === lesson.id);
  if (found === undefined) throw new Error(`lesson ${lesson.id} is not in course ${course.dir}`);
  return found;
}

/** How a learner names a lesson in a command: `lesson-3 (bridge)`. */
export function lessonLabel(lesson: Lesson): string {
  return `lesson-${lesson.position} (${lesson.id})`;
}

/** Throw LockedError (exit 3) naming what to finish first when the lesson is locked. */
export function assertOpen(course: Course, progress: ProgressFile, lesson: Lesson): void {
  const state = lessonState(course, progress, lesson);
  if (state.state !== "locked") return;
  const names = state.missing.map((id) => {
    const l = course.lessons.find((x) => x.id === id);
    return l === undefined ? id : lessonLabel(l);
  });
  const first = course.lessons.find((l) => l.id === state.missing[0]);
  throw new LockedError(
    `${lessonLabel(lesson)} "${lesson.title}" is locked: finish ${names.join(" and ")} first`,
    state.missing,
    {
      hint:
        first === undefined
          ? "Run `course status` to see what is open."
          : `Run \`course start ${first.position}\` (or \`course verify ${first.position}\` once done).`,
    },
  );
}

/** Lessons that are open in `after` but were locked in `before` (what a pass unlocked). */
export function newlyUnlocked(course: Course, before: ProgressFile, after: ProgressFile): Lesson[] {
  const was = lessonStates(course, before);
  return lessonStates(course, after)
    .filter((s, i) => s.state === "open" && was[i]?.state === "locked")
    .map((s) => s.lesson);
}

/** The lesson to resume: the first open one (not done), in course order. */
export function firstOpenLesson(course: Course, progress: ProgressFile): Lesson | undefined {
  return lessonStates(course, progress).find((s) => s.state === "open")?.lesson;
}
