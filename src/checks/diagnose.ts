/**
 * Diagnosis of a failed `ping` or `tcp`: walk the path from the source namespace to the
 * destination over one snapshot of facts (links, addresses, routes, neighbours, sysctls,
 * iptables, sockets) and name the first broken layer in one plain sentence. Pure.
 */

import { ipv4Network } from "../lesson/check-values.js";
import {
  hasCarrier,
  type IpLink,
  type IpRoute,
  ifaceLabel,
  isUp,
  type LabFacts,
  type NamespaceFacts,
  namespaceFacts,
  nsLabel,
  shownName,
  vethPeer,
} from "./facts.js";
import { unicastRoutes } from "./kinds/route.js";
import { ipv4InCidr, ipv4ToNumber } from "./resolve.js";

export type Layer =
  | "namespace"
  | "interface"
  | "address"
  | "route"
  | "arp"
  | "forwarding"
  | "firewall"
  | "nat"
  | "listen";

export interface Diagnosis {
  layer: Layer;
  /** One plain sentence, with the command that fixes it when there is an obvious one. */
  sentence: string;
  /** The namespace the sentence's command changes (null = the lab host), when it has one. */
  changes?: string | null;
  /** The sentence without its command: what is said when the command must not be. */
  cause?: string;
}

export interface DiagnoseOptions {
  /**
   * Namespaces the lesson leaves as they are (its setup builds them, its solution never names
   * them: lesson/lesson-design.ts). The diagnosis never proposes a change there: the fix the
   * lesson wants is elsewhere.
   */
  leftAlone?: (ns: string | null) => boolean;
}

export interface DiagnoseTarget {
  /** Source namespace (null = the lab host). */
  from: string | null;
  ip: string;
  /** For `tcp`: the port that must be listening. */
  port?: number;
}

const label = (ns: NamespaceFacts) => nsLabel(ns);
const ipn = (ns: NamespaceFacts, rest: string) =>
  ns.name === null ? `ip ${rest}` : `ip -n ${shownName(ns.name)} ${rest}`;
const where = (ns: NamespaceFacts, dev: string) => ifaceLabel(ns.name, dev);

/** A diagnosis whose fix is `command`, run against namespace `ns`. */
function fix(layer: Layer, cause: string, ns: NamespaceFacts, command: string): Diagnosis {
  return { layer, sentence: `${cause}: ${command}.`, changes: ns.name, cause };
}

function ipv4Addrs(
  ns: NamespaceFacts,
  dev?: string,
): { dev: string; local: string; prefixlen: number }[] {
  const out: { dev: string; local: string; prefixlen: number }[] = [];
  for (const a of ns.addrs) {
    if (dev !== undefined && a.ifname !== dev) continue;
    for (const i of a.addr_info ?? []) {
      if (i.family === "inet" && i.local !== undefined) {
        out.push({ dev: a.ifname, local: i.local, prefixlen: i.prefixlen ?? 32 });
      }
    }
  }
  return out;
}

/** Longest-prefix match over the namespace's unicast IPv4 routes. */
export function lookupRoute(ns: NamespaceFacts, ip: string): IpRoute | undefined {
  let best: IpRoute | undefined;
  let bestLen = -1;
  for (const r of unicastRoutes(ns.routes)) {
    if (r.dst.includes(":")) continue;
    let net: string;
    let len: number;
    if (r.dst === "default") {
      net = "0.0.0.0";
      len = 0;
    } else {
      const [n = "", l] = r.dst.split("/");
      net = n;
      len = l === undefined ? 32 : Number(l);
    }
    if (ipv4ToNumber(net) === undefined || !ipv4InCidr(ip, net, len)) continue;
    if (len > bestLen) {
      best = r;
      bestLen = len;
    }
  }
  return best;
}

/** Who holds address `ip` in the lab. */
function owners(facts: LabFacts, ip: string): { ns: NamespaceFacts; dev: string }[] {
  return facts.namespaces.flatMap((ns) =>
    ipv4Addrs(ns)
      .filter((a) => a.local === ip)
      .map((a) => ({ ns, dev: a.dev })),
  );
}

function policy(lines: string[] | undefined, chain: string): string | undefined {
  const line = lines?.find((l) => l.startsWith(`-P ${chain} `));
  return line?.split(" ")[2];
}

function rulesOf(lines: string[] | undefined, chain: string): string[] {
  return (lines ?? []).filter((l) => l.startsWith(`-A ${chain} `));
}

