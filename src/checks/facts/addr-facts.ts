/** Addresses in the facts: `ip -j addr show` entries. */
import type { NamespaceFacts } from "./snapshot.js";

/** One address of `ip -j addr show`. */
export interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
}

/** One entry of `ip -j addr show`. */
export interface IpAddr {
  ifindex?: number;
  ifname: string;
  addr_info?: IpAddrInfo[];
}

/** The addresses of `dev` in a namespace, as `{ local, prefixlen, family }`. */
export function addressesOf(ns: NamespaceFacts | undefined, dev: string): IpAddrInfo[] {
  return ns?.addrs.find((a) => a.ifname === dev)?.addr_info ?? [];
}
