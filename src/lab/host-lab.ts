import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { LabExecutor } from "./lab-executor.js";
import { localTransport } from "./local-transport.js";
import { labShell, labShellCommand } from "./run-interactive.js";
import { sandboxLabId } from "./sandbox-lab.js";
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

/** Shown whenever the host lab is opened. */
export const HOST_LAB_WARNING =
  "the `host` lab runs lesson commands in this machine's own network namespaces: they change its real interfaces, routes and firewall. Use it only inside a throwaway VM.";

class HostLab implements Lab {
  readonly kind = "host" as const;
  readonly description = "host lab (this machine's own namespaces)";
  private readonly executor: LabExecutor;
  private readonly transport: Transport;

  constructor(
    readonly id: string,
    private readonly label: string,
    private readonly marker: string | undefined,
    debug: ((line: string) => void) | undefined,
    env: NodeJS.ProcessEnv,
  ) {
    this.transport = localTransport(env);
    this.executor = new LabExecutor({
      transport: this.transport,
      prefix: [],
      home: homedir(),
      describe: "the host lab",
      ...(debug ? { debug } : {}),
    });
  }

  get roundTrips(): number {
    return this.executor.roundTrips;
  }

  exec(script: string, options?: ExecOptions): Promise<ExecResult> {
    return this.executor.exec(script, options);
  }

  shell(options: LabShellOptions = {}): Promise<number> {
    return labShell(this.transport, [], homedir(), this.label, options);
  }

  shellCommand(options: ShellCommandOptions = {}): ProcessCommand {
    return labShellCommand(this.transport, [], homedir(), this.label, options);
  }

  async capabilities(): Promise<LabCapabilities> {
    const r = await this.exec("docker info >/dev/null 2>&1", { timeout: 10 });
    return { docker: r.exitCode === 0 };
  }

  async close(): Promise<void> {
    this.executor.close();
  }

  /** The host cannot be thrown away: this only forgets that the lesson's setup ran. */
  async destroy(): Promise<void> {
    this.executor.close();
    if (this.marker) rmSync(this.marker, { force: true });
  }
}

/**
 * Open the host lab. Persistent host labs remember (a marker under the runtime dir) that the
 * lesson's setup ran, so `created` is true only the first time.
 */
export async function openHostLab(
  o: OpenLabOptions & { runtimeDir: string; idSecret?: string },
): Promise<OpenedLab> {
  const id = sandboxLabId(o.key, o.label, o.persistent, o.idSecret);
  let created = true;
  let marker: string | undefined;
  if (o.persistent) {
    const dir = join(o.runtimeDir, "host-labs");
    marker = join(dir, id);
    created = !existsSync(marker);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(marker, `${o.key}\n`);
  }
  return {
    lab: new HostLab(id, o.label, marker, o.debug, o.env),
    created,
    warnings: [HOST_LAB_WARNING],
  };
}
