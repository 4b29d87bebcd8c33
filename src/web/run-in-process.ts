/**
 * The CLI's own commands run in this process with their output captured: the API's JSON is
 * exactly what `course list --json` and `course verify --json` print, and every rule (locking,
 * recording progress, unlocking the next lesson) stays in one place.
 */
import { Writable } from "node:stream";
import type { CommandContext } from "../context.js";

/** What a command printed and returned. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Writable that keeps what is written to it. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

/** Runs `command` with `ctx`'s options and environment, its streams captured. */
export async function runInProcess(
  ctx: CommandContext,
  command: (ctx: CommandContext) => Promise<number>,
): Promise<Captured> {
  const out = sink();
  const err = sink();
  const code = await command({
    ...ctx,
    stdout: out.stream,
    stderr: err.stream,
    global: { ...ctx.global, color: false },
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
