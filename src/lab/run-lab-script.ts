import { LabError } from "../errors.js";
import type { Transport } from "./transport.js";

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a short management script (`sh -c SCRIPT sh ARGS...`) on the lab machine and collect its
 * output. Throws LabError only when the script cannot be started.
 */
export async function runLabScript(
  transport: Transport,
  script: string,
  args: string[],
  options: { detached?: boolean } = {},
): Promise<ScriptResult> {
  try {
    return await transport.run(["sh", "-c", script, "sh", ...args], {
      detached: options.detached === true,
    });
  } catch (error) {
    if (error instanceof LabError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(`cannot run sh on ${transport.name}: ${message}`, { cause: error });
  }
}

/** Parse `key=value` lines. */
export function parseRecord(lines: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf("=");
    if (eq > 0) record[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return record;
}
