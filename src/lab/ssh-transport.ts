import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { LabError, UsageError } from "../errors.js";
import { ensurePrivateDir } from "./private-dir.js";
import { type ProcessResult, runProcess, StartError } from "./run-process.js";
import { shellJoin } from "./shell-quote.js";
import type { ProcessCommand, RunOptions, Transport } from "./transport.js";

/** Where an ssh lab lives: `USER@HOST[:PORT]`, any part of which the user's ssh config may fill in. */
export interface SshTarget {
  user?: string;
  /** A host name, an address, or a `Host` alias from the user's ssh config. */
  host: string;
  port?: number;
}

/** What the remote machine told us about itself on the first connection (cached per master). */
export interface SshRemoteInfo {
  /** The remote user is root: commands run as they are, else through `sudo -n`. */
  root: boolean;
}

export interface SshTransportOptions {
  target: SshTarget;
  /** The user's environment: ssh runs in it (its agent), and interactive shells get its TERM. */
  env: NodeJS.ProcessEnv;
  /** Extra ssh arguments (the words of `COURSE_SSH_OPTS`, or those read from `vagrant ssh-config`). */
  options?: string[];
  /** Where the master's control socket lives (kept short: unix socket paths hold ~100 bytes). */
  runtimeDir: string;
  /** How long an idle master stays up between CLI runs, as ssh's ControlPersist. @default "10m" */
  persist?: string;
  /** The ssh client. @default "ssh" */
  ssh?: string;
  /** One line per ssh session (a round trip), for `--debug` and benchmarks. */
  debug?: (line: string) => void;
  /** What to call the lab in messages. @default "ssh lab" */
  label?: string;
}

/** How long a control command (`ssh -O check|exit`) to the local master may take. */
const CONTROL_TIMEOUT_MS = 10_000;

/** Unix socket paths are limited to 108 bytes on Linux, 104 on macOS; stay well below. */
const MAX_SOCKET_PATH = 100;

/**
 * Parse the target of `--lab ssh://USER@HOST[:PORT]` (the `ssh://` is optional;
 * an IPv6 address goes in brackets: `ssh://root@[::1]:2222`).
 * @throws UsageError when the target is empty or the port is not a number.
 */
export function parseSshTarget(spec: string): SshTarget {
  const text = spec.startsWith("ssh://") ? spec.slice("ssh://".length) : spec;
  const fix = "write it as ssh://USER@HOST[:PORT], e.g. --lab ssh://learner@192.168.56.10:22";
  const match = /^(?:([^@/]+)@)?(\[[^\]]+\]|[^:/@]+)(?::([^/]*))?\/?$/.exec(text);
  if (match === null) {
    throw new UsageError(`--lab ${spec}: expected ssh://USER@HOST[:PORT]`, { hint: fix });
  }
  const [, user, rawHost = "", rawPort] = match;
  if (rawHost.startsWith("-") || user?.startsWith("-")) {
    throw new UsageError(
      `--lab ${spec}: a user or host cannot start with "-" (ssh would read it as an option)`,
      { hint: fix },
    );
  }
  const target: SshTarget = { host: rawHost.replace(/^\[(.*)\]$/, "$1") };
  if (user !== undefined) target.user = decodeURIComponent(user);
  if (rawPort !== undefined) {
    const port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
      throw new UsageError(`--lab ${spec}: port ${JSON.stringify(rawPort)} is not 1-65535`, {
        hint: fix,
      });
    }
    target.port = port;
  }
  return target;
}

/** `USER@HOST:PORT` as people write it (parts the ssh config fills in are left out). */
export function formatSshTarget(target: SshTarget): string {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return `${target.user === undefined ? "" : `${target.user}@`}${host}${target.port === undefined ? "" : `:${target.port}`}`;
}

/** The ssh command line that reaches `target`, for hints: `ssh -p 2222 root@host`. */
export function sshCommandFor(target: SshTarget): string {
  const port = target.port === undefined ? "" : `-p ${target.port} `;
  return `ssh ${port}${target.user === undefined ? "" : `${target.user}@`}${target.host}`;
}

/**
 * Runs lab commands on a remote machine through the system OpenSSH client, so the user's
 * ssh config, keys and agent all apply. One master connection (ControlMaster) is kept
 * alive between CLI runs, so a command costs one round trip instead of a handshake; every
 * command is started with `ControlMaster=auto`, so a master that died is replaced by the
 * next command without anyone noticing.
 */
