/**
 * The real parts behind `course test`: a fresh ephemeral lab per lesson test or mutant (tied to
 * this process, destroyed afterwards), fences run exactly as `course run` runs them, and the
 * check evaluator.
 */
import { randomUUID } from "node:crypto";
import { evaluateChecks } from "../checks/evaluate-checks.js";
import type { CommandContext } from "../cli/context.js";
import { labSpecFromOption, openLab } from "../lab/open-lab.js";
import { runCommandBlock } from "./lesson-lab.js";
import type { CheckOutcome, LessonDriver } from "./test-lesson.js";

/** The driver for the lab chosen by `--lab` / `COURSE_LAB`. */
export async function defaultDriver(ctx: CommandContext): Promise<LessonDriver> {
  const spec = labSpecFromOption(ctx.global.lab);
  const debug = ctx.global.debug ? (line: string) => ctx.stderr.write(`${line}\n`) : undefined;
  return {
    async openLab(lesson) {
      const { lab } = await openLab({
        spec,
        // Many labs of one lesson run at once (mutants): each needs a key of its own.
        key: `course-test:${lesson.file}:${randomUUID()}`,
        label: lesson.id,
        persistent: false,
        needs: lesson.needs,
        ...(debug === undefined ? {} : { debug }),
      });
      return lab;
    },
    runBlock: (lab, block, lesson) => runCommandBlock(lab, block, lesson),
    async evaluate(lab, checks, lesson, options) {
      const results = await evaluateChecks(lab, checks, {
        timeout: options.timeout ?? lesson.timeout,
        diagnose: options.diagnose,
      });
      return results.map((r): CheckOutcome => {
        const found = r.diagnosis === undefined ? r.found : `${r.found} (${r.diagnosis})`;
        return { check: r.check, passed: r.passed, expected: r.expected, found };
      });
    },
  };
}
