import { createHash, createHmac, randomBytes } from "node:crypto";
import { readFileSync, rmdirSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { LabError, UsageError } from "../errors.js";
import { LabExecutor } from "./lab-executor.js";
import {
  DESTROY_SCRIPT,
  HOLDER_SCRIPT,
  LAB_ROOT_ID_BASE,
  OPEN_PERSISTENT_SCRIPT,
} from "./lab-scripts.js";
import { labShell, labShellCommand } from "./run-interactive.js";
import { parseRecord, runLabScript } from "./run-lab-script.js";
import { shellQuote } from "./shell-quote.js";
import type { ProcessCommand, Transport } from "./transport.js";
import type {
  ExecOptions,
  ExecResult,
  Lab,
  LabCapabilities,
  LabShellOptions,
  OpenedLab,
  OpenLabOptions,
  ShellCommandOptions,
} from "./types.js";

export interface SandboxLabOptions extends OpenLabOptions {
  transport: Transport;
  /** Where lab records live on the lab machine. */
  runtimeDir: string;
  /**
   * Commands reach the lab machine as root. Either way the lab gets a user namespace: as root,
   * root in the lab is host id LAB_ROOT_ID_BASE (and the 65535 ids after it).
   */
  privileged: boolean;
  /** Unprivileged: map the user's subordinate ids (newuidmap, as `unshare --map-auto`). */
  subordinateIds: boolean;
  /** Size of each of the lab's tmpfs mounts (its writes, /tmp, /run, /dev/shm). @default 64m */
  tmpfsSize?: string;
  /** Processes root of the lab may run at once (RLIMIT_NPROC). @default 512 */
  processLimit?: number;
  /**
   * Memory of the lab, e.g. 512m: as root, a memory cgroup of the lab's own; unprivileged, an
   * RLIMIT_AS of each process in it. @default 512m
   */
  memoryLimit?: string;
  /** How commands run: persistent shells (default) or one process per command. */
  execMode?: "server" | "spawn";
  /** The key lab ids are derived with (`labIdSecret`); without it, a plain hash of the key. */
  idSecret?: string;
}

/**
 * A lab's id: the label (lesson id) plus a hash of its key, keyed with `secret` (a random key of
 * the user's, `labIdSecret`) so that another user cannot work the id out from the course's
 * path; ephemeral labs add a unique tail.
 */
export function sandboxLabId(
  key: string,
  label: string,
  persistent: boolean,
  secret?: string,
): string {
  const name =
    label
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 24) || "lab";
  const hash = (secret === undefined ? createHash("sha256") : createHmac("sha256", secret))
    .update(key)
    .digest("hex")
    .slice(0, 12);
  if (persistent) return `${name}-${hash}`;
  return `${name}-${hash}-e${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** A hostname for the lab: its label, as a valid host name. */
function labHostname(label: string): string {
  const name = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return name === "" ? "lab" : name;
}

function doctorHint(): string {
  return "Run `course doctor` to see what this machine lacks and how to fix it.";
}

interface Holder {
  pid: number;
  created: boolean;
  warnings: string[];
  /** As root: the lab's memory cgroup (a directory on the lab machine). */
  cgroup?: string;
  /**
   * Ephemeral labs: the pipe whose end ends the lab; when the lab's PID 1 has closed its copy of
   * our stdout (it is ending), and when the process we started has cleaned up after the lab.
   */
  lifeline?: {
    child: import("node:child_process").ChildProcess;
    holderClosed: Promise<void>;
    ended: Promise<void>;
  };
}

function holderArgv(o: SandboxLabOptions, id: string): string[] {
  const ids = o.privileged ? `map:${LAB_ROOT_ID_BASE}` : o.subordinateIds ? "auto" : "one";
  return [
    "perl",
    "-e",
    HOLDER_SCRIPT,
    "--",
    `${o.runtimeDir}/labs`,
    id,
    labHostname(o.label),
    o.persistent ? "1" : "0",
    o.privileged ? "root" : "user",
    o.label.replace(/[\0\n]/g, " "),
    o.key.replace(/[\0\n]/g, " "),
    ids,
    o.tmpfsSize ?? DEFAULT_TMPFS_SIZE,
    String(o.processLimit ?? DEFAULT_PROCESS_LIMIT),
    String(sizeInBytes(o.memoryLimit ?? DEFAULT_MEMORY_LIMIT)),
  ];
}

/** `64m`, `1g`, `4096` (bytes) as a number of bytes. */
function sizeInBytes(size: string): number {
  const unit = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[size.slice(-1).toLowerCase()];
  return unit === undefined ? Number(size) : Number(size.slice(0, -1)) * unit;
}

/**
 * Runs the rest of the argv on a pty of the lab's own devpts: script(1) allocates it and relays
 * the terminal (keys, window size) to it; bash quotes the argv into script's command line.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${*@Q}, not a template
const ON_A_LAB_PTY = ["bash", "-c", 'SHELL=/bin/bash exec script -qefc "${*@Q}" /dev/null', "bash"];

/** Each tmpfs of a lab (its writes over the host's files, /tmp, /run, /dev/shm). */
export const DEFAULT_TMPFS_SIZE = "64m";

/** Processes at once in a lab: the course's lessons use a few dozen. */
export const DEFAULT_PROCESS_LIMIT = 512;

/**
 * Memory of a lab: the lessons' tools (bash, iptables, tcpdump, python3 -m http.server, nc)
 * take a few MiB each.
 */
export const DEFAULT_MEMORY_LIMIT = "512m";

/**
 * The lab's limits from `COURSE_LAB_TMPFS` (a size such as 64m or 1g), `COURSE_LAB_PROCS`
 * (a number of processes) and `COURSE_LAB_MEMORY` (a size, at least 64m).
 * @throws UsageError for a value that is not one.
 */
export function labLimits(env: NodeJS.ProcessEnv): {
  tmpfsSize: string;
  processLimit: number;
  memoryLimit: string;
} {
  const size = env.COURSE_LAB_TMPFS?.trim() || DEFAULT_TMPFS_SIZE;
  if (!/^[1-9][0-9]*[kmg]?$/i.test(size)) {
    throw new UsageError(`COURSE_LAB_TMPFS=${JSON.stringify(size)} is not a size`, {
      hint: "Give bytes or a size with k, m or g, e.g. COURSE_LAB_TMPFS=256m.",
    });
  }
  const procs = env.COURSE_LAB_PROCS?.trim() || String(DEFAULT_PROCESS_LIMIT);
  if (!/^[1-9][0-9]{0,6}$/.test(procs) || Number(procs) < 16) {
    throw new UsageError(`COURSE_LAB_PROCS=${JSON.stringify(procs)} is not a process count`, {
      hint: "Give a whole number of at least 16, e.g. COURSE_LAB_PROCS=2048.",
    });
  }
  const memory = env.COURSE_LAB_MEMORY?.trim() || DEFAULT_MEMORY_LIMIT;
  if (!/^[1-9][0-9]*[kmg]?$/i.test(memory) || sizeInBytes(memory) < 64 * 2 ** 20) {
    throw new UsageError(`COURSE_LAB_MEMORY=${JSON.stringify(memory)} is not a memory size`, {
      hint: "Give a size of at least 64m, with k, m or g, e.g. COURSE_LAB_MEMORY=2g.",
    });
  }
  return {
    tmpfsSize: size.toLowerCase(),
    processLimit: Number(procs),
    memoryLimit: memory.toLowerCase(),
  };
}

function holderFailure(id: string, lines: string[], stderr: string): LabError {
  const said = [...lines.filter((l) => !l.startsWith("ready")), ...stderr.split("\n")]
    .map((l) => l.replace(/^error /, "").trim())
    .filter((l) => l !== "");
  return new LabError(
    `cannot create the sandbox lab ${id}: ${said.length > 0 ? said.join("; ") : "its holder ended without saying why"}`,
    { hint: doctorHint() },
  );
}

async function startPersistent(o: SandboxLabOptions, id: string): Promise<Holder> {
  const result = await runLabScript(
    o.transport,
    OPEN_PERSISTENT_SCRIPT,
    [`${o.runtimeDir}/labs`, id, ...holderArgv(o, id)],
    { detached: true },
  );
  const lines = result.stdout.split("\n").filter((l) => l !== "");
  if (lines[0] === "existing") {
    const record = parseRecord(lines.slice(1));
    const pid = Number(record.pid);
    if (!Number.isInteger(pid) || pid <= 0) throw holderFailure(id, lines, result.stderr);
    return {
      pid,
      created: false,
      warnings: [],
      ...(record.cgroup ? { cgroup: record.cgroup } : {}),
    };
  }
  const ready = lines.find((l) => l.startsWith("ready "));
  if (result.exitCode !== 0 || ready === undefined) {
    throw holderFailure(id, lines, result.stderr);
  }
  return { pid: Number(ready.slice("ready ".length)), created: true, ...holderSaid(lines) };
}

/** What the holder said besides `ready`: warnings, and its memory cgroup. */
function holderSaid(lines: string[]): { warnings: string[]; cgroup?: string } {
  const cgroup = lines.find((l) => l.startsWith("cgroup "))?.slice("cgroup ".length);
  return {
    warnings: lines.filter((l) => l.startsWith("warning ")).map((l) => l.slice(8)),
    ...(cgroup ? { cgroup } : {}),
  };
}

function startEphemeral(o: SandboxLabOptions, id: string): Promise<Holder> {
  // The holder reads its stdin until EOF: when this process ends, even by kill -9, the pipe
  // closes and the lab ends with it. Detached, so Ctrl-C on the terminal does not reach it.
  const child = o.transport.spawn(holderArgv(o, id), { stdio: "pipe", detached: true });
  // The holder keeps our end of its stdout until the lab ends (its creator exits at once).
  const ended = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const holderClosed = new Promise<void>((resolve) => child.stdout?.once("close", resolve));
  return new Promise<Holder>((resolve, reject) => {
    const lines: string[] = [];
    let stderr = "";
    let buffered = "";
    let done = false;
    child.stderr?.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    child.stdout?.on("data", (b: Buffer) => {
      if (done) return;
      buffered += b.toString("utf8");
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        if (line.startsWith("ready ")) {
          done = true;
          child.unref();
          for (const s of [child.stdin, child.stdout, child.stderr] as Array<Socket | null>) {
            s?.unref?.();
          }
          resolve({
            pid: Number(line.slice(6)),
            created: true,
            ...holderSaid(lines),
            lifeline: { child, holderClosed, ended },
          });
          return;
        }
        nl = buffered.indexOf("\n");
      }
    });
    child.on("error", (e) => {
      if (!done) {
        done = true;
        reject(new LabError(`cannot start perl: ${e.message}`, { hint: doctorHint() }));
      }
    });
    child.on("close", () => {
      if (!done) {
        done = true;
        reject(holderFailure(id, lines, stderr));
      }
    });
    child.stdin?.on("error", () => {
      // The holder is gone; reported by "close".
    });
  });
}

/**
 * When a command failed on one of the lab's limits, the line that says which and how to raise
 * it (the kernel only says "Resource temporarily unavailable", "No space left on device",
 * "Cannot allocate memory" or kills the process). `memoryKilled`: the lab's memory cgroup killed
 * a process during the command.
 */
export function limitReached(
  stderr: string,
  o: Pick<SandboxLabOptions, "processLimit" | "tmpfsSize" | "memoryLimit">,
  memoryKilled = false,
): string | undefined {
  if (/fork: (retry: )?Resource temporarily unavailable|Cannot fork|can't fork/i.test(stderr)) {
    return limitMessage("processes", o);
  }
  if (/No space left on device/.test(stderr)) return limitMessage("tmpfs", o);
  if (
    memoryKilled ||
    /MemoryError|Cannot allocate memory|cannot allocate|[Oo]ut of memory|bad_alloc/.test(stderr)
  ) {
    return limitMessage("memory", o);
  }
  return undefined;
}

/** The line that says which of the lab's limits was reached and how to raise it. */
export function limitMessage(
  which: "processes" | "tmpfs" | "memory",
  o: Pick<SandboxLabOptions, "processLimit" | "tmpfsSize" | "memoryLimit">,
): string {
  const reset = "(then `course reset` the lesson)";
  if (which === "processes") {
    const n = o.processLimit ?? DEFAULT_PROCESS_LIMIT;
    return `course: the lab reached its limit of ${n} processes; raise it with COURSE_LAB_PROCS=${n * 4} ${reset}`;
  }
  if (which === "tmpfs") {
    const size = o.tmpfsSize ?? DEFAULT_TMPFS_SIZE;
    return `course: a filesystem of the lab is full (each of its tmpfs holds ${size}); raise it with COURSE_LAB_TMPFS=1g ${reset}`;
  }
  const size = o.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  const more = `${sizeInBytes(size) >= 2 ** 30 ? 4 * (sizeInBytes(size) / 2 ** 30) : 2}g`;
  return `course: the lab reached its memory limit of ${size}; raise it with COURSE_LAB_MEMORY=${more} ${reset}`;
}

/**
 * bash code for the lab's interactive shells: an ERR trap that, after a command failed, says
 * which of the lab's limits it reached, as limitReached does for the commands course runs (an
 * interactive shell's output goes straight to the terminal, so it is judged from the lab's
 * state instead): its processes near the limit, a tmpfs that became full (df, only after a
 * failure), or a command killed by SIGKILL, which is what the memory cgroup does (the lab cannot
 * read the cgroup's counter; unprivileged, an allocation fails and the program says so).
 * `eval`ed once by the shell's first PROMPT_COMMAND.
 */
export function limitShellCode(
  o: Pick<SandboxLabOptions, "processLimit" | "tmpfsSize" | "memoryLimit">,
): string {
  const near = Math.floor((o.processLimit ?? DEFAULT_PROCESS_LIMIT) * 0.95);
  const memory = limitMessage("memory", o).replace(
    "course: the lab reached its memory limit",
    "course: killed (SIGKILL), as by the lab's memory limit",
  );
  return `__course_full=
__course_limits() {
  local s=$? p u m full=
  case $BASH_COMMAND in __course_* | 'return "$s"' | 'return $s') return $s ;; esac
  p=(/proc/[0-9]*)
  [ \${#p[@]} -lt ${near} ] || echo ${shellQuote(limitMessage("processes", o))} >&2
  while read -r _ _ _ _ u m; do [ "$u" != 100% ] || full="$full $m"; done < <(df -P 2>/dev/null)
  [ "$full" = "$__course_full" ] || [ -z "$full" ] || echo ${shellQuote(limitMessage("tmpfs", o))} >&2
  __course_full=$full
  [ "$s" != 137 ] || echo ${shellQuote(memory)} >&2
  return $s
}
trap __course_limits ERR`;
}

/**
 * A shell's environment entries plus limitShellCode, run by its first PROMPT_COMMAND before the
 * one `env` gives (the shell integration's), or alone.
 */
function withLimitMessages(
  env: string[],
  o: Pick<SandboxLabOptions, "processLimit" | "tmpfsSize" | "memoryLimit">,
): string[] {
  const install = 'eval "$__course_limits"; unset __course_limits';
  const theirs = env.find((e) => e.startsWith("PROMPT_COMMAND="));
  return [
    ...env.filter((e) => e !== theirs),
    `__course_limits=${limitShellCode(o)}`,
    theirs === undefined
      ? `PROMPT_COMMAND=${install}; unset PROMPT_COMMAND`
      : `PROMPT_COMMAND=${install}; ${theirs.slice("PROMPT_COMMAND=".length)}`,
  ];
}

/** How many processes the memory cgroup `dir` (on this machine) has killed so far. */
function memoryKills(dir: string): number {
  for (const [file, key] of [
    ["memory.events", "oom_kill"],
    ["memory.oom_control", "oom_kill"],
  ] as const) {
    try {
      const text = readFileSync(`${dir}/${file}`, "utf8");
      return Number(new RegExp(`^${key} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    } catch {
      // Not this cgroup version's file.
    }
  }
  return 0;
}

