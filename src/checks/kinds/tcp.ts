/** `tcp HOST:PORT`: a TCP connection opens, from the check's namespace (bash's /dev/tcp). */

import { shellQuote } from "../../lab/shell-quote.js";
import { type Args, type LineContext, need } from "../../lesson/check-grammar.js";
import { parseHostPort } from "../../lesson/check-values.js";
import type { CheckSpec } from "../../lesson/types.js";
import { inNetNamespace } from "../facts.js";
import type { ProbeKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "tcp" }>;

/** A dropped SYN is retried for minutes: after this many seconds it counts as no answer. */
export const TCP_CONNECT_SECONDS = 5;

const probe: ProbeKind<Spec> = {
  script(spec, ns, timeout) {
    const t = Math.min(timeout, TCP_CONNECT_SECONDS);
    const open = `exec 3<>/dev/tcp/${spec.host}/${spec.port}`;
    return `timeout ${t} ${inNetNamespace(ns, `bash -c ${shellQuote(open)}`)} 2>&1`;
  },
  judge(spec, out, _ns, timeout) {
    const expected = `a TCP connection to ${spec.host}:${spec.port}`;
    if (out.exitCode === 0) return { held: true, expected, found: "the connection opened" };
    if (out.exitCode === 124) {
      return {
        held: false,
        expected,
        found: `no answer within ${Math.min(timeout, TCP_CONNECT_SECONDS)} s (the SYN is dropped or lost)`,
      };
    }
    const text = out.stdout + out.stderr;
    const reason = /refused/i.test(text)
      ? "connection refused (nothing listens there)"
      : /No route to host/i.test(text)
        ? "no route to host"
        : /Network is unreachable/i.test(text)
          ? "network is unreachable"
          : text.trim().split("\n").at(-1) || `exit ${out.exitCode}`;
    return { held: false, expected, found: reason };
  },
};

export const tcpCheckKind: CheckKindModule<Spec> = {
  name: "tcp",
  form: "tcp HOST:PORT",
  probes: true,
  instant: true,
  parse(args: Args, ctx: LineContext) {
    const w = need(args, ctx, "HOST:PORT");
    const hp = w && ctx.value(w, parseHostPort(w.text), "target");
    return hp === undefined ? undefined : { kind: "tcp", host: hp.host, port: hp.port };
  },
  probe,
  target: (spec, ns) => ({ from: ns, ip: spec.host, port: spec.port }),
};
