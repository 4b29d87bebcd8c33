/**
 * The lab: a disposable Linux machine a lesson runs in. Backends live in src/lab/ and are the
 * only code that starts processes. A lab throws (LabError) only when the lab itself is broken;
 * a command that fails is a result, not an error.
 */
import type { ProcessCommand } from "./transport.js";

export type LabKind = "sandbox" | "host" | "ssh" | "vagrant";

/** Which lab to use, as chosen by `--lab` / `COURSE_LAB`. */
export interface LabSpec {
  kind: LabKind;
  /** For `ssh`: `USER@HOST[:PORT]` (from `ssh://USER@HOST[:PORT]`). */
  target?: string;
}

/** What the lab shell starts with. */
export interface ShellCommandOptions {
  /** Shown in the prompt. @default the lesson id */
  label?: string;
  /** Extra `NAME=VALUE` for the shell's environment (shell integration: src/lab/shell-integration.ts). */
  env?: string[];
}

/** How the lab shell (`Lab.shell`) starts. */
export interface LabShellOptions {
  /** Run this instead of an interactive bash. */
  command?: string;
  /** Shown in the prompt. @default the lesson id */
  label?: string;
  /**
   * The user's standard input is a terminal (the CommandContext's stdin.isTTY), which the shell
   * inherits: a remote shell gets a pty, a sandbox shell one of the lab's own, and the terminal
   * is taken back afterwards. @default false (a pipe: the command reads it, output keeps its \n)
   */
  terminal?: boolean;
}

export interface ExecOptions {
  /** Seconds before the whole process group is killed. @default 30 */
  timeout?: number;
  /** Start detached (a server): resolves at once; output goes to a log inside the lab. */
  background?: boolean;
  /** Extra environment; `LANG=C` and `TZ=UTC` are always set. */
  env?: Record<string, string>;
  /** Run inside this named network namespace of the lab instead of its host namespace. */
  netns?: string;
  /** Live output, as it arrives. */
  onOutput?: (chunk: string, stream: "stdout" | "stderr") => void;
  /** Written to the script's standard input. */
  input?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** Output beyond the cap (the last 1 MiB is kept) was cut; the text says how much. */
  truncated: boolean;
}

export interface LabCapabilities {
  /** A Docker engine answers inside the lab. */
  docker: boolean;
}

export interface Lab {
  /** Stable name of the lab, e.g. `bridge` (the lesson id) plus a course hash. */
  readonly id: string;
  readonly kind: LabKind;
  /** One line for humans: "sandbox lab (unprivileged, user namespace)". */
  readonly description: string;
  /** Lab round trips made so far through this handle (for `--debug` and benchmarks). */
  readonly roundTrips: number;
  /** Run a script with `bash -e -o pipefail` as root in the lab. */
  exec(script: string, options?: ExecOptions): Promise<ExecResult>;
  /** An interactive shell (or `command` when given) on the user's terminal; resolves to its exit status. */
  shell(options?: LabShellOptions): Promise<number>;
  /**
   * How to start that interactive shell from this machine, for a caller that runs it under a
   * pseudo-terminal of its own (the live lab shell of `course shell`/`start`, `course serve`).
   */
  shellCommand(options?: ShellCommandOptions): ProcessCommand;
  capabilities(): Promise<LabCapabilities>;
  /** Let go of this handle; a persistent lab keeps running for later CLI runs. */
  close(): Promise<void>;
  /** End the lab and every process in it; nothing is left behind. */
  destroy(): Promise<void>;
}

export interface OpenLabOptions {
  spec: LabSpec;
  /** Identifies the lab across CLI runs: course directory + lesson id. */
  key: string;
  /** Human label, shown in the shell prompt (the lesson id). */
  label: string;
  /** Keep the lab after this process ends (CLI runs) or tie it to this process (tests). */
  persistent: boolean;
  /** Where lab records live. @default runtimeDir(env) */
  runtimeDir?: string;
  /**
   * The user's environment (the CommandContext's): `COURSE_*` settings, PATH for the tools,
   * TERM for interactive shells.
   */
  env: NodeJS.ProcessEnv;
  /** Where a slow lab says what it is doing (`vagrant up`'s lines). @default not told */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Called with one line per lab round trip when `--debug` is on. */
  debug?: (line: string) => void;
  /**
   * The lesson's `needs` (e.g. `["docker"]`). They choose the lab's shape: on the vagrant lab a
   * lesson that needs docker runs in the VM's own namespaces, where its Docker engine is; the
   * sandbox and ssh labs refuse it (LabLacksError). @default []
   */
  needs?: string[];
}

export interface OpenedLab {
  lab: Lab;
  /** True when this call created the lab (so the lesson's setup must run now). */
  created: boolean;
  /** What the user should know about this lab (e.g. `host` runs on the real network). */
  warnings?: string[];
}