/** A firewall verdict on a chain: policy DROP with no ACCEPT rule, or a DROP/REJECT rule. */
function chainBlocks(ns: NamespaceFacts, chain: string): string | undefined {
  const rules = rulesOf(ns.filter, chain);
  const dropping = rules.find((r) => / -j (DROP|REJECT)\b/.test(r));
  if (dropping !== undefined) {
    return `an iptables rule in ${label(ns)} drops the traffic: "${dropping}" (remove it with iptables -D ${dropping.slice(3)})`;
  }
  if (policy(ns.filter, chain) === "DROP" && !rules.some((r) => / -j ACCEPT\b/.test(r))) {
    return `the iptables ${chain} policy in ${label(ns)} is DROP and no rule accepts the traffic (iptables -P ${chain} ACCEPT, or add an ACCEPT rule)`;
  }
  return undefined;
}

interface L2Node {
  ns: NamespaceFacts;
  link: IpLink;
}

/**
 * Neighbours of a link on the wire: its veth peer, its bridge, (for a bridge) its ports, and
 * (for a VXLAN device) the VXLAN devices it reaches through a working tunnel.
 */
function l2Next(facts: LabFacts, n: L2Node, depth: number): L2Node[] {
  const out: L2Node[] = [];
  const peer = vethPeer(facts, n.ns, n.link);
  if (peer !== undefined) out.push({ ns: peer.ns, link: peer.link });
  if (n.link.master !== undefined) {
    const br = n.ns.links.find((l) => l.ifname === n.link.master);
    if (br !== undefined) out.push({ ns: n.ns, link: br });
  }
  if (n.link.linkinfo?.info_kind === "bridge") {
    for (const l of n.ns.links) if (l.master === n.link.ifname) out.push({ ns: n.ns, link: l });
  }
  if (n.link.linkinfo?.info_kind === "vxlan") {
    for (const other of vxlanDevices(facts)) {
      if (other.ns === n.ns && other.link === n.link) continue;
      if (tunnelProblem(facts, n, other, depth) === undefined) out.push(other);
    }
  }
  return out;
}

const nodeKey = (n: L2Node) => `${n.ns.name ?? ""}/${n.link.ifname}`;

/**
 * The L2 path from `start` to `goal`: the first link on it that is down, or "unconnected" with
 * every node reached from `start`. Breadth-first over veth peers, bridge ports and VXLAN
 * tunnels, ignoring state, then reading the path found.
 */
function l2Path(
  facts: LabFacts,
  start: L2Node,
  goal: L2Node,
  depth: number,
): { ok: true; nodes: L2Node[] } | { ok: false; down?: L2Node; reached: L2Node[] } {
  const prev = new Map<string, L2Node | null>([[nodeKey(start), null]]);
  const reached = [start];
  const queue = [start];
  while (queue.length > 0) {
    const n = queue.shift() as L2Node;
    if (nodeKey(n) === nodeKey(goal)) break;
    for (const m of l2Next(facts, n, depth)) {
      if (!prev.has(nodeKey(m))) {
        prev.set(nodeKey(m), n);
        reached.push(m);
        queue.push(m);
      }
    }
  }
  if (!prev.has(nodeKey(goal))) return { ok: false, reached };
  const nodes: L2Node[] = [];
  for (let n: L2Node | null | undefined = goal; n; n = prev.get(nodeKey(n))) nodes.unshift(n);
  const down = nodes.find((n) => !isUp(n.link));
  return down === undefined ? { ok: true, nodes } : { ok: false, down, reached };
}

/** Every link frames from `start` can reach (its L2 segment, tunnels included). */
function segment(facts: LabFacts, start: L2Node, depth: number): L2Node[] {
  const seen = new Set([nodeKey(start)]);
  const out = [start];
  for (let i = 0; i < out.length; i++) {
    for (const m of l2Next(facts, out[i] as L2Node, depth)) {
      if (!seen.has(nodeKey(m))) {
        seen.add(nodeKey(m));
        out.push(m);
      }
    }
  }
  return out;
}

/** Whether frames could go between two links at all (whatever their state). */
function l2Joined(facts: LabFacts, a: L2Node, b: L2Node, depth: number): boolean {
  const path = l2Path(facts, a, b, depth);
  return path.ok || path.down !== undefined;
}

// --- VXLAN -------------------------------------------------------------------------------

/** A VXLAN device's tunnel settings (`ip -d` info_data, and its fdb entries with a `dst`). */
interface Vtep {
  id?: number;
  port?: number;
  local?: string;
  group?: string;
  /** Where it sends: `remote`, and every fdb entry's `dst`. */
  remotes: string[];
  learning: boolean;
}

function vtep(n: L2Node): Vtep | undefined {
  if (n.link.linkinfo?.info_kind !== "vxlan") return undefined;
  const d = n.link.linkinfo.info_data ?? {};
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const remotes = new Set<string>();
  const remote = str(d.remote);
  if (remote !== undefined) remotes.add(remote);
  for (const e of n.ns.fdb)
    if (e.ifname === n.link.ifname && e.dst !== undefined) remotes.add(e.dst);
  const v: Vtep = { remotes: [...remotes], learning: d.learning !== false };
  const id = num(d.id);
  const port = num(d.port);
  const local = str(d.local);
  const group = str(d.group);
  if (id !== undefined) v.id = id;
  if (port !== undefined) v.port = port;
  if (local !== undefined) v.local = local;
  if (group !== undefined) v.group = group;
  return v;
}

