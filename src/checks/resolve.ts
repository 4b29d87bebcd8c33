/** Reading a check's references (interfaces, MACs, addresses) against a snapshot of facts. */
import { isIPv6 } from "node:net";
import type { IfaceRef, MacRef } from "../lesson/types.js";
import {
  findLink,
  type IpLink,
  ifaceLabel,
  type LabFacts,
  type NamespaceFacts,
  namespaceFacts,
  nsLabel,
} from "./facts.js";

/** An interface reference, resolved. */
export interface ResolvedIface {
  /** The namespace it names (null = the lab host). */
  nsName: string | null;
  ns?: NamespaceFacts;
  link?: IpLink;
  /** How the learner wrote it, relative to the check: `c2:eth0` or `eth0`. */
  label: string;
  /** Why it could not be found, in words (`no interface "eth0" in c2`). */
  missing?: string;
}

/** Resolve `DEV` / `NS:DEV` written in a check that runs in `checkNs`. */
export function resolveIface(
  facts: LabFacts,
  ref: IfaceRef,
  checkNs: string | null,
): ResolvedIface {
  const nsName = ref.ns ?? checkNs;
  const ns = namespaceFacts(facts, nsName);
  const label = ifaceLabel(ref.ns, ref.dev);
  if (ns === undefined || !ns.exists) {
    return { nsName, label, missing: `no namespace "${nsName}" in the lab` };
  }
  const link = findLink(ns, ref.dev);
  if (link === undefined) {
    const names = ns.links.map((l) => l.ifname).join(", ");
    return {
      nsName,
      ns,
      label,
      missing: `no interface "${ref.dev}" in ${nsLabel(ns)} (it has ${names || "none"})`,
    };
  }
  return { nsName, ns, link, label };
}

/** A MAC reference, resolved: the MAC, and how to say what is expected. */
export interface ResolvedMac {
  mac?: string;
  /** `02:42:ac:11:00:03` or `the MAC of c2:eth0 (6a:1f:…)`. */
  describe: string;
  missing?: string;
}

export function resolveMac(facts: LabFacts, ref: MacRef, checkNs: string | null): ResolvedMac {
  if ("mac" in ref) return { mac: ref.mac, describe: ref.mac };
  const iface = resolveIface(facts, ref.iface, checkNs);
  if (iface.link === undefined) {
    return {
      describe: `the MAC of ${iface.label}`,
      missing: iface.missing ?? `no interface ${iface.label}`,
    };
  }
  const mac = iface.link.address?.toLowerCase();
  if (mac === undefined) {
    return { describe: `the MAC of ${iface.label}`, missing: `${iface.label} has no MAC` };
  }
  return { mac, describe: `the MAC of ${iface.label} (${mac})` };
}

/** An address in one canonical text form (IPv6 expanded to 8 lowercase groups). */
export function normalizeIP(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const [head = "", tail] = ip.toLowerCase().split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => g.replace(/^0+(?=.)/, "")).join(":");
}

/** `ADDR/LEN` normalized; a bare address gets /32 or /128; `default` stays. */
export function normalizeCidr(cidr: string): string {
  if (cidr === "default") return cidr;
  const [ip = "", len] = cidr.split("/");
  const n = normalizeIP(ip);
  return `${n}/${len ?? (isIPv6(ip) ? "128" : "32")}`;
}

/** The address as a 32-bit number (IPv4 only), or undefined. */
export function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Whether IPv4 `ip` is inside `net/prefix`. */
export function ipv4InCidr(ip: string, net: string, prefix: number): boolean {
  const a = ipv4ToNumber(ip);
  const b = ipv4ToNumber(net);
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(a / size) === Math.floor(b / size);
}
