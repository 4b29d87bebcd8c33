/**
 * Facts: one snapshot of a lab's network state, gathered in ONE lab round trip and parsed from
 * JSON (`ip -j`, `bridge -j`), never from screen text. State checks are answered from it; the
 * graph draws it. The raw entries keep iproute2's field names so that they read like its docs.
 */
import { randomBytes } from "node:crypto";
import { shellQuote } from "../lab/shell-quote.js";
import type { Lab } from "../lab/types.js";

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

/** One entry of `ip -j route show`. `dst` is `default`, a CIDR, or a bare address (a /32). */
export interface IpRoute {
  dst: string;
  type?: string;
  table?: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  scope?: string;
  metric?: number;
  flags?: string[];
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
  /** A VXLAN entry's remote. */
  dst?: string;
  vlan?: number;
  flags?: string[];
  state?: string;
}

/** A namespace another namespace knows by an id (`ip -j netns list` run inside it). */
export interface NetnsId {
  name: string;
  id?: number;
}

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

/** `cmd` run inside named namespace `ns` (or as is in the host namespace). */
export function inNamespace(ns: string | null | undefined, cmd: string): string {
  return ns === null || ns === undefined ? cmd : `ip netns exec ${shellQuote(ns)} ${cmd}`;
}

/**
 * `cmd` run with only the network namespace switched (`nsenter --net`): cheaper than
 * `ip netns exec`, which also remounts /sys and binds /etc/netns files. For probes that talk to
 * addresses (ping, tcp, tcpdump), where those do not matter.
 */
export function inNetNamespace(ns: string | null | undefined, cmd: string): string {
  return ns === null || ns === undefined
    ? cmd
    : `nsenter --net=${shellQuote(`/run/netns/${ns}`)} -- ${cmd}`;
}

/** The namespace a probe's error output says it could not enter, if any. */
export function missingNamespace(output: string): string | undefined {
  const m =
    /Cannot open network namespace "([^"]+)"/.exec(output) ??
    /nsenter: cannot open \/run\/netns\/([^:]+):/.exec(output);
  return m?.[1];
}

/** What `ip -batch` reads in each namespace; its output has one JSON line per command. */
const IP_BATCH = ["link show", "addr show", "route show table all", "neigh show", "netns list"];

/** The bash script that prints every section of a snapshot between markers. */
export function buildFactsScript(nonce: string, options: GatherOptions = {}): string {
  const mark = `@@facts-${nonce}`;
  // One function per section: marker line, output, then the exit status on a line of its own.
  const sec = `sec() { local ns="$1" what="$2"; shift 2; printf '\\n${mark} %s %s\\n' "$ns" "$what"; "$@"; printf '\\n${mark}-rc %s\\n' "$?"; }`;
  const what = [
    options.namespaces === undefined
      ? "every namespace"
      : `namespaces ${options.namespaces.join(" ")}`,
    (options.extras?.length ?? 0) > 0 ? `${options.extras?.length} extra commands` : "",
    options.iptables === true ? "iptables" : "",
  ].filter(Boolean);
  const lines: string[] = [
    // The first line names the round trip in `--debug` output.
    `# facts: ${what.join(", ")}`,
    "set +e",
    sec,
    `b=$'${IP_BATCH.join("\\n")}'`,
    "dump() {",
    '  local ns="$1" n=() x=()',
    '  if [ "$ns" != "-" ]; then n=(-n "$ns"); x=(ip netns exec "$ns"); fi',
    '  if [ "$ns" != "-" ] && [ ! -e "/run/netns/$ns" ]; then sec "$ns" missing true; return; fi',
    // One ip process per namespace: its batch prints one JSON document per line, in order.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion
    '  sec "$ns" ip ip "${n[@]}" -j -d -batch - <<<"$b"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion
    '  sec "$ns" fdb bridge "${n[@]}" -j fdb show',
  ];
  const inner: string[] = [];
  for (const key of options.sysctls ?? []) {
    inner.push(`sec "$ns" ${shellQuote(`sysctl:${key}`)} sysctl -n ${shellQuote(key)}`);
  }
  if (options.iptables === true) {
    inner.push('sec "$ns" filter iptables -w -S', 'sec "$ns" nat iptables -w -t nat -S');
  }
  if (options.sockets === true) {
    inner.push('sec "$ns" sockets cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6');
  }
  if (inner.length > 0) {
    // One process inside the namespace for everything that must be read from there.
    const body = [sec, 'ns="$1"', ...inner].join("\n");
    lines.push(`  "\${x[@]}" bash -c ${shellQuote(body)} _ "$ns" 2>/dev/null`);
  }
  lines.push("}");
  // Every namespace and every extra command runs concurrently, each into a file of its own;
  // the files are printed in order at the end, so sections never interleave.
  lines.push("d=$(mktemp -d); j=0", 'bg() { j=$((j + 1)); "$@" >"$d/$j" 2>/dev/null & }');
  lines.push("bg dump -");
  if (options.namespaces === undefined) {
    // What `ip netns list` reads, without a process: the names under /run/netns, sorted.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion
    lines.push('for f in /run/netns/*; do [ -e "$f" ] && bg dump "${f##*/}"; done');
  } else {
    for (const ns of options.namespaces) lines.push(`bg dump ${shellQuote(ns)}`);
  }
  for (const extra of options.extras ?? []) {
    const script = `{ ${extra.script}\n} 2>&1`;
    const run = inNamespace(extra.ns, `bash -c ${shellQuote(script)}`);
    lines.push(`bg sec - ${shellQuote(`extra:${extra.id}`)} ${run}`);
  }
  lines.push('wait; for i in $(seq 1 $j); do cat "$d/$i"; done; rm -rf "$d"');
  return `${lines.join("\n")}\n`;
}

