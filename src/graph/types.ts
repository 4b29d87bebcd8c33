/**
 * `course graph`: what it reads (GraphFacts, a subset of the lab's `ip -j` output) and what it
 * draws (LabGraph). Pure data: the builder and the renderers run no processes.
 */

/** One entry of `ip -j -d link show`, only the fields the graph uses. */
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
  /** The peer's namespace, as an id that only means something inside THIS namespace. */
  link_netnsid?: number;
  /** The bridge this interface is a port of. */
  master?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
}

/** One entry of `ip -j addr show`. */
export interface IpAddr {
  ifname: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number; scope?: string }[];
}

/** One entry of `ip -j route show`. */
export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
}

/** One entry of `ip -j neigh show`. */
export interface IpNeighbour {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

/** One entry of `bridge -j fdb show`. */
export interface FdbEntry {
  mac: string;
  ifname?: string;
  master?: string;
  flags?: string[];
  state?: string;
}

/** The facts of one network namespace of the lab. */
export interface NamespaceFacts {
  /** The `ip netns` name, or null for the lab's host namespace. */
  name: string | null;
  links: IpLink[];
  addrs: IpAddr[];
  routes: IpRoute[];
  neighbours?: IpNeighbour[];
  fdb?: FdbEntry[];
  /**
   * `ip -j netns list` run INSIDE this namespace: the ids this namespace gives the named ones
   * (an entry without `id` has none here). This is what makes `link_netnsid` resolvable.
   */
  netnsIds: { name: string; id?: number }[];
  /** `iptables -t nat -S` lines; absent when not gathered. */
  nat?: string[];
}

/** Everything `buildGraph` needs: one entry per namespace, the lab host first. */
export interface GraphFacts {
  namespaces: NamespaceFacts[];
}

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
