/**
 * `route DEST [via GW] [dev DEV]`: a unicast route to DEST (`default` or a CIDR) exists with
 * those attributes, in any table (`ip -j route show table all`; local/broadcast entries ignored).
 */
import {
  type Args,
  devAttribute,
  ipArg,
  type LineContext,
  need,
  parseAttributes,
  valueAttribute,
} from "../../lesson/check-grammar.js";
import { ipv4Network, parseCidr, parseIP } from "../../lesson/check-values.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec } from "../../lesson/types.js";
import { type IpRoute, namespaceFacts, nsLabel } from "../facts.js";
import { normalizeCidr, normalizeIP } from "../resolve.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

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

const state: StateKind<Spec> = {
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

const KEYWORDS = ["via", "dev"];

function parseRoute(args: Args, ctx: LineContext): Spec | undefined {
  const destWord = need(args, ctx, "the destination (default or a CIDR)");
  if (destWord === undefined) return undefined;
  let dest: string;
  if (destWord.text === "default" && !destWord.quoted) {
    dest = "default";
  } else {
    const parsed = destWord.text.includes("/")
      ? parseCidr(destWord.text)
      : (() => {
          const ip = parseIP(destWord.text);
          return ip.ok
            ? {
                ok: true as const,
                value: { ...ip.value, prefix: ip.value.family === 4 ? 32 : 128 },
              }
            : {
                ok: false as const,
                reason: `expected "default" or a CIDR like 10.0.0.0/24${suggestion(destWord.text, ["default"])}`,
              };
        })();
    const cidr = ctx.value(destWord, parsed, "destination");
    if (cidr === undefined) return undefined;
    if (cidr.family === 4) {
      const network = ipv4Network(cidr.ip, cidr.prefix);
      if (network !== cidr.ip) {
        return ctx.error(
          destWord,
          `route: "${destWord.text}" has host bits set; a route's destination is a network: did you mean "${network}/${cidr.prefix}"?`,
        );
      }
    }
    dest = `${cidr.ip}/${cidr.prefix}`;
  }
  const spec: Spec = { kind: "route", dest };
  const ok = parseAttributes(args, ctx, KEYWORDS, {
    via: valueAttribute(
      args,
      ctx,
      "the gateway after `via`",
      (w) => ipArg(w, ctx, "gateway"),
      (via) => {
        spec.via = via;
      },
    ),
    dev: devAttribute(args, ctx, (dev) => {
      spec.dev = dev;
    }),
  });
  return ok ? spec : undefined;
}

export const routeCheckKind: CheckKindModule<Spec> = {
  name: "route",
  form: "route DEST [via GW] [dev DEV]",
  keywords: KEYWORDS,
  probes: false,
  parse: parseRoute,
  state,
};