function vxlanDevices(facts: LabFacts): L2Node[] {
  return facts.namespaces.flatMap((ns) =>
    ns.links.filter((l) => l.linkinfo?.info_kind === "vxlan").map((link) => ({ ns, link })),
  );
}

/** Where a VTEP's tunnel ends in its namespace: its `local`, else its first non-lo address. */
function tunnelEnd(n: L2Node, v: Vtep): string | undefined {
  return v.local ?? ipv4Addrs(n.ns).find((a) => a.dev !== "lo" && a.dev !== n.link.ifname)?.local;
}

/**
 * Why frames from VXLAN device `a` do not reach VXLAN device `b` (and back), or undefined when
 * the tunnel between them works as far as the facts tell: same id and port, each sends to an
 * address of the other's namespace (or learns it), and the underlay gets there.
 */
function tunnelProblem(
  facts: LabFacts,
  a: L2Node,
  b: L2Node,
  depth: number,
): Diagnosis | undefined {
  const va = vtep(a);
  const vb = vtep(b);
  if (va === undefined || vb === undefined) return undefined;
  const wa = where(a.ns, a.link.ifname);
  const wb = where(b.ns, b.link.ifname);
  const cannot = (why: string): Diagnosis => ({
    layer: "interface",
    sentence: `The diagnosis cannot judge the VXLAN tunnel between ${wa} and ${wb}: ${why}.`,
  });
  if (
    va.id === undefined ||
    vb.id === undefined ||
    va.port === undefined ||
    vb.port === undefined
  ) {
    return cannot("their id or port is unknown");
  }
  if (va.group !== undefined || vb.group !== undefined) {
    return cannot("it uses a multicast group");
  }
  if (va.id !== vb.id) {
    return {
      layer: "interface",
      sentence: `${wa} has VXLAN id ${va.id} but ${wb} has id ${vb.id}: both ends of a tunnel need the same id (it is set when the device is made: delete one and add it again with the other's id).`,
    };
  }
  if (va.port !== vb.port) {
    return {
      layer: "interface",
      sentence: `${wa} sends to UDP port ${va.port} but ${wb} listens on port ${vb.port}: both ends need the same dstport (it is set when the device is made: delete one and add it again with dstport ${va.port === 4789 || vb.port === 4789 ? 4789 : va.port}).`,
    };
  }
  const aAddrs = ipv4Addrs(a.ns).map((x) => x.local);
  const bAddrs = ipv4Addrs(b.ns).map((x) => x.local);
  if (va.local !== undefined && !aAddrs.includes(va.local)) {
    return {
      layer: "address",
      sentence: `${wa} sends from local ${va.local}, which is no address of ${label(a.ns)}.`,
    };
  }
  const bEnd = tunnelEnd(b, vb);
  const aEnd = tunnelEnd(a, va);
  const hit = va.remotes.find((r) => bAddrs.includes(r));
  if (hit === undefined) {
    const cause =
      va.remotes.length === 0
        ? `${wa} has no remote (no \`remote\` and no fdb entry with a dst), so it sends ${wb} nothing`
        : `${wa} sends to ${va.remotes.join(", ")}, which is no address of ${label(b.ns)}${bEnd === undefined ? "" : ` (its end is ${bEnd})`}`;
    return bEnd === undefined
      ? { layer: "address", sentence: `${cause}.` }
      : fix(
          "address",
          cause,
          a.ns,
          `bridge${a.ns.name === null ? "" : ` -n ${shownName(a.ns.name)}`} fdb append 00:00:00:00:00:00 dev ${shownName(a.link.ifname)} dst ${bEnd}`,
        );
  }
  if (!vb.learning && !vb.remotes.some((r) => aAddrs.includes(r))) {
    const cause = `${wb} does not know ${label(a.ns)}'s end of the tunnel (no remote or fdb dst ${aEnd ?? "for it"}, and learning is off), so replies never come back`;
    return aEnd === undefined
      ? { layer: "address", sentence: `${cause}.` }
      : fix(
          "address",
          cause,
          b.ns,
          `bridge${b.ns.name === null ? "" : ` -n ${shownName(b.ns.name)}`} fdb append 00:00:00:00:00:00 dev ${shownName(b.link.ifname)} dst ${aEnd}`,
        );
  }
  if (depth < 2) {
    // The tunnel's packets travel over the underlay: walk it as a ping from a's namespace.
    const under = walk(facts, { from: a.ns.name, ip: hit }, () => false, depth + 1);
    if (under !== undefined) {
      return {
        ...under,
        sentence: `Under the VXLAN tunnel from ${wa} to ${hit}: ${under.sentence}`,
      };
    }
  }
  return undefined;
}

