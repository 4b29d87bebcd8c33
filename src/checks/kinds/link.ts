/**
 * `link DEV [up|down] [type T] [master BR] [mtu N] [mac MAC|IFACE] [peer IFACE]`: read from
 * `ip -j -d link`. `up`/`down` is the UP flag (administrative state), whatever the carrier. A
 * veth peer is resolved with its ifindex AND its namespace (see vethPeer), never the index alone.
 */
import {
  type Args,
  type Attribute,
  ifaceRef,
  type LineContext,
  macRef,
  need,
  parseAttributes,
  valueAttribute,
} from "../../lesson/check-grammar.js";
import { parseInteger } from "../../lesson/check-values.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec } from "../../lesson/types.js";
import { ifaceLabel, isUp, linkKind, vethPeer } from "../facts.js";
import { resolveIface, resolveMac } from "../resolve.js";
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
  // `up` and `down` are one attribute: giving both is "given twice".
  const state = (value: "up" | "down"): Attribute => ({
    key: "up/down",
    read: () => {
      spec.state = value;
      return true;
    },
  });
  const ok = parseAttributes(args, ctx, KEYWORDS, {
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
    master: valueAttribute(
      args,
      ctx,
      "the bridge after `master`",
      (w) => ifaceRef(w, ctx, "master"),
      (master) => {
        spec.master = master;
      },
    ),
    mtu: valueAttribute(
      args,
      ctx,
      "the MTU after `mtu`",
      (w) => ctx.value(w, parseInteger(w.text, 1, 2_147_483_647), "MTU"),
      (mtu) => {
        spec.mtu = mtu;
      },
    ),
    mac: valueAttribute(
      args,
      ctx,
      "the MAC (or an interface) after `mac`",
      (w) => macRef(w, ctx),
      (mac) => {
        spec.mac = mac;
      },
    ),
    peer: valueAttribute(
      args,
      ctx,
      "the interface after `peer`",
      (w) => ifaceRef(w, ctx, "peer"),
      (peer) => {
        spec.peer = peer;
      },
    ),
  });
  return ok ? spec : undefined;
}

export const linkCheckKind: CheckKindModule<Spec> = {
  name: "link",
  form: "link DEV [up|down] [type T] [master BR] [mtu N] [mac MAC|IFACE] [peer IFACE]",
  keywords: KEYWORDS,
  probes: false,
  parse: parseLink,
  state,
};
