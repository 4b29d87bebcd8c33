/**
 * The live lab shell's words: the prompt's label, the line a tick prints, and the step card
 * (`step`, and the shell's first screen). Text only; src/flows/lab-shell.ts puts it on screen.
 */
import pc from "picocolors";
import type { LiveState, LiveUpdate } from "../flows/live-check.js";
import type { SplitState } from "../flows/split-pane.js";
import type { Course, Lesson, Step } from "../lesson/types.js";
import { renderMarkdown } from "./render-markdown.js";
import { visibleText } from "./visible-text.js";

/** `[lesson 2 · step 3/4]`, or `[lesson 2 · done ✓]` once every step passes. */
export function liveLabel(state: LiveState): string {
  const n = state.lesson.position;
  if (state.current === undefined) return `[lesson ${n} · done ✓]`;
  return `[lesson ${n} · step ${state.current.index}/${state.lesson.steps.length}]`;
}

/** What one live run has to say (empty when nothing changed): one line per change. */
export function liveLines(update: LiveUpdate, color: boolean): string[] {
  const c = pc.createColors(color);
  const { lesson } = update.state;
  const title = (i: number) => visibleText(lesson.steps[i - 1]?.title ?? "");
  const out: string[] = [];
  for (const i of update.brokenNow) {
    out.push(
      `${c.yellow("!")} step ${i} no longer passes: ${title(i)} (type \`check\` to see why)`,
    );
  }
  if (update.passedNow.length > 0) {
    const steps = update.passedNow.join(", ");
    const next = update.state.current;
    const then =
      next === undefined
        ? ""
        : ` — next: step ${next.index}/${lesson.steps.length}, ${visibleText(next.title)} (type \`step\`)`;
    out.push(`${c.green("✓")} step ${steps} done${then}`);
  }
  if (update.completedNow || (update.state.lessonPassed && update.passedNow.length > 0)) {
    const unlocked = update.unlocked
      .map(
        (l) =>
          `lesson ${l.position} (${visibleText(l.title)}) unlocked: course start ${l.position}`,
      )
      .join("; ");
    out.push(
      `${c.green("✓")} ${c.bold(`lesson ${lesson.position} "${visibleText(lesson.title)}" complete!`)}${unlocked === "" ? "" : ` ${unlocked}`}`,
    );
  }
  return out;
}

/** The step's heading and text, hints and checks left out (the guided flow's step screen). */
export function renderStepCard(
  lesson: Lesson,
  step: Step,
  options: { width: number; color: boolean },
): string {
  const c = pc.createColors(options.color);
  const head = c.bold(
    c.cyan(`Step ${step.index} of ${lesson.steps.length}: ${visibleText(step.title)}`),
  );
  const body =
    step.markdown.trim() === ""
      ? ""
      : `\n\n${renderMarkdown(step.markdown, { ...options, hideHints: true, hideChecks: true })}`;
  return `${head}${body}`;
}

/** The pane's screen for `state`: the lesson's heading, then the step card (or "done"). */
export function renderSplitPane(
  course: Course,
  state: SplitState,
  options: { width: number; color: boolean },
): string {
  const c = pc.createColors(options.color);
  const lesson = course.lessons.find((l) => l.id === state.lesson);
  if (lesson === undefined) return `The lesson ${visibleText(state.lesson)} is not in this course.`;
  const head = c.bold(
    `Lesson ${lesson.position} of ${course.lessons.length}: ${visibleText(lesson.title)}`,
  );
  const step = state.step === null ? undefined : lesson.steps[state.step - 1];
  if (step === undefined) return `${head}\n\n${c.green("✓")} Every step passes.`;
  return `${head}\n\n${renderStepCard(lesson, step, options)}`;
}
