import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { KERNEL_FEATURES } from "../lesson/needs.js";
import { detectFeatures } from "./lab-features.js";
import { FEATURE_FIX } from "./lab-needs.js";
import { hasSubordinateIds, openLab } from "./open-lab.js";
import type { Lab } from "./types.js";

/** One finding of `course doctor`. */
export interface DoctorCheck {
  name: string;
  status: "ok" | "warn" | "fail";
  /** What was found. */
  detail: string;
  /** The exact command that fixes it (absent when ok). */
  fix?: string;
}

const SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function which(tool: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of `${env.PATH ?? ""}:${SBIN_PATH}`.split(":")) {
    if (dir !== "" && existsSync(join(dir, tool))) return join(dir, tool);
  }
  return undefined;
}

function readProcSysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll(".", "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The install command of this machine's package manager. */
function installCommand(packages: string[], env: NodeJS.ProcessEnv): string {
  if (which("apt-get", env)) return `sudo apt-get install -y ${packages.join(" ")}`;
  if (which("dnf", env)) return `sudo dnf install -y ${packages.join(" ")}`;
  if (which("pacman", env)) return `sudo pacman -S --needed ${packages.join(" ")}`;
  if (which("apk", env)) return `sudo apk add ${packages.join(" ")}`;
  return `install ${packages.join(", ")} with your package manager`;
}

const TOOLS: Array<{ tool: string; pkg: string }> = [
  // The lab's maker (HOLDER_SCRIPT) is perl; perl-base is part of every Debian and Ubuntu.
  { tool: "perl", pkg: "perl-base" },
  { tool: "unshare", pkg: "util-linux" },
  { tool: "nsenter", pkg: "util-linux" },
  { tool: "ip", pkg: "iproute2" },
  { tool: "bridge", pkg: "iproute2" },
  { tool: "iptables", pkg: "iptables" },
  { tool: "ping", pkg: "iputils-ping" },
  { tool: "tcpdump", pkg: "tcpdump" },
  { tool: "ethtool", pkg: "ethtool" },
];

/** Kernel modules a user namespace cannot load by itself, and what needs them. */
const MODULES: Array<{ names: string[]; what: string; load: string }> = [
  { names: ["bridge"], what: "Linux bridges (`ip link add br0 type bridge`)", load: "bridge" },
  { names: ["veth"], what: "veth pairs", load: "veth" },
  { names: ["nf_nat"], what: "NAT (SNAT/DNAT/MASQUERADE)", load: "nf_nat" },
  {
    names: ["iptable_nat", "nft_chain_nat"],
    what: "the iptables nat table",
    load: "iptable_nat nft_chain_nat",
  },
];

/**
 * Sysctls whose `value` leaves unprivileged user namespaces off (or powerless): `effect` says
 * what that does, `fix` is the value to set (now and at boot).
 */
const USERNS_OFF: Array<{ key: string; value: string; name: string; effect: string; fix: string }> =
  [
    {
      key: "user.max_user_namespaces",
      value: "0",
      name: "user namespaces",
      effect: ": unprivileged user namespaces are off",
      fix: "15000",
    },
    {
      key: "kernel.unprivileged_userns_clone",
      value: "0",
      name: "user namespaces",
      effect: ": unprivileged user namespaces are off",
      fix: "1",
    },
    {
      key: "kernel.apparmor_restrict_unprivileged_userns",
      value: "1",
      name: "AppArmor",
      effect: " (Ubuntu 24.04+): user namespaces get no capabilities",
      fix: "0",
    },
  ];

/** Loaded, or built into the kernel (no loadable modules at all, or listed in modules.builtin). */
function moduleAvailable(name: string): boolean {
  if (existsSync(`/sys/module/${name}`)) return true;
  if (!existsSync("/proc/modules")) return true;
  try {
    const release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    return readFileSync(`/lib/modules/${release}/modules.builtin`, "utf8")
      .split("\n")
      .some((line) => line.endsWith(`/${name}.ko`));
  } catch {
    return false;
  }
}

/**
 * Which kernel features lessons may need (`needs:`) this lab has, tried in a scratch namespace
 * inside it: a lesson that needs a missing one is skipped by `course test` and refused by
 * `course start`, so the doctor says which, and where to run them instead.
 */
export async function kernelFeaturesCheck(lab: Lab): Promise<DoctorCheck> {
  const found = await detectFeatures(lab, KERNEL_FEATURES);
  const have = found.filter((f) => f.available).map((f) => f.need);
  const missing = found.filter((f) => !f.available);
  if (missing.length === 0) {
    return { name: "lesson needs", status: "ok", detail: `the kernel has ${have.join(", ")}` };
  }
  return {
    name: "lesson needs",
    status: "warn",
    detail: `${have.length > 0 ? `has ${have.join(", ")}; ` : ""}lacks ${missing.map((m) => `${m.need} (${m.detail})`).join(", ")}: lessons that need them are skipped by \`course test\` (run in the VM with --fallback-lab vagrant) and refused by \`course start\``,
    fix: FEATURE_FIX,
  };
}

/** What `runDoctorChecks` looks at; tests replace the machine's answers. */
export interface DoctorOptions {
  runtimeDir: string;
  /** The user's environment (PATH finds the tools). */
  env: NodeJS.ProcessEnv;
  /** Whether course runs as root. @default the real answer */
  root?: boolean;
  /** Reads a sysctl (`user.max_user_namespaces`). @default from /proc/sys */
  sysctl?: (name: string) => string | undefined;
  /** Create a real lab as the last check. @default true */
  tryLab?: boolean;
}

/**
 * Everything `course doctor` checks, in order. Ends by actually creating a sandbox lab and
 * doing in it what the course does (bridge, veth, nat table, a named namespace).
 */
export async function runDoctorChecks(options: DoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const root = options.root ?? process.getuid?.() === 0;
  const readSysctl = options.sysctl ?? readProcSysctl;
  const user = userInfo().username;

  if (process.platform !== "linux") {
    checks.push({
      name: "platform",
      status: "fail",
      detail: `${process.platform}: the sandbox lab needs Linux network namespaces`,
      fix: "course --lab vagrant start   # a Linux VM (needs Vagrant), or --lab ssh://USER@HOST",
    });
    return checks;
  }
  checks.push({
    name: "platform",
    status: "ok",
    detail: `Linux, running as ${root ? "root" : user}`,
  });

  const missing = TOOLS.filter((t) => which(t.tool, options.env) === undefined);
  checks.push(
    missing.length === 0
      ? { name: "tools", status: "ok", detail: TOOLS.map((t) => t.tool).join(", ") }
      : {
          name: "tools",
          status: missing.some((t) => ["perl", "unshare", "nsenter", "ip"].includes(t.tool))
            ? "fail"
            : "warn",
          detail: `missing: ${missing.map((t) => t.tool).join(", ")}`,
          fix: installCommand([...new Set(missing.map((t) => t.pkg))], options.env),
        },
  );

  if (!root) {
    for (const off of USERNS_OFF) {
      if (readSysctl(off.key) !== off.value) continue;
      checks.push({
        name: off.name,
        status: "fail",
        detail: `${off.key} is ${off.value}${off.effect}`,
        fix: `sudo sysctl -w ${off.key}=${off.fix} && echo ${off.key}=${off.fix} | sudo tee /etc/sysctl.d/90-course.conf`,
      });
    }
    // Labs map subordinate ids through newuidmap/newgidmap themselves (HOLDER_SCRIPT), not
    // through `unshare --map-auto`: the util-linux version does not matter (checked below).
    const newuidmap =
      which("newuidmap", options.env) !== undefined &&
      which("newgidmap", options.env) !== undefined;
    const subids = hasSubordinateIds();
    checks.push(
      newuidmap && subids
        ? {
            name: "subordinate ids",
            status: "ok",
            detail: `${user} has ids in /etc/subuid and /etc/subgid; newuidmap is installed`,
          }
        : {
            name: "subordinate ids",
            status: "warn",
            detail: `${newuidmap ? "" : "newuidmap/newgidmap missing; "}${subids ? "" : `${user} has no range in /etc/subuid and /etc/subgid; `}labs map only your own id, so tools that drop privileges (tcpdump) fail`,
            fix: [
              ...(newuidmap ? [] : [installCommand(["uidmap"], options.env)]),
              ...(subids
                ? []
                : [`sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`]),
            ].join(" && "),
          },
    );
    const notLoaded = MODULES.filter((m) => !m.names.some(moduleAvailable));
    checks.push(
      notLoaded.length === 0
        ? {
            name: "kernel modules",
            status: "ok",
            detail: "bridge, veth, nf_nat and the nat table are available",
          }
        : {
            name: "kernel modules",
            status: "warn",
            detail: `not loaded (a user namespace cannot load them): ${notLoaded.map((m) => `${m.names[0]} (${m.what})`).join(", ")}`,
            fix: `sudo modprobe -a ${notLoaded.map((m) => m.load).join(" ")} && printf '%s\\n' ${notLoaded.map((m) => m.load).join(" ")} | sudo tee /etc/modules-load.d/course.conf`,
          },
    );
  } else {
    checks.push({
      name: "privileges",
      status: "ok",
      detail:
        "root: root of a lab is host id 1610612736 (a user namespace); course loads the kernel modules labs need",
    });
  }

  if (options.tryLab === false) return checks;
  // The real test: make a lab and do in it what the course does.
  const started = performance.now();
  try {
    const { lab } = await openLab({
      spec: { kind: "sandbox" },
      key: `doctor-${process.pid}`,
      label: "doctor",
      persistent: false,
      runtimeDir: options.runtimeDir,
      env: options.env,
    });
    try {
      const ms = performance.now() - started;
      const steps: Array<[string, string]> = [
        ["ip link add course-br0 type bridge", "a bridge"],
        ["ip link add course-v0 type veth peer name course-v1", "a veth pair"],
        ["ip netns add course-ns1", "a named network namespace"],
        ["iptables -t nat -A POSTROUTING -o course-br0 -j MASQUERADE", "an iptables nat rule"],
        ["ping -c 1 -W 1 127.0.0.1 >/dev/null", "ping"],
      ];
      const failed: string[] = [];
      for (const [command, what] of steps) {
        const r = await lab.exec(command, { timeout: 10 });
        if (r.exitCode !== 0)
          failed.push(`${what} (\`${command}\`: ${r.stderr.trim().split("\n").pop() ?? ""})`);
      }
      checks.push(
        failed.length === 0
          ? {
              name: "sandbox lab",
              status: "ok",
              detail: `${lab.description}: created in ${ms.toFixed(0)} ms; bridge, veth, netns, nat and ping work`,
            }
          : {
              name: "sandbox lab",
              status: "fail",
              detail: `${lab.description}: created, but these fail: ${failed.join("; ")}`,
              fix: root
                ? "sudo modprobe -a bridge veth nf_nat iptable_nat nft_chain_nat"
                : "see the kernel modules check above, or run course as root",
            },
      );
      checks.push(await kernelFeaturesCheck(lab));
    } finally {
      await lab.destroy();
    }
  } catch (error) {
    checks.push({
      name: "sandbox lab",
      status: "fail",
      detail: error instanceof Error ? error.message : String(error),
      fix: root
        ? "check that the kernel has network, mount, PID and UTS namespaces (CONFIG_NET_NS, CONFIG_PID_NS)"
        : "fix the user namespace problems above, or run course with sudo",
    });
  }
  return checks;
}
