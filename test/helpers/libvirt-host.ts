/**
 * libvirt on a test machine: start its daemons when they are not running, and afterwards undo
 * every change it made to the host (its networks' bridges and dnsmasq, its iptables chains,
 * ip_forward), then stop the daemons it started. The VM test uses it; a failed test still
 * calls `restore()` (afterAll), so nothing of libvirt outlives the test run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

/** Why no VM can boot on this machine, or undefined when everything it needs is here. */
export function whyNoVm(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0)
    return "not root (libvirt's system daemon and loop devices need root)";
  const missing = [
    ["vagrant", "vagrant"],
    ["libvirtd", "libvirt-daemon-system"],
    ["virtlogd", "libvirt-daemon-system"],
    ["virsh", "libvirt-clients"],
    ["qemu-system-x86_64", "qemu-system-x86"],
    ["qemu-img", "qemu-utils"],
    ["dnsmasq", "dnsmasq-base"],
    ["mmdebstrap", "mmdebstrap"],
    ["sfdisk", "fdisk"],
  ].filter(([tool]) => !onPath(tool as string));
  if (missing.length > 0) {
    return `missing ${missing.map(([t]) => t).join(", ")} (apt-get install ${[...new Set(missing.map(([, p]) => p))].join(" ")}; install.sh lists them for the test suite)`;
  }
  const plugins = spawnSync("vagrant", ["plugin", "list"], {
    encoding: "utf8",
    env: { ...process.env, VAGRANT_CHECKPOINT_DISABLE: "1" },
  });
  if (!/vagrant-libvirt/.test(plugins.stdout ?? "")) {
    return "vagrant has no libvirt provider (apt-get install vagrant-libvirt)";
  }
  return undefined;
}

function onPath(tool: string): boolean {
  const dirs = `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin`.split(":");
  return dirs.some((d) => d !== "" && existsSync(`${d}/${tool}`));
}

const TABLES = ["filter", "nat", "mangle", "raw"] as const;

