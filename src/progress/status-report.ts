/** `course status` as data: every lesson's state, for printing or `--json`. */
import type { Course } from "../lesson/types.js";
import { firstOpenLesson, type LessonStateName, lessonStates } from "./lesson-states.js";
import type { ProgressFile } from "./progress-file.js";

export interface StatusLesson {
  position: number;
  id: string;
  title: string;
  state: LessonStateName;
  stepsPassed: number;
  stepCount: number;
  /** Lesson ids still to finish (locked lessons). */
  missing: string[];
  /** `course run` passed it without `--count`: not counted as complete. */
  solvedByRunner: boolean;
  attempts: number;
  completedAt: string | null;
  lastAt: string | null;
}

export interface StatusReport {
  course: { dir: string; title: string | null };
  done: number;
  total: number;
  /** The lesson `course start` resumes; null when every lesson is done. */
  next: { position: number; id: string; title: string } | null;
  lessons: StatusLesson[];
}

/** Build the report from the course and the progress file. */
export function statusReport(course: Course, progress: ProgressFile): StatusReport {
  const lessons = lessonStates(course, progress).map(
    (s): StatusLesson => ({
      position: s.lesson.position,
      id: s.lesson.id,
      title: s.lesson.title,
      state: s.state,
      stepsPassed: s.stepsPassed,
      stepCount: s.stepCount,
      missing: s.missing,
      solvedByRunner: s.solvedByRunner,
      attempts: s.progress?.attempts ?? 0,
      completedAt: s.progress?.completedAt ?? null,
      lastAt: s.progress?.lastAt ?? null,
    }),
  );
  const next = firstOpenLesson(course, progress);
  return {
    course: { dir: course.dir, title: course.title ?? null },
    done: lessons.filter((l) => l.state === "done").length,
    total: lessons.length,
    next: next === undefined ? null : { position: next.position, id: next.id, title: next.title },
    lessons,
  };
}
