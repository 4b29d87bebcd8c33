/** `addr DEV CIDR`: the address with that prefix length is on DEV (`ip -j addr`). */
import type { CheckSpec } from "../lesson/types.js";
import { addressesOf } from "./facts.js";
import { normalizeCidr, resolveIface } from "./resolve.js";
import type { StateKind } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "addr" }>;

export const addrCheck: StateKind<Spec> = {
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
