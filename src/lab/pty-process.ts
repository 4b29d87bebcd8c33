/**
 * A process under a pseudo-terminal that course owns (node-pty): the live lab shell, whose
 * output course reads (prompt marks) and whose input it can add to (ticks, answers).
 */
import { LabError } from "../errors.js";
import type { ProcessCommand } from "./transport.js";

/** The parts of a node-pty process course uses. */
export interface PtyProcess {
  readonly pid: number;
  write(data: string): void;
  resize(columns: number, rows: number): void;
  onData(listener: (data: string) => void): void;
  /** Called once, with the exit status (128 + signal when killed). */
  onExit(listener: (status: number) => void): void;
  kill(signal?: string): void;
}

/**
 * Start `command` under a new pty of `columns` x `rows`. node-pty is loaded here only: the
 * commands that never open a shell do not pay for its native module.
 */
export async function spawnPty(
  command: ProcessCommand,
  size: { columns: number; rows: number },
): Promise<PtyProcess> {
  let pty: typeof import("@lydell/node-pty");
  try {
    pty = await import("@lydell/node-pty");
  } catch (error) {
    throw new LabError(
      `cannot load node-pty for the lab shell: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: "Reinstall course's dependencies (npm ci), or set COURSE_LIVE=0 for a plain lab shell.",
      },
    );
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(command.env)) if (v !== undefined) env[k] = v;
  const child = pty.spawn(command.file, command.args, {
    name: env.TERM ?? "xterm-256color",
    cols: Math.max(20, size.columns),
    rows: Math.max(5, size.rows),
    env,
  });
  return {
    pid: child.pid,
    write: (data) => child.write(data),
    resize: (columns, rows) => child.resize(Math.max(20, columns), Math.max(5, rows)),
    onData: (listener) => {
      child.onData(listener);
    },
    onExit: (listener) => {
      child.onExit(({ exitCode, signal }) =>
        listener(signal !== undefined && signal !== 0 ? 128 + signal : exitCode),
      );
    },
    kill: (signal) => child.kill(signal),
  };
}
