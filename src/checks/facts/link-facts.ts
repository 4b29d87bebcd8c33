/** Links in the facts: `ip -j -d link show` entries, their state, and a veth's other end. */
import type { LabFacts, NamespaceFacts } from "./snapshot.js";
import { namespaceFacts } from "./snapshot.js";

/** One entry of `ip -j -d link show`. */
export interface IpLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  operstate?: string;
  mtu?: number;
  address?: string;
  link_type?: string;
  /** For a veth: the peer's ifindex, in the namespace named by `link_netnsid` (or this one). */
  link_index?: number;
  /**
   * The peer's name instead of `link_index`: iproute2 prints this when the peer is in the
   * same namespace (both ends of a veth left on one side).
   */
  link?: string;
  /** The peer's namespace, as an id that only means something inside THIS namespace. */
  link_netnsid?: number;
  /** The bridge (or bond…) this interface is a port of. */
  master?: string;
  linkinfo?: {
    info_kind?: string;
    info_slave_kind?: string;
    info_slave_data?: { state?: string };
    /** The kind's own details (`ip -d`): a vxlan's id, local, port, learning… */
    info_data?: Record<string, unknown>;
  };
}

/** The link `dev` of a namespace. */
export function findLink(ns: NamespaceFacts | undefined, dev: string): IpLink | undefined {
  return ns?.links.find((l) => l.ifname === dev);
}

/** `veth`, `bridge`, … (`info_kind`), else the link type (`loopback`, `ether`). */
export function linkKind(link: IpLink): string {
  return link.linkinfo?.info_kind ?? link.link_type ?? "unknown";
}

/** Administratively up: the UP flag (`ip link set DEV up`), whatever the carrier. */
export function isUp(link: IpLink): boolean {
  return link.flags?.includes("UP") ?? false;
}

/** Carrier: LOWER_UP. */
export function hasCarrier(link: IpLink): boolean {
  return link.flags?.includes("LOWER_UP") ?? false;
}

/** The namespace that `from` calls `nsid`, when the id names one (null = the lab host). */
function namespaceById(facts: LabFacts, from: NamespaceFacts, nsid: number): NamespaceFacts[] {
  const named = from.netnsIds.find((n) => n.id === nsid);
  if (named !== undefined) {
    const ns = namespaceFacts(facts, named.name);
    return ns === undefined ? [] : [ns];
  }
  // Unnamed from here (the lab host has no `ip netns` name): any namespace not named by an id.
  const namedIds = new Set(from.netnsIds.filter((n) => n.id !== undefined).map((n) => n.name));
  return facts.namespaces.filter((n) => n !== from && (n.name === null || !namedIds.has(n.name)));
}

/** The namespace id that `from` gives namespace `to`, if any. */
function idOf(from: NamespaceFacts, to: NamespaceFacts): number | undefined {
  if (to.name === null) return undefined;
  return from.netnsIds.find((n) => n.name === to.name)?.id;
}

/** A link located in the lab. */
export interface LinkAt {
  ns: NamespaceFacts;
  link: IpLink;
}

/**
 * The other end of a veth: the peer ifindex AND the namespace it lives in (`link_netnsid`,
 * resolved through the reporting namespace's ids), and the peer must point back. An index
 * alone is never enough: every container's eth0 may be ifindex 2 and every host end `@if2`.
 */
export function vethPeer(facts: LabFacts, ns: NamespaceFacts, link: IpLink): LinkAt | undefined {
  const peerIndex = peerIfindex(ns, link);
  if (linkKind(link) !== "veth" || peerIndex === undefined) return undefined;
  const candidates =
    link.link_netnsid === undefined ? [ns] : namespaceById(facts, ns, link.link_netnsid);
  const found: LinkAt[] = [];
  for (const other of candidates) {
    const peer = other.links.find((l) => l.ifindex === peerIndex);
    if (
      peer === undefined ||
      linkKind(peer) !== "veth" ||
      peerIfindex(other, peer) !== link.ifindex
    ) {
      continue;
    }
    // The back pointer must name our namespace: same namespace (no nsid), or its id for us.
    const back = peer.link_netnsid;
    const pointsBack =
      other === ns
        ? back === undefined
        : back !== undefined &&
          (idOf(other, ns) === back ||
            (ns.name === null && !other.netnsIds.some((n) => n.id === back)));
    if (pointsBack) found.push({ ns: other, link: peer });
  }
  // Ambiguous (two unnamed candidates that both point back) is reported as unknown.
  return found.length === 1 ? found[0] : undefined;
}

/** The ifindex a veth's peer has in its own namespace (by name when iproute2 printed a name). */
function peerIfindex(ns: NamespaceFacts, link: IpLink): number | undefined {
  if (link.link_index !== undefined) return link.link_index;
  if (link.link === undefined || link.link_netnsid !== undefined) return undefined;
  return ns.links.find((l) => l.ifname === link.link)?.ifindex;
}
