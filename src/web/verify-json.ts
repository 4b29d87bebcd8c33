/**
 * `POST /api/lessons/NAME/verify`: exactly what `course verify NAME --json` prints, from the
 * command itself run in this process, so locking, recording and unlocking stay in one place.
 */
import type { CommandContext } from "../context.js";
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
