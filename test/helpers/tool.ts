/**
 * One-shot tools in tests (ip, sysctl, ssh-keygen, tmux commands, the built binary…) through
 * execa, the process library src/ uses (lab/run-process.ts): its errors quote the command line
 * and the tool's stderr. Synchronous, like the child_process calls it replaces, so a test reads
 * top to bottom. Long-lived children a test keeps talking to (servers, ptys, a holder it
 * signals) stay on their own `spawn`.
 */
import { execa, execaSync } from "execa";

/** What one run did. Output is kept as the tool wrote it (final newline included). */
export interface ToolResult {
  /** The exit code; null when a signal (a timeout too) ended it or it never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it never started (`ENOENT`: not installed), undefined when it ran. */
  startError?: string;
  /** The command line as a shell would read it, for test messages. */
  command: string;
}

export interface ToolOptions {
  cwd?: string;
  /** Exactly this environment (a key set to undefined is left out). @default this process's */
  env?: NodeJS.ProcessEnv;
  /** Written to its standard input, which is then closed. @default nothing (closed at once) */
  input?: string;
  /** Killed (SIGTERM) after this many milliseconds. */
  timeout?: number;
}

function execaOptions(options: ToolOptions) {
  return {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env, extendEnv: false }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    input: options.input ?? "",
    stripFinalNewline: false,
  } as const;
}

/** Run `file args` to its end. A non-zero exit or a failure to start is a result, not a throw. */
export function runTool(
  file: string,
  args: readonly string[],
  options: ToolOptions = {},
): ToolResult {
  return toolResult(execaSync(file, args, { ...execaOptions(options), reject: false }));
}

/** runTool, without blocking: for tests that run several at once. */
export async function runToolAsync(
  file: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolResult> {
  return toolResult(await execa(file, args, { ...execaOptions(options), reject: false }));
}

function toolResult(r: {
  exitCode?: number | undefined;
  signal?: string | undefined;
  timedOut: boolean;
  stdout?: unknown;
  stderr?: unknown;
  cause?: unknown;
  escapedCommand: string;
}): ToolResult {
  const started = r.exitCode !== undefined || r.signal !== undefined || r.timedOut;
  return {
    code: r.exitCode ?? null,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    ...(started ? {} : { startError: (r.cause as NodeJS.ErrnoException | undefined)?.code ?? "?" }),
    command: r.escapedCommand,
  };
}

/**
 * Run a tool that must succeed and return its stdout. Anything else throws execa's error, which
 * quotes the command, the exit code or signal, and the tool's stderr.
 */
export function tool(file: string, args: readonly string[], options: ToolOptions = {}): string {
  return String(execaSync(file, args, execaOptions(options)).stdout ?? "");
}
