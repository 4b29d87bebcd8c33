/**
 * `link DEV [up|down] [type T] [master BR] [mtu N] [mac MAC|IFACE] [peer IFACE]`: read from
 * `ip -j -d link`. `up`/`down` is the UP flag (administrative state), whatever the carrier. A
 * veth peer is resolved with its ifindex AND its namespace (see vethPeer), never the index alone.
 */
import { isIP } from "node:net";
import {
  type Args,
  type Attribute,
  ifaceRef,
  type LineContext,
  need,
  parseAttributes,
  valueAttributes,
} from "../../lesson/check-grammar.js";
import type { Word } from "../../lesson/check-words.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec } from "../../lesson/types.js";
import { ifaceLabel, isUp, linkKind, vethPeer } from "../facts.js";
import { normalizeIP, resolveIface, resolveMac } from "../resolve.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "link" }>;

const state: StateKind<Spec> = {
  evaluate(spec, { facts, ns }) {
    const dev = resolveIface(facts, spec.dev, ns);
    const wanted: string[] = [];
    if (spec.state !== undefined) wanted.push(spec.state === "up" ? "UP" : "DOWN");
    if (spec.type !== undefined) wanted.push(`type ${spec.type}`);
    if (spec.master !== undefined)
      wanted.push(`master ${ifaceLabel(spec.master.ns, spec.master.dev)}`);
    if (spec.mtu !== undefined) wanted.push(`mtu ${spec.mtu}`);
    const mac = spec.mac === undefined ? undefined : resolveMac(facts, spec.mac, ns);
    if (mac !== undefined) wanted.push(`mac ${mac.describe}`);
    if (spec.peer !== undefined) wanted.push(`peer ${ifaceLabel(spec.peer.ns, spec.peer.dev)}`);
    for (const want of spec.info ?? []) wanted.push(`${want.key}=${want.value}`);
    const expectedText = `interface ${dev.label}${wanted.length > 0 ? ` with ${wanted.join(", ")}` : ""}`;
    const link = dev.link;
    if (link === undefined || dev.ns === undefined) {
      return { held: false, expected: expectedText, found: dev.missing ?? "no such interface" };
    }
    const found: string[] = [];
    if (spec.state !== undefined && (spec.state === "up") !== isUp(link)) {
      found.push(`${dev.label} is ${isUp(link) ? "UP" : "DOWN"}`);
    }
    if (spec.type !== undefined) {
      const kind = linkKind(link);
      const ok = kind === spec.type || (spec.type === "tap" && kind === "tun");
      if (!ok) found.push(`type ${kind}`);
    }
    if (spec.master !== undefined) {
      const sameNs = spec.master.ns === undefined || spec.master.ns === dev.nsName;
      if (!sameNs || link.master !== spec.master.dev) {
        found.push(link.master === undefined ? "no master" : `master ${link.master}`);
      }
    }
    if (spec.mtu !== undefined && link.mtu !== spec.mtu) found.push(`mtu ${link.mtu}`);
    if (mac !== undefined) {
      const actual = link.address?.toLowerCase();
      if (mac.mac === undefined) found.push(`${mac.missing}`);
      else if (actual !== mac.mac) found.push(`mac ${actual ?? "none"}`);
    }
    if (spec.peer !== undefined) {
      const want = resolveIface(facts, spec.peer, ns);
      if (linkKind(link) !== "veth") {
        found.push(`${dev.label} is not a veth (type ${linkKind(link)})`);
      } else {
        const peer = vethPeer(facts, dev.ns, link);
        if (peer === undefined) {
          found.push(
            `the other end of ${dev.label} is not in the lab's named namespaces (@if${link.link_index ?? link.link ?? "?"})`,
          );
        } else if (peer.ns.name !== want.nsName || peer.link.ifname !== spec.peer.dev) {
          found.push(
            `peer ${peer.ns.name === null ? `${peer.link.ifname} in the lab host` : `${peer.ns.name}:${peer.link.ifname}`}`,
          );
        }
      }
    }
    const data = link.linkinfo?.info_data ?? {};
    for (const want of spec.info ?? []) {
      const have = Object.hasOwn(data, want.key) ? data[want.key] : undefined;
      if (have === undefined) {
        found.push(`no ${want.key} (${linkKind(link)} details: ${infoText(data)})`);
      } else if (!sameValue(have, want.value)) {
        found.push(`${want.key}=${valueText(have)}`);
      }
    }
    return {
      held: found.length === 0,
      expected: expectedText,
      found: found.length === 0 ? expectedText : found.join(", "),
    };
  },
};

const KEYWORDS = ["up", "down", "type", "master", "mtu", "mac", "peer"];

