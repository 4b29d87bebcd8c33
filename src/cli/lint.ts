import { UsageError } from "../errors.js";
import type { CommandContext } from "./context.js";

// Placeholder until the issue that owns `course lint` lands; replaced, not kept.
export async function lintCommand(_ctx: CommandContext, ..._args: unknown[]): Promise<number> {
  throw new UsageError("`course lint` is not available yet");
}
