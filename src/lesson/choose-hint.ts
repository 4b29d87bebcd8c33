/**
 * Which hint of a step to show, in one place: `course verify`, `course hint`, the guided flow,
 * the lab shell's `hint` and the web page's hint button all choose through `chooseHint`.
 *
 * A hint that names the first failing check comes first; else a hint that names no check (it
 * answers the step as a whole); each time the next one after the hint shown last, going round
 * to the first past the last. A hint that names other checks is never brought by a failure it
 * does not answer; only a learner who asks gets one when nothing else is left.
 */
import type { Check, Hint, Step } from "./types.js";

export interface HintChoice {
  hint: Hint;
  /** 1-based position among the step's hints. */
  index: number;
  total: number;
  /** The hint names the failing check. */
  targeted: boolean;
  /** The choice went past the last hint and started again from the first. */
  wrapped: boolean;
}

export interface HintQuestion {
  /** The 1-based index of the hint shown last (as progress remembers it); 0: none yet. */
  shown: number;
  /** The step's first failing check, when known. */
  failing?: Check | undefined;
  /**
   * The learner asked (a command, a button), rather than a failure bringing a hint: when no
   * hint answers the failing check or the step as a whole, any hint will do. @default false
   */
  asked?: boolean;
}

/** The hint to show for `step`, or undefined when it has none that fits. */
export function chooseHint(step: Step, question: HintQuestion): HintChoice | undefined {
  const total = step.hints.length;
  if (total === 0) return undefined;
  const shown = Math.max(0, question.shown);
  // Positions 0… from the hint after the one shown last, round the step's hints once.
  const order = Array.from({ length: total }, (_, k) => shown + k);
  const pick = (fits: (h: Hint) => boolean) =>
    order.find((k) => {
      const hint = step.hints[k % total];
      return hint !== undefined && fits(hint);
    });
  const failing = question.failing === undefined ? -1 : step.checks.indexOf(question.failing);
  let at: number | undefined;
  let targeted = false;
  if (failing >= 0) {
    at = pick((h) => h.answers?.includes(failing) === true);
    targeted = at !== undefined;
    at ??= pick((h) => h.answers === undefined);
    if (at === undefined && question.asked !== true) return undefined;
  }
  at ??= shown;
  const hint = step.hints[at % total];
  if (hint === undefined) return undefined;
  return { hint, index: (at % total) + 1, total, targeted, wrapped: at >= total };
}
