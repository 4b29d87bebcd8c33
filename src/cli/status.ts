import { UsageError } from "../errors.js";
import type { CommandContext } from "./context.js";

// Placeholder until the issue that owns `course status` lands; replaced, not kept.
export async function statusCommand(_ctx: CommandContext, ..._args: unknown[]): Promise<number> {
  throw new UsageError("`course status` is not available yet");
}
