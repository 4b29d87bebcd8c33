/** A one-line spinner for slow steps (making a lab) on a terminal; a plain line elsewhere. */
import type { Writable } from "node:stream";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Spinner {
  /** Replace the spinner line with `final` (or clear it). */
  stop(final?: string): void;
}

/** Start a spinner showing `text`; animated only when `animate` (a terminal). */
export function startSpinner(out: Writable, text: string, animate: boolean): Spinner {
  if (!animate) {
    out.write(`${text}\n`);
    return { stop: (final) => (final === undefined ? undefined : void out.write(`${final}\n`)) };
  }
  let i = 0;
  const draw = () => out.write(`\r\u001b[2K${FRAMES[i++ % FRAMES.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 80);
  return {
    stop(final) {
      clearInterval(timer);
      out.write(`\r\u001b[2K${final === undefined ? "" : `${final}\n`}`);
    },
  };
}
