/**
 * `fdb BR MAC|IFACE [port DEV]`: bridge BR has learned that MAC (on that port), from
 * `bridge -j fdb`. Permanent entries and `self` entries are the bridge's own, not learned.
 */
import { type Args, ifaceRef, type LineContext, macRef, need } from "../../lesson/check-grammar.js";
import type { CheckSpec } from "../../lesson/types.js";
import type { FdbEntry } from "../facts.js";
import { resolveIface, resolveMac } from "../resolve.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "fdb" }>;

/** A learned entry of bridge `bridge`: not permanent, not `self`. */
export function learnedEntry(e: FdbEntry, bridge: string): boolean {
  return e.master === bridge && e.state !== "permanent" && !(e.flags ?? []).includes("self");
}

const state: StateKind<Spec> = {
  evaluate(spec, { facts, ns }) {
    const br = resolveIface(facts, spec.bridge, ns);
    const mac = resolveMac(facts, spec.mac, ns);
    const portNote = spec.port === undefined ? "" : ` on port ${spec.port.dev}`;
    const expected = `bridge ${br.label} has learned ${mac.describe}${portNote}`;
    if (br.link === undefined || br.ns === undefined) {
      return { held: false, expected, found: br.missing ?? "" };
    }
    if (mac.mac === undefined) return { held: false, expected, found: mac.missing ?? "" };
    const learned = br.ns.fdb.filter((e) => learnedEntry(e, br.link?.ifname ?? ""));
    const forMac = learned.filter((e) => e.mac.toLowerCase() === mac.mac);
    const held = forMac.some((e) => spec.port === undefined || e.ifname === spec.port.dev);
    let found: string;
    if (held) found = expected;
    else if (forMac.length > 0)
      found = `${mac.mac} learned on port ${forMac.map((e) => e.ifname).join(", ")}`;
    else if (learned.length > 0) {
      found = `${br.label} has not learned ${mac.mac} (it knows ${learned.map((e) => `${e.mac} on ${e.ifname}`).join(", ")})`;
    } else found = `${br.label} has learned no MAC yet`;
    return { held, expected, found };
  },
};

export const fdbCheckKind: CheckKindModule<Spec> = {
  name: "fdb",
  form: "fdb BR MAC|IFACE [port DEV]",
  keywords: ["port"],
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const brWord = need(args, ctx, "the bridge BR");
    const bridge = brWord && ifaceRef(brWord, ctx, "bridge");
    if (bridge === undefined) return undefined;
    const macWord = need(args, ctx, "the MAC (or an interface standing for its MAC)");
    const mac = macWord && macRef(macWord, ctx);
    if (mac === undefined) return undefined;
    const spec: Spec = { kind: "fdb", bridge, mac };
    const kw = args.peek();
    if (kw?.text === "port" && !kw.quoted) {
      args.next();
      const portWord = need(args, ctx, "the port DEV after `port`");
      const port = portWord && ifaceRef(portWord, ctx, "port");
      if (port === undefined) return undefined;
      spec.port = port;
    }
    return spec;
  },
  state,
};
