/**
 * `course start --split`'s step pane: the step in sight beside the lab shell, redrawn when it
 * changes. The guided flow (and the live checks of its lab shell) write a small state file, the
 * step in sight; the pane's process (`course step-view FILE`, src/cli/step-view.ts) follows that
 * file and redraws the step card (render/render-live.ts's renderSplitPane). A file, not a socket: either side may start first, a
 * redraw after a resize needs only the last state, and nothing is left listening.
 */
import { promises as fs, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { writeAtomically } from "../write-atomically.js";

/** What the pane shows: a lesson (by id) and its step in sight; `step: null` once every step passes. */
export interface SplitState {
  lesson: string;
  step: number | null;
  /** The guided flow's process: the pane ends with it, even when it could not remove the file. */
  pid?: number;
}

/** Write the state the pane follows (readers see the old or the new state, never half of one). */
export async function writeSplitState(file: string, state: SplitState): Promise<void> {
  await writeAtomically(file, `${JSON.stringify(state)}\n`);
}

/** The state in `file`; undefined when it is gone (the guided flow ended) or unreadable. */
export async function readSplitState(file: string): Promise<SplitState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<SplitState>;
    if (typeof parsed.lesson !== "string") return undefined;
    const step = typeof parsed.step === "number" ? parsed.step : null;
    return typeof parsed.pid === "number"
      ? { lesson: parsed.lesson, step, pid: parsed.pid }
      : { lesson: parsed.lesson, step };
  } catch {
    return undefined;
  }
}

/**
 * Call `onChange` with the state in `file` once it exists and whenever it changes, until `signal`
 * aborts, the file is gone after it was seen (the guided flow ended), or its process has died
 * (resolves then). The directory is watched (the file is replaced, not rewritten), with a slow
 * poll behind it in case a change notification is missed.
 */
export async function followSplitState(
  file: string,
  onChange: (state: SplitState) => void,
  signal: AbortSignal,
): Promise<void> {
  let last = "";
  let seen = false;
  let ended = false;
  let reading = Promise.resolve();
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const end = () => {
    ended = true;
    done();
  };
  const look = () => {
    reading = reading.then(async () => {
      if (ended) return;
      const state = await readSplitState(file);
      if (state === undefined) {
        if (seen) end();
        return;
      }
      seen = true;
      if (state.pid !== undefined && !alive(state.pid)) {
        end();
        return;
      }
      const key = JSON.stringify(state);
      if (key === last) return;
      last = key;
      onChange(state);
    });
  };
  const name = basename(file);
  const watcher = watch(dirname(file), (_event, changed) => {
    if (changed === null || changed === name) look();
  });
  const poll = setInterval(look, 1000);
  signal.addEventListener("abort", end, { once: true });
  look();
  try {
    await finished;
  } finally {
    watcher.close();
    clearInterval(poll);
    signal.removeEventListener("abort", end);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
