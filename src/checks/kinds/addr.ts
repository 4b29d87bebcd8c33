/** `addr DEV CIDR`: the address with that prefix length is on DEV (`ip -j addr`). */
import { type Args, ifaceRef, type LineContext, need } from "../../lesson/check-grammar.js";
import { parseCidr } from "../../lesson/check-values.js";
import type { CheckSpec } from "../../lesson/types.js";
import { addressesOf } from "../facts.js";
import { normalizeCidr, resolveIface } from "../resolve.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "addr" }>;

const state: StateKind<Spec> = {
  evaluate(spec, { facts, ns }) {
    const dev = resolveIface(facts, spec.dev, ns);
    const expected = `${spec.cidr} on ${dev.label}`;
    if (dev.link === undefined) return { held: false, expected, found: dev.missing ?? "" };
    const all = addressesOf(dev.ns, dev.link.ifname).filter((a) => a.local !== undefined);
    const want = normalizeCidr(spec.cidr);
    const held = all.some((a) => normalizeCidr(`${a.local}/${a.prefixlen}`) === want);
    // Link-local IPv6 addresses appear on every interface: noise in "found", unless asked for.
    const have = all
      .filter((a) => a.scope !== "link" || spec.cidr.toLowerCase().startsWith("fe80"))
      .map((a) => `${a.local}/${a.prefixlen}`);
    return {
      held,
      expected,
      found: held
        ? expected
        : have.length === 0
          ? `${dev.label} has no address`
          : `${dev.label} has ${have.join(", ")}`,
    };
  },
};

export const addrCheckKind: CheckKindModule<Spec> = {
  name: "addr",
  form: "addr DEV CIDR",
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const devWord = need(args, ctx, "the interface DEV");
    const dev = devWord && ifaceRef(devWord, ctx);
    if (dev === undefined) return undefined;
    const cidrWord = need(args, ctx, "the address CIDR (e.g. 10.0.0.1/24)");
    const cidr = cidrWord && ctx.value(cidrWord, parseCidr(cidrWord.text), "address");
    return cidr === undefined
      ? undefined
      : { kind: "addr", dev, cidr: `${cidr.ip}/${cidr.prefix}` };
  },
  state,
};
