/** The line above a hint the learner asked for: the same words in `course hint`, the guided flow and the lab shell. */
import type { HintChoice } from "../lesson/choose-hint.js";

/** `Hint 2 of 3`, saying so when the hints have gone round to the first again. */
export function hintTitle(choice: Pick<HintChoice, "index" | "total" | "wrapped">): string {
  const title = `Hint ${choice.index} of ${choice.total}`;
  return choice.wrapped ? `${title}, again (past the last hint, back to the first)` : title;
}
