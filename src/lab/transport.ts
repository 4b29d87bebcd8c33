import type { ChildProcess } from "node:child_process";
import type { ProcessResult } from "./run-process.js";

/** A process to start: what `Transport.command` and `Lab.shellCommand` return. */
export interface ProcessCommand {
  file: string;
  args: string[];
  /** Its environment (the user's own for interactive shells: their terminal settings). */
  env: NodeJS.ProcessEnv;
}

/** How `Transport.run` runs a command. */
export interface RunOptions {
  /** Written to its standard input, which is then closed. */
  input?: string;
  /** In a process group of its own: neither Ctrl-C nor our exit ends it. */
  detached?: boolean;
  /** Killed after this many milliseconds (the result says `timedOut`). */
  timeoutMs?: number;
}

/**
 * How lab commands reach the machine the lab lives on. The sandbox lab is written once against
 * this interface: `local` runs argv here; `ssh` runs the same argv on a remote machine through a
 * kept-alive OpenSSH ControlMaster (root through `sudo -n` when the remote user is not root).
 */
export interface Transport {
  /** `local`, or `ssh://USER@HOST:PORT`. */
  readonly name: string;
  /** The user's environment, which interactive shells start from (their TERM). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Start `argv` on the lab machine with root privileges (or as the local user for the
   * unprivileged sandbox). `tty: true`: the command runs on the user's terminal (an interactive
   * shell whose inherited stdin is a TTY, LabShellOptions.terminal), so a remote one gets a pty.
   */
  spawn(
    argv: string[],
    options: { stdio: "pipe" | "inherit"; tty?: boolean; detached?: boolean },
  ): ChildProcess;
  /**
   * Run `argv` on the lab machine (as `spawn` does, with pipes) to its end and collect its
   * output: one-shot management commands. A non-zero exit is a result.
   * @throws LabError when the program (or ssh) cannot be started.
   */
  run(argv: string[], options?: RunOptions): Promise<ProcessResult>;
  /**
   * The program and arguments that run `argv` on the lab machine from this one, for a caller
   * that starts it itself (under a pseudo-terminal: the live lab shell). `tty`: the remote end
   * gets a terminal too (ssh `-tt`).
   */
  command(argv: string[], options: { tty: boolean }): ProcessCommand;
  /** Release connections held open (the ssh master stays up for later CLI runs). */
  close(): Promise<void>;
}
