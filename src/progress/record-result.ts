/** Recording a check run and reporting what it unlocked. */
import type { Course, Lesson } from "../lesson/types.js";
import {
  type CheckOutcome,
  isComplete,
  lessonProgressOf,
  recordChecks,
} from "./lesson-progress.js";
import { newlyUnlocked } from "./lesson-states.js";
import type { LessonProgress } from "./progress-file.js";
import type { ProgressStore } from "./progress-store.js";

/** What recording a check run changed. */
export interface RecordedResult {
  entry: LessonProgress;
  /** Lessons this result opened. */
  unlocked: Lesson[];
  /** This run made the lesson complete (it was not before). */
  completedNow: boolean;
}

/**
 * Record a check run of `lesson` in the progress file (locked read-modify-write) and say what
 * it unlocked. `course verify`, `course run` and `course start` all record through here.
 */
export async function recordResult(
  store: ProgressStore,
  course: Course,
  lesson: Lesson,
  outcome: CheckOutcome,
): Promise<RecordedResult> {
  return store.update((progress) => {
    const before = structuredClone(progress);
    const wasComplete = isComplete(lessonProgressOf(before, course, lesson));
    const entry = recordChecks(progress, course, lesson, outcome);
    return {
      entry: structuredClone(entry),
      unlocked: newlyUnlocked(course, before, progress),
      completedNow: !wasComplete && entry.completedAt !== undefined,
    };
  });
}
