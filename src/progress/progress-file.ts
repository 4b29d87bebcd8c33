/** The shape of the progress file (`progress.json`), shared by the store and its readers. */

/** Progress in one lesson. Absent from the file = not started. */
export interface LessonProgress {
  /** Step positions (1-based) whose checks passed, sorted. */
  stepsPassed: number[];
  /** How many steps the lesson had when last recorded; an edited lesson is reconciled on read. */
  stepCount: number;
  /** The step the guided flow was on (to resume there). */
  currentStep?: number;
  /** Check runs (verify, "check my work"), passed or not. */
  attempts: number;
  /** ISO times. */
  firstAt: string;
  lastAt: string;
  /** Set when every check of the lesson passed and it counts as complete. */
  completedAt?: string;
  /**
   * Who made the checks pass: the learner, or `course run` (which counts as complete only with
   * `--count`).
   */
  solvedBy?: "learner" | "runner";
  /**
   * Per step (as a string key), the 1-based index of the hint shown last: hints come in order,
   * so before the first round is over it is also how many were seen.
   */
  hintsSeen: Record<string, number>;
}

/** Progress in one course, keyed by lesson id (so renumbering or editing a lesson keeps it). */
export interface CourseProgress {
  /** The course directory it was recorded for (for humans reading the file). */
  dir: string;
  title?: string;
  lessons: Record<string, LessonProgress>;
}

export interface ProgressFile {
  formatVersion: number;
  /** Keyed by course directory (absolute path). */
  courses: Record<string, CourseProgress>;
}
