/** `sysctl KEY VALUE`: `sysctl -n KEY`, run in the check's namespace, prints VALUE. */

import { quoteShellWord } from "../lab/ssh-quote.js";
import type { CheckSpec } from "../lesson/types.js";
import type { StateKind } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "sysctl" }>;

const squash = (s: string) => s.trim().split(/\s+/).join(" ");

export const sysctlCheck: StateKind<Spec> = {
  needs(spec, ns) {
    const extra = { id: "value", script: `sysctl -n ${quoteShellWord(spec.key)} 2>&1` };
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