/**
 * Ask `attempt` about every millisecond, at most `tries` times: its first answer (undefined: ask
 * again), else false.
 */
async function pollEveryMs(tries: number, attempt: () => boolean | undefined): Promise<boolean> {
  for (let tried = 0; tried < tries; tried += 1) {
    const answer = attempt();
    if (answer !== undefined) return answer;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return false;
}

/**
 * Whether process `pid` (on this machine) ended, a zombie or gone, within about two seconds:
 * when a lab's PID 1 is a zombie the kernel has ended every other process of the lab.
 */
function processEnded(pid: number): Promise<boolean> {
  return pollEveryMs(2000, () => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return true;
    }
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z") ? true : undefined;
  });
}

/** Remove the (emptied) cgroup `dir` on this machine; false if it stays busy for a second. */
function removeCgroup(dir: string): Promise<boolean> {
  return pollEveryMs(1000, () => {
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === "ENOENT" ? true : code === "EBUSY" ? undefined : false;
    }
  });
}

class SandboxLab implements Lab {
  readonly kind = "sandbox" as const;
  private readonly executor: LabExecutor;
  private readonly prefix: string[];
  /** Processes entering the lab get its process limit too (they do not descend from PID 1). */
  private readonly limit: string[];
  private destroyed = false;

