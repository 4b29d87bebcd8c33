import { UsageError } from "../errors.js";
import { runtimeDir as defaultRuntimeDir } from "../paths.js";
import { openSandboxLab } from "./sandbox-lab.js";
import { splitSshOptions } from "./split-ssh-options.js";
import { parseSshTarget, SshTransport } from "./ssh-transport.js";
import type { ProcessCommand } from "./transport.js";
import type {
  ExecOptions,
  ExecResult,
  Lab,
  LabCapabilities,
  LabKind,
  LabShellOptions,
  OpenedLab,
  OpenLabOptions,
  ShellCommandOptions,
} from "./types.js";

/**
 * Where lab records live on the remote machine: `$COURSE_REMOTE_RUNTIME_DIR`, else
 * `/run/course`. Commands run there as root, and /run is a tmpfs: records vanish with a
 * reboot, as the labs they describe do.
 */
export function remoteRuntimeDir(env: NodeJS.ProcessEnv): string {
  return env.COURSE_REMOTE_RUNTIME_DIR || "/run/course";
}

/** `COURSE_SSH_OPTS` is read from `env`. */
export type SshLabOptions = OpenLabOptions;

/**
 * Open a lab on a Linux machine reached over ssh (`--lab ssh://USER@HOST[:PORT]`): the same
 * sandbox lab as on a local Linux host, run remotely through a kept-alive OpenSSH master, as
 * root (through `sudo -n` when USER is not root). Extra ssh options come from `COURSE_SSH_OPTS`.
 * @throws UsageError for a bad target or COURSE_SSH_OPTS; LabError when the machine cannot be used.
 */
export async function openSshLab(options: SshLabOptions): Promise<OpenedLab> {
  const { env } = options;
  if (options.spec.target === undefined || options.spec.target === "") {
    throw new UsageError("--lab ssh:// needs a target: ssh://USER@HOST[:PORT]");
  }
  const transport = new SshTransport({
    target: parseSshTarget(options.spec.target),
    env,
    options: splitSshOptions(env.COURSE_SSH_OPTS ?? ""),
    runtimeDir: options.runtimeDir ?? defaultRuntimeDir(env),
    ...(options.debug === undefined ? {} : { debug: options.debug }),
  });
  await transport.connect();
  return openRemoteLab(options, transport, "ssh", remoteRuntimeDir(env));
}

/**
 * Open the sandbox lab on the machine behind `transport` (used by the ssh and vagrant labs).
 * The transport must be connected: it then knows whether commands need sudo.
 */
export async function openRemoteLab(
  options: OpenLabOptions,
  transport: SshTransport,
  kind: Extract<LabKind, "ssh" | "vagrant">,
  remoteDir: string,
): Promise<OpenedLab> {
  const opened = await openSandboxLab({
    ...options,
    transport,
    runtimeDir: remoteDir,
    // Every command reaches the remote as root (directly or through sudo -n).
    privileged: true,
    subordinateIds: false,
  });
  return { ...opened, lab: new RemoteLab(opened.lab, kind, transport) };
}

/** The sandbox lab on a remote machine: the same lab, named for where it runs. */
class RemoteLab implements Lab {
  readonly description: string;

  constructor(
    private readonly inner: Lab,
    readonly kind: Extract<LabKind, "ssh" | "vagrant">,
    private readonly transport: SshTransport,
  ) {
    this.description = kind === "vagrant" ? `vagrant lab: ${inner.description}` : inner.description;
  }

  get id(): string {
    return this.inner.id;
  }

  get roundTrips(): number {
    return this.inner.roundTrips;
  }

  exec(script: string, options?: ExecOptions): Promise<ExecResult> {
    return this.inner.exec(script, options);
  }

  shell(options?: LabShellOptions): Promise<number> {
    return this.inner.shell(options);
  }

  shellCommand(options?: ShellCommandOptions): ProcessCommand {
    return this.inner.shellCommand(options);
  }

  /**
   * The sandbox's own: no Docker. Even where a `docker` command answers from inside it, the
   * engine's docker0 and containers live in the machine's own namespaces, which the sandbox
   * cannot see; lessons that need docker run in a host-style lab instead (the vagrant lab).
   */
  capabilities(): Promise<LabCapabilities> {
    return this.inner.capabilities();
  }

  async close(): Promise<void> {
    await this.inner.close();
    await this.transport.close();
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
