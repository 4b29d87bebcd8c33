/** What a one-shot process did: its exit code and all of its output. */
export interface ProcessResult {
  /** The exit code; 128 when a signal ended it (a timeout too), 1 when there was none. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Killed because it ran past `timeoutMs`. */
  timedOut: boolean;
  /** The command line as a shell would read it, for messages: `vagrant ssh-config`. */
  command: string;
}

export interface RunProcessOptions {
  cwd?: string;
  /** Exactly this environment (not added to ours). @default this process's */
  env?: NodeJS.ProcessEnv;
  /** Written to its standard input, which is then closed. @default nothing (closed at once) */
  input?: string;
  /** Killed (SIGTERM, then SIGKILL 5 s later) after this many milliseconds. */
  timeoutMs?: number;
  /**
   * In a process group of its own: Ctrl-C on the terminal does not reach it, nor does the
   * clean-up on our exit (a lab holder started this way outlives the CLI run on purpose).
   */
  detached?: boolean;
  /** Each line of its output (standard output and error, as they come), for progress. */
  onLine?: (line: string) => void;
}

/** The program could not be started (not installed: `code` ENOENT, not executable: EACCES). */
export class StartError extends Error {
  constructor(
    readonly command: string,
    readonly code: string | undefined,
    options: { cause: unknown },
  ) {
    super(`cannot run \`${command}\`: ${code ?? "it did not start"}`, options);
    this.name = "StartError";
  }
}

/**
 * Run a program to its end and collect its output, through execa: a timeout that kills it,
 * killed too when course exits first (unless detached), and the command quoted in messages.
 * A non-zero exit is a result, not an error. execa is imported here, on first use, so that
 * commands that start no process (`--help`, `list`, `status`) never load it.
 * @throws StartError when the program cannot be started.
 */
export async function runProcess(
  file: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  const { execa } = await import("execa");
  const subprocess = execa(file, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env, extendEnv: false }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    input: options.input ?? "",
    detached: options.detached === true,
    all: options.onLine !== undefined,
    reject: false,
    stripFinalNewline: false,
  });
  if (options.onLine !== undefined) {
    for await (const line of subprocess.iterable({ from: "all" })) options.onLine(line);
  }
  const result = await subprocess;
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    throw new StartError(result.escapedCommand, code, { cause: result });
  }
  return {
    exitCode: result.exitCode ?? (result.signal === undefined ? 1 : 128),
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    timedOut: result.timedOut,
    command: result.escapedCommand,
  };
}
