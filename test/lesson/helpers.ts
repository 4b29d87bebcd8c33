import { PassThrough } from "node:stream";
import type { CommandContext } from "../../src/context.js";

/** A command context writing to buffers, for calling command functions directly. */
export function testContext(cwd: string, lessons?: string): CommandContext & { out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: string[] = [];
  stdout.on("data", (c: Buffer) => chunks.push(c.toString()));
  stderr.resume();
  const global: CommandContext["global"] = { debug: false, color: false };
  if (lessons !== undefined) global.lessons = lessons;
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {},
    cwd,
    global,
    out: () => chunks.join(""),
  };
}
