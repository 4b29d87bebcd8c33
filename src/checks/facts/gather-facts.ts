/**
 * Gathering a snapshot in ONE lab round trip: the bash script that prints every section between
 * markers, and the parser of its output (JSON from `ip -j`, `bridge -j`, never screen text).
 */
import { randomBytes } from "node:crypto";
import { shellQuote } from "../../lab/shell-quote.js";
import type { Lab } from "../../lab/types.js";
import type { IpAddr } from "./addr-facts.js";
import type { IpLink } from "./link-facts.js";
import type { FdbEntry, IpNeighbour } from "./neigh-facts.js";
import { inNamespace, type NetnsId } from "./netns-facts.js";
import type { IpRoute } from "./route-facts.js";
import type {
  ExtraCommand,
  ExtraResult,
  GatherOptions,
  LabFacts,
  NamespaceFacts,
} from "./snapshot.js";
import { parseProcNetSockets } from "./socket-facts.js";

/** What `ip -batch` reads in each namespace; its output has one JSON line per command. */
const IP_BATCH = ["link show", "addr show", "route show table all", "neigh show", "netns list"];

/** The bash script that prints every section of a snapshot between markers. */
export function buildFactsScript(nonce: string, options: GatherOptions = {}): string {
  const mark = `@@facts-${nonce}`;
  // One function per section: marker line, output, then the exit status on a line of its own.
  // A section's namespace is a tag: `-` for the lab host, else `=` and the name's bytes in hex,
  // so that any name (a space, a newline, a control character) survives the marker line.
  const sec = `sec() { local tag="$1" what="$2"; shift 2; printf '\\n${mark} %s %s\\n' "$tag" "$what"; "$@"; printf '\\n${mark}-rc %s\\n' "$?"; }`;
  const hexname = `hexname() { local LC_ALL=C s="$1" i c; REPLY=; for ((i = 0; i < \${#s}; i++)); do printf -v c %02x "'\${s:i:1}"; REPLY+=$c; done; }`;
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
    hexname,
    `b=$'${IP_BATCH.join("\\n")}'`,
    "dump() {",
    // "" is the lab host: no namespace file can have an empty name.
    '  local ns="$1" tag=- n=() x=()',
    '  if [ -n "$ns" ]; then hexname "$ns"; tag="=$REPLY"; n=(-n "$ns"); x=(ip netns exec "$ns"); fi',
    '  if [ -n "$ns" ] && [ ! -e "/run/netns/$ns" ]; then sec "$tag" missing true; return; fi',
    // One ip process per namespace: its batch prints one JSON document per line, in order.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion
    '  sec "$tag" ip ip "${n[@]}" -j -d -batch - <<<"$b"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion
    '  sec "$tag" fdb bridge "${n[@]}" -j fdb show',
  ];
  const inner: string[] = [];
  for (const key of options.sysctls ?? []) {
    inner.push(`sec "$tag" ${shellQuote(`sysctl:${key}`)} sysctl -n ${shellQuote(key)}`);
  }
  if (options.iptables === true) {
    inner.push('sec "$tag" filter iptables -w -S', 'sec "$tag" nat iptables -w -t nat -S');
  }
  if (options.sockets === true) {
    inner.push('sec "$tag" sockets cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6');
  }
  if (inner.length > 0) {
    // One process inside the namespace for everything that must be read from there.
    const body = [sec, 'tag="$1"', ...inner].join("\n");
    lines.push(`  "\${x[@]}" bash -c ${shellQuote(body)} _ "$tag" 2>/dev/null`);
  }
  lines.push("}");
  // Every namespace and every extra command runs concurrently, each into a file of its own;
  // the files are printed in order at the end, so sections never interleave.
  lines.push("d=$(mktemp -d); j=0", 'bg() { j=$((j + 1)); "$@" >"$d/$j" 2>/dev/null & }');
  lines.push('bg dump ""');
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
  /** The namespace's name, null for the lab host. */
  ns: string | null;
  what: string;
  text: string;
  rc: number;
}

/** A section's namespace tag: `-` (the lab host), `=HEX` (the name's bytes), or a plain name. */
function namespaceOfTag(tag: string): string | null {
  if (tag === "-") return null;
  if (/^=(?:[0-9a-f]{2})+$/.test(tag)) return Buffer.from(tag.slice(1), "hex").toString("utf8");
  // Recorded output from before names were tagged.
  return tag;
}

/** Split the script's output into sections. */
function sections(output: string, nonce: string): Section[] {
  const mark = `@@facts-${nonce}`;
  const result: Section[] = [];
  const re = new RegExp(`^${mark} (\\S+) (\\S+)\\n([\\s\\S]*?)\\n${mark}-rc (\\d+)$`, "gm");
  for (const m of output.matchAll(re)) {
    result.push({
      ns: namespaceOfTag(m[1] ?? "-"),
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

/** Parse the output of `buildFactsScript(nonce, options)`. Pure: tests feed recorded output. */
export function parseFactsOutput(output: string, nonce: string): LabFacts {
  const warnings: string[] = [];
  const byNs = new Map<string | null, NamespaceFacts>();
  const extras: Record<string, ExtraResult> = {};
  const get = (ns: string | null): NamespaceFacts => {
    let facts = byNs.get(ns);
    if (facts === undefined) {
      facts = {
        name: ns,
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
    const where = `${s.ns ?? "host"}: ${s.what}`;
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
  const host = get(null);
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