  constructor(
    readonly id: string,
    readonly description: string,
    private readonly o: SandboxLabOptions,
    private readonly holder: Holder,
  ) {
    const procs = o.processLimit ?? DEFAULT_PROCESS_LIMIT;
    // Without a cgroup (unprivileged), the memory limit is an RLIMIT_AS of each process.
    const memory = sizeInBytes(o.memoryLimit ?? DEFAULT_MEMORY_LIMIT);
    this.limit = [
      "prlimit",
      `--nproc=${procs}:${procs}`,
      ...(holder.cgroup === undefined && !o.privileged ? [`--as=${memory}:${memory}`] : []),
      "--",
    ];
    this.prefix = [
      // As root, every process entering the lab joins its memory cgroup first (they do not
      // descend from PID 1, so they would not be in it). On cgroup v1 it moves its one thread
      // through `tasks`: the kernel skips the global lock a move through cgroup.procs takes,
      // whose RCU grace period cost each command ~7 ms (bench/lab.mjs); v2 has no `tasks`.
      ...(holder.cgroup === undefined
        ? []
        : [
            "sh",
            "-c",
            'if [ -e "$0/tasks" ]; then echo 0 >"$0/tasks"; else echo 0 >"$0/cgroup.procs"; fi && exec "$@"',
            holder.cgroup,
          ]),
      "nsenter",
      "-t",
      String(holder.pid),
      // Root enters as root of the lab (nsenter sets ids 0 and drops supplementary groups);
      // a user keeps their credentials (a one-id map forbids setgroups).
      ...(o.privileged ? ["--user"] : ["--user", "--preserve-credentials"]),
      "--net",
      "--mount",
      "--pid",
      "--uts",
      "--ipc",
    ];
    const executorOptions: ConstructorParameters<typeof LabExecutor>[0] = {
      transport: o.transport,
      prefix: [...this.prefix, "--", ...this.limit],
      home: "/tmp",
      describe: `lab \`${o.label}\``,
      mode: o.execMode ?? "server",
    };
    if (o.debug) executorOptions.debug = o.debug;
    this.executor = new LabExecutor(executorOptions);
  }

