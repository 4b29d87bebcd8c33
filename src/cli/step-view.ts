/**
 * `course step-view FILE` (hidden): the step pane of `course start --split`. Draws the step in
 * sight that the guided flow writes to FILE (src/flows/split-pane.ts), again whenever it changes
 * or the pane is resized; ends when the guided flow does.
 */
import { type CommandContext, useColor } from "../context.js";
import { followSplitState, type SplitState } from "../flows/split-pane.js";
import { requireCourse } from "../load-course.js";
import { renderSplitPane } from "../render/render-live.js";

const CLEAR = "\u001b[H\u001b[2J\u001b[3J";
const HIDE_CURSOR = "\u001b[?25l";
const SHOW_CURSOR = "\u001b[?25h";

export async function stepViewCommand(ctx: CommandContext, file: string): Promise<number> {
  const course = await requireCourse(ctx);
  const color = useColor(ctx);
  let state: SplitState | undefined;
  const draw = () => {
    const width = Math.max(20, Math.min(ctx.stdout.columns ?? 80, 100) - 2);
    const body =
      state === undefined
        ? "Waiting for the guided flow…"
        : renderSplitPane(course, state, { width, color });
    ctx.stdout.write(`${CLEAR}${HIDE_CURSOR}${body.replace(/\r?\n/g, "\r\n")}\r\n`);
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, onSignal);
  ctx.stdout.on("resize", draw);
  draw();
  try {
    await followSplitState(
      file,
      (next) => {
        state = next;
        draw();
      },
      stop.signal,
    );
  } finally {
    ctx.stdout.off("resize", draw);
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(s, onSignal);
    ctx.stdout.write(SHOW_CURSOR);
  }
  return 0;
}
