/**
 * `ping IP`: an ICMP echo gets a reply, up to 3 tries within the timeout. Runs `ping` in the
 * check's namespace; stops at the first reply, so a passing ping costs one round trip time.
 */

import { quoteShellWord } from "../lab/ssh-quote.js";
import type { CheckSpec } from "../lesson/types.js";
import { inNamespace } from "./facts.js";
import type { ProbeKind } from "./types.js";

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

export const pingCheck: ProbeKind<Spec> = {
  script(spec, ns, timeout) {
    const ip = quoteShellWord(spec.ip);
    // Each try waits at most 1 s; `timeout` bounds all three by the check's timeout.
    const loop = `for i in 1 2 3; do ping -n -c 1 -W 1 ${ip} && exit 0; done; exit 1`;
    return `timeout ${timeout} ${inNamespace(ns, `bash -c ${quoteShellWord(loop)}`)} 2>&1`;
  },
  judge(spec, out) {
    const expected = `a reply from ${spec.ip}`;
    if (out.exitCode === 0) return { held: true, expected, found: `a reply from ${spec.ip}` };
    if (out.exitCode === 124)
      return { held: false, expected, found: "no reply before the timeout" };
    return { held: false, expected, found: `no reply (${pingSummary(out.stdout + out.stderr)})` };
  },
};
