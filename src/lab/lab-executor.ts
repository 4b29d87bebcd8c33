import { randomBytes } from "node:crypto";
import { LabError } from "../errors.js";
import { CommandChannel } from "./command-channel.js";
import { SERVER_LOOP, SERVER_SCRIPT } from "./lab-scripts.js";
import { shellJoin, shellQuote } from "./shell-quote.js";
import type { Transport } from "./transport.js";
import type { ExecOptions, ExecResult } from "./types.js";

/** The fixed environment of every lab command, before `ExecOptions.env`. */
export function labEnvironment(home: string): string[] {
  return [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG=C",
    "LC_ALL=C",
    "TZ=UTC",
    `HOME=${home}`,
    "TERM=dumb",
  ];
}

export interface LabExecutorOptions {
  transport: Transport;
  /** argv that enters the lab (`nsenter -t PID ...`), empty for the host lab. */
  prefix: string[];
  /** HOME inside the lab. */
  home: string;
  /** For messages: "lab `bridge`". */
  describe: string;
  /**
   * `server`: commands go through long-lived shells (at most `maxShells` at once, more calls
   * wait); `spawn`: one process per command. @default "server"
   */
  mode?: "server" | "spawn";
  /** @default 4 */
  maxShells?: number;
  /** Where background fences log to, inside the lab. @default "/tmp" */
  logDir?: string;
  /** One line per round trip. */
  debug?: (line: string) => void;
}

/**
 * Runs lab commands with the exec semantics of the lesson format (see SERVER_SCRIPT), through
 * a small pool of persistent shells so that a command costs a fork, not a process start-up.
 * Concurrent exec() calls are safe: each shell runs one command at a time.
 */
export class LabExecutor {
  private readonly shells: CommandChannel[] = [];
  private readonly waiting: Array<() => void> = [];
  private counter = 0;
  private closed = false;
  roundTrips = 0;

  constructor(private readonly options: LabExecutorOptions) {}

  private shellArgv(token: string, body: string): string[] {
    return [
      ...this.options.prefix,
      "bash",
      "--noprofile",
      "--norc",
      "-c",
      `${SERVER_SCRIPT}\n${body}`,
      "course-lab",
      token,
      ...labEnvironment(this.options.home),
    ];
  }

  private startChannel(body: string, persistent: boolean): CommandChannel {
    const token = `@course-${randomBytes(9).toString("hex")}`;
    // Persistent shells are detached: Ctrl-C at a prompt of the CLI must not kill idle lab
    // shells under it. One-shot ones end with their command and stay in our process group.
    const child = this.options.transport.spawn(this.shellArgv(token, body), {
      stdio: "pipe",
      detached: persistent,
    });
    const channel = new CommandChannel(
      child,
      token,
      (pid) => this.killGroup(pid),
      this.options.describe,
    );
    return channel;
  }

  private async killGroup(pid: number): Promise<void> {
    await this.options.transport
      .run([...this.options.prefix, "kill", "-KILL", "--", `-${pid}`])
      .catch(() => {
        // The command channel's fallback timer deals with a lab that cannot be reached.
      });
  }

  private async acquire(): Promise<CommandChannel> {
    for (;;) {
      if (this.closed) throw new LabError(`${this.options.describe} is closed`);
      for (let i = this.shells.length - 1; i >= 0; i--) {
        const shell = this.shells[i];
        if (shell?.dead) this.shells.splice(i, 1);
      }
      const idle = this.shells.find((s) => !s.reserved);
      if (idle) {
        idle.reserved = true;
        return idle;
      }
      if (this.shells.length < (this.options.maxShells ?? 4)) {
        const shell = this.startChannel(SERVER_LOOP, true);
        shell.reserved = true;
        this.shells.push(shell);
        return shell;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(channel: CommandChannel): void {
    channel.reserved = false;
    this.waiting.shift()?.();
  }

  private call(id: string, script: string, options: ExecOptions, stdin: boolean): string {
    const bg = options.background
      ? `${this.options.logDir ?? "/tmp"}/course-background-${id}.log`
      : "";
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    for (const e of env) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) {
        throw new LabError(`invalid environment variable name in ${JSON.stringify(e)}`);
      }
    }
    return shellJoin(["__run", id, options.netns ?? "", stdin ? "1" : "0", bg, script, ...env]);
  }

  /** Run `script` in the lab; see `Lab.exec`. */
  async exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.counter += 1;
    this.roundTrips += 1;
    const id = `${process.pid}-${this.counter}`;
    const timeout = options.timeout ?? 30;
    const runOptions = options.onOutput ? { timeout, onOutput: options.onOutput } : { timeout };
    let result: ExecResult;
    if (options.input !== undefined || this.options.mode === "spawn") {
      const call = this.call(id, script, options, options.input !== undefined);
      // A one-shot shell: after its end marker, what a backgrounded process still writes is
      // drained (unreferenced) until the pipes close, never waited for.
      const channel = this.startChannel(call, false);
      const promise = channel.run(id, undefined, runOptions);
      const stdin = channel.child.stdin;
      const input = options.input ?? "";
      if (typeof input === "string" || stdin === null) {
        stdin?.end(input);
        result = await promise;
      } else {
        // Streamed as it comes (pipe() waits while the command does not read). The command's
        // end ends the run, not the stream's: what has not come yet is not waited for, and a
        // pipe nobody closes cannot hang the caller.
        // An input that fails (EIO) ends the command's input, as an end would.
        const failed = () => stdin.end();
        input.once("error", failed);
        input.pipe(stdin);
        try {
          result = await promise;
        } finally {
          input.off("error", failed);
          input.unpipe(stdin);
          input.pause();
          stdin.destroy();
        }
      }
    } else {
      const call = this.call(id, script, options, false);
      const channel = await this.acquire();
      try {
        result = await channel.run(id, call, runOptions);
      } finally {
        this.release(channel);
      }
    }
    this.options.debug?.(
      `${this.options.describe}: ${shellQuote(firstLine(script))}${options.netns ? ` (netns ${options.netns})` : ""} → exit ${result.exitCode}${result.timedOut ? " (timed out)" : ""} in ${result.durationMs.toFixed(1)} ms`,
    );
    return result;
  }

  /** End the shells (the lab itself stays). */
  close(): void {
    this.closed = true;
    for (const s of this.shells) s.close();
    this.shells.length = 0;
    for (const w of this.waiting.splice(0)) w();
  }
}

function firstLine(script: string): string {
  const line = script.trim().split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
