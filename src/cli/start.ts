import { UsageError } from "../errors.js";
import type { CommandContext } from "./context.js";

// Placeholder until the issue that owns `course start` lands; replaced, not kept.
export async function startCommand(_ctx: CommandContext, ..._args: unknown[]): Promise<number> {
  throw new UsageError("`course start` is not available yet");
}
