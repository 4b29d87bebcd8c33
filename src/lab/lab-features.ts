/**
 * Which of the kernel features a lesson may need (`needs: [vxlan, …]`) a lab has, found by
 * trying each one in a scratch network namespace inside the lab (`unshare --net`), never by
 * reading module lists: a feature built into the kernel, loaded on demand, or refused to a user
 * namespace all show as what they are — whether `ip link add … type vxlan` works. Everything goes
 * through `Lab.exec`, so the same answer comes from a sandbox, the host, an ssh machine or the
 * Vagrant VM, in one round trip.
 */
import { KERNEL_FEATURES, type KernelFeature, type Need } from "../lesson/needs.js";
import { shellQuote } from "./shell-quote.js";
import type { Lab } from "./types.js";

/** What was found for one need. */
export interface FeatureStatus {
  need: Need;
  available: boolean;
  /** Why not, from the command that was tried (`Error: Unknown device type.`), or what worked. */
  detail: string;
}

/**
 * The command that tries each kernel feature, in a scratch namespace holding two veth pairs
 * (`b0`/`b1`, `b2`/`b3`) to stand on; dummy interfaces are not built into every kernel.
 */
const TRIALS: Record<KernelFeature, string> = {
  vlan: "ip link add link b0 name b0.10 type vlan id 10",
  vxlan: "ip link add vx0 type vxlan id 10 dstport 4789 local 127.0.0.1",
  macvlan: "ip link add mv0 link b0 type macvlan mode bridge",
  ipvlan: "ip link add iv0 link b2 type ipvlan mode l2",
  wireguard: "ip link add wg0 type wireguard",
  netem: "ip link set b1 up && tc qdisc add dev b1 root netem delay 1ms",
  nftables: "nft add table inet course_probe",
  ipv6: "test -d /proc/sys/net/ipv6 && ip -6 addr add fd00::1/64 dev b1",
};

/** Whether `need` is a kernel feature (tried here) rather than a Docker engine. */
export function isKernelFeature(need: string): need is KernelFeature {
  return (KERNEL_FEATURES as readonly string[]).includes(need);
}

const MARK = "@@course-feature";

/**
 * The bash script that tries `features` in one scratch namespace and prints one line each:
 * `@@course-feature NAME EXIT-STATUS FIRST-LINE-OF-ERROR`.
 */
export function featuresScript(features: readonly KernelFeature[]): string {
  const body = [
    "set +e",
    "ip link add b0 type veth peer name b1 2>/dev/null",
    "ip link add b2 type veth peer name b3 2>/dev/null",
    ...features.map(
      (f) =>
        `e=$( { ${TRIALS[f]} ; } 2>&1 >/dev/null ); printf '${MARK} %s %s %s\\n' ${f} "$?" "$(printf %s "$e" | head -n 1)"`,
    ),
  ].join("\n");
  // A scratch namespace of its own: nothing tried here touches the lab's namespaces.
  return `# features: ${features.join(" ")}\nunshare --net bash -c ${shellQuote(body)} 2>&1; true`;
}

/** Read the script's output; a feature with no line (unshare failed) is reported unavailable. */
export function parseFeatures(output: string, features: readonly KernelFeature[]): FeatureStatus[] {
  const lines = new Map<string, { rc: number; error: string }>();
  for (const line of output.split("\n")) {
    const m = new RegExp(`^${MARK} (\\S+) (\\d+) ?(.*)$`).exec(line);
    if (m?.[1] !== undefined) lines.set(m[1], { rc: Number(m[2]), error: (m[3] ?? "").trim() });
  }
  const whyNot = output.trim().split("\n")[0] ?? "";
  return features.map((need) => {
    const r = lines.get(need);
    if (r === undefined) {
      return {
        need,
        available: false,
        detail: `could not try it in a scratch namespace: ${whyNot || "no output"}`,
      };
    }
    return r.rc === 0
      ? { need, available: true, detail: `\`${TRIALS[need]}\` works` }
      : {
          need,
          available: false,
          detail: `\`${TRIALS[need]}\` fails${r.error === "" ? ` (exit ${r.rc})` : `: ${r.error}`}`,
        };
  });
}

/**
 * Which of `needs` the lab offers, in their order: kernel features tried in one round trip,
 * `docker` asked of the lab (`Lab.capabilities`); unknown names are left out. Throws only when
 * the lab itself is broken.
 */
export async function detectFeatures(lab: Lab, needs: readonly string[]): Promise<FeatureStatus[]> {
  const features = needs.filter(isKernelFeature);
  const tried =
    features.length === 0
      ? []
      : parseFeatures((await lab.exec(featuresScript(features), { timeout: 30 })).stdout, features);
  const statuses: FeatureStatus[] = [];
  for (const need of needs) {
    if (need === "docker") {
      const docker = (await lab.capabilities()).docker;
      statuses.push({
        need,
        available: docker,
        detail: docker ? "a Docker engine answers" : "no Docker engine answers (`docker info`)",
      });
      continue;
    }
    const found = tried.find((t) => t.need === need);
    if (found !== undefined) statuses.push(found);
  }
  return statuses;
}