/** Link types `ip -d link` reports as `info_kind` (plus `loopback`); others only warn. */
export const knownLinkTypes = [
  "veth",
  "bridge",
  "dummy",
  "vlan",
  "vxlan",
  "macvlan",
  "macvtap",
  "ipvlan",
  "bond",
  "tun",
  "tap",
  "gre",
  "gretap",
  "ipip",
  "sit",
  "ip6tnl",
  "geneve",
  "wireguard",
  "vrf",
  "team",
  "ifb",
  "nlmon",
  "loopback",
  "ether",
];

function parseLink(args: Args, ctx: LineContext): Spec | undefined {
  const devWord = need(args, ctx, "the interface DEV");
  const dev = devWord && ifaceRef(devWord, ctx);
  if (dev === undefined) return undefined;
  const spec: Spec = { kind: "link", dev };
  const a = valueAttributes(args, ctx, spec);
  // `up` and `down` are one attribute: giving both is "given twice".
  const state = (value: "up" | "down"): Attribute => ({
    key: "up/down",
    read: () => {
      spec.state = value;
      return true;
    },
  });
  const ok = parseAttributes(
    args,
    ctx,
    KEYWORDS,
    {
      up: state("up"),
      down: state("down"),
      type: {
        read: () => {
          const t = need(args, ctx, "the type after `type`");
          if (t === undefined) return false;
          if (!knownLinkTypes.includes(t.text)) {
            ctx.warn(
              t,
              `link: unknown link type "${t.text}"${suggestion(t.text, knownLinkTypes)}; known types: ${knownLinkTypes.join(", ")}`,
              "unknown-link-type",
            );
          }
          spec.type = t.text;
          return true;
        },
      },
      master: a.iface("master", "the bridge after `master`", "master"),
      mtu: a.integer("mtu", "the MTU after `mtu`", "MTU", { min: 1, max: 2_147_483_647 }),
      mac: a.mac("mac", "the MAC (or an interface) after `mac`"),
      peer: a.iface("peer", "the interface after `peer`", "peer"),
    },
    (w) => infoWord(w, ctx, spec),
  );
  return ok ? spec : undefined;
}

/** `KEY=VALUE`: a word of `ip -d -j link`'s `info_data`, as iproute2 names it. */
function infoWord(w: Word, ctx: LineContext, spec: Spec): boolean | undefined {
  const eq = w.text.indexOf("=");
  if (w.quoted || eq < 0) return undefined;
  const key = w.text.slice(0, eq);
  const value = w.text.slice(eq + 1);
  if (!/^[a-z][a-z0-9_]*$/.test(key)) {
    ctx.error(
      w,
      `link: "${key}" is not a detail name; write KEY=VALUE as \`ip -d -j link\` names it (id=10, learning=false)${ctx.form}`,
    );
    return false;
  }
  if (value === "") {
    ctx.error(w, `link: ${key}= has no value; write ${key}=VALUE${ctx.form}`);
    return false;
  }
  const info = spec.info ?? [];
  if (info.some((i) => i.key === key)) {
    ctx.error(w, `link: "${key}" is given twice`);
    return false;
  }
  info.push({ key, value });
  spec.info = info;
  return true;
}

/**
 * A detail compared as a value: booleans as true/false, numbers as numbers, addresses in one
 * canonical form (10.0.0.1 = 10.0.0.1, fd00::1 = fd00:0::1), anything else as text.
 */
export function sameValue(have: unknown, want: string): boolean {
  if (typeof have === "boolean")
    return (want === "true" || want === "1") === have && /^(true|false|1|0)$/.test(want);
  if (typeof have === "number") {
    const n = /^0x[0-9a-f]+$/i.test(want) ? Number.parseInt(want, 16) : Number(want);
    return want.trim() !== "" && n === have;
  }
  if (typeof have === "string") {
    if (isIP(have) !== 0 && isIP(want) !== 0) return normalizeIP(have) === normalizeIP(want);
    return have.toLowerCase() === want.toLowerCase();
  }
  return valueText(have) === want;
}

function valueText(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Every detail of a link, `key=value`, for "found" (the whole list: the one that differs shows). */
function infoText(data: Record<string, unknown>): string {
  const words = Object.entries(data).map(([k, v]) => `${k}=${valueText(v)}`);
  return words.length === 0 ? "none" : words.join(" ");
}

export const linkCheckKind: CheckKindModule<Spec> = {
  name: "link",
  form: "link DEV [up|down] [type T] [master BR] [mtu N] [mac MAC|IFACE] [peer IFACE] [KEY=VALUE...]",
  keywords: KEYWORDS,
  probes: false,
  parse: parseLink,
  state,
};
