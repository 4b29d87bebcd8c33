/**
 * What the learner's flows (`course start`, `course run`) need from prompts and labs. The CLI
 * wires the real ones (src/cli/prompts.ts, src/flows/learner-driver.ts); tests drive the same
 * flows through real prompts on injected streams and real labs.
 */
import { CourseError, ExitCode } from "../errors.js";
import type { ExecResult, Lab } from "../lab/types.js";
import type { CommandBlock, Lesson, Step } from "../lesson/types.js";

/** One choice of a select prompt. */
export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

/** The prompts the guided flow asks. Ctrl-C in a prompt throws InterruptedError. */
export interface Prompts {
  select<T extends string>(message: string, choices: Choice<T>[], defaultValue?: T): Promise<T>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}

/** Ctrl-C: the flow stops cleanly, lab and progress are kept. Exit 130. */
export class InterruptedError extends CourseError {
  constructor(message = "interrupted", options?: { hint?: string }) {
    super(message, ExitCode.interrupted, options);
  }
}

/** A check that did not pass, ready to print. */
export interface CheckFailure {
  /** The check line as written. */
  source: string;
  /** `lessons/03-bridge.md:42`-style place. */
  where: string;
  /** What was expected and what was found, in words. */
  message: string;
}

/** The verdict on one step's checks. */
export interface StepVerdict {
  step: number;
  passed: boolean;
  failures: CheckFailure[];
}

/** Labs and checks, as the learner's flows use them. */
export interface LearnerDriver {
  /**
   * Open the lesson's persistent lab (created on demand, running the lesson's setup then).
   * `fresh`: destroy an existing one first (`course run` starts from the lesson's setup).
   */
  openLab(lesson: Lesson, options?: { fresh?: boolean }): Promise<{ lab: Lab; created: boolean }>;
  /** Run one command fence as "run it for me" does, output live. */
  runBlock(
    lab: Lab,
    block: CommandBlock,
    lesson: Lesson,
    onOutput: (chunk: string, stream: "stdout" | "stderr") => void,
  ): Promise<ExecResult>;
  /** Evaluate one step's checks in the lab. */
  checkStep(lab: Lab, lesson: Lesson, step: Step): Promise<StepVerdict>;
  /** "Show me the network": the lab as it is now, drawn as text (as `course graph` does). */
  drawNetwork?(lab: Lab, options: { width: number; color: boolean }): Promise<string>;
}