export class SshTransport implements Transport {
  readonly name: string;
  readonly target: SshTarget;
  readonly env: NodeJS.ProcessEnv;
  /** The control socket of the kept-alive master. */
  readonly controlPath: string;
  /** ssh sessions started through this transport: each is one round trip. */
  sessions = 0;
  private readonly options: SshTransportOptions;
  private info: SshRemoteInfo | undefined;

  constructor(options: SshTransportOptions) {
    this.options = options;
    this.target = options.target;
    this.env = options.env;
    this.name = `ssh://${formatSshTarget(options.target)}`;
    this.controlPath = controlPathFor(options);
  }

  /** What the remote reported at the first connection; undefined before `connect()`. */
  get remote(): SshRemoteInfo | undefined {
    return this.info;
  }

  /**
   * Make sure a master connection is up (start one when there is none: one handshake) and
   * learn whether commands need sudo. With a live master this costs no round trip.
   * @throws LabError when ssh cannot connect or log in, or sudo would ask for a password.
   */
  async connect(): Promise<SshRemoteInfo> {
    if (this.info !== undefined) return this.info;
    // Another user who could plant a socket here would see and answer every command.
    ensurePrivateDir(dirname(this.controlPath));
    const alive = await this.masterAlive();
    const cached = this.readInfo();
    if (alive && cached !== undefined) {
      this.info = cached;
      return cached;
    }
    if (!alive) {
      // A stale socket (its master was killed) would stop a new master from listening.
      rmSync(this.controlPath, { force: true });
    }
    // Without a master, this ssh becomes the master (ControlMaster=auto) and runs the probe
    // itself, so connecting and learning about the remote is one handshake; ControlPersist
    // then keeps it in the background for the next commands.
    const probe = [
      "u=$(id -u)",
      'echo "course-uid=$u"',
      'if [ "$u" != 0 ]; then',
      "  if command -v sudo >/dev/null 2>&1; then",
      '    if m=$(sudo -n true 2>&1); then echo course-sudo=ok; else echo "course-sudo=denied $m"; fi',
      "  else echo course-sudo=missing; fi",
      "fi",
    ].join("\n");
    const result = await this.handshake(
      [...this.baseArgs("auto"), "-T", ...this.destination(), shellJoin(["sh", "-c", probe])],
      "connect",
    );
    if (result.exitCode === 255 || !result.stdout.includes("course-uid=")) {
      throw this.connectError(result.stderr, result.exitCode);
    }
    const uid = /course-uid=(\d+)/.exec(result.stdout)?.[1];
    const sudo = /course-sudo=(\S+)(.*)/.exec(result.stdout);
    const user = this.target.user ?? "the remote user";
    if (uid !== "0" && sudo?.[1] === "missing") {
      throw new LabError(`${this.label()}: ${user} is not root and sudo is not installed`, {
        hint: `log in as root (--lab ssh://root@${this.target.host}), or install sudo there and allow ${user} to use it without a password`,
      });
    }
    if (uid !== "0" && sudo?.[1] !== "ok") {
      throw new LabError(
        `${this.label()}: sudo asks ${user} for a password (${(sudo?.[2] ?? "").trim() || "sudo -n true failed"})`,
        {
          hint: `course runs lab commands as root through \`sudo -n\`, which cannot prompt. Allow it on the remote machine:\n  echo '${user === "the remote user" ? "USER" : user} ALL=(ALL) NOPASSWD: ALL' | sudo tee /etc/sudoers.d/course && sudo chmod 440 /etc/sudoers.d/course\nor log in as root.`,
        },
      );
    }
    this.info = { root: uid === "0" };
    this.writeInfo(this.info);
    return this.info;
  }

  /** Whether the master answers on its control socket (a local question: no round trip). */
  async masterAlive(): Promise<boolean> {
    // A local question to the master, which answers at once or is wedged: then it counts as dead.
    const result = await this.collect(
      [...this.baseArgs("no"), "-O", "check", ...this.destination()],
      { timeoutMs: CONTROL_TIMEOUT_MS },
    );
    return result.exitCode === 0;
  }

  /** End the master connection (the next command starts a new one). */
  async stopMaster(): Promise<void> {
    await this.collect([...this.baseArgs("no"), "-O", "exit", ...this.destination()], {
      timeoutMs: CONTROL_TIMEOUT_MS,
    });
    rmSync(this.controlPath, { force: true });
    rmSync(`${this.controlPath}.json`, { force: true });
    this.info = undefined;
  }

