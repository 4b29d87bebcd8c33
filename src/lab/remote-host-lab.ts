/**
 * A host-style lab on a remote machine: lesson commands run in that machine's own namespaces,
 * over the ssh transport, as the `host` lab runs them here. Only the vagrant lab uses it, for
 * lessons that need docker: the VM is a throwaway machine made for the course, and its Docker
 * engine, docker0 and containers live in its own namespaces, which no sandbox can show.
 */
import { LabError } from "../errors.js";
import { LabExecutor } from "./lab-executor.js";
import { labShell, labShellCommand } from "./run-interactive.js";
import { runLabScript } from "./run-lab-script.js";
import { sandboxLabId } from "./sandbox-lab.js";
import type { SshTransport } from "./ssh-transport.js";
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

/** Commands reach the remote as root (directly or through sudo -n): root's home. */
const HOME = "/root";

/** Shown when the lab is made: what runs where, and what `course reset` cannot undo. */
export function remoteHostLabWarning(label: string): string {
  return `lesson \`${label}\` needs docker, so it runs in the VM's own namespaces, not in a sandbox: what it changes (containers, interfaces, routes, iptables rules) stays in the VM, and \`course reset\` does not undo it (\`vagrant destroy -f && vagrant up\` does; the lesson's setup removes the containers it makes when it runs again)`;
}

class RemoteHostLab implements Lab {
  readonly description: string;
  private readonly executor: LabExecutor;
  private docker: boolean | undefined;

  constructor(
    readonly id: string,
    readonly kind: LabKind,
    private readonly label: string,
    private readonly transport: SshTransport,
    /** The marker that says the lesson's setup ran (persistent labs), on the remote. */
    private readonly marker: string | undefined,
    debug: ((line: string) => void) | undefined,
  ) {
    this.description = `${kind} lab: the VM's own namespaces on ${transport.name} (host-style, for lessons that need docker)`;
    this.executor = new LabExecutor({
      transport,
      prefix: [],
      home: HOME,
      describe: `the ${kind} lab's host namespaces`,
      ...(debug === undefined ? {} : { debug }),
    });
  }

  get roundTrips(): number {
    return this.executor.roundTrips;
  }

  exec(script: string, options?: ExecOptions): Promise<ExecResult> {
    return this.executor.exec(script, options);
  }

  shell(options: LabShellOptions = {}): Promise<number> {
    return labShell(this.transport, [], HOME, this.label, options);
  }

  shellCommand(options: ShellCommandOptions = {}): ProcessCommand {
    return labShellCommand(this.transport, [], HOME, this.label, options);
  }

  /** Docker counts when `docker info` answers where the lesson's commands run: here, the VM itself. */
  async capabilities(): Promise<LabCapabilities> {
    if (this.docker === undefined) {
      // docker's client alone takes seconds to start in a VM under emulation on a busy machine.
      const result = await this.exec("docker info >/dev/null 2>&1", { timeout: 90 });
      this.docker = result.exitCode === 0;
    }
    return { docker: this.docker };
  }

  async close(): Promise<void> {
    this.executor.close();
    await this.transport.close();
  }

  /**
   * The VM's own namespaces cannot be thrown away (they are the VM's): this only forgets that
   * the lesson's setup ran, so the next command runs it again.
   */
  async destroy(): Promise<void> {
    this.executor.close();
    if (this.marker === undefined) return;
    const result = await runLabScript(this.transport, 'rm -f -- "$1"', [this.marker]);
    if (result.exitCode !== 0) {
      throw new LabError(
        `cannot forget the lab ${this.id} on ${this.transport.name}: ${result.stderr.trim()}`,
      );
    }
  }
}

/**
 * Open a host-style lab on the machine behind a connected `transport`. A persistent one keeps a
 * marker under `remoteDir/host-labs` on that machine (a tmpfs: a reboot forgets it, and the
 * setup runs again), so `created` is true only the first time; it costs one round trip.
 */
export async function openRemoteHostLab(
  options: OpenLabOptions,
  transport: SshTransport,
  kind: LabKind,
  remoteDir: string,
): Promise<OpenedLab> {
  const id = sandboxLabId(options.key, options.label, options.persistent);
  let created = true;
  let marker: string | undefined;
  if (options.persistent) {
    marker = `${remoteDir}/host-labs/${id}`;
    const result = await runLabScript(
      transport,
      'if [ -e "$1" ]; then echo found; else mkdir -p -m 700 "$3" && printf "%s\\n" "$2" >"$1" && echo created; fi',
      [marker, options.key, `${remoteDir}/host-labs`],
    );
    if (result.exitCode !== 0 || !/^(found|created)$/m.test(result.stdout)) {
      throw new LabError(
        `cannot record the lab ${id} on ${transport.name} (${marker}): ${result.stderr.trim() || `exit ${result.exitCode}`}`,
      );
    }
    created = result.stdout.includes("created");
  }
  options.debug?.(`lab ${id}: ${created ? "created" : "found"} (host-style, ${transport.name})`);
  const lab = new RemoteHostLab(id, kind, options.label, transport, marker, options.debug);
  return { lab, created, warnings: [remoteHostLabWarning(options.label)] };
}
