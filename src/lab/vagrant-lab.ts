import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LabError } from "../errors.js";
import { runtimeDir as defaultRuntimeDir } from "../paths.js";
import { openRemoteHostLab } from "./remote-host-lab.js";
import { runProcess, StartError } from "./run-process.js";
import { openRemoteLab, remoteRuntimeDir } from "./ssh-lab.js";
import { type SshTarget, SshTransport } from "./ssh-transport.js";
import type { OpenedLab, OpenLabOptions } from "./types.js";
import {
  parseVagrantSshConfig,
  parseVagrantStatus,
  vagrantSshOptions,
} from "./vagrant-ssh-config.js";

export interface VagrantLabOptions extends OpenLabOptions {
  /** Where the Vagrantfile is. @default $COURSE_VAGRANT_DIR, else the course package's own */
  dir?: string;
  /** Lines of `vagrant up` as they come. @default written to `stderr` */
  progress?: (line: string) => void;
}

/** The package root: this file is src/lab/ (tests) or dist/lab/ (built). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const INSTALL_HINT =
  "install Vagrant (https://developer.hashicorp.com/vagrant/install) and a provider such as VirtualBox (https://www.virtualbox.org), then run the command again; on Linux you do not need it: use --lab sandbox";

/**
 * Open a lab in the repo's Vagrant VM: boot it with `vagrant up` when it is not running (its
 * progress streamed), read `vagrant ssh-config`, then run the same sandbox lab inside the VM
 * over ssh; a lesson that needs docker runs in the VM's own namespaces instead, where Docker
 * is. The ssh settings are cached under the runtime dir, so a later CLI run with the VM up
 * costs no vagrant call at all (vagrant itself takes seconds to start).
 * @throws LabError when vagrant is missing, the VM cannot be started or reached.
 */
export async function openVagrantLab(options: VagrantLabOptions): Promise<OpenedLab> {
  const transport = await vagrantTransport(options);
  const remoteDir = remoteRuntimeDir(options.env);
  // Docker's engine, docker0 and containers live in the VM's own namespaces: a lesson that
  // needs docker runs there (the VM is a throwaway machine made for this), any other in a sandbox.
  if (options.needs?.includes("docker") === true) {
    return openRemoteHostLab(options, transport, "vagrant", remoteDir);
  }
  return openRemoteLab(options, transport, "vagrant", remoteDir);
}

/** Where the Vagrantfile is: `dir`, else $COURSE_VAGRANT_DIR, else the course package's own. */
export function vagrantDir(options: { dir?: string; env: NodeJS.ProcessEnv }): string {
  return options.dir ?? options.env.COURSE_VAGRANT_DIR ?? PACKAGE_ROOT;
}

/** Everything up to a connected ssh transport into the VM (exported for tests and `doctor`). */
export async function vagrantTransport(options: VagrantLabOptions): Promise<SshTransport> {
  const { env, stderr } = options;
  const dir = vagrantDir(options);
  const runtime = options.runtimeDir ?? defaultRuntimeDir(env);
  // On a terminal, clear the line first: a spinner may be drawing there ("Making the lab…").
  const clear = stderr?.isTTY === true ? "\r\x1b[2K" : "";
  const progress = options.progress ?? ((line: string) => stderr?.write(`${clear}${line}\n`));
  const cacheFile = join(
    runtime,
    `vagrant-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.json`,
  );
  const make = (target: SshTarget, sshOptions: string[]) =>
    new SshTransport({
      target,
      env,
      options: sshOptions,
      runtimeDir: runtime,
      label: "vagrant lab",
      ...(options.debug === undefined ? {} : { debug: options.debug }),
    });

  const cached = readCache(cacheFile);
  if (cached !== undefined) {
    const transport = make(cached.target, cached.options);
    try {
      await transport.connect();
      // A master kept from before `vagrant halt` still answers on its local socket, but its
      // connection leads nowhere ("Broken pipe … No route to host" at the first command):
      // one round trip through it (once per process) proves the VM is there. A dead one is
      // ended; a slow one is kept (other labs of this run use it) and vagrant is asked.
      if (proven.has(cacheFile)) return transport;
      const answer = await answers(transport, ANSWER_TIMEOUT_MS);
      if (answer === "yes") {
        proven.add(cacheFile);
        return transport;
      }
      if (answer === "dead") await transport.stopMaster();
    } catch (error) {
      // The VM was halted or rebuilt since: ask vagrant again. sudo problems will not go away.
      if (error instanceof LabError && /sudo/.test(error.message)) throw error;
    }
  }

  if (!existsSync(join(dir, "Vagrantfile")) && env.VAGRANT_CWD === undefined) {
    throw new LabError(`vagrant lab: no Vagrantfile in ${dir}`, {
      hint: "set COURSE_VAGRANT_DIR to the directory of the course's Vagrantfile (the course repository)",
    });
  }
  const status = await vagrant(["status", "--machine-readable"], dir, env);
  if (status.exitCode !== 0) {
    throw new LabError(
      `vagrant lab: \`vagrant status\` failed in ${dir} (exit ${status.exitCode})`,
      {
        hint: `${lastLines(status.stderr || status.stdout)}\nrun \`vagrant status\` in ${dir} to see why`,
      },
    );
  }
  const states = parseVagrantStatus(status.stdout);
  const state = states.get("default") ?? [...states.values()][0] ?? "unknown";
  if (state !== "running") {
    const why =
      state === "not_created"
        ? "has not been created yet; the first `vagrant up` downloads the box and provisions it (several minutes)"
        : `is ${state.replaceAll("_", " ")}`;
    progress(`course: the lab VM ${why}: running \`vagrant up\` in ${dir}`);
    const up = await vagrant(["up"], dir, env, (line) => progress(`  ${line}`));
    if (up.exitCode !== 0) {
      throw new LabError(`vagrant lab: \`vagrant up\` failed (exit ${up.exitCode})`, {
        hint: `${lastLines(up.stderr || up.stdout)}\n${upFailureFix(`${up.stdout}\n${up.stderr}`, dir)}`,
      });
    }
  }
  const config = await vagrant(["ssh-config"], dir, env);
  const host = parseVagrantSshConfig(config.stdout)[0];
  if (config.exitCode !== 0 || host === undefined) {
    throw new LabError("vagrant lab: the VM is not running (vagrant has no ssh address for it)", {
      hint: `start it with \`vagrant up\` in ${dir}, and check \`vagrant status\`\n${lastLines(config.stderr || config.stdout)}`,
    });
  }
  const { target, options: sshOptions } = vagrantSshOptions(host);
  const transport = make(target, sshOptions);
  await transport.connect();
  writeCache(cacheFile, { target, options: sshOptions });
  proven.add(cacheFile);
  return transport;
}

