/**
 * The real parts behind `course test`: a fresh ephemeral lab per lesson test or mutant (tied to
 * this process, destroyed afterwards; labs in a machine's own namespaces one at a time), fences
 * run exactly as `course run` runs them, and the check evaluator.
 */
import { randomUUID } from "node:crypto";
import { evaluateChecks } from "../checks/evaluate-checks.js";
import { type CommandContext, debugOption, labIo } from "../context.js";
import { labSpecFromOption, openLab } from "../lab/open-lab.js";
import type { Lab, LabSpec } from "../lab/types.js";
import { leftAloneByLesson } from "../lesson/lesson-design.js";
import type { Lesson } from "../lesson/types.js";
import { timeoutScale } from "../load-course.js";
import { runCommandBlock } from "./lesson-lab.js";
import { BACKGROUND_SETTLE_MS, type CheckOutcome, type LessonDriver } from "./test-lesson.js";

/**
 * The driver for the lab chosen by `--lab` / `COURSE_LAB`; `fallbackLab` (`--fallback-lab`)
 * is where lessons go whose `needs` that lab lacks.
 */
export async function defaultDriver(
  ctx: CommandContext,
  fallbackLab?: string,
): Promise<LessonDriver> {
  const spec = labSpecFromOption(ctx.global.lab);
  const debug = debugOption(ctx);
  const opener = (spec: LabSpec) => async (lesson: Lesson) => {
    const open = async () =>
      (
        await openLab({
          spec,
          // Many labs of one lesson run at once (mutants): each needs a key of its own.
          key: `course-test:${lesson.file}:${randomUUID()}`,
          label: lesson.id,
          persistent: false,
          needs: lesson.needs,
          ...labIo(ctx),
          ...debug,
        })
      ).lab;
    const hostStyle =
      spec.kind === "host" || (spec.kind === "vagrant" && lesson.needs.includes("docker"));
    if (!hostStyle) return open();
    // Labs in a machine's own namespaces share them (the same ns1, the same containers c1):
    // lesson tests and mutants there take turns, each until its lab is destroyed.
    const release = await takeHostTurn();
    try {
      return releasedAtEnd(await open(), release);
    } catch (error) {
      release();
      throw error;
    }
  };
  const fallback = fallbackLab === undefined ? undefined : labSpecFromOption(fallbackLab);
  return {
    openLab: opener(spec),
    ...(fallback === undefined
      ? {}
      : { fallback: { name: fallbackLab as string, openLab: opener(fallback) } }),
    // A slow lab (COURSE_TIMEOUT_SCALE, e.g. the VM under emulation) starts a background
    // server slowly too: python3's http.server took over 5 s there.
    settleMs: BACKGROUND_SETTLE_MS * timeoutScale(ctx.env.COURSE_TIMEOUT_SCALE),
    runBlock: (lab, block, lesson) => runCommandBlock(lab, block, lesson),
    async evaluate(lab, checks, lesson, options) {
      const results = await evaluateChecks(lab, checks, {
        timeout: options.timeout ?? lesson.timeout,
        diagnose: options.diagnose,
        leftAlone: leftAloneByLesson(lesson),
      });
      return results.map((r): CheckOutcome => {
        const found = r.diagnosis === undefined ? r.found : `${r.found} (${r.diagnosis})`;
        const outcome: CheckOutcome = {
          check: r.check,
          passed: r.passed,
          expected: r.expected,
          found,
        };
        if (r.timedOut === true) outcome.timedOut = true;
        return outcome;
      });
    },
  };
}

/** The last turn taken in a machine's own namespaces: the next waits for it. */
let hostTurn: Promise<void> = Promise.resolve();

/** Wait for the turn in the machine's own namespaces; resolves to what ends it. */
function takeHostTurn(): Promise<() => void> {
  let release: () => void = () => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const before = hostTurn;
  hostTurn = before.then(() => mine);
  return before.then(() => release);
}

/** `lab`, whose close or destroy (whichever comes first) also calls `release`. */
function releasedAtEnd(lab: Lab, release: () => void): Lab {
  let released = false;
  const end = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  return {
    get id() {
      return lab.id;
    },
    kind: lab.kind,
    description: lab.description,
    get roundTrips() {
      return lab.roundTrips;
    },
    exec: (script, options) => lab.exec(script, options),
    shell: (options) => lab.shell(options),
    shellCommand: (options) => lab.shellCommand(options),
    capabilities: () => lab.capabilities(),
    async close() {
      try {
        await lab.close();
      } finally {
        end();
      }
    },
    async destroy() {
      try {
        await lab.destroy();
      } finally {
        end();
      }
    },
  };
}
