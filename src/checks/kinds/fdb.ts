/**
 * `fdb DEV MAC|IFACE [port DEV] [dst IP] [vlan N] [permanent]`, from `bridge -j fdb`: DEV (a
 * bridge or a VXLAN device) has that entry. Without `permanent`, a learned one (a bridge's
 * permanent and `self` entries are its own, not learned; a VXLAN device's are all `self`); with
 * it, a static one, `self` ones included (`fdb vxlan10 00:00:00:00:00:00 dst 10.0.0.2 permanent`).
 */
import {
  type Args,
  ifaceRef,
  type LineContext,
  macRef,
  need,
  parseAttributes,
  valueAttributes,
} from "../../lesson/check-grammar.js";
import type { CheckSpec } from "../../lesson/types.js";
import { type FdbEntry, type IpLink, linkKind } from "../facts.js";
import { normalizeIP, resolveIface, resolveMac } from "../resolve.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "fdb" }>;

/** A learned entry of bridge `bridge`: not permanent, not `self`. */
export function learnedEntry(e: FdbEntry, bridge: string): boolean {
  // A static entry written by hand (`bridge fdb replace … master static`) replaces the learned
  // one and is forwarded by the same way: it still answers "does the bridge know this MAC".
  return e.master === bridge && e.state !== "permanent" && !(e.flags ?? []).includes("self");
}

/** A static entry of `dev`: permanent or static, on the bridge (`master`) or the device (`self`). */
function staticEntry(e: FdbEntry, dev: string): boolean {
  const own = e.master === dev || (e.ifname === dev && (e.flags ?? []).includes("self"));
  return own && (e.state === "permanent" || e.state === "static");
}

/** A learned entry of a VXLAN device: its own (`self`), not static. */
function learnedOnVxlan(e: FdbEntry, dev: string): boolean {
  return e.ifname === dev && e.state !== "permanent" && e.state !== "static";
}

/** The link's kind, when there is a link. */
function linkKindOf(link: IpLink | undefined): string | undefined {
  return link === undefined ? undefined : linkKind(link);
}

function describeEntry(e: FdbEntry): string {
  return [
    e.mac,
    e.ifname && `port ${e.ifname}`,
    e.dst && `dst ${e.dst}`,
    e.vlan !== undefined && `vlan ${e.vlan}`,
    e.state,
  ]
    .filter(Boolean)
    .join(" ");
}

const state: StateKind<Spec> = {
  evaluate(spec, { facts, ns }) {
    const br = resolveIface(facts, spec.bridge, ns);
    const mac = resolveMac(facts, spec.mac, ns);
    const attrs = [
      spec.port && `on port ${spec.port.dev}`,
      spec.dst && `dst ${spec.dst}`,
      spec.vlan !== undefined && `vlan ${spec.vlan}`,
    ]
      .filter(Boolean)
      .join(" ");
    const what = spec.permanent === true ? "a static entry for" : "learned";
    const device = linkKindOf(br.link) === "bridge" ? "bridge " : "";
    const expected = `${device}${br.label} has ${what} ${mac.describe}${attrs === "" ? "" : ` ${attrs}`}`;
    if (br.link === undefined || br.ns === undefined) {
      return { held: false, expected, found: br.missing ?? "" };
    }
    if (mac.mac === undefined) return { held: false, expected, found: mac.missing ?? "" };
    const dev = br.link.ifname;
    const vxlan = linkKind(br.link) === "vxlan";
    const entries = br.ns.fdb.filter((e) =>
      spec.permanent === true
        ? staticEntry(e, dev)
        : vxlan
          ? learnedOnVxlan(e, dev)
          : learnedEntry(e, dev),
    );
    const forMac = entries.filter((e) => e.mac.toLowerCase() === mac.mac);
    const held = forMac.some(
      (e) =>
        (spec.port === undefined || e.ifname === spec.port.dev) &&
        (spec.dst === undefined ||
          (e.dst !== undefined && normalizeIP(e.dst) === normalizeIP(spec.dst))) &&
        (spec.vlan === undefined || e.vlan === spec.vlan),
    );
    let found: string;
    if (held) found = expected;
    else if (forMac.length > 0 && spec.permanent !== true && !vxlan) {
      found = `${mac.mac} learned on port ${forMac.map((e) => e.ifname).join(", ")}`;
    } else if (forMac.length > 0) found = forMac.map(describeEntry).join("; ");
    else if (entries.length > 0 && spec.permanent !== true && !vxlan) {
      found = `${br.label} has not learned ${mac.mac} (it knows ${entries.map((e) => `${e.mac} on ${e.ifname}`).join(", ")})`;
    } else if (entries.length > 0) {
      found = `${br.label} has no ${spec.permanent === true ? "static entry for" : "learned entry for"} ${mac.mac} (it has ${entries.map(describeEntry).join("; ")})`;
    } else {
      found =
        spec.permanent === true
          ? `${br.label} has no static entry`
          : `${br.label} has learned no MAC yet`;
    }
    return { held, expected, found };
  },
};

const KEYWORDS = ["port", "dst", "vlan", "permanent"];

export const fdbCheckKind: CheckKindModule<Spec> = {
  name: "fdb",
  form: "fdb DEV MAC|IFACE [port DEV] [dst IP] [vlan N] [permanent]",
  keywords: KEYWORDS,
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const brWord = need(args, ctx, "the bridge or VXLAN device DEV");
    const bridge = brWord && ifaceRef(brWord, ctx, "device");
    if (bridge === undefined) return undefined;
    const macWord = need(args, ctx, "the MAC (or an interface standing for its MAC)");
    const mac = macWord && macRef(macWord, ctx);
    if (mac === undefined) return undefined;
    const spec: Spec = { kind: "fdb", bridge, mac };
    const a = valueAttributes(args, ctx, spec);
    const ok = parseAttributes(args, ctx, KEYWORDS, {
      port: a.iface("port", "the port DEV after `port`", "port"),
      dst: a.ip("dst", "the remote IP after `dst`", "dst"),
      vlan: a.integer("vlan", "the VLAN id after `vlan`", "VLAN id", { max: 4095 }),
      permanent: {
        read: () => {
          spec.permanent = true;
          return true;
        },
      },
    });
    return ok ? spec : undefined;
  },
  state,
};
