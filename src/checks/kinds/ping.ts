/**
 * `ping IP` (or `ping ADDR%DEV` for a link-local address): an ICMP echo gets a reply, up to 3 tries (one a second) within the timeout. Runs
 * `ping` in the check's namespace; it stops at the first reply, so a passing ping is quick.
 */

import { shellQuote } from "../../lab/shell-quote.js";
import { type Args, ipArg, type LineContext, need } from "../../lesson/check-grammar.js";
import { parseIfname, parseIP } from "../../lesson/check-values.js";
import type { CheckSpec } from "../../lesson/types.js";
import { inNetNamespace } from "../facts.js";
import type { ProbeKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "ping" }>;

/** The most telling line of ping's output: an error or an ICMP error, else the loss summary. */
export function pingSummary(output: string): string {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const telling =
    lines.find((l) =>
      /unreachable|prohibited|not permitted|Cannot assign|Name or service|connect:/i.test(l),
    ) ?? lines.find((l) => /packet loss/.test(l));
  return telling ?? (lines.at(-1) || "no output");
}

const probe: ProbeKind<Spec> = {
  script(spec, ns, timeout) {
    // With a deadline (-w), `-c 1` waits for ONE reply, sending a request every second until
    // then: up to 3 tries, and it stops at the first reply.
    const deadline = Math.max(1, Math.min(3, timeout));
    const target = spec.dev === undefined ? spec.ip : `${spec.ip}%${spec.dev}`;
    return `${inNetNamespace(ns, `ping -n -c 1 -i 1 -W 1 -w ${deadline} ${shellQuote(target)}`)} 2>&1`;
  },
  judge(spec, out) {
    const expected = `a reply from ${spec.ip}${spec.dev === undefined ? "" : ` on ${spec.dev}`}`;
    if (out.exitCode === 0) return { held: true, expected, found: `a reply from ${spec.ip}` };
    if (out.exitCode === 124)
      return { held: false, expected, found: "no reply before the timeout" };
    return { held: false, expected, found: `no reply (${pingSummary(out.stdout + out.stderr)})` };
  },
};

export const pingCheckKind: CheckKindModule<Spec> = {
  name: "ping",
  form: "ping IP | ping ADDR%DEV",
  probes: true,
  instant: true,
  parse(args: Args, ctx: LineContext) {
    const w = need(args, ctx, "the IP to ping");
    if (w === undefined) return undefined;
    const percent = w.text.indexOf("%");
    if (percent < 0) {
      const ip = ipArg(w, ctx);
      return ip === undefined ? undefined : { kind: "ping", ip };
    }
    // ADDR%DEV: a link-local address names no link by itself.
    const ip = ctx.value(w, parseIP(w.text.slice(0, percent)), "address");
    const dev = ip && ctx.value(w, parseIfname(w.text.slice(percent + 1)), "interface");
    if (ip === undefined || dev === undefined) return undefined;
    if (ip.family !== 6) {
      return ctx.error(w, `ping: ADDR%DEV is for IPv6 link-local addresses; write "ping ${ip.ip}"`);
    }
    return { kind: "ping", ip: ip.ip, dev };
  },
  probe,
  target: (spec, ns) => ({ from: ns, ip: spec.ip }),
};
