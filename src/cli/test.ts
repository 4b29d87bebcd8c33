import { UsageError } from "../errors.js";
import type { CommandContext } from "./context.js";

// Placeholder until the issue that owns `course test` lands; replaced, not kept.
export async function testCommand(_ctx: CommandContext, ..._args: unknown[]): Promise<number> {
  throw new UsageError("`course test` is not available yet");
}
