/**
 * Diagnosis of a failed `ping` or `tcp`: walk the path from the source namespace to the
 * destination over one snapshot of facts (links, addresses, routes, neighbours, sysctls,
 * iptables, sockets) and name the first broken layer in one plain sentence. Pure.
 */

import { shellQuote } from "../lab/shell-quote.js";
import {
  hasCarrier,
  type IpLink,
  type IpRoute,
  isUp,
  type LabFacts,
  type NamespaceFacts,
  namespaceFacts,
  nsLabel,
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
  ns.name === null ? `ip ${rest}` : `ip -n ${shellQuote(ns.name)} ${rest}`;
const where = (ns: NamespaceFacts, dev: string) => (ns.name === null ? dev : `${ns.name}:${dev}`);

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

/** Neighbours of a link on the wire: its veth peer, its bridge, or (for a bridge) its ports. */
function l2Next(facts: LabFacts, n: L2Node): L2Node[] {
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
  return out;
}

/**
 * The L2 path from `start` to `goal`: the first link on it that is down, or "unconnected".
 * Breadth-first over veth peers and bridge ports, ignoring state, then reading the path found.
 */
function l2Path(
  facts: LabFacts,
  start: L2Node,
  goal: L2Node,
): { ok: true; nodes: L2Node[] } | { ok: false; down?: L2Node } {
  const key = (n: L2Node) => `${n.ns.name ?? ""}/${n.link.ifname}`;
  const prev = new Map<string, L2Node | null>([[key(start), null]]);
  const queue = [start];
  while (queue.length > 0) {
    const n = queue.shift() as L2Node;
    if (key(n) === key(goal)) break;
    for (const m of l2Next(facts, n)) {
      if (!prev.has(key(m))) {
        prev.set(key(m), n);
        queue.push(m);
      }
    }
  }
  if (!prev.has(key(goal))) return { ok: false };
  const nodes: L2Node[] = [];
  for (let n: L2Node | null | undefined = goal; n; n = prev.get(key(n))) nodes.unshift(n);
  const down = nodes.find((n) => !isUp(n.link));
  return down === undefined ? { ok: true, nodes } : { ok: false, down };
}

/** Diagnose a failed ping/tcp from `target.from` to `target.ip`; undefined when nothing is found. */
export function diagnose(facts: LabFacts, target: DiagnoseTarget): Diagnosis | undefined {
  const src = namespaceFacts(facts, target.from);
  if (src === undefined || !src.exists) {
    return { layer: "namespace", sentence: `There is no namespace "${target.from}" in the lab.` };
  }
  if (ipv4ToNumber(target.ip) === undefined) return undefined;
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
    if (route === undefined) return noRoute(here, dest);
    const devName = route.dev ?? "";
    const dev = here.links.find((l) => l.ifname === devName);
    if (dev === undefined) return undefined;
    if (!isUp(dev)) {
      return {
        layer: "interface",
        sentence: `${where(here, devName)} is down: ${ipn(here, `link set ${shellQuote(devName)} up`)}.`,
      };
    }
    const own = ipv4Addrs(here, devName);
    if (hop === 0) {
      sourceIp =
        route.prefsrc ?? own[0]?.local ?? ipv4Addrs(here).find((a) => a.dev !== "lo")?.local;
      if (sourceIp === undefined) {
        return {
          layer: "address",
          sentence: `${where(here, devName)} has no IPv4 address, so ${label(here)} cannot send from it: ${ipn(here, `addr add ADDRESS/LEN dev ${devName}`)}.`,
        };
      }
    }
    if (!hasCarrier(dev)) {
      const peer = vethPeer(facts, here, dev);
      return {
        layer: "interface",
        sentence:
          peer !== undefined && !isUp(peer.link)
            ? `The other end of ${where(here, devName)}, ${where(peer.ns, peer.link.ifname)}, is down: ${ipn(peer.ns, `link set ${shellQuote(peer.link.ifname)} up`)}.`
            : `${where(here, devName)} has no carrier (its other end is down or unplugged).`,
      };
    }
    const nextHop = route.gateway ?? dest;
    const holders = owners(facts, nextHop);
    const holder = holders[0];
    if (holder === undefined) {
      return {
        layer: "arp",
        sentence:
          nextHop === dest
            ? `No interface in the lab has ${dest}, so nothing answers ARP for it from ${where(here, devName)}.`
            : `The gateway ${nextHop} of ${label(here)} is on no interface in the lab, so nothing answers ARP for it: check the address in ${ipn(here, "route")}.`,
      };
    }
    const holderLink = holder.ns.links.find((l) => l.ifname === holder.dev);
    if (holderLink !== undefined && !isUp(holderLink)) {
      return {
        layer: "interface",
        sentence: `${where(holder.ns, holder.dev)}, which has ${nextHop}, is down: ${ipn(holder.ns, `link set ${shellQuote(holder.dev)} up`)}.`,
      };
    }
    if (holderLink !== undefined) {
      const path = l2Path(facts, { ns: here, link: dev }, { ns: holder.ns, link: holderLink });
      if (!path.ok) {
        return path.down !== undefined
          ? {
              layer: "interface",
              sentence: `${where(path.down.ns, path.down.link.ifname)} is down, on the way from ${where(here, devName)} to ${nextHop}: ${ipn(path.down.ns, `link set ${shellQuote(path.down.link.ifname)} up`)}.`,
            }
          : {
              layer: "arp",
              sentence: `${nextHop} is on ${where(holder.ns, holder.dev)}, which is not connected to ${where(here, devName)} (no veth or bridge joins them), so ARP gets no answer.`,
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
    const refused = mustForward(router, `the gateway ${nextHop}`);
    if (refused !== undefined) return refused;
    const out = lookupRoute(router, dest);
    routers.push({ ns: router, egress: out?.dev ?? "" });
    here = router;
  }
  return undefined;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** A namespace at the start of a sentence: `The lab host`, `Namespace c1`. */
const subject = (ns: NamespaceFacts) =>
  ns.name === null ? "The lab host" : `Namespace ${ns.name}`;

/** A router must have forwarding on and a FORWARD chain that lets the traffic through. */
function mustForward(router: NamespaceFacts, role: string): Diagnosis | undefined {
  const forward = router.sysctls["net.ipv4.ip_forward"];
  if (forward !== undefined && forward !== "1") {
    return {
      layer: "forwarding",
      sentence: `Forwarding is off in ${label(router)}, ${role}: ${router.name === null ? "" : `ip netns exec ${shellQuote(router.name)} `}sysctl -w net.ipv4.ip_forward=1.`,
    };
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

function noRoute(ns: NamespaceFacts, dest: string): Diagnosis {
  const links = ns.links.filter((l) => l.ifname !== "lo");
  const down = links.find((l) => !isUp(l));
  if (down !== undefined) {
    return {
      layer: "interface",
      sentence: `${where(ns, down.ifname)} is down, so ${label(ns)} has no route to ${dest}: ${ipn(ns, `link set ${shellQuote(down.ifname)} up`)}.`,
    };
  }
  const bare = links.find((l) => ipv4Addrs(ns, l.ifname).length === 0);
  if (
    links.length > 0 &&
    ipv4Addrs(ns).filter((a) => a.dev !== "lo").length === 0 &&
    bare !== undefined
  ) {
    return {
      layer: "address",
      sentence: `${where(ns, bare.ifname)} has no IPv4 address, so ${label(ns)} has no route to ${dest}: ${ipn(ns, `addr add ADDRESS/LEN dev ${bare.ifname}`)}.`,
    };
  }
  if (links.length === 0) {
    return { layer: "interface", sentence: `${subject(ns)} has no interface besides lo.` };
  }
  const hasDefault = unicastRoutes(ns.routes).some((r) => r.dst === "default");
  return {
    layer: "route",
    sentence: `${subject(ns)} has no route to ${dest}${hasDefault ? "" : " (no default route)"}: ${ipn(ns, "route add default via GATEWAY")}.`,
  };
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
      return {
        layer: "nat",
        sentence: `NAT is missing: ${label(dest)} has no route back to ${sourceIp}, so ${label(first.ns)} must masquerade it: ${first.ns.name === null ? "" : `ip netns exec ${shellQuote(first.ns.name)} `}iptables -t nat -A POSTROUTING -s ${net}${first.egress ? ` -o ${shellQuote(first.egress)}` : ""} -j MASQUERADE.`,
      };
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
