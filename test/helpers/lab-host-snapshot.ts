/**
 * What a lab must never change on the host: its interfaces, addresses, routes, neighbours,
 * firewall and named network namespaces. Compared before and after a test.
 */
import { existsSync, readdirSync } from "node:fs";
import { runTool } from "./tool.js";

function out(cmd: string, args: string[]): string {
  const r = runTool(cmd, args);
  if (r.startError !== undefined) return `(${cmd} unavailable)`;
  return `${r.stdout}${r.stderr}`;
}

/** Drop counters and timers that change on their own (packet counts, neighbour ages). */
function stable(json: string): unknown {
  try {
    return JSON.parse(json, (key, value) =>
      ["stats64", "stats", "used", "confirmed", "updated", "probes", "expires"].includes(key)
        ? undefined
        : value,
    );
  } catch {
    return json;
  }
}

/** Neighbour entries age on their own: compare which exist (address, device), not their state. */
function neighbours(): string[] {
  const parsed = stable(out("ip", ["-j", "neigh"]));
  if (!Array.isArray(parsed)) return [String(parsed)];
  return parsed.map((n: { dst?: string; dev?: string }) => `${n.dst} ${n.dev}`).sort();
}

export interface HostSnapshot {
  link: unknown;
  addr: unknown;
  route: unknown;
  route6: unknown;
  neigh: string[];
  iptables: string;
  nft: string;
  netns: string[] | "absent";
  ipForward: string;
}

export function snapshotHost(): HostSnapshot {
  const iptables = out("iptables-save", [])
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .map((l) => l.replace(/\[\d+:\d+\]/g, ""))
    .join("\n");
  return {
    link: stable(out("ip", ["-j", "link"])),
    addr: stable(out("ip", ["-j", "addr"])),
    route: stable(out("ip", ["-j", "route", "show", "table", "all"])),
    route6: stable(out("ip", ["-j", "-6", "route"])),
    neigh: neighbours(),
    iptables,
    nft: out("nft", ["list", "ruleset"]).replace(/counter packets \d+ bytes \d+/g, "counter"),
    netns: existsSync("/run/netns") ? readdirSync("/run/netns").sort() : "absent",
    ipForward: out("sysctl", ["-n", "net.ipv4.ip_forward"]),
  };
}