  /**
   * Start `argv` as root on the remote machine: as it is when the remote user is root, else
   * through `sudo -n`. Call `connect()` first; without it a remote shell decides at run time.
   */
  spawn(
    argv: string[],
    options: { stdio: "pipe" | "inherit"; tty?: boolean; detached?: boolean },
  ): ChildProcess {
    // The caller asks for a pty only on a terminal (LabShellOptions.terminal): on an inherited
    // pipe (`course shell -c` in a pipe) the command gets the pipe, as locally, and its output
    // keeps its \n.
    return spawn(this.options.ssh ?? "ssh", this.session(argv, options.tty === true), {
      env: this.env,
      stdio: options.stdio,
      detached: options.detached === true,
    });
  }

  /** `argv` as `spawn` runs it, for a caller that starts ssh itself (under a pty). */
  command(argv: string[], options: { tty: boolean }): ProcessCommand {
    const remote = this.asRoot(argv);
    const args = [...this.baseArgs("auto"), options.tty ? "-tt" : "-T"];
    args.push("-o", "LogLevel=ERROR", ...this.destination(), shellJoin(remote));
    this.sessions++;
    return { file: this.options.ssh ?? "ssh", args, env: this.env };
  }

  /** Run `argv` as root remotely to its end and collect its output (one round trip). */
  async run(argv: string[], options: RunOptions = {}): Promise<ProcessResult> {
    return this.collect(this.session(argv, false), options);
  }

  /** ssh's arguments for one session that runs `argv` as root remotely (counted, logged). */
  private session(argv: string[], pty: boolean): string[] {
    const args = [...this.baseArgs("auto"), pty ? "-tt" : "-T"];
    // LogLevel=ERROR: no "Shared connection closed" or known-hosts chatter in command output.
    args.push("-o", "LogLevel=ERROR", ...this.destination(), shellJoin(this.asRoot(argv)));
    this.sessions++;
    this.options.debug?.(`ssh ${this.name}: ${shellJoin(argv.map(brief))}`);
    return args;
  }

  /** Nothing to release: the master stays up for later CLI runs (ControlPersist ends it when idle). */
  async close(): Promise<void> {}

  private asRoot(argv: string[]): string[] {
    if (this.info?.root === true) return argv;
    if (this.info?.root === false) return ["sudo", "-n", "--", ...argv];
    // Unknown (connect() not called): let the remote decide, still in one round trip.
    return [
      "sh",
      "-c",
      'if [ "$(id -u)" = 0 ]; then exec "$@"; else exec sudo -n -- "$@"; fi',
      "sh",
      ...argv,
    ];
  }

  /**
   * `-- HOST`: the host comes after `--`, last of ssh's own arguments, so that a target such as
   * `root@-oProxyCommand=…` can never reach ssh as an option.
   */
  private destination(): string[] {
    return ["--", this.options.target.host];
  }

  /** The ssh options every invocation shares (the host follows: `destination()`). */
  private baseArgs(master: "no" | "auto"): string[] {
    const { target } = this.options;
    // ssh keeps the first value it sees for an option: ours that must hold come first,
    // then the target, then the user's options, then defaults the user may override.
    const args = [
      "-o",
      `ControlPath=${this.controlPath}`,
      "-o",
      `ControlMaster=${master}`,
      "-o",
      `ControlPersist=${this.options.persist ?? "10m"}`,
    ];
    if (target.port !== undefined) args.push("-p", String(target.port));
    if (target.user !== undefined) args.push("-l", target.user);
    args.push(...(this.options.options ?? []));
    args.push(
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
      "-o",
      "ServerAliveInterval=15",
      "-o",
      "ServerAliveCountMax=4",
    );
    return args;
  }

  /** Run ssh with `args` to its end (a missing ssh client is a LabError that says so). */
  private async collect(args: string[], options: RunOptions = {}): Promise<ProcessResult> {
    try {
      return await runProcess(this.options.ssh ?? "ssh", args, { ...options, env: this.env });
    } catch (error) {
      if (!(error instanceof StartError)) throw error;
      if (error.code === "ENOENT") throw sshMissing(error);
      throw new LabError(`${this.label()}: ${error.message}`, { cause: error });
    }
  }

