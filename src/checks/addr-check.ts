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
    const have = addressesOf(dev.ns, dev.link.ifname)
      .filter((a) => a.local !== undefined && a.scope !== "link")
      .map((a) => `${a.local}/${a.prefixlen}`);
    const want = normalizeCidr(spec.cidr);
    const held = have.some((a) => normalizeCidr(a) === want);
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