interface Section {
  ns: string;
  what: string;
  text: string;
  rc: number;
}

/** Split the script's output into sections. */
function sections(output: string, nonce: string): Section[] {
  const mark = `@@facts-${nonce}`;
  const result: Section[] = [];
  const re = new RegExp(`^${mark} (\\S+) (\\S+)\\n([\\s\\S]*?)\\n${mark}-rc (\\d+)$`, "gm");
  for (const m of output.matchAll(re)) {
    result.push({
      ns: m[1] ?? "-",
      what: m[2] ?? "",
      text: m[3] ?? "",
      rc: Number(m[4] ?? 0),
    });
  }
  return result;
}

function parseJsonArray<T>(text: string, what: string, warnings: string[]): T[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  try {
    const value: unknown = JSON.parse(trimmed);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    warnings.push(`${what}: not JSON: ${trimmed.slice(0, 120)}`);
    return [];
  }
}

/** Listening sockets from /proc/net/{tcp,udp}{,6}: TCP state 0A (LISTEN), UDP state 07 (bound). */
export function parseProcNetSockets(
  text: string,
): { proto: "tcp" | "udp"; port: number; address: string }[] {
  const out: { proto: "tcp" | "udp"; port: number; address: string }[] = [];
  let proto: "tcp" | "udp" = "tcp";
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === "sl") {
      // Header line: the files come tcp, tcp6, udp, udp6; a udp header has "ref pointer drops".
      proto = line.includes("drops") ? "udp" : "tcp";
      continue;
    }
    const local = fields[1];
    const state = fields[3];
    if (local === undefined || state === undefined) continue;
    const [hexAddr, hexPort] = local.split(":");
    if (hexAddr === undefined || hexPort === undefined) continue;
    if (proto === "tcp" ? state !== "0A" : state !== "07") continue;
    const port = Number.parseInt(hexPort, 16);
    const address =
      hexAddr.length === 8 ? hexToIPv4(hexAddr) : hexAddr === "0".repeat(32) ? "::" : hexAddr;
    const key = `${proto} ${address} ${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ proto, port, address });
  }
  return out;
}

/** /proc/net stores an IPv4 address as host-order (little-endian) hex. */
function hexToIPv4(hex: string): string {
  const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.join(".");
}

/** Parse the output of `buildFactsScript(nonce, options)`. Pure: tests feed recorded output. */
export function parseFactsOutput(output: string, nonce: string): LabFacts {
  const warnings: string[] = [];
  const byNs = new Map<string, NamespaceFacts>();
  const extras: Record<string, ExtraResult> = {};
  const get = (ns: string): NamespaceFacts => {
    let facts = byNs.get(ns);
    if (facts === undefined) {
      facts = {
        name: ns === "-" ? null : ns,
        exists: true,
        links: [],
        addrs: [],
        routes: [],
        neighbours: [],
        fdb: [],
        netnsIds: [],
        sysctls: {},
      };
      byNs.set(ns, facts);
    }
    return facts;
  };
  for (const s of sections(output, nonce)) {
    const where = `${s.ns === "-" ? "host" : s.ns}: ${s.what}`;
    if (s.what.startsWith("extra:")) {
      extras[s.what.slice(6)] = { exitCode: s.rc, stdout: s.text, stderr: "" };
      continue;
    }
    const f = get(s.ns);
    switch (s.what) {
      case "missing":
        f.exists = false;
        break;
      case "ip": {
        // One JSON document per line, in IP_BATCH order.
        const docs = s.text.split("\n").filter((l) => l.trim() !== "");
        f.links = parseJsonArray<IpLink>(docs[0] ?? "", `${where} link`, warnings);
        f.addrs = parseJsonArray<IpAddr>(docs[1] ?? "", `${where} addr`, warnings);
        f.routes = parseJsonArray<IpRoute>(docs[2] ?? "", `${where} route`, warnings);
        f.neighbours = parseJsonArray<IpNeighbour>(docs[3] ?? "", `${where} neigh`, warnings);
        f.netnsIds = parseJsonArray<NetnsId>(docs[4] ?? "", `${where} netns`, warnings);
        break;
      }
      case "link":
        f.links = parseJsonArray<IpLink>(s.text, where, warnings);
        break;
      case "addr":
        f.addrs = parseJsonArray<IpAddr>(s.text, where, warnings);
        break;
      case "route":
        f.routes = parseJsonArray<IpRoute>(s.text, where, warnings);
        break;
      case "neigh":
        f.neighbours = parseJsonArray<IpNeighbour>(s.text, where, warnings);
        break;
      case "fdb":
        f.fdb = parseJsonArray<FdbEntry>(s.text, where, warnings);
        break;
      case "netns":
        f.netnsIds = parseJsonArray<NetnsId>(s.text, where, warnings);
        break;
      case "filter":
        f.filter = s.text.split("\n").filter((l) => l.trim() !== "");
        break;
      case "nat":
        f.nat = s.text.split("\n").filter((l) => l.trim() !== "");
        break;
      case "sockets":
        f.listening = parseProcNetSockets(s.text);
        break;
      default:
        if (s.what.startsWith("sysctl:") && s.rc === 0) {
          f.sysctls[s.what.slice(7)] = s.text.trim();
        }
    }
  }
  const host = get("-");
  const named = [...byNs.values()].filter((n) => n.name !== null);
  return { namespaces: [host, ...named], extras, warnings };
}

/**
 * Gather one snapshot of the lab in ONE `lab.exec` round trip: for the host namespace and every
 * named namespace (or those asked for): links, addresses, routes, neighbours, fdb, namespace ids,
 * and the sysctls, iptables and sockets asked for, plus extra commands.
 */
export async function gatherFacts(lab: Lab, options: GatherOptions = {}): Promise<LabFacts> {
  const request = factsRequest(options);
  const result = await lab.exec(request.script, { timeout: options.timeout ?? 30 });
  return request.parse(result.stdout);
}

/** A snapshot as a script and the parser of its output, to embed in a larger round trip. */
export interface FactsRequest {
  script: string;
  /** Parses the output of `script` (other text around it is ignored). */
  parse(output: string): LabFacts;
}

/** Build a snapshot request; the same extra command in the same namespace runs once. */
export function factsRequest(options: GatherOptions = {}): FactsRequest {
  const nonce = randomBytes(6).toString("hex");
  // 40 checks may ask the same sysctl: run it once, answer every id.
  const unique = new Map<string, ExtraCommand>();
  const alias = new Map<string, string>();
  for (const e of options.extras ?? []) {
    const key = `${e.ns ?? ""}\0${e.script}`;
    const first = unique.get(key);
    if (first === undefined) unique.set(key, e);
    alias.set(e.id, first?.id ?? e.id);
  }
  return {
    script: buildFactsScript(nonce, { ...options, extras: [...unique.values()] }),
    parse(output) {
      const facts = parseFactsOutput(output, nonce);
      for (const [id, to] of alias) {
        const r = facts.extras[to];
        if (r !== undefined) facts.extras[id] = r;
      }
      return facts;
    },
  };
}

// --- Reading facts -------------------------------------------------------------------------

/** The facts of namespace `name` (null/undefined = the lab host), if gathered. */
export function namespaceFacts(
  facts: LabFacts,
  name: string | null | undefined,
): NamespaceFacts | undefined {
  return facts.namespaces.find((n) => n.name === (name ?? null));
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

/** The addresses of `dev` in a namespace, as `{ local, prefixlen, family }`. */
export function addressesOf(ns: NamespaceFacts | undefined, dev: string): IpAddrInfo[] {
  return ns?.addrs.find((a) => a.ifname === dev)?.addr_info ?? [];
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

/** A readable name for a namespace: `host` for the lab host. */
export function nsLabel(ns: NamespaceFacts | string | null | undefined): string {
  const name = typeof ns === "object" && ns !== null ? ns.name : ns;
  return name === null || name === undefined ? "the lab host" : name;
}

/** `NS:DEV` (or `DEV` for the lab host) as a learner writes it. */
export function ifaceLabel(ns: string | null | undefined, dev: string): string {
  return ns === null || ns === undefined ? dev : `${ns}:${dev}`;
}
