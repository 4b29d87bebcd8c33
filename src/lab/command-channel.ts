import type { ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { LabError } from "../errors.js";
import { CappedOutput } from "./capped-output.js";
import type { ExecResult } from "./types.js";

/** Splits one output stream of the command server into command output and marker lines. */
class MarkerSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private readonly token: Buffer;

  constructor(
    token: string,
    private readonly onData: (chunk: Buffer) => void,
    private readonly onMarker: (words: string[]) => void,
  ) {
    this.token = Buffer.from(`${token} `);
  }

  push(chunk: Buffer): void {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = Buffer.alloc(0);
    for (;;) {
      const at = buf.indexOf(this.token);
      if (at < 0) {
        // Hold back only a tail that could be the start of a marker split across reads: the
        // rest is the command's and goes out now (a prompt without \n, a line of a stream).
        const keep = this.partialTokenAt(buf);
        if (buf.length > keep) this.onData(buf.subarray(0, buf.length - keep));
        this.pending = Buffer.from(buf.subarray(buf.length - keep));
        return;
      }
      const end = buf.indexOf(10, at);
      if (at > 0) this.onData(buf.subarray(0, at));
      if (end < 0) {
        this.pending = Buffer.from(buf.subarray(at));
        return;
      }
      this.onMarker(
        buf
          .subarray(at + this.token.length, end)
          .toString("utf8")
          .split(" "),
      );
      buf = buf.subarray(end + 1);
    }
  }

  /** The length of the longest tail of `buf` that the token starts with (0: none). */
  private partialTokenAt(buf: Buffer): number {
    for (let n = Math.min(buf.length, this.token.length - 1); n > 0; n--) {
      if (buf.subarray(buf.length - n).equals(this.token.subarray(0, n))) return n;
    }
    return 0;
  }
}

interface Running {
  id: string;
  stdout: CappedOutput;
  stderr: CappedOutput;
  stdoutDone: boolean;
  stderrDone: boolean;
  exitCode: number;
  pid: number | undefined;
  timedOut: boolean;
  killRequested: boolean;
  started: number;
  timers: NodeJS.Timeout[];
  resolve: (result: ExecResult) => void;
  reject: (error: unknown) => void;
}

export interface ChannelRunOptions {
  /** Seconds; the whole process group of the command is killed after it. */
  timeout: number;
  onOutput?: (chunk: string, stream: "stdout" | "stderr") => void;
}

/**
 * The node side of the command server protocol (see SERVER_SCRIPT): one child process, one
 * command at a time. Output is attributed to the running command until its end marker; output
 * that background processes write later is dropped while no command runs.
 */
export class CommandChannel {
  private running: Running | undefined;
  private ended = 0;
  /** Taken by one exec() call (set by the pool before the command is sent). */
  reserved = false;
  /** Set once the server process can take no more commands. */
  dead = false;
  private deathReason = "";

  constructor(
    readonly child: ChildProcess,
    token: string,
    private readonly killGroup: (pid: number) => Promise<void>,
    private readonly describe: string,
  ) {
    const out = new MarkerSplitter(
      token,
      (b) => this.running?.stdout.push(b),
      (w) => this.marker("stdout", w),
    );
    const err = new MarkerSplitter(
      token,
      (b) => this.running?.stderr.push(b),
      (w) => this.marker("stderr", w),
    );
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    const onEnd = () => {
      this.ended += 1;
      if (this.ended >= 2) this.die("its shell ended");
    };
    child.stdout?.on("end", onEnd);
    child.stderr?.on("end", onEnd);
    child.on("error", (e) => this.die(`its shell could not start: ${e.message}`));
    child.stdin?.on("error", () => {
      // EPIPE when the shell is gone: reported through die() by the stream ends.
    });
    this.hold(false);
  }

  /**
   * Hold the event loop only while a command runs: an idle lab shell must never keep
   * `course` from exiting, and a running command must keep it alive until it ends.
   */
  private hold(on: boolean): void {
    const child = this.child;
    if (on) child.ref();
    else child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as Array<Socket | null>) {
      if (on) s?.ref?.();
      else s?.unref?.();
    }
  }

  /** Send one `__run` call (already quoted) and resolve when the command itself ends. */
  run(id: string, call: string | undefined, options: ChannelRunOptions): Promise<ExecResult> {
    if (this.dead) {
      return Promise.reject(new LabError(`${this.describe} is gone: ${this.deathReason}`));
    }
    return new Promise<ExecResult>((resolve, reject) => {
      const onOutput = options.onOutput;
      const running: Running = {
        id,
        stdout: new CappedOutput(undefined, onOutput ? (s) => onOutput(s, "stdout") : undefined),
        stderr: new CappedOutput(undefined, onOutput ? (s) => onOutput(s, "stderr") : undefined),
        stdoutDone: false,
        stderrDone: false,
        exitCode: -1,
        pid: undefined,
        timedOut: false,
        killRequested: false,
        started: performance.now(),
        timers: [],
        resolve,
        reject,
      };
      this.running = running;
      this.hold(true);
      const ms = Math.max(1, options.timeout * 1000);
      running.timers.push(
        setTimeout(() => {
          running.timedOut = true;
          running.killRequested = true;
          if (running.pid !== undefined) this.kill(running.pid);
        }, ms),
        // If the kill cannot reach the lab, give up on this shell rather than hang.
        setTimeout(() => {
          if (this.running !== running) return;
          running.timedOut = true;
          this.finish(running, 137);
          this.die("a command did not end after its timeout");
          this.child.kill("SIGKILL");
        }, ms + 10_000),
      );
      for (const t of running.timers) t.unref();
      if (call !== undefined) this.child.stdin?.write(`${call}\0`);
    });
  }

  private kill(pid: number): void {
    this.killGroup(pid).catch(() => {
      // The fallback timer above deals with a lab that cannot be reached.
    });
  }

  private marker(stream: "stdout" | "stderr", words: string[]): void {
    const running = this.running;
    if (running === undefined || words[0] !== running.id) return;
    if (stream === "stderr") {
      running.stderrDone = true;
    } else if (words[1] === "pid") {
      running.pid = Number(words[2]);
      if (running.killRequested) this.kill(running.pid);
      return;
    } else if (words[1] === "rc") {
      running.stdoutDone = true;
      running.exitCode = Number(words[2]);
    }
    if (running.stdoutDone && running.stderrDone) this.finish(running, running.exitCode);
  }

  private finish(running: Running, exitCode: number): void {
    for (const t of running.timers) clearTimeout(t);
    if (this.running === running) this.running = undefined;
    this.hold(false);
    let stderr = running.stderr.text();
    if (running.timedOut) {
      const note = "course: timed out; the command and every process it started were killed\n";
      stderr = stderr.endsWith("\n") || stderr === "" ? stderr + note : `${stderr}\n${note}`;
    }
    running.resolve({
      exitCode,
      stdout: running.stdout.text(),
      stderr,
      durationMs: performance.now() - running.started,
      timedOut: running.timedOut,
      truncated: running.stdout.truncated || running.stderr.truncated,
    });
  }

  private die(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.deathReason = reason;
    const running = this.running;
    if (running !== undefined) {
      this.running = undefined;
      this.hold(false);
      for (const t of running.timers) clearTimeout(t);
      running.reject(
        new LabError(`${this.describe} broke while running a command: ${reason}`, {
          hint: "The lab may have been reset meanwhile; run the command again to get a fresh lab.",
        }),
      );
    }
  }

  /** Stop the server: it ends after the command in progress. */
  close(): void {
    this.dead = true;
    this.deathReason ||= "closed";
    this.child.stdin?.end();
  }
}
