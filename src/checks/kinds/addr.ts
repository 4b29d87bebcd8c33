/**
 * `addr DEV CIDR`: the address with that prefix length is on DEV (`ip -j addr`). `addr DEV in
 * NET`: some address inside NET is (a link-local fe80::/64 one, or a host the learner chose).
 */
import { type Args, ifaceRef, type LineContext, need } from "../../lesson/check-grammar.js";
import { inNetwork, networkAddress, parseCidr } from "../../lesson/check-values.js";
import type { CheckSpec } from "../../lesson/types.js";
import { addressesOf } from "../facts.js";
import { normalizeCidr, normalizeIP, resolveIface } from "../resolve.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "addr" }>;

const state: StateKind<Spec> = {
  evaluate(spec, { facts, ns }) {
    const dev = resolveIface(facts, spec.dev, ns);
    const expected =
      spec.within === true
        ? `an address in ${spec.cidr} on ${dev.label}`
        : `${spec.cidr} on ${dev.label}`;
    if (dev.link === undefined) return { held: false, expected, found: dev.missing ?? "" };
    const all = addressesOf(dev.ns, dev.link.ifname).filter((a) => a.local !== undefined);
    const want = normalizeCidr(spec.cidr);
    const [net = "", prefix = "0"] = spec.cidr.split("/");
    const match = all.find((a) =>
      spec.within === true
        ? inNetwork(a.local ?? "", net, Number(prefix))
        : normalizeCidr(`${a.local}/${a.prefixlen}`) === want,
    );
    // Link-local IPv6 addresses appear on every interface: noise in "found", unless asked for.
    const have = all
      .filter((a) => a.scope !== "link" || spec.cidr.toLowerCase().startsWith("fe80"))
      .map((a) => `${a.local}/${a.prefixlen}`);
    return {
      held: match !== undefined,
      expected,
      found:
        match !== undefined
          ? `${match.local}/${match.prefixlen} on ${dev.label}`
          : have.length === 0
            ? `${dev.label} has no address`
            : `${dev.label} has ${have.join(", ")}`,
    };
  },
};

export const addrCheckKind: CheckKindModule<Spec> = {
  name: "addr",
  form: "addr DEV CIDR | addr DEV in NET",
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const devWord = need(args, ctx, "the interface DEV");
    const dev = devWord && ifaceRef(devWord, ctx);
    if (dev === undefined) return undefined;
    const within = args.peek()?.text === "in" && args.peek()?.quoted === false;
    if (within) args.next();
    const cidrWord = need(
      args,
      ctx,
      within
        ? "the network NET after `in` (e.g. 172.18.0.0/24)"
        : "the address CIDR (e.g. 10.0.0.1/24)",
    );
    const cidr =
      cidrWord && ctx.value(cidrWord, parseCidr(cidrWord.text), within ? "network" : "address");
    if (cidr === undefined || cidrWord === undefined) return undefined;
    if (!within) return { kind: "addr", dev, cidr: `${cidr.ip}/${cidr.prefix}` };
    const network = networkAddress(cidr.ip, cidr.prefix, cidr.family);
    if (normalizeIP(network) !== normalizeIP(cidr.ip)) {
      return ctx.error(
        cidrWord,
        `addr: "${cidrWord.text}" has host bits set; after \`in\` comes a network: did you mean "${network}/${cidr.prefix}"?`,
      );
    }
    return { kind: "addr", dev, cidr: `${cidr.ip}/${cidr.prefix}`, within: true };
  },
  state,
};