  /** A connection of our own (connect): counted as a round trip and logged. */
  private handshake(args: string[], what: string): Promise<ProcessResult> {
    this.sessions++;
    this.options.debug?.(`ssh ${this.name}: ${what}`);
    return this.collect(args);
  }

  private connectError(stderr: string, exitCode: number): LabError {
    const where = `${this.label()} ${formatSshTarget(this.target)}`;
    const said = stderr.trim().split("\n").slice(-3).join("\n  ");
    const cause = new Error(stderr);
    const opts = "COURSE_SSH_OPTS";
    if (/ENOENT|spawn .* ENOENT/.test(stderr)) return sshMissing(cause);
    if (/Connection refused/i.test(stderr)) {
      return new LabError(`${where}: connection refused (nothing listens for ssh there)`, {
        hint: `check the host and port (ssh://USER@HOST:PORT) and that sshd runs there: ${sshCommandFor(this.target)} true`,
        cause,
      });
    }
    if (
      /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key .* (?:is not known|has changed)/i.test(
        stderr,
      )
    ) {
      return new LabError(`${where}: the host key is unknown or has changed`, {
        hint: `ssh refuses hosts it cannot verify. Connect once by hand to accept the key (${sshCommandFor(this.target)}), or, for a fresh VM, ${opts}="-o StrictHostKeyChecking=accept-new"; if the machine was rebuilt: ssh-keygen -R ${this.target.host}\n  ssh said: ${said}`,
        cause,
      });
    }
    if (/Permission denied|Too many authentication failures/i.test(stderr)) {
      return new LabError(`${where}: login refused (${said})`, {
        hint: `course logs in without prompting (BatchMode): give it a key, e.g. ${opts}="-i ~/.ssh/id_ed25519", load the key into ssh-agent, or install yours with ssh-copy-id ${sshCommandFor(this.target).replace(/^ssh /, "")}`,
        cause,
      });
    }
    if (/Could not resolve hostname/i.test(stderr)) {
      return new LabError(`${where}: unknown host ${JSON.stringify(this.target.host)}`, {
        hint: "check the name, or add a Host entry for it to ~/.ssh/config",
        cause,
      });
    }
    if (/timed out|No route to host|Network is unreachable/i.test(stderr)) {
      return new LabError(`${where}: cannot reach the machine (${said})`, {
        hint: "check that it is running and reachable from here (ping it; a VM may still be booting)",
        cause,
      });
    }
    return new LabError(`${where}: ssh failed (exit ${exitCode}): ${said || "no message"}`, {
      hint: `try it by hand with: ${sshCommandFor(this.target).replace(/^ssh /, "ssh -v ")} true`,
      cause,
    });
  }

  private label(): string {
    return this.options.label ?? "ssh lab";
  }

  private readInfo(): SshRemoteInfo | undefined {
    try {
      const data = JSON.parse(readFileSync(`${this.controlPath}.json`, "utf8")) as unknown;
      if (
        typeof data === "object" &&
        data !== null &&
        typeof Reflect.get(data, "root") === "boolean"
      ) {
        return { root: Reflect.get(data, "root") as boolean };
      }
    } catch {
      // No cache (first run) or a broken one: probe again.
    }
    return undefined;
  }

  private writeInfo(info: SshRemoteInfo): void {
    writeFileSync(`${this.controlPath}.json`, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  }
}

/**
 * The control socket for a target and its options: short, so that it fits a unix socket
 * address, and distinct for each set of options (another key may log in as another user).
 */
function controlPathFor(options: SshTransportOptions): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([formatSshTarget(options.target), options.options ?? []]))
    .digest("hex")
    .slice(0, 16);
  const preferred = join(options.runtimeDir, "ssh", hash);
  if (Buffer.byteLength(preferred) + 24 <= MAX_SOCKET_PATH) return preferred;
  // ssh binds a temporary name (socket + ".XXXXXXXXXXXXXXXX") before renaming it: leave room.
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `course-ssh-${uid}`, hash);
}

/** A word as `--debug` shows it: scripts shortened to their first line. */
function brief(word: string): string {
  const first = word.trim().split("\n")[0] ?? "";
  return word.length <= 48 && !word.includes("\n") ? word : `${first.slice(0, 40)}…`;
}

function sshMissing(cause: unknown): LabError {
  return new LabError("ssh lab: the OpenSSH client (`ssh`) is not installed here", {
    hint: "install it: apt-get install openssh-client (Debian/Ubuntu), or your system's OpenSSH package",
    cause,
  });
}