  get roundTrips(): number {
    return this.executor.roundTrips;
  }

  async exec(script: string, options?: ExecOptions): Promise<ExecResult> {
    if (this.destroyed) throw new LabError(`lab ${this.id} was destroyed`);
    const cgroup = this.holder.cgroup;
    const local = this.o.transport.name === "local";
    const kills = cgroup !== undefined && local ? memoryKills(cgroup) : 0;
    const result = await this.executor.exec(script, options);
    const killed =
      cgroup !== undefined && local && result.exitCode !== 0 && memoryKills(cgroup) > kills;
    const said = limitReached(result.stderr, this.o, killed);
    return said === undefined ? result : { ...result, stderr: `${result.stderr}${said}\n` };
  }

  shell(options: LabShellOptions = {}): Promise<number> {
    return labShell(
      this.o.transport,
      // nsenter opens --wd before it enters the lab: /tmp would be the host's (outside the lab's
      // root, so `cd ..` could climb the host's tree). The holder's root leads to the lab's.
      [
        ...this.prefix,
        `--wd=/proc/${this.holder.pid}/root/tmp`,
        "--",
        ...this.limit,
        // On a terminal, the shell runs on a pty of the lab's own devpts (script relays to it),
        // so `tty` names it inside the lab: the terminal it was started on is the host's.
        ...(options.terminal === true ? ON_A_LAB_PTY : []),
      ],
      "/tmp",
      this.o.label,
      { ...options, env: withLimitMessages([], this.o) },
    );
  }

