import {
  hasCarrier,
  isUp,
  type LabFacts,
  linkKind,
  type NamespaceFacts,
  vethPeer,
} from "../checks/facts.js";
import type {
  GraphEdge,
  GraphFacts,
  GraphGateway,
  GraphInterface,
  GraphNamespace,
  LabGraph,
} from "./types.js";

const HOST_ID = "host";

/** The sysctl `buildGraph` shows when the facts carry it (`gatherFacts(lab, {sysctls: [...]})`). */
export const IP_FORWARD = "net.ipv4.ip_forward";

/** The graph id of a namespace: `host` for the lab host, else its name (kept apart from `host`). */
export function namespaceId(name: string | null): string {
  if (name === null) return HOST_ID;
  return name === HOST_ID ? `netns:${name}` : name;
}

/**
 * Turns the lab's facts into the graph to draw: one box per namespace, its interfaces, the veth
 * cables between them, bridge ports, default gateways and NAT rules. Pure and deterministic.
 *
 * A veth's peer is found by the facts' `vethPeer`: through the peer's namespace id
 * (`link_netnsid`, which only means something inside the namespace that reports it) and its
 * ifindex there, accepted only when the peer points back; ifindexes repeat in every namespace,
 * so an ifindex alone would join the wrong ends. A peer in a namespace that `ip netns` does not
 * name (a Docker container's) is drawn as an unnamed box.
 */
export function buildGraph(facts: GraphFacts): LabGraph {
  const warnings: string[] = [];
  // The lab host first, then the named namespaces by name: the same lab always draws the same.
  const present = facts.namespaces.filter((ns) => ns.exists);
  const ordered = [
    ...present.filter((ns) => ns.name === null),
    ...present
      .filter((ns) => ns.name !== null)
      .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "", "en")),
  ];
  const all: LabFacts = { namespaces: ordered, extras: {}, warnings: [] };

  const namespaces: GraphNamespace[] = ordered.map((ns) => {
    const gns: GraphNamespace = {
      id: namespaceId(ns.name),
      name: ns.name,
      label: ns.name ?? "lab host",
      interfaces: interfacesOf(ns),
      gateways: [],
      nat: (ns.nat ?? []).filter((l) => l.startsWith("-A ")).map((l) => l.slice(3)),
    };
    const forward = ns.sysctls[IP_FORWARD];
    if (forward !== undefined) gns.forwarding = forward === "1";
    const policy = (ns.filter ?? []).find((l) => l.startsWith("-P FORWARD "))?.slice(11);
    if (policy !== undefined && policy !== "ACCEPT") gns.forwardPolicy = policy;
    return gns;
  });

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const addEdge = (edge: GraphEdge) => {
    const key = `${edge.kind} ${edge.from} ${edge.to}`;
    if (!seen.has(key)) {
      seen.add(key);
      edges.push(edge);
    }
  };
  const ghosts = new Map<string, GraphNamespace>();

  for (const ns of ordered) {
    const nsId = namespaceId(ns.name);
    for (const link of ns.links) {
      const own = `${nsId}/${link.ifname}`;
      if (link.master !== undefined) {
        addEdge({ kind: "port", from: own, to: `${nsId}/${link.master}` });
      }
      if (linkKind(link) !== "veth" || link.link_index === undefined) continue;
      const peer = vethPeer(all, ns, link);
      if (peer !== undefined) {
        addEdge(pair("veth", own, `${namespaceId(peer.ns.name)}/${peer.link.ifname}`));
        continue;
      }
      const unnamed =
        link.link_netnsid !== undefined &&
        ns.name === null &&
        !ns.netnsIds.some((n) => n.id === link.link_netnsid);
      if (unnamed) {
        // Seen from a namespace whose id for the peer's namespace has no name: e.g. a Docker
        // container's namespace, which `ip netns` does not list. Draw it as an unnamed box.
        const ghost = ghostFor(ghosts, link.link_netnsid);
        const ghostIf = `${ghost.id}/if${link.link_index}`;
        if (!ghost.interfaces.some((i) => i.id === ghostIf)) {
          ghost.interfaces.push({
            id: ghostIf,
            namespace: ghost.id,
            name: `if${link.link_index}`,
            kind: "veth",
            up: false,
            lowerUp: false,
            addresses: [],
            unseen: true,
          });
        }
        addEdge(pair("veth", own, ghostIf));
        continue;
      }
      warnings.push(
        `${label(ns)}:${link.ifname}: its veth peer (ifindex ${link.link_index}${link.link_netnsid === undefined ? "" : `, netns id ${link.link_netnsid}`}) was not found, or does not point back; the cable is not drawn`,
      );
    }
  }

  const owners = new Map<string, string[]>();
  for (const gns of namespaces) {
    for (const i of gns.interfaces) {
      for (const cidr of i.addresses) {
        const ip = cidr.split("/")[0] ?? cidr;
        owners.set(ip, [...(owners.get(ip) ?? []), i.id]);
      }
    }
  }
  ordered.forEach((ns, index) => {
    const gns = namespaces[index];
    if (gns === undefined) return;
    for (const route of ns.routes) {
      // Facts hold every table; a default route of another table is policy routing, not drawn.
      if (route.dst !== "default" || (route.table !== undefined && route.table !== "main")) {
        continue;
      }
      const gw: GraphGateway = {};
      if (route.gateway !== undefined) gw.via = route.gateway;
      if (route.dev !== undefined) gw.dev = `${gns.id}/${route.dev}`;
      const holders = route.gateway === undefined ? [] : (owners.get(route.gateway) ?? []);
      const [only] = holders;
      if (holders.length === 1 && only !== undefined) {
        gw.target = only;
        if (gw.dev !== undefined && only !== gw.dev) {
          addEdge({ kind: "gateway", from: gw.dev, to: only });
        }
      }
      gns.gateways.push(gw);
    }
  });

  edges.sort((a, b) =>
    `${a.kind} ${a.from} ${a.to}`.localeCompare(`${b.kind} ${b.from} ${b.to}`, "en"),
  );
  return { namespaces: [...namespaces, ...ghosts.values()], edges, warnings };
}

