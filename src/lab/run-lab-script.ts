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
export function runLabScript(
  transport: Transport,
  script: string,
  args: string[],
  options: { detached?: boolean } = {},
): Promise<ScriptResult> {
  const child = transport.spawn(["sh", "-c", script, "sh", ...args], {
    stdio: "pipe",
    detached: options.detached === true,
  });
  child.stdin?.end();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b));
  child.stderr?.on("data", (b: Buffer) => err.push(b));
  return new Promise((resolve, reject) => {
    child.on("error", (e) =>
      reject(new LabError(`cannot run sh on ${transport.name}: ${e.message}`, { cause: e })),
    );
    child.on("close", (code, signal) =>
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
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
