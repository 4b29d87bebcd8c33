import type { SshTarget } from "./ssh-transport.js";

/** One `Host` block of `vagrant ssh-config`: keys as ssh spells them, values unquoted. */
export interface VagrantSshHost {
  host: string;
  /** Every other key, in order (IdentityFile may repeat). */
  entries: Array<{ key: string; value: string }>;
}

/**
 * Parse the output of `vagrant ssh-config` (ssh_config syntax): one block per machine, each
 * `Host NAME` followed by `Key value` lines. Keys are matched case-insensitively, values may
 * be double-quoted (Windows and macOS paths with spaces), `Key=value` is accepted, and lines
 * vagrant prints around the blocks (warnings, blank lines, comments) are skipped.
 */
export function parseVagrantSshConfig(text: string): VagrantSshHost[] {
  const hosts: VagrantSshHost[] = [];
  let current: VagrantSshHost | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (match === null) continue;
    const key = match[1] as string;
    const value = unquote((match[2] as string).trim());
    if (key.toLowerCase() === "host") {
      current = { host: value, entries: [] };
      hosts.push(current);
    } else if (current !== undefined) {
      current.entries.push({ key, value });
    }
  }
  return hosts;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}

/** The value of `key` in a host block (case-insensitive), if present. */
export function sshConfigValue(host: VagrantSshHost, key: string): string | undefined {
  return host.entries.find((e) => e.key.toLowerCase() === key.toLowerCase())?.value;
}

/**
 * Turn a `vagrant ssh-config` block into an ssh target and options, so that the ssh lab logs
 * into the VM exactly as `vagrant ssh` does (its key, its port, its host-key policy).
 * `LogLevel` is left out: vagrant's `FATAL` would hide the messages course explains.
 */
export function vagrantSshOptions(host: VagrantSshHost): { target: SshTarget; options: string[] } {
  const target: SshTarget = { host: sshConfigValue(host, "HostName") ?? host.host };
  const user = sshConfigValue(host, "User");
  if (user !== undefined) target.user = user;
  const port = sshConfigValue(host, "Port");
  if (port !== undefined && /^\d+$/.test(port)) target.port = Number(port);
  // Only vagrant's settings count: the user's ~/.ssh/config must not redirect the VM's alias.
  const options: string[] = ["-F", "/dev/null"];
  for (const { key, value } of host.entries) {
    const k = key.toLowerCase();
    if (k === "hostname" || k === "user" || k === "port" || k === "loglevel") continue;
    // `-i PATH` keeps a path with spaces intact; `-o` would need quoting inside the value.
    if (k === "identityfile") options.push("-i", value);
    else options.push("-o", value.includes(" ") ? `${key}="${value}"` : `${key}=${value}`);
  }
  return { target, options };
}

/** A machine's state in `vagrant status --machine-readable` (`running`, `poweroff`, `not_created`…). */
export function parseVagrantStatus(text: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    // TIMESTAMP,TARGET,TYPE,DATA...; vagrant writes commas inside data as %!(VAGRANT_COMMA).
    const fields = line.split(",");
    if (fields.length >= 4 && fields[2] === "state" && fields[1] !== "") {
      states.set(fields[1] as string, (fields[3] as string).trim());
    }
  }
  return states;
}