/**
 * Why `goal` is not reached from the nodes `reached` when a VXLAN device is on either side,
 * or undefined when none is.
 */
function vxlanBetween(
  facts: LabFacts,
  reached: L2Node[],
  goal: L2Node,
  dest: string,
  depth: number,
): Diagnosis | undefined {
  const farSide = segment(facts, goal, depth);
  const near = reached.filter((n) => vtep(n) !== undefined);
  const away = farSide.filter((n) => vtep(n) !== undefined);
  if (near.length === 0 && away.length === 0) return undefined;
  // The pair most likely meant as one tunnel: same id, then same name.
  const pairs = near.flatMap((a) => away.map((b) => ({ a, b })));
  const score = (p: { a: L2Node; b: L2Node }) =>
    (vtep(p.a)?.id === vtep(p.b)?.id ? 2 : 0) + (p.a.link.ifname === p.b.link.ifname ? 1 : 0);
  const best = pairs.sort((x, y) => score(y) - score(x))[0];
  if (best !== undefined) return tunnelProblem(facts, best.a, best.b, depth);
  const start = reached[0] as L2Node;
  if (near.length > 0) {
    const a = near[0] as L2Node;
    return {
      layer: "interface",
      sentence: `${where(goal.ns, goal.link.ifname)} is behind no VXLAN device, so the tunnel of ${where(a.ns, a.link.ifname)} (id ${vtep(a)?.id ?? "?"}) cannot reach it.`,
    };
  }
  return missingVtep(start.ns, away[0] as L2Node, goal, dest);
}

/** `ns` has no VXLAN device of its own to reach `goal`, which is behind VTEP `b`. */
function missingVtep(ns: NamespaceFacts, b: L2Node, goal: L2Node, dest: string): Diagnosis {
  const v = vtep(b) as Vtep;
  const end = tunnelEnd(b, v);
  const device = `VXLAN device ${where(b.ns, b.link.ifname)} (id ${v.id ?? "?"}, dstport ${v.port ?? "?"})`;
  const at =
    nodeKey(goal) === nodeKey(b)
      ? `the ${device}`
      : `${where(goal.ns, goal.link.ifname)}, behind the ${device}`;
  const cause = `${dest} is on ${at}, and ${label(ns)} has no VXLAN device of its own to reach it`;
  if (v.id === undefined || v.port === undefined || end === undefined) {
    return { layer: "interface", sentence: `${cause}.` };
  }
  return fix(
    "interface",
    cause,
    ns,
    `${ipn(ns, `link add ${shownName(b.link.ifname)} type vxlan id ${v.id} dstport ${v.port} remote ${end}`)}, then give it an address and bring it up`,
  );
}

// --- Addresses in the wrong place --------------------------------------------------------

/** An address on a bridge port: the bridge takes the port's frames, so it never sees them. */
function bridgePort(ns: NamespaceFacts, link: IpLink, ip: string): Diagnosis | undefined {
  if (link.master === undefined) return undefined;
  const br = ns.links.find((l) => l.ifname === link.master);
  if (br?.linkinfo?.info_kind !== "bridge") return undefined;
  const a = ipv4Addrs(ns, link.ifname).find((x) => x.local === ip);
  if (a === undefined) return undefined;
  const cidr = `${ip}/${a.prefixlen}`;
  return fix(
    "address",
    `${ip} is on ${where(ns, link.ifname)}, a port of the bridge ${br.ifname}: a port hands every frame to its bridge, so the address belongs on ${br.ifname}`,
    ns,
    `${ipn(ns, `addr del ${cidr} dev ${shownName(link.ifname)}`)} && ${ipn(ns, `addr add ${cidr} dev ${shownName(br.ifname)}`)}`,
  );
}

/** Every place an address is held, as `c1:eth0`. */
function holdersText(list: { ns: NamespaceFacts; dev: string }[]): string {
  return list.map((h) => where(h.ns, h.dev)).join(" and ");
}

/**
 * `ip` held twice where it clashes: twice in one namespace, or in two namespaces whose links
 * are joined (one network, where ARP gets two answers).
 */