  shellCommand(options: ShellCommandOptions = {}): ProcessCommand {
    return labShellCommand(
      this.o.transport,
      // As in shell(): the holder's root leads to the lab's /tmp, not the host's.
      [...this.prefix, `--wd=/proc/${this.holder.pid}/root/tmp`, "--", ...this.limit],
      "/tmp",
      this.o.label,
      { ...options, env: withLimitMessages(options.env ?? [], this.o) },
    );
  }

  async capabilities(): Promise<LabCapabilities> {
    // The sandbox hides the host's /run, so no Docker socket is reachable from inside.
    return { docker: false };
  }

  async close(): Promise<void> {
    this.executor.close();
    if (!this.o.persistent) await this.destroy();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.executor.close();
    const lifeline = this.holder.lifeline;
    if (lifeline) {
      // End of its stdin ends the lab's PID 1, and with it every process of the lab; the
      // process we started removes the record and the cgroup, then exits.
      lifeline.child.ref();
      (lifeline.child.stdout as Socket | null)?.ref?.();
      lifeline.child.stdin?.end();
      if (this.o.transport.name === "local") {
        // The process we started removes the record and the cgroup once the lab has ended,
        // through rm and rmdir: two process starts after a wake-up. Here they cost two system
        // calls, as soon as the lab's PID 1 is gone (what it does then finds nothing to do).
        await lifeline.holderClosed;
        if (await processEnded(this.holder.pid)) {
          rmSync(`${this.o.runtimeDir}/labs/${this.id}.lab`, { force: true });
          if (this.holder.cgroup === undefined || (await removeCgroup(this.holder.cgroup))) {
            lifeline.child.unref();
            return;
          }
        }
      }
      await lifeline.ended;
      return;
    }
    const result = await runLabScript(this.o.transport, DESTROY_SCRIPT, [
      `${this.o.runtimeDir}/labs`,
      this.id,
    ]);
    if (result.exitCode !== 0) {
      throw new LabError(`cannot destroy lab ${this.id}: ${result.stderr.trim()}`);
    }
  }
}

