/**
 * `route DEST [via GW] [dev DEV]`: a unicast route to DEST (`default` or a CIDR) exists with
 * those attributes, in any table (`ip -j route show table all`; local/broadcast entries ignored).
 */
import type { CheckSpec } from "../lesson/types.js";
import { type IpRoute, namespaceFacts, nsLabel } from "./facts.js";
import { normalizeCidr, normalizeIP } from "./resolve.js";
import type { StateKind } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "route" }>;

/** `default via 10.0.0.1 dev eth0`, as `ip route` prints it. */
export function describeRoute(r: IpRoute): string {
  return [r.dst, r.gateway && `via ${r.gateway}`, r.dev && `dev ${r.dev}`]
    .filter(Boolean)
    .join(" ");
}

/** Routes that carry traffic: not the kernel's local/broadcast/multicast entries. */
export function unicastRoutes(routes: IpRoute[]): IpRoute[] {
  return routes.filter((r) => r.type === undefined || r.type === "unicast");
}

export const routeCheck: StateKind<Spec> = {
  evaluate(spec, { facts, ns }) {
    const expected = [
      `a route to ${spec.dest}`,
      spec.via && `via ${spec.via}`,
      spec.dev && `dev ${spec.dev.ns === undefined ? "" : `${spec.dev.ns}:`}${spec.dev.dev}`,
    ]
      .filter(Boolean)
      .join(" ");
    const f = namespaceFacts(facts, ns);
    if (f === undefined || !f.exists) {
      return { held: false, expected, found: `no namespace "${ns}" in the lab` };
    }
    const routes = unicastRoutes(f.routes);
    const want = normalizeCidr(spec.dest);
    const toDest = routes.filter((r) => normalizeCidr(r.dst) === want);
    const devOk = (r: IpRoute) =>
      spec.dev === undefined ||
      ((spec.dev.ns === undefined || spec.dev.ns === ns) && r.dev === spec.dev.dev);
    const viaOk = (r: IpRoute) =>
      spec.via === undefined ||
      (r.gateway !== undefined && normalizeIP(r.gateway) === normalizeIP(spec.via));
    const held = toDest.some((r) => devOk(r) && viaOk(r));
    let found: string;
    if (held) found = expected;
    else if (toDest.length > 0) found = toDest.map(describeRoute).join("; ");
    else {
      const v6 = spec.dest.includes(":");
      const main = routes.filter(
        (r) => (r.table === undefined || r.table === "main") && r.dst.includes(":") === v6,
      );
      found = `no route to ${spec.dest} in ${nsLabel(ns)}${
        main.length > 0
          ? ` (its routes: ${main.map(describeRoute).join("; ")})`
          : " (it has no route)"
      }`;
    }
    return { held, expected, found };
  },
};
