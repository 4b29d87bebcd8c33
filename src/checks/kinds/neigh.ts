/**
 * `neigh IP [lladdr MAC|IFACE] [dev DEV]`: a usable neighbour (ARP/NDP) entry exists (`ip -j
 * neigh`). FAILED and INCOMPLETE entries are not answers, so they do not count.
 */
import {
  type Args,
  ipArg,
  type LineContext,
  need,
  parseAttributes,
  valueAttributes,
} from "../../lesson/check-grammar.js";
import type { CheckSpec } from "../../lesson/types.js";
import { type IpNeighbour, namespaceFacts, nsLabel } from "../facts.js";
import { normalizeIP, resolveMac } from "../resolve.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "neigh" }>;

/** An entry that holds an answer: has a MAC and is not FAILED or INCOMPLETE. */
export function usableNeighbour(n: IpNeighbour): boolean {
  const state = n.state ?? [];
  return n.lladdr !== undefined && !state.includes("FAILED") && !state.includes("INCOMPLETE");
}

const state: StateKind<Spec> = {
  evaluate(spec, { facts, ns }) {
    const mac = spec.lladdr === undefined ? undefined : resolveMac(facts, spec.lladdr, ns);
    const devNote = spec.dev === undefined ? "" : ` on ${spec.dev.dev}`;
    const expected =
      mac === undefined
        ? `a usable neighbour entry for ${spec.ip}${devNote}`
        : spec.lladdr !== undefined && "iface" in spec.lladdr
          ? `${mac.describe}${devNote}`
          : `lladdr ${mac.describe}${devNote}`;
    const f = namespaceFacts(facts, ns);
    if (f === undefined || !f.exists) {
      return { held: false, expected, found: `no namespace "${ns}" in the lab` };
    }
    const ip = normalizeIP(spec.ip);
    const entries = f.neighbours.filter(
      (n) =>
        normalizeIP(n.dst) === ip &&
        (spec.dev === undefined ||
          ((spec.dev.ns === undefined || spec.dev.ns === ns) && n.dev === spec.dev.dev)),
    );
    const usable = entries.filter(usableNeighbour);
    if (mac?.missing !== undefined) {
      return { held: false, expected, found: mac.missing };
    }
    const match = usable.find((n) => mac?.mac === undefined || n.lladdr?.toLowerCase() === mac.mac);
    if (match !== undefined) {
      return {
        held: true,
        expected,
        found: `lladdr ${match.lladdr} (${(match.state ?? []).join(",")})`,
      };
    }
    let found: string;
    if (usable.length > 0) found = usable.map((n) => `lladdr ${n.lladdr}`).join(", ");
    else if (entries.length > 0) {
      found = `only ${entries.map((n) => (n.state ?? []).join(",") || "unusable").join(", ")} entries for ${spec.ip} (no ARP answer)`;
    } else found = `no neighbour entry for ${spec.ip} in ${nsLabel(ns)}`;
    return { held: false, expected, found };
  },
};

const KEYWORDS = ["lladdr", "dev"];

function parseNeigh(args: Args, ctx: LineContext): Spec | undefined {
  const ipWord = need(args, ctx, "the neighbour's IP");
  const ip = ipWord && ipArg(ipWord, ctx);
  if (ip === undefined) return undefined;
  const spec: Spec = { kind: "neigh", ip };
  const a = valueAttributes(args, ctx, spec);
  const ok = parseAttributes(args, ctx, KEYWORDS, {
    lladdr: a.mac("lladdr", "the MAC (or an interface) after `lladdr`"),
    dev: a.iface("dev", "the interface after `dev`"),
  });
  return ok ? spec : undefined;
}

export const neighCheckKind: CheckKindModule<Spec> = {
  name: "neigh",
  form: "neigh IP [lladdr MAC|IFACE] [dev DEV]",
  keywords: KEYWORDS,
  probes: false,
  parse: parseNeigh,
  state,
};
