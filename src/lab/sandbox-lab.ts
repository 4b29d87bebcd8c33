import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { LabError, UsageError } from "../errors.js";
import { LabExecutor } from "./lab-executor.js";
import {
  DESTROY_SCRIPT,
  INIT_SCRIPT,
  LAB_ROOT_ID_BASE,
  LAUNCH_SCRIPT,
  OPEN_PERSISTENT_SCRIPT,
} from "./lab-scripts.js";
import { labShell, labShellCommand } from "./run-interactive.js";
import { parseRecord, runLabScript } from "./run-lab-script.js";
import type { ProcessCommand, Transport } from "./transport.js";
import type {
  ExecOptions,
  ExecResult,
  Lab,
  LabCapabilities,
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
   * root in the lab is host id `rootIdBase` (and the 65535 ids after it).
   */
  privileged: boolean;
  /** Unprivileged: map the user's subordinate ids (`unshare --map-auto`). */
  subordinateIds: boolean;
  /** As root: the first host id of the lab's ids. @default LAB_ROOT_ID_BASE */
  rootIdBase?: number;
  /** Size of each of the lab's tmpfs mounts (its writes, /tmp, /run, /dev/shm). @default 64m */
  tmpfsSize?: string;
  /** Processes root of the lab may run at once (RLIMIT_NPROC). @default 512 */
  processLimit?: number;
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
  /** Ephemeral labs: the pipe whose end ends the lab. */
  lifeline?: import("node:child_process").ChildProcess;
}

function holderArgv(o: SandboxLabOptions, id: string): string[] {
  const ids = o.privileged
    ? `map:${o.rootIdBase ?? LAB_ROOT_ID_BASE}`
    : o.subordinateIds
      ? "auto"
      : "one";
  return [
    "sh",
    "-c",
    LAUNCH_SCRIPT,
    "course-launch",
    INIT_SCRIPT,
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
  ];
}

/** Each tmpfs of a lab (its writes over the host's files, /tmp, /run, /dev/shm). */
export const DEFAULT_TMPFS_SIZE = "64m";

/** Processes at once in a lab: the course's lessons use a few dozen. */
export const DEFAULT_PROCESS_LIMIT = 512;

/**
 * The lab's limits from `COURSE_LAB_TMPFS` (a size such as 64m or 1g) and `COURSE_LAB_PROCS`
 * (a number of processes).
 * @throws UsageError for a value that is not one.
 */
export function labLimits(env: NodeJS.ProcessEnv): {
  tmpfsSize: string;
  processLimit: number;
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
  return { tmpfsSize: size.toLowerCase(), processLimit: Number(procs) };
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
    return { pid, created: false, warnings: [] };
  }
  const ready = lines.find((l) => l.startsWith("ready "));
  if (result.exitCode !== 0 || ready === undefined) {
    throw holderFailure(id, lines, result.stderr);
  }
  return {
    pid: Number(ready.slice("ready ".length)),
    created: true,
    warnings: lines.filter((l) => l.startsWith("warning ")).map((l) => l.slice(8)),
  };
}

function startEphemeral(o: SandboxLabOptions, id: string): Promise<Holder> {
  // The holder reads its stdin until EOF: when this process ends, even by kill -9, the pipe
  // closes and the lab ends with it. Detached, so Ctrl-C on the terminal does not reach it.
  const child = o.transport.spawn(holderArgv(o, id), { stdio: "pipe", detached: true });
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
            warnings: lines.filter((l) => l.startsWith("warning ")).map((l) => l.slice(8)),
            lifeline: child,
          });
          return;
        }
        nl = buffered.indexOf("\n");
      }
    });
    child.on("error", (e) => {
      if (!done) {
        done = true;
        reject(new LabError(`cannot start unshare: ${e.message}`, { hint: doctorHint() }));
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
 * it (the kernel only says "Resource temporarily unavailable" or "No space left on device").
 */
export function limitReached(
  stderr: string,
  o: Pick<SandboxLabOptions, "processLimit" | "tmpfsSize">,
): string | undefined {
  if (/fork: (retry: )?Resource temporarily unavailable|Cannot fork|can't fork/i.test(stderr)) {
    const n = o.processLimit ?? DEFAULT_PROCESS_LIMIT;
    return `course: the lab reached its limit of ${n} processes; raise it with COURSE_LAB_PROCS=${n * 4} (then \`course reset\` the lesson)`;
  }
  if (/No space left on device/.test(stderr)) {
    const size = o.tmpfsSize ?? DEFAULT_TMPFS_SIZE;
    return `course: a filesystem of the lab is full (each of its tmpfs holds ${size}); raise it with COURSE_LAB_TMPFS=1g (then \`course reset\` the lesson)`;
  }
  return undefined;
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
    this.limit = ["prlimit", `--nproc=${procs}:${procs}`, "--"];
    this.prefix = [
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
    const result = await this.executor.exec(script, options);
    const said = limitReached(result.stderr, this.o);
    return said === undefined ? result : { ...result, stderr: `${result.stderr}${said}\n` };
  }

  shell(options: { command?: string; label?: string } = {}): Promise<number> {
    return labShell(
      this.o.transport,
      // nsenter opens --wd before it enters the lab: /tmp would be the host's (outside the lab's
      // root, so `cd ..` could climb the host's tree). The holder's root leads to the lab's.
      [...this.prefix, `--wd=/proc/${this.holder.pid}/root/tmp`, "--", ...this.limit],
      "/tmp",
      this.o.label,
      options,
    );
  }

  shellCommand(options: ShellCommandOptions = {}): ProcessCommand {
    return labShellCommand(
      this.o.transport,
      // As in shell(): the holder's root leads to the lab's /tmp, not the host's.
      [...this.prefix, `--wd=/proc/${this.holder.pid}/root/tmp`, "--", ...this.limit],
      "/tmp",
      this.o.label,
      options,
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
      if (lifeline.exitCode !== null || lifeline.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => lifeline.once("exit", () => resolve()));
      lifeline.ref();
      lifeline.stdin?.end();
      await exited;
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
    // util-linux before 2.38 (e.g. Ubuntu 22.04) has no --map-auto: fall back to one id.
    if (!(o.subordinateIds && error instanceof LabError && /map-auto/.test(error.message)))
      throw error;
    o = { ...o, subordinateIds: false };
    holder = o.persistent ? await startPersistent(o, id) : await startEphemeral(o, id);
    holder.warnings.push(
      "this unshare (util-linux older than 2.38) cannot map subordinate ids (--map-auto), so labs map only your own id",
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