/** Open (or, for a persistent lab, find again) a sandbox lab. */
export async function openSandboxLab(options: SandboxLabOptions): Promise<OpenedLab> {
  let o = options;
  const id = sandboxLabId(o.key, o.label, o.persistent, o.idSecret);
  const started = performance.now();
  let holder: Holder;
  try {
    holder = o.persistent ? await startPersistent(o, id) : await startEphemeral(o, id);
  } catch (error) {
    // newuidmap missing or unable to map (no uidmap package, no setuid bit): fall back to one id.
    if (!(o.subordinateIds && error instanceof LabError && /newuidmap/.test(error.message)))
      throw error;
    o = { ...o, subordinateIds: false };
    holder = o.persistent ? await startPersistent(o, id) : await startEphemeral(o, id);
    holder.warnings.push(
      "newuidmap could not map your subordinate ids (is the uidmap package installed?), so labs map only your own id",
    );
  }
  const mode = o.privileged
    ? "as root"
    : o.subordinateIds
      ? "unprivileged, user namespace with subordinate ids"
      : "unprivileged, user namespace with one id";
  const where = o.transport.name === "local" ? "" : ` on ${o.transport.name}`;
  const description = `sandbox lab${where} (${mode})`;
  const warnings = [...holder.warnings];
  if (!o.privileged && !o.subordinateIds) {
    warnings.push(
      "only your own user id is mapped into the lab: tools that drop privileges (tcpdump, so `capture` checks) fail. Fix: `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER` (see `course doctor`)",
    );
  }
  o.debug?.(
    `lab ${id}: ${holder.created ? "created" : "found"} (holder pid ${holder.pid}) in ${(performance.now() - started).toFixed(1)} ms`,
  );
  const lab = new SandboxLab(id, description, o, holder);
  return { lab, created: holder.created, warnings };
}
