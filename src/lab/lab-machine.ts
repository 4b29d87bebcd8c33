import { UsageError } from "../errors.js";
import { runtimeDir as defaultRuntimeDir } from "../paths.js";
import { splitSshOptions } from "./split-ssh-options.js";
import { remoteRuntimeDir } from "./ssh-lab.js";
import { parseSshTarget, SshTransport } from "./ssh-transport.js";
import type { LabSpec } from "./types.js";

/**
 * The machine behind an `ssh` or `vagrant` lab spec, without opening a lab: a connected
 * transport and the directory of lab records there, for commands that look at every lab on
 * it (`course reset --all`: `listSandboxLabs(transport, recordsDir)`). A vagrant VM that is
 * not running is booted first, as for any vagrant lab command.
 * @throws LabError when the machine cannot be reached.
 */
export async function openLabMachine(
  spec: LabSpec,
  options: { runtimeDir?: string; env: NodeJS.ProcessEnv; debug?: (line: string) => void },
): Promise<{ transport: SshTransport; recordsDir: string }> {
  const { env } = options;
  const runtimeDir = options.runtimeDir ?? defaultRuntimeDir(env);
  const debug = options.debug === undefined ? {} : { debug: options.debug };
  let transport: SshTransport;
  if (spec.kind === "vagrant") {
    // Imported here: only a vagrant lab needs it.
    const { vagrantTransport } = await import("./vagrant-lab.js");
    transport = await vagrantTransport({
      spec,
      key: "",
      label: "",
      persistent: true,
      runtimeDir,
      env,
      ...debug,
    });
  } else if (spec.kind === "ssh" && spec.target !== undefined) {
    transport = new SshTransport({
      target: parseSshTarget(spec.target),
      env,
      options: splitSshOptions(env.COURSE_SSH_OPTS ?? ""),
      runtimeDir,
      ...debug,
    });
    await transport.connect();
  } else {
    throw new UsageError(`openLabMachine: not a remote lab: ${spec.kind}`);
  }
  return { transport, recordsDir: remoteRuntimeDir(env) };
}
