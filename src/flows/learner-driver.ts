/**
 * The real parts behind the learner's flows: the lesson's persistent lab (src/flows/lesson-lab.ts),
 * command fences run with their fence semantics, and the check evaluator (src/flows/verify.ts).
 */
import { evaluateChecks } from "../checks/evaluate-checks.js";
import { displayPath } from "../display-path.js";
import type { LabSpec } from "../lab/types.js";
import { leftAloneByLesson } from "../lesson/lesson-design.js";
import type { Course, Lesson, Step } from "../lesson/types.js";
import type { LearnerDriver, StepVerdict } from "./learner-types.js";
import { openLessonLab, runCommandBlock } from "./lesson-lab.js";

export interface LearnerDriverOptions {
  spec: LabSpec;
  course: Course;
  /** Keep labs across runs (the CLI); tests tie them to their process. @default true */
  persistent?: boolean;
  /** Where lab records live. @default runtimeDir(env) */
  runtimeDir?: string;
  /** The user's environment (`labIo(ctx)`). */
  env: NodeJS.ProcessEnv;
  /** Where a slow lab reports progress (`labIo(ctx)`). @default not told */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** `file:line` places relative to this directory. @default none: absolute paths */
  cwd?: string;
  debug?: (line: string) => void;
  /** Told what the user must know about a lab (see `openLessonLab`). @default not told */
  onWarning?: (message: string) => void;
}

/** The driver for real labs of `spec`. */
export function learnerDriver(o: LearnerDriverOptions): LearnerDriver {
  const open = (lesson: Lesson) =>
    openLessonLab({
      spec: o.spec,
      course: o.course,
      lesson,
      persistent: o.persistent ?? true,
      env: o.env,
      ...(o.stderr === undefined ? {} : { stderr: o.stderr }),
      ...(o.cwd === undefined ? {} : { cwd: o.cwd }),
      ...(o.onWarning === undefined ? {} : { onWarning: o.onWarning }),
      ...(o.runtimeDir === undefined ? {} : { runtimeDir: o.runtimeDir }),
      ...(o.debug === undefined ? {} : { debug: o.debug }),
    });
  const where = (file: string, line: number) =>
    `${o.cwd === undefined ? file : displayPath(file, o.cwd)}:${line}`;
  return {
    async openLab(lesson, options) {
      const opened = await open(lesson);
      if (!options?.fresh || opened.created) return opened;
      await opened.lab.destroy();
      return open(lesson);
    },
    runBlock: (lab, block, lesson, onOutput) => runCommandBlock(lab, block, lesson, { onOutput }),
    async drawNetwork(lab, { width, color }) {
      // Loaded on demand: only this menu item needs the graph code.
      const { drawLab } = await import("../graph/draw-lab.js");
      return drawLab(lab, "text", { width, color });
    },
    async checkStep(lab, lesson, step: Step): Promise<StepVerdict> {
      const results = await evaluateChecks(lab, step.checks, {
        timeout: lesson.timeout,
        diagnose: true,
        leftAlone: leftAloneByLesson(lesson),
      });
      const failures = results
        .filter((r) => !r.passed)
        .map((r) => ({
          source: r.check.source,
          where: where(r.check.file, r.check.line),
          message: `expected ${r.expected}; found ${r.found}${r.diagnosis === undefined ? "" : ` (${r.diagnosis})`}`,
        }));
      return { step: step.index, passed: failures.length === 0, failures };
    },
  };
}
