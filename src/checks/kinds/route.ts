/**
 * `route DEST [via GW] [dev DEV] [table T] [metric N]`: a unicast route to DEST (`default` or a
 * CIDR) exists with those attributes in table T, the main table when none is named: a route a
 * learner put in main does not pass a check meant for table John (`ip -j route show table all`;
 * local/broadcast entries ignored).
 */
import {
  type Args,
  type LineContext,
  need,
  parseAttributes,
  valueAttributes,
} from "../../lesson/check-grammar.js";
import { networkAddress, parseCidr, parseIP } from "../../lesson/check-values.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec } from "../../lesson/types.js";
import { type IpRoute, namespaceFacts, nsLabel } from "../facts.js";
import { normalizeCidr, normalizeIP } from "../resolve.js";
import { labTable, RT_TABLES_EXTRA, tableNumber } from "../route-tables.js";
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
  needs: (spec) => ({ extras: spec.table === undefined ? [] : [RT_TABLES_EXTRA] }),
  evaluate(spec, { facts, ns, extra }) {
    const inTable = spec.table === undefined ? "" : ` in table ${spec.table}`;
    const expected = [
      `a route to ${spec.dest}`,
      spec.via && `via ${spec.via}`,
      spec.dev && `dev ${spec.dev.ns === undefined ? "" : `${spec.dev.ns}:`}${spec.dev.dev}`,
      spec.metric !== undefined && `metric ${spec.metric}`,
    ]
      .filter(Boolean)
      .join(" ")
      .concat(inTable);
    const f = namespaceFacts(facts, ns);
    if (f === undefined || !f.exists) {
      return { held: false, expected, found: `no namespace "${ns}" in the lab` };
    }
    const resolved = labTable(spec.table, extra(RT_TABLES_EXTRA.id)?.stdout);
    if ("found" in resolved) return { held: false, expected, found: resolved.found };
    const { number: table, names } = resolved;
    const routes = unicastRoutes(f.routes);
    const want = normalizeCidr(spec.dest);
    const toDest = routes.filter((r) => normalizeCidr(r.dst) === want);
    // `ip -j` leaves out the table of a main-table route.
    const tableOk = (r: IpRoute) => tableNumber(r.table ?? "main", names) === table;
    const devOk = (r: IpRoute) =>
      spec.dev === undefined ||
      ((spec.dev.ns === undefined || spec.dev.ns === ns) && r.dev === spec.dev.dev);
    const viaOk = (r: IpRoute) =>
      spec.via === undefined ||
      (r.gateway !== undefined && normalizeIP(r.gateway) === normalizeIP(spec.via));
    const metricOk = (r: IpRoute) => spec.metric === undefined || (r.metric ?? 0) === spec.metric;
    const held = toDest.some((r) => tableOk(r) && devOk(r) && viaOk(r) && metricOk(r));
    let found: string;
    if (held) found = expected;
    else if (toDest.length > 0) {
      // The table is said when it matters: the check names one, or the route is elsewhere.
      const where = (r: IpRoute) =>
        spec.table !== undefined || !tableOk(r) ? ` in table ${r.table ?? "main"}` : "";
      found = toDest.map((r) => `${describeRoute(r)}${metricText(r, spec)}${where(r)}`).join("; ");
    } else {
      const v6 = spec.dest.includes(":");
      const same = routes.filter((r) => tableOk(r) && r.dst.includes(":") === v6);
      const where =
        spec.table === undefined ? nsLabel(ns) : `table ${spec.table} of ${nsLabel(ns)}`;
      found = `no route to ${spec.dest} in ${where}${
        same.length > 0
          ? ` (its routes: ${same.map(describeRoute).join("; ")})`
          : " (it has no route)"
      }`;
    }
    return { held, expected, found };
  },
};

/** ` metric N`, when the check asks for one. */
function metricText(r: IpRoute, spec: Spec): string {
  return spec.metric === undefined ? "" : ` metric ${r.metric ?? 0}`;
}

const KEYWORDS = ["via", "dev", "table", "metric"];

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
    const network = networkAddress(cidr.ip, cidr.prefix, cidr.family);
    if (normalizeIP(network) !== normalizeIP(cidr.ip)) {
      return ctx.error(
        destWord,
        `route: "${destWord.text}" has host bits set; a route's destination is a network: did you mean "${network}/${cidr.prefix}"?`,
      );
    }
    dest = `${cidr.ip}/${cidr.prefix}`;
  }
  const spec: Spec = { kind: "route", dest };
  const a = valueAttributes(args, ctx, spec);
  const ok = parseAttributes(args, ctx, KEYWORDS, {
    via: a.ip("via", "the gateway after `via`", "gateway"),
    dev: a.iface("dev", "the interface after `dev`"),
    table: a.table("table", "the table after `table`"),
    metric: a.integer("metric", "the metric after `metric`", "metric"),
  });
  return ok ? spec : undefined;
}

export const routeCheckKind: CheckKindModule<Spec> = {
  name: "route",
  form: "route DEST [via GW] [dev DEV] [table T] [metric N]",
  keywords: KEYWORDS,
  probes: false,
  parse: parseRoute,
  state,
};
