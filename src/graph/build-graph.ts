import type {
  GraphEdge,
  GraphFacts,
  GraphGateway,
  GraphInterface,
  GraphNamespace,
  IpLink,
  LabGraph,
  NamespaceFacts,
} from "./types.js";

const HOST_ID = "host";

/** The graph id of a namespace: `host` for the lab host, else its name (kept apart from `host`). */
export function namespaceId(name: string | null): string {
  if (name === null) return HOST_ID;
  return name === HOST_ID ? `netns:${name}` : name;
}

/**
 * Turns the lab's facts into the graph to draw: one box per namespace, its interfaces, the veth
 * cables between them, bridge ports, default gateways and NAT rules. Pure and deterministic.
 *
 * A veth's peer is found through the peer's namespace id (`link_netnsid`, which only means
 * something inside the namespace that reports it, hence `netnsIds` per namespace) and its ifindex
 * there, and is accepted only when the peer points back: ifindexes repeat in every namespace, so
 * an ifindex alone would join the wrong ends.
 */
export function buildGraph(facts: GraphFacts): LabGraph {
  const warnings: string[] = [];
  const byName = new Map<string | null, NamespaceFacts>();
  for (const ns of facts.namespaces) byName.set(ns.name, ns);

  const namespaces: GraphNamespace[] = facts.namespaces.map((ns) => ({
    id: namespaceId(ns.name),
    name: ns.name,
    label: ns.name ?? "lab host",
    interfaces: interfacesOf(ns),
    gateways: [],
    nat: (ns.nat ?? []).filter((l) => l.startsWith("-A ")).map((l) => l.slice(3)),
  }));

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

  for (const ns of facts.namespaces) {
    const nsId = namespaceId(ns.name);
    for (const link of ns.links) {
      const own = `${nsId}/${link.ifname}`;
      if (link.master !== undefined) {
        addEdge({ kind: "port", from: own, to: `${nsId}/${link.master}` });
      }
      if (kindOf(link) !== "veth" || link.link_index === undefined) continue;
      const peerNs = peerNamespace(ns, link.link_netnsid, byName);
      if (peerNs === undefined) {
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
          });
        }
        addEdge(ordered("veth", own, ghostIf));
        continue;
      }
      const peer = peerNs.links.find((l) => l.ifindex === link.link_index);
      const back =
        peer === undefined ? undefined : peerNamespace(peerNs, peer.link_netnsid, byName);
      if (peer === undefined || peer.link_index !== link.ifindex || back !== ns) {
        warnings.push(
          `${label(ns)}:${link.ifname}: its veth peer (ifindex ${link.link_index} in ${label(peerNs)}) was not found or does not point back; the cable is not drawn`,
        );
        continue;
      }
      addEdge(ordered("veth", own, `${namespaceId(peerNs.name)}/${peer.ifname}`));
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
  facts.namespaces.forEach((ns, index) => {
    const gns = namespaces[index];
    if (gns === undefined) return;
    for (const route of ns.routes) {
      if (route.dst !== "default") continue;
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
      const flags = link.flags ?? [];
      const gi: GraphInterface = {
        id: `${nsId}/${link.ifname}`,
        namespace: nsId,
        name: link.ifname,
        kind: kindOf(link),
        up: flags.includes("UP"),
        lowerUp: flags.includes("LOWER_UP"),
        addresses: addrs.get(link.ifname) ?? [],
      };
      if (link.address !== undefined && link.link_type !== "loopback") gi.mac = link.address;
      if (link.mtu !== undefined) gi.mtu = link.mtu;
      if (link.master !== undefined) gi.master = `${nsId}/${link.master}`;
      return gi;
    });
}

function kindOf(link: IpLink): string {
  return link.linkinfo?.info_kind ?? link.link_type ?? "unknown";
}

/** The namespace a `link_netnsid` seen from `from` refers to; undefined when it has no name. */
function peerNamespace(
  from: NamespaceFacts,
  nsid: number | undefined,
  byName: Map<string | null, NamespaceFacts>,
): NamespaceFacts | undefined {
  if (nsid === undefined) return from;
  const named = from.netnsIds.find((n) => n.id === nsid);
  if (named !== undefined) return byName.get(named.name);
  // The lab host is the one namespace of the lab that `ip netns list` never names: an id with
  // no name, seen from a named namespace, is the lab host.
  if (from.name !== null) return byName.get(null);
  return undefined;
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

function ordered(kind: GraphEdge["kind"], a: string, b: string): GraphEdge {
  return a.localeCompare(b, "en") <= 0 ? { kind, from: a, to: b } : { kind, from: b, to: a };
}

function label(ns: NamespaceFacts): string {
  return ns.name ?? "lab host";
}