function duplicated(facts: LabFacts, ip: string, depth: number): Diagnosis | undefined {
  const list = owners(facts, ip);
  for (const [i, first] of list.entries()) {
    for (const second of list.slice(i + 1)) {
      let [x, y] = [first, second];
      const xl = x.ns.links.find((l) => l.ifname === x.dev);
      const yl = y.ns.links.find((l) => l.ifname === y.dev);
      const clash =
        x.ns === y.ns ||
        (xl !== undefined &&
          yl !== undefined &&
          l2Joined(facts, { ns: x.ns, link: xl }, { ns: y.ns, link: yl }, depth));
      if (!clash) continue;
      if (x.ns === y.ns && xl !== undefined && yl !== undefined) {
        // Keep the copy whose link reaches further (eth0 on a bridge, not a stray link).
        const reach = (l: IpLink) => segment(facts, { ns: x.ns, link: l }, depth).length;
        if (reach(xl) < reach(yl)) [x, y] = [y, x];
      }
      const prefix = ipv4Addrs(y.ns, y.dev).find((a) => a.local === ip)?.prefixlen ?? 32;
      const cause =
        x.ns === y.ns
          ? `${ip} is on ${label(x.ns)} twice (${x.dev === y.dev ? `${x.dev}, with two prefixes` : `${x.dev} and ${y.dev}`})`
          : `${ip} is on ${label(x.ns)} and ${label(y.ns)} (${holdersText([x, y])}), in one network: ARP gets two answers`;
      return fix(
        "address",
        `${cause}; keep it in one place`,
        y.ns,
        ipn(y.ns, `addr del ${ip}/${prefix} dev ${shownName(y.dev)}`),
      );
    }
  }
  return undefined;
}

/** The first address of the lab that is held twice where it clashes, as words. */
function anyDuplicate(facts: LabFacts, depth: number): string | undefined {
  const seen = new Set<string>();
  for (const ns of facts.namespaces) {
    for (const a of ipv4Addrs(ns)) {
      if (a.dev === "lo" || seen.has(a.local)) continue;
      seen.add(a.local);
      const d = duplicated(facts, a.local, depth);
      if (d !== undefined) return `${a.local} is on ${holdersText(owners(facts, a.local))}`;
    }
  }
  return undefined;
}

/** `n` as an IPv4 address. */
function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The lowest host address of `net`/`len` that nobody in the lab holds. */
function freeAddress(facts: LabFacts, net: string, len: number): string | undefined {
  const base = ipv4ToNumber(net) ?? 0;
  const size = 2 ** (32 - len);
  for (let i = 1; i < Math.min(size - 1, 256); i++) {
    const ip = ipv4Text(base + i);
    if (owners(facts, ip).length === 0) return ip;
  }
  return undefined;
}

/**
 * The destination is on a network one of `here`'s own links reaches directly (over a bridge,
 * a veth…), yet the route chosen goes elsewhere or nowhere: `here` has no route over that link
 * (lesson 5's bridge without an address). Undefined when the route is direct already.
 */
function missedNeighbour(
  facts: LabFacts,
  here: NamespaceFacts,
  dest: string,
  route: IpRoute | undefined,
  depth: number,
): Diagnosis | undefined {
  if (route !== undefined && route.gateway === undefined) return undefined;
  for (const h of owners(facts, dest)) {
    if (h.ns === here) continue;
    const hl = h.ns.links.find((l) => l.ifname === h.dev);
    if (hl === undefined) continue;
    for (const l of here.links) {
      if (l.ifname === "lo" || l.master !== undefined || l.ifname === route?.dev) continue;
      if (!l2Joined(facts, { ns: here, link: l }, { ns: h.ns, link: hl }, depth)) continue;
      const len = ipv4Addrs(h.ns, h.dev).find((a) => a.local === dest)?.prefixlen ?? 32;
      const net = ipv4Network(dest, len);
      const dev = shownName(l.ifname);
      const bare = ipv4Addrs(here, l.ifname).length === 0;
      const goes = route === undefined ? "" : `, so it goes via ${route.gateway} instead`;
      const cause = `${dest} is on ${where(h.ns, h.dev)}, which ${where(here, l.ifname)} reaches directly, but ${label(here)} has no route to ${net}/${len} over ${l.ifname}${bare ? ` (${l.ifname} has no address yet)` : ""}${goes}`;
      const free = len <= 30 ? freeAddress(facts, net, len) : undefined;
      return fix(
        "route",
        cause,
        here,
        bare && free !== undefined
          ? ipn(here, `addr add ${free}/${len} dev ${dev}`)
          : ipn(here, `route add ${net}/${len} dev ${dev}`),
      );
    }
  }
  return undefined;
}

/** Diagnose a failed ping/tcp from `target.from` to `target.ip`; undefined when nothing is found. */
export function diagnose(
  facts: LabFacts,
  target: DiagnoseTarget,
  options: DiagnoseOptions = {},
): Diagnosis | undefined {
  const leftAlone = options.leftAlone ?? (() => false);
  const found = walk(facts, target, leftAlone, 0);
  // The lesson's own design is never the thing to change: say the cause, not that command.
  if (found?.changes !== undefined && found.cause !== undefined && leftAlone(found.changes)) {
    return {
      layer: found.layer,
      sentence: `${found.cause}; this lesson leaves ${nsLabel(found.changes)} as it is, so the fix is on the way there, not in ${nsLabel(found.changes)}.`,
    };
  }
  return found;
}

