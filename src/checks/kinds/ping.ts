/**
 * `ping IP`: an ICMP echo gets a reply, up to 3 tries (one a second) within the timeout. Runs
 * `ping` in the check's namespace; it stops at the first reply, so a passing ping is quick.
 */

import { shellQuote } from "../../lab/shell-quote.js";
import { type Args, ipArg, type LineContext, need } from "../../lesson/check-grammar.js";
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
    return `${inNetNamespace(ns, `ping -n -c 1 -i 1 -W 1 -w ${deadline} ${shellQuote(spec.ip)}`)} 2>&1`;
  },
  judge(spec, out) {
    const expected = `a reply from ${spec.ip}`;
    if (out.exitCode === 0) return { held: true, expected, found: `a reply from ${spec.ip}` };
    if (out.exitCode === 124)
      return { held: false, expected, found: "no reply before the timeout" };
    return { held: false, expected, found: `no reply (${pingSummary(out.stdout + out.stderr)})` };
  },
};

export const pingCheckKind: CheckKindModule<Spec> = {
  name: "ping",
  form: "ping IP",
  probes: true,
  parse(args: Args, ctx: LineContext) {
    const w = need(args, ctx, "the IP to ping");
    const ip = w && ipArg(w, ctx);
    return ip === undefined ? undefined : { kind: "ping", ip };
  },
  probe,
  target: (spec, ns) => ({ from: ns, ip: spec.ip }),
};