function run(cmd: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** The LIBVIRT_* chains of each table, for iptables and ip6tables. */
function libvirtChains(): Set<string> {
  const found = new Set<string>();
  for (const cmd of ["iptables", "ip6tables"]) {
    for (const table of TABLES) {
      for (const m of run(cmd, ["-t", table, "-S"]).out.matchAll(/^-N (LIBVIRT_\S+)$/gm)) {
        found.add(`${cmd} ${table} ${m[1]}`);
      }
    }
  }
  return found;
}

function links(): Set<string> {
  return new Set(readdirSync("/sys/class/net").filter((l) => /^(virbr|vnet)/.test(l)));
}

function pidAlive(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** What libvirt found (and what it started) on this host, and how to put it back. */
export class LibvirtHost {
  private readonly ipForward = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
  private readonly ip6Forward = readFileSync(
    "/proc/sys/net/ipv6/conf/all/forwarding",
    "utf8",
  ).trim();
  private readonly chains = libvirtChains();
  private readonly links = links();
  private readonly started: Array<{ name: string; pid: number }> = [];
  private networks = new Set<string>();

  /** Start virtlogd and libvirtd by hand (no systemd as PID 1 here) unless they already run. */
  start(): void {
    for (const [name, pidFile] of [
      ["virtlogd", "/run/virtlogd.pid"],
      ["libvirtd", "/run/libvirtd.pid"],
    ] as const) {
      if (pidAlive(pidFile) !== undefined) continue;
      const r = run(name, ["-d"]);
      if (r.code !== 0) throw new Error(`${name} -d failed: ${r.out}`);
      for (let i = 0; i < 100 && pidAlive(pidFile) === undefined; i++) {
        spawnSync("sleep", ["0.1"]);
      }
      const pid = pidAlive(pidFile);
      if (pid === undefined) throw new Error(`${name} did not write ${pidFile}`);
      this.started.push({ name, pid });
    }
    // Wait for libvirtd's socket, then note the networks that were there before the test.
    for (let i = 0; i < 100; i++) {
      if (run("virsh", ["-c", "qemu:///system", "version"]).code === 0) break;
      spawnSync("sleep", ["0.2"]);
    }
    this.networks = new Set(this.netList());
  }

  private netList(): string[] {
    return run("virsh", ["-c", "qemu:///system", "net-list", "--all", "--name"])
      .out.split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("error"));
  }

  /**
   * Undo libvirt's host changes: domains named with `domainPrefix` destroyed and undefined,
   * networks it defined since `start()` destroyed (their bridge and dnsmasq go with them),
   * the daemons it started stopped, then whatever is left: new LIBVIRT_* chains and the rules
   * that jump to them, new virbr and vnet links, ip_forward back to its old value.
   * @returns what it had to clean up by force (empty when libvirt cleaned up after itself)
   */
  restore(domainPrefix: string): string[] {
    const forced: string[] = [];
    const virsh = (...args: string[]) => run("virsh", ["-c", "qemu:///system", ...args]);
    if (run("virsh", ["-c", "qemu:///system", "version"]).code === 0) {
      for (const dom of virsh("list", "--all", "--name").out.split("\n")) {
        const name = dom.trim();
        if (name === "" || !name.startsWith(domainPrefix)) continue;
        forced.push(`domain ${name}`);
        virsh("destroy", name);
        virsh("undefine", name, "--remove-all-storage");
      }
      // Networks it started: all of them when the test started libvirtd (a defined network
      // may autostart with it); those it defined since start() are also undefined.
      const active = new Set(
        virsh("net-list", "--name")
          .out.split("\n")
          .map((l) => l.trim()),
      );
      for (const net of this.netList()) {
        if (active.has(net) && (this.started.length > 0 || !this.networks.has(net))) {
          virsh("net-destroy", net);
        }
        if (!this.networks.has(net)) virsh("net-undefine", net);
      }
    }
    for (const { pid } of [...this.started].reverse()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        continue;
      }
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        spawnSync("sleep", ["0.1"]);
      }
    }
    // Rules that jump to libvirt's chains, then the chains themselves.
    const before = this.chains;
    const now = libvirtChains();
    for (const entry of now) {
      if (before.has(entry)) continue;
      const [cmd, table] = entry.split(" ") as [string, string, string];
      for (const rule of run(cmd, ["-t", table, "-S"]).out.split("\n")) {
        const m = /^-A (\S+) (.*-j LIBVIRT_\S+.*)$/.exec(rule);
        if (m === null) continue;
        run(cmd, ["-t", table, "-D", m[1] as string, ...splitRule(m[2] as string)]);
      }
    }
    for (const entry of now) {
      if (before.has(entry)) continue;
      const [cmd, table, chain] = entry.split(" ") as [string, string, string];
      run(cmd, ["-t", table, "-F", chain]);
    }
    for (const entry of now) {
      if (before.has(entry)) continue;
      const [cmd, table, chain] = entry.split(" ") as [string, string, string];
      run(cmd, ["-t", table, "-X", chain]);
      forced.push(`chain ${entry}`);
    }
    for (const link of links()) {
      if (this.links.has(link)) continue;
      run("ip", ["link", "del", link]);
      forced.push(`link ${link}`);
    }
    for (const [file, value] of [
      ["/proc/sys/net/ipv4/ip_forward", this.ipForward],
      ["/proc/sys/net/ipv6/conf/all/forwarding", this.ip6Forward],
    ] as const) {
      if (readFileSync(file, "utf8").trim() !== value) {
        writeFileSync(file, value);
        forced.push(`${file} back to ${value}`);
      }
    }
    return forced;
  }

  /** Whether anything of libvirt is left: for the test's last assertion. */
  leftovers(): string[] {
    const left: string[] = [];
    for (const { name, pid } of this.started) {
      try {
        process.kill(pid, 0);
        left.push(`${name} (pid ${pid})`);
      } catch {
        // gone, as it should be
      }
    }
    for (const c of libvirtChains()) if (!this.chains.has(c)) left.push(`chain ${c}`);
    for (const l of links()) if (!this.links.has(l)) left.push(`link ${l}`);
    for (const pid of libvirtDnsmasq()) left.push(`dnsmasq (pid ${pid})`);
    const fwd = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
    if (fwd !== this.ipForward) left.push(`ip_forward ${fwd} (was ${this.ipForward})`);
    return left;
  }
}

/** dnsmasq processes serving a libvirt network. */
function libvirtDnsmasq(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.startsWith("/usr/sbin/dnsmasq") && cmd.includes("/var/lib/libvirt/dnsmasq/")) {
        pids.push(Number(entry));
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

/** An `iptables -S` rule's words (libvirt's rules hold no quoted strings with spaces). */
function splitRule(rule: string): string[] {
  return rule.split(/\s+/).filter((w) => w !== "");
}
