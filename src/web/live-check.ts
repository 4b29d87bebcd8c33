/**
 * The live check of the browser terminal: after each command (its prompt's OSC 133;D mark),
 * the lesson's checks run in this process and are recorded exactly as `course verify` records
 * them. One function, so that it can be swapped for the flows-level live check when it lands.
 */
import type { CommandContext } from "../cli/context.js";
import { runInProcess } from "./run-in-process.js";

/** The JSON `course verify --json` prints (the report plus `progress`). */
export type VerifyJson = Record<string, unknown> & {
  passed: boolean;
  steps: { index: number; passed: boolean }[];
  progress: { complete: boolean; completedNow: boolean; unlocked: string[] };
};

/** `course verify LESSON --json`, in process. Throws what the command throws (locked, lab). */
export async function verifyJson(ctx: CommandContext, lesson: string): Promise<VerifyJson> {
  const { verifyCommand } = await import("../cli/verify.js");
  const { stdout } = await runInProcess(ctx, (c) => verifyCommand(c, lesson, { json: true }));
  return JSON.parse(stdout) as VerifyJson;
}

/**
 * The shell's prompt marks each finished command with OSC 133;D (the FinalTerm / VS Code shell
 * integration convention); xterm.js ignores the sequence.
 */
export const PROMPT_MARK_ENV = {
  PROMPT_COMMAND: "printf '\\033]133;D;%s\\007' \"$?\"",
};

/** The mark as it appears in the pty's output. */
export const PROMPT_MARK = "\u001b]133;D";