export interface VagrantResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run vagrant in `dir`; `onLine` gets each output line as it comes (for `vagrant up`). */
export async function vagrant(
  args: string[],
  dir: string,
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
): Promise<VagrantResult> {
  try {
    return await runProcess("vagrant", args, {
      cwd: dir,
      env,
      ...(onLine === undefined ? {} : { onLine }),
    });
  } catch (error) {
    if (error instanceof StartError && error.code === "ENOENT") {
      throw new LabError("vagrant lab: `vagrant` is not installed (not found on PATH)", {
        hint: INSTALL_HINT,
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(`vagrant lab: ${message}`, { cause: error });
  }
}

/** How long the VM may take to answer one command through a kept master before it counts as gone. */
const ANSWER_TIMEOUT_MS = 15_000;

/** The VMs (by cache file) that answered through their kept master in this process. */
const proven = new Set<string>();

/**
 * Run `true` in the VM through the transport's master: "yes" when it ran, "dead" when ssh
 * failed (exit 255: the connection leads nowhere), "slow" when no answer came in `timeoutMs`.
 */
async function answers(
  transport: SshTransport,
  timeoutMs: number,
): Promise<"yes" | "dead" | "slow"> {
  try {
    const result = await transport.run(["true"], { timeoutMs });
    return result.timedOut ? "slow" : result.exitCode === 255 ? "dead" : "yes";
  } catch {
    return "dead";
  }
}

/**
 * The fix for a failed `vagrant up`, from what vagrant said: a missing box, no usable provider,
 * libvirt not running, or else "fix what vagrant says".
 */
export function upFailureFix(output: string, dir: string): string {
  const after = `then run the command again; \`vagrant status\` in ${dir} shows the VM`;
  const box = /The box '([^']+)' could not be found/.exec(output)?.[1];
  if (box !== undefined) {
    return `the box ${box} is not installed here and could not be downloaded: \`vagrant box add ${box}\` (needs internet), or set COURSE_VAGRANT_BOX to a box that \`vagrant box list\` shows (scripts/build-vagrant-box.sh builds one offline, see docs/remote.md); ${after}`;
  }
  if (
    /No usable default provider|VirtualBox is complaining|kernel module is not loaded|provider .* (?:could not be found|is not usable|not installed)|The provider '[^']+' could not be found/i.test(
      output,
    )
  ) {
    return `vagrant has no usable provider: install one (VirtualBox, or on Linux libvirt with the vagrant-libvirt plugin; VAGRANT_DEFAULT_PROVIDER picks it), ${after}`;
  }
  if (/virConnectOpen|libvirt-sock|Failed to connect socket/i.test(output)) {
    return `vagrant cannot reach libvirt: start it (\`sudo systemctl start libvirtd\`, or \`sudo libvirtd -d\` without systemd), ${after}`;
  }
  return `fix what vagrant says above, ${after}`;
}

function lastLines(text: string, n = 6): string {
  return text
    .trim()
    .split(/\r?\n/)
    .slice(-n)
    .map((l) => `  vagrant: ${l}`)
    .join("\n");
}

function readCache(file: string): { target: SshTarget; options: string[] } | undefined {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as {
      target?: SshTarget;
      options?: unknown;
    };
    if (
      typeof data.target?.host === "string" &&
      Array.isArray(data.options) &&
      data.options.every((o) => typeof o === "string")
    ) {
      return { target: data.target, options: data.options as string[] };
    }
  } catch {
    // No cache yet, or a broken one: ask vagrant.
  }
  return undefined;
}

function writeCache(file: string, data: { target: SshTarget; options: string[] }): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(data)}\n`, { mode: 0o600 });
}