/** The walk from the source to the destination; `depth` counts tunnels whose underlay it walks. */
function walk(
  facts: LabFacts,
  target: DiagnoseTarget,
  leftAlone: (ns: string | null) => boolean,
  depth: number,
): Diagnosis | undefined {
  const src = namespaceFacts(facts, target.from);
  if (src === undefined || !src.exists) {
    return { layer: "namespace", sentence: `There is no namespace "${target.from}" in the lab.` };
  }
  if (ipv4ToNumber(target.ip) === undefined) return undefined;
  if (ipv4InCidr(target.ip, "127.0.0.0", 8)) {
    // Loopback addresses exist only while lo is up: a fresh namespace's lo is down.
    const lo = src.links.find((l) => l.ifname === "lo");
    if (lo !== undefined && !isUp(lo)) {
      return fix("interface", `lo is down in ${label(src)}`, src, ipn(src, "link set lo up"));
    }
    return undefined;
  }
  const twice = duplicated(facts, target.ip, depth);
  if (twice !== undefined) return twice;
  let dest = target.ip;
  let port = target.port;
  const routers: { ns: NamespaceFacts; egress: string }[] = [];
  let here = src;
  let sourceIp: string | undefined;

  for (let hop = 0; hop < 8; hop++) {
    // Arrived: the destination address is one of this namespace's own.
    if (ipv4Addrs(here).some((a) => a.local === dest)) {
      // A DNAT rule for the port sends the connection on: follow it, this namespace routes.
      const dnat = port === undefined ? undefined : dnatFor(here, port);
      if (dnat !== undefined && !ipv4Addrs(here).some((a) => a.local === dnat.ip)) {
        // Traffic this namespace sends itself is not forwarded: only arriving traffic is.
        const refused = hop === 0 ? undefined : mustForward(here, `which DNATs to ${dnat.ip}`);
        if (refused !== undefined) return refused;
        dest = dnat.ip;
        port = dnat.port ?? port;
        if (hop === 0) sourceIp = lookupRoute(here, dest)?.prefsrc;
        continue;
      }
      return atDestination(facts, here, hop === 0 ? undefined : sourceIp, routers, {
        ...target,
        ...(port === undefined ? {} : { port }),
      });
    }
    const route = lookupRoute(here, dest);
    const direct = missedNeighbour(facts, here, dest, route, depth);
    if (direct !== undefined) return direct;
    if (route === undefined) return noRoute(facts, here, dest, depth);
    const devName = route.dev ?? "";
    const dev = here.links.find((l) => l.ifname === devName);
    if (dev === undefined) return undefined;
    if (!isUp(dev)) {
      return fix(
        "interface",
        `${where(here, devName)} is down`,
        here,
        ipn(here, `link set ${shownName(devName)} up`),
      );
    }
    const own = ipv4Addrs(here, devName);
    if (hop === 0) {
      sourceIp =
        route.prefsrc ?? own[0]?.local ?? ipv4Addrs(here).find((a) => a.dev !== "lo")?.local;
      if (sourceIp === undefined) {
        return fix(
          "address",
          `${where(here, devName)} has no IPv4 address, so ${label(here)} cannot send from it`,
          here,
          ipn(here, `addr add ADDRESS/LEN dev ${shownName(devName)}`),
        );
      }
      const onPort = own.length > 0 ? bridgePort(here, dev, own[0]?.local ?? "") : undefined;
      if (onPort !== undefined) return onPort;
      const sourceTwice = duplicated(facts, sourceIp, depth);
      if (sourceTwice !== undefined) return sourceTwice;
    }
    if (!hasCarrier(dev)) {
      const peer = vethPeer(facts, here, dev);
      return peer !== undefined && !isUp(peer.link)
        ? fix(
            "interface",
            `The other end of ${where(here, devName)}, ${where(peer.ns, peer.link.ifname)}, is down`,
            peer.ns,
            ipn(peer.ns, `link set ${shownName(peer.link.ifname)} up`),
          )
        : {
            layer: "interface",
            sentence: `${where(here, devName)} has no carrier (its other end is down or unplugged).`,
          };
    }
    const nextHop = route.gateway ?? dest;
    const holders = owners(facts, nextHop);
    const holder = holders[0];
    if (holder === undefined) {
      const dup = anyDuplicate(facts, depth);
      return {
        layer: "arp",
        sentence:
          nextHop === dest
            ? `No interface in the lab has ${dest}, so nothing answers ARP for it from ${where(here, devName)}${dup === undefined ? "." : `; ${dup}: was one of them meant to be ${dest}?`}`
            : `The gateway ${nextHop} of ${label(here)} is on no interface in the lab, so nothing answers ARP for it: check the address in ${ipn(here, "route")}.`,
      };
    }
    const holderLink = holder.ns.links.find((l) => l.ifname === holder.dev);
    if (holderLink !== undefined && !isUp(holderLink)) {
      return fix(
        "interface",
        `${where(holder.ns, holder.dev)}, which has ${nextHop}, is down`,
        holder.ns,
        ipn(holder.ns, `link set ${shownName(holder.dev)} up`),
      );
    }
    if (holderLink !== undefined) {
      const onPort = bridgePort(holder.ns, holderLink, nextHop);
      if (onPort !== undefined) return onPort;
      const path = l2Path(
        facts,
        { ns: here, link: dev },
        { ns: holder.ns, link: holderLink },
        depth,
      );
      if (!path.ok) {
        if (path.down !== undefined) {
          return fix(
            "interface",
            `${where(path.down.ns, path.down.link.ifname)} is down, on the way from ${where(here, devName)} to ${nextHop}`,
            path.down.ns,
            ipn(path.down.ns, `link set ${shownName(path.down.link.ifname)} up`),
          );
        }
        const tunnel = vxlanBetween(
          facts,
          path.reached,
          { ns: holder.ns, link: holderLink },
          nextHop,
          depth,
        );
        if (tunnel !== undefined) return tunnel;
        return {
          layer: "arp",
          sentence: `${nextHop} is on ${where(holder.ns, holder.dev)}, which is not connected to ${where(here, devName)} (no veth, bridge or VXLAN device joins them), so ARP gets no answer.`,
        };
      }
      // Frames bridged across a bridge (in one port, out of another) go through iptables
      // FORWARD when br_netfilter is on (bridge-nf-call-iptables = 1); ARP is not filtered, so
      // the neighbour entry looks fine while every IP packet is dropped.
      const last = path.nodes.at(-1);
      for (const n of path.nodes) {
        if (n.link.linkinfo?.info_kind !== "bridge" || n === last) continue;
        if (n.ns.sysctls["net.bridge.bridge-nf-call-iptables"] !== "1") continue;
        const blocked = chainBlocks(n.ns, "FORWARD");
        if (blocked !== undefined) {
          return {
            layer: "firewall",
            sentence: `${capital(blocked)}; with br_netfilter on, that chain also filters what ${where(n.ns, n.link.ifname)} bridges.`,
          };
        }
      }
    }
    if (holder.ns === here) return undefined;
    if (nextHop === dest) {
      here = holder.ns;
      continue;
    }
    // The next hop is a router: it must forward.
    const router = holder.ns;
    const out = lookupRoute(router, dest);
    const refused = mustForward(router, `the gateway ${nextHop}`);
    if (leftAlone(router.name) && (refused !== undefined || out === undefined)) {
      // The lesson means this router to stay as it is: the traffic should not go there.
      const why = out === undefined ? `it has no route to ${dest}` : "it does not forward it";
      return {
        layer: "route",
        sentence: `${subject(here)} sends ${dest} via ${nextHop}, to ${label(router)}, which this lesson leaves as it is (${why}): ${label(here)} needs a route to ${dest} that does not go there.`,
      };
    }
    if (refused !== undefined) return refused;
    routers.push({ ns: router, egress: out?.dev ?? "" });
    here = router;
  }
  return undefined;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** A namespace at the start of a sentence: `The lab host`, `Namespace c1`. */
const subject = (ns: NamespaceFacts) =>
  ns.name === null ? "The lab host" : `Namespace ${nsLabel(ns)}`;

/** A router must have forwarding on and a FORWARD chain that lets the traffic through. */
function mustForward(router: NamespaceFacts, role: string): Diagnosis | undefined {
  const forward = router.sysctls["net.ipv4.ip_forward"];
  if (forward !== undefined && forward !== "1") {
    return fix(
      "forwarding",
      `Forwarding is off in ${label(router)}, ${role}`,
      router,
      `${router.name === null ? "" : `ip netns exec ${shownName(router.name)} `}sysctl -w net.ipv4.ip_forward=1`,
    );
  }
  const blocked = chainBlocks(router, "FORWARD");
  return blocked === undefined
    ? undefined
    : { layer: "firewall", sentence: `${capital(blocked)}.` };
}

/** The DNAT rule (nat PREROUTING or OUTPUT) for a TCP port: where it sends connections. */
function dnatFor(ns: NamespaceFacts, port: number): { ip: string; port?: number } | undefined {
  const rules = [...rulesOf(ns.nat, "PREROUTING"), ...rulesOf(ns.nat, "OUTPUT")];
  for (const rule of rules) {
    if (!new RegExp(`--dport ${port}\\b`).test(rule)) continue;
    const to = / -j DNAT --to-destination (\d+\.\d+\.\d+\.\d+)(?::(\d+))?/.exec(rule);
    if (to?.[1] !== undefined) {
      return to[2] === undefined ? { ip: to[1] } : { ip: to[1], port: Number(to[2]) };
    }
  }
  return undefined;
}

function noRoute(facts: LabFacts, ns: NamespaceFacts, dest: string, depth: number): Diagnosis {
  const links = ns.links.filter((l) => l.ifname !== "lo");
  const down = links.find((l) => !isUp(l));
  if (down !== undefined) {
    return fix(
      "interface",
      `${where(ns, down.ifname)} is down, so ${label(ns)} has no route to ${dest}`,
      ns,
      ipn(ns, `link set ${shownName(down.ifname)} up`),
    );
  }
  const bare = links.find((l) => ipv4Addrs(ns, l.ifname).length === 0);
  if (
    links.length > 0 &&
    ipv4Addrs(ns).filter((a) => a.dev !== "lo").length === 0 &&
    bare !== undefined
  ) {
    return fix(
      "address",
      `${where(ns, bare.ifname)} has no IPv4 address, so ${label(ns)} has no route to ${dest}`,
      ns,
      ipn(ns, `addr add ADDRESS/LEN dev ${shownName(bare.ifname)}`),
    );
  }
  if (links.length === 0) {
    return { layer: "interface", sentence: `${subject(ns)} has no interface besides lo.` };
  }
  // Behind a VXLAN device elsewhere: what is missing here is a tunnel, not a default route.
  for (const h of owners(facts, dest)) {
    const hl = h.ns.links.find((l) => l.ifname === h.dev);
    if (hl === undefined) continue;
    const goal = { ns: h.ns, link: hl };
    const b = segment(facts, goal, depth).find((n) => vtep(n) !== undefined);
    if (b !== undefined) return missingVtep(ns, b, goal, dest);
  }
  const hasDefault = unicastRoutes(ns.routes).some((r) => r.dst === "default");
  return fix(
    "route",
    `${subject(ns)} has no route to ${dest}${hasDefault ? "" : " (no default route)"}`,
    ns,
    ipn(ns, "route add default via GATEWAY"),
  );
}

function atDestination(
  facts: LabFacts,
  dest: NamespaceFacts,
  sourceIp: string | undefined,
  routers: { ns: NamespaceFacts; egress: string }[],
  target: DiagnoseTarget,
): Diagnosis | undefined {
  if (sourceIp === undefined) {
    // The source pings one of its own addresses: that goes through lo.
    const lo = dest.links.find((l) => l.ifname === "lo");
    if (lo !== undefined && !isUp(lo)) {
      return {
        layer: "interface",
        sentence: `lo is down in ${label(dest)}: ${ipn(dest, "link set lo up")}.`,
      };
    }
  }
  const input = chainBlocks(dest, "INPUT");
  if (input !== undefined) return { layer: "firewall", sentence: `${capital(input)}.` };
  if (target.port !== undefined) {
    const listening = (dest.listening ?? []).some(
      (s) => s.proto === "tcp" && s.port === target.port,
    );
    if (dest.listening !== undefined && !listening) {
      return {
        layer: "listen",
        sentence: `Nothing listens on tcp port ${target.port} in ${label(dest)}.`,
      };
    }
  }
  if (sourceIp !== undefined && lookupRoute(dest, sourceIp) === undefined) {
    const masq = routers.find((r) =>
      rulesOf(r.ns.nat, "POSTROUTING").some((l) => / -j (MASQUERADE|SNAT)\b/.test(l)),
    );
    const first = routers[0];
    if (first !== undefined && masq === undefined) {
      const net = facts.namespaces.length > 0 ? sourceNet(facts, sourceIp) : sourceIp;
      return fix(
        "nat",
        `NAT is missing: ${label(dest)} has no route back to ${sourceIp}, so ${label(first.ns)} must masquerade it`,
        first.ns,
        `${first.ns.name === null ? "" : `ip netns exec ${shownName(first.ns.name)} `}iptables -t nat -A POSTROUTING -s ${net}${first.egress ? ` -o ${shownName(first.egress)}` : ""} -j MASQUERADE`,
      );
    }
    if (first === undefined) {
      return {
        layer: "route",
        sentence: `${subject(dest)} has no route back to ${sourceIp}: ${ipn(dest, "route add ...")}.`,
      };
    }
  }
  return undefined;
}

/** The network (CIDR) of the interface that holds `ip`, for a MASQUERADE rule's `-s`. */
function sourceNet(facts: LabFacts, ip: string): string {
  for (const ns of facts.namespaces) {
    const a = ipv4Addrs(ns).find((x) => x.local === ip);
    if (a !== undefined) {
      const n = ipv4ToNumber(a.local) ?? 0;
      const size = 2 ** (32 - a.prefixlen);
      const base = Math.floor(n / size) * size;
      const parts = [24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256);
      return `${parts.join(".")}/${a.prefixlen}`;
    }
  }
  return `${ip}/32`;
}
