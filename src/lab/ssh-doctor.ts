import { CourseError } from "../errors.js";
import { type DoctorCheck, kernelFeaturesCheck } from "./doctor-checks.js";
import { openLabMachine } from "./lab-machine.js";
import { openRemoteLab } from "./ssh-lab.js";
import type { SshTransport } from "./ssh-transport.js";
import type { LabSpec } from "./types.js";

/** The tools a lab needs on the remote machine, and the Debian/Ubuntu package of each. */
const TOOLS: Record<string, string> = {
  perl: "perl-base",
  unshare: "util-linux",
  nsenter: "util-linux",
  flock: "util-linux",
  ip: "iproute2",
  bridge: "iproute2",
  iptables: "iptables",
  ping: "iputils-ping",
  tcpdump: "tcpdump",
  ethtool: "ethtool",
};

/**
 * `course doctor` for the ssh and vagrant labs: can the machine be reached (and sudo used),
 * does it have the lab tools, does a lab work there, and does it have Docker. Each problem
 * comes with the command that fixes it.
 */
export async function remoteDoctorChecks(
  spec: LabSpec,
  options: { runtimeDir: string; env: NodeJS.ProcessEnv },
): Promise<DoctorCheck[]> {
  const { env } = options;
  const checks: DoctorCheck[] = [];
  const where = spec.kind === "vagrant" ? "vagrant VM" : `ssh://${spec.target ?? ""}`;
  let machine: { transport: SshTransport; recordsDir: string };
  try {
    machine = await openLabMachine(spec, { runtimeDir: options.runtimeDir, env });
  } catch (error) {
    if (!(error instanceof CourseError)) throw error;
    checks.push(failed("connection", error));
    return checks;
  }
  const { transport } = machine;
  checks.push({
    name: "connection",
    status: "ok",
    detail: `${where} reached as ${transport.remote?.root === true ? "root" : "a user with passwordless sudo"} (${transport.name})`,
  });

  const probe = await transport.run([
    "env",
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "sh",
    "-c",
    `for t in ${Object.keys(TOOLS).join(" ")}; do command -v "$t" >/dev/null 2>&1 || echo "missing $t"; done; docker info >/dev/null 2>&1 && echo docker`,
  ]);
  const missing = [...probe.stdout.matchAll(/^missing (\S+)$/gm)].map((m) => m[1] as string);
  if (missing.length === 0) {
    checks.push({ name: "tools", status: "ok", detail: Object.keys(TOOLS).join(", ") });
  } else {
    const packages = [...new Set(missing.map((t) => TOOLS[t] ?? t))];
    checks.push({
      name: "tools",
      status: "fail",
      detail: `missing on ${where}: ${missing.join(", ")}`,
      fix: `on ${where}: sudo apt-get install -y ${packages.join(" ")}`,
    });
  }

  const started = performance.now();
  let features: DoctorCheck | undefined;
  try {
    const { lab } = await openRemoteLab(
      { spec, key: `doctor-${process.pid}`, label: "doctor", persistent: false, env },
      transport,
      spec.kind === "vagrant" ? "vagrant" : "ssh",
      machine.recordsDir,
    );
    try {
      const r = await lab.exec(
        "ip link add br0 type bridge && ip link add v0 type veth peer name v1 && ip netns add t && ip link set v1 netns t && ip -n t link set lo up && ping -c 1 -W 1 127.0.0.1 >/dev/null",
        { timeout: 20 },
      );
      // Which kernel features lessons may need (vlan, wireguard, netem…) that kernel has: the
      // Vagrant VM is where lessons go whose features this machine lacks.
      features = await kernelFeaturesCheck(lab);
      checks.push(
        r.exitCode === 0
          ? {
              name: "lab",
              status: "ok",
              detail: `${lab.description}: created in ${Math.round(performance.now() - started)} ms; bridge, veth, netns and ping work`,
            }
          : {
              name: "lab",
              status: "fail",
              detail: `a lab on ${where} could not build a bridge, a veth pair and a namespace: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
              fix: `on ${where}: run \`course doctor\` there (with course installed) to see which kernel feature is missing`,
            },
      );
    } finally {
      await lab.destroy();
    }
  } catch (error) {
    if (!(error instanceof CourseError)) throw error;
    checks.push(failed("lab", error));
  }

  if (features !== undefined) checks.push(features);
  checks.push(
    probe.stdout.includes("docker")
      ? {
          name: "docker",
          status: "ok",
          detail: `a Docker engine answers on ${where}: on the vagrant lab, lessons that need docker run in the VM's own namespaces and use it (an ssh lab refuses them; see docs/remote.md)`,
        }
      : {
          name: "docker",
          status: "warn",
          detail: `no Docker engine answers on ${where}; lessons that need docker are skipped`,
          fix: `on ${where}: sudo apt-get install -y docker.io && sudo systemctl enable --now docker`,
        },
  );
  await transport.close();
  return checks;
}

/** A failed check that says what `error` says, with its hint as the fix. */
function failed(name: string, error: CourseError): DoctorCheck {
  return {
    name,
    status: "fail",
    detail: error.message,
    ...(error.hint === undefined ? {} : { fix: error.hint }),
  };
}
