import type { Problem } from "./lesson/types.js";

/** Exit codes of the whole CLI (documented in the README and `course --help`). */
export const ExitCode = {
  ok: 0,
  checksFailed: 1,
  usage: 2,
  locked: 3,
  labUnavailable: 4,
  /** Progress cannot be read or saved: the state directory or file is unusable. */
  stateUnavailable: 5,
  /** An unexpected error: a bug in course. */
  internal: 70,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/**
 * Base of every error the user is meant to see: `bin.ts` prints `message` (no stack)
 * and exits with `exitCode`. Anything else that reaches `bin.ts` is a bug.
 */
export class CourseError extends Error {
  readonly exitCode: number;
  /** Extra lines printed after the message: how to fix it. */
  readonly hint: string | undefined;
  constructor(message: string, exitCode: number, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options?.hint;
  }
}

/** Bad arguments or options on the command line. Exit 2. */
export class UsageError extends CourseError {
  constructor(message: string, options?: { hint?: string }) {
    super(message, ExitCode.usage, options);
  }
}

/** The course breaks the lesson format; `problems` holds every located problem. Exit 2. */
export class LessonError extends CourseError {
  readonly problems: Problem[];
  constructor(problems: Problem[], message = "the course has errors; nothing was run") {
    super(message, ExitCode.usage);
    this.problems = problems;
  }
}

/** The lesson is locked until others are complete. Exit 3. */
export class LockedError extends CourseError {
  readonly missing: string[];
  constructor(message: string, missing: string[], options?: { hint?: string }) {
    super(message, ExitCode.locked, options);
    this.missing = missing;
  }
}

/** The lab cannot be created or reached, or is broken. Exit 4. */
export class LabError extends CourseError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, ExitCode.labUnavailable, options);
  }
}

/**
 * The lab cannot offer what a lesson `needs` (e.g. docker on the sandbox lab). Exit 4; `course
 * test` reports the lesson as skipped with `reason` instead of failing it.
 */
export class LabLacksError extends LabError {
  /** The missing capability, e.g. `docker`. */
  readonly need: string;
  /** One line for a skipped test: what is missing and how to get it. */
  readonly reason: string;
  constructor(message: string, need: string, reason: string, options?: { hint?: string }) {
    super(message, options);
    this.need = need;
    this.reason = reason;
  }
}

/**
 * Progress cannot be read or saved: the state directory or `progress.json` is not writable,
 * read-only, full, or not a regular file. The message names the path; the hint, the fix. Exit 5.
 */
export class StateError extends CourseError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, ExitCode.stateUnavailable, options);
  }
}
