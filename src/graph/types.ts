/**
 * `course graph`: what it reads (GraphFacts: the lab facts) and what it draws (LabGraph).
 * Pure data: the builder and the renderers run no processes.
 */
import type { LabFacts } from "../checks/facts.js";

/**
 * What `buildGraph` reads: the lab facts gathered by src/checks/facts.ts (one round trip; with
 * `iptables: true` they carry the NAT rules). Only the namespaces are used.
 */
export type GraphFacts = Pick<LabFacts, "namespaces">;

/** An interface as drawn. */
export interface GraphInterface {
  /** Unique in the graph: `NS/IFNAME`, with `host` for the lab host (`host/br0`, `ns1/veth0`). */
  id: string;
  /** Namespace id (see GraphNamespace.id). */
  namespace: string;
  name: string;
  /** `veth`, `bridge`, `loopback`, `dummy`, … (`ip -d link` info_kind, or the link type). */
  kind: string;
  /** Administratively up (the UP flag). */
  up: boolean;
  /** Carrier: LOWER_UP. */
  lowerUp: boolean;
  mac?: string;
  mtu?: number;
  /** CIDRs: IPv4 first, then IPv6 that are not link-local (fe80::/10 is noise in a picture). */
  addresses: string[];
  /** Id of the bridge interface this is a port of. */
  master?: string;
  /** Seen only as a veth's peer in a namespace with no name: its state and MAC are unknown. */
  unseen?: true;
}

/** A namespace as drawn: a box. */
export interface GraphNamespace {
  /** `host` for the lab host, else the netns name (`netns:host` for a netns named `host`). */
  id: string;
  /** The netns name; null for the lab host and for namespaces `ip netns` does not name. */
  name: string | null;
  /** What a reader sees: `lab host` or the netns name. */
  label: string;
  interfaces: GraphInterface[];
  /** Default routes of this namespace. */
  gateways: GraphGateway[];
  /** NAT rules (`iptables -t nat -S` `-A` lines, without the `-A`). */
  nat: string[];
  /** `net.ipv4.ip_forward` is 1: this namespace routes between its interfaces. Absent: unknown. */
  forwarding?: boolean;
  /** The filter table's FORWARD policy, when it is not ACCEPT (it then drops routed traffic). */
  forwardPolicy?: string;
}

export interface GraphGateway {
  /** The gateway address (`via`), if any. */
  via?: string;
  /** Interface id the route goes out of. */
  dev?: string;
  /** The interface (anywhere in the lab) that holds the gateway address, when exactly one does. */
  target?: string;
}

/** An edge: a veth cable, a bridge port, or a default-route hop. */
export interface GraphEdge {
  kind: "veth" | "port" | "gateway";
  /** Interface ids. For `port`: from = the port, to = the bridge; for `gateway`: from = dev. */
  from: string;
  to: string;
}

/** The lab as drawn. */
export interface LabGraph {
  namespaces: GraphNamespace[];
  edges: GraphEdge[];
  /** Things the builder could not place, said in words (e.g. a veth whose peer is outside). */
  warnings: string[];
}

export type GraphFormat = "text" | "mermaid" | "dot" | "svg";
