/** One snapshot of a lab's network state: what a namespace's facts hold, and what to gather. */
import type { IpAddr } from "./addr-facts.js";
import type { IpLink } from "./link-facts.js";
import type { FdbEntry, IpNeighbour } from "./neigh-facts.js";
import type { NetnsId } from "./netns-facts.js";
import type { IpRoute } from "./route-facts.js";

/** The facts of one network namespace of the lab. */
export interface NamespaceFacts {
  /** The `ip netns` name, or null for the lab's host namespace. */
  name: string | null;
  /** False when a namespace asked for does not exist (its lists are then empty). */
  exists: boolean;
  links: IpLink[];
  addrs: IpAddr[];
  /** Routes of every table (`ip -j route show table all`: IPv4, and IPv6 on current iproute2). */
  routes: IpRoute[];
  neighbours: IpNeighbour[];
  fdb: FdbEntry[];
  /** Ids this namespace gives the named namespaces: what makes `link_netnsid` resolvable. */
  netnsIds: NetnsId[];
  /** `sysctl -n KEY` for the keys asked for (absent key: unreadable). */
  sysctls: Record<string, string>;
  /** `iptables -t nat -S` lines, when `iptables` was asked for. */
  nat?: string[];
  /** `iptables -S` (filter table) lines, when `iptables` was asked for. */
  filter?: string[];
  /** Listening sockets (from /proc/net/{tcp,udp}{,6}), when `sockets` was asked for. */
  listening?: { proto: "tcp" | "udp"; port: number; address: string }[];
}

/** The output of an extra command run in the same round trip (e.g. `iptables -C`). */
export interface ExtraResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** One snapshot of the lab. */
export interface LabFacts {
  /** The lab's host namespace first (name null), then the named namespaces. */
  namespaces: NamespaceFacts[];
  /** Results of `extras`, by id. */
  extras: Record<string, ExtraResult>;
  /** Problems met while parsing (a command that printed no JSON), for `--debug`. */
  warnings: string[];
}

/** A command to run in the same round trip as the facts. */
export interface ExtraCommand {
  id: string;
  /** Named namespace to run it in; undefined = the lab's host namespace. */
  ns?: string;
  /** A bash script. */
  script: string;
}

export interface GatherOptions {
  /** Named namespaces to gather. @default every namespace `ip netns list` shows */
  namespaces?: string[];
  /** sysctl keys to read in every namespace. @default [] */
  sysctls?: string[];
  /** Also read `iptables -S` and `iptables -t nat -S` in every namespace. @default false */
  iptables?: boolean;
  /** Also read listening sockets in every namespace. @default false */
  sockets?: boolean;
  /** Extra commands whose results come back in `extras`. */
  extras?: ExtraCommand[];
  /** Seconds for the whole round trip. @default 30 */
  timeout?: number;
}

/** The facts of namespace `name` (null/undefined = the lab host), if gathered. */
export function namespaceFacts(
  facts: LabFacts,
  name: string | null | undefined,
): NamespaceFacts | undefined {
  return facts.namespaces.find((n) => n.name === (name ?? null));
}
