import { UsageError } from "../errors.js";
import type { CommandContext } from "./context.js";

// Placeholder until the issue that owns `course doctor` lands; replaced, not kept.
export async function doctorCommand(_ctx: CommandContext, ..._args: unknown[]): Promise<number> {
  throw new UsageError("`course doctor` is not available yet");
}