function interfacesOf(ns: NamespaceFacts): GraphInterface[] {
  const nsId = namespaceId(ns.name);
  const addrs = new Map<string, string[]>();
  for (const a of ns.addrs) {
    const v4: string[] = [];
    const v6: string[] = [];
    for (const info of a.addr_info ?? []) {
      if (info.local === undefined || info.prefixlen === undefined) continue;
      const cidr = `${info.local}/${info.prefixlen}`;
      if (info.family === "inet") v4.push(cidr);
      else if (info.family === "inet6" && info.scope === "global") v6.push(cidr);
    }
    addrs.set(a.ifname, [...v4, ...v6]);
  }
  return [...ns.links]
    .sort((a, b) => a.ifindex - b.ifindex)
    .map((link) => {
      const gi: GraphInterface = {
        id: `${nsId}/${link.ifname}`,
        namespace: nsId,
        name: link.ifname,
        kind: linkKind(link),
        up: isUp(link),
        lowerUp: hasCarrier(link),
        addresses: addrs.get(link.ifname) ?? [],
      };
      if (link.address !== undefined && link.link_type !== "loopback") gi.mac = link.address;
      if (link.mtu !== undefined) gi.mtu = link.mtu;
      if (link.master !== undefined) gi.master = `${nsId}/${link.master}`;
      return gi;
    });
}

function ghostFor(ghosts: Map<string, GraphNamespace>, nsid: number | undefined): GraphNamespace {
  const id = `nsid:${nsid ?? "?"}`;
  let ghost = ghosts.get(id);
  if (ghost === undefined) {
    ghost = {
      id,
      name: null,
      label: `unnamed netns (nsid ${nsid ?? "?"})`,
      interfaces: [],
      gateways: [],
      nat: [],
    };
    ghosts.set(id, ghost);
  }
  return ghost;
}

function pair(kind: GraphEdge["kind"], a: string, b: string): GraphEdge {
  return a.localeCompare(b, "en") <= 0 ? { kind, from: a, to: b } : { kind, from: b, to: a };
}

function label(ns: NamespaceFacts): string {
  return ns.name ?? "lab host";
}
