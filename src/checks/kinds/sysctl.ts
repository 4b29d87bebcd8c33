/** `sysctl KEY VALUE`: `sysctl -n KEY`, run in the check's namespace, prints VALUE. */

import { shellQuote } from "../../lab/shell-quote.js";
import { type Args, type LineContext, need } from "../../lesson/check-grammar.js";
import { parseSysctlKey } from "../../lesson/check-values.js";
import type { CheckSpec } from "../../lesson/types.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "sysctl" }>;

const squash = (s: string) => s.trim().split(/\s+/).join(" ");

const state: StateKind<Spec> = {
  needs(spec, ns) {
    const extra = { id: "value", script: `sysctl -n ${shellQuote(spec.key)} 2>&1` };
    return { extras: [ns === null ? extra : { ...extra, ns }] };
  },
  evaluate(spec, ctx) {
    const expected = `${spec.key} = ${spec.value}`;
    const r = ctx.extra("value");
    if (r === undefined) return { held: false, expected, found: "the value could not be read" };
    if (r.exitCode !== 0) {
      return {
        held: false,
        expected,
        found: `no such key (${squash(r.stdout) || `exit ${r.exitCode}`})`,
      };
    }
    const value = squash(r.stdout);
    return { held: value === squash(spec.value), expected, found: `${spec.key} = ${value}` };
  },
};

export const sysctlCheckKind: CheckKindModule<Spec> = {
  name: "sysctl",
  form: "sysctl KEY VALUE",
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const keyWord = need(args, ctx, "the KEY (e.g. net.ipv4.ip_forward)");
    const key = keyWord && ctx.value(keyWord, parseSysctlKey(keyWord.text), "key");
    if (key === undefined) return undefined;
    const valueWord = need(args, ctx, "the VALUE");
    return valueWord === undefined ? undefined : { kind: "sysctl", key, value: valueWord.text };
  },
  state,
};
