/**
 * `iptables [-t TABLE] -A CHAIN RULE...`: the rule is present, as `iptables -C` decides (it
 * knows every match and target, MASQUERADE and DNAT included; `nft -j` shows those as opaque
 * `xt` entries). `iptables [-t TABLE] -P CHAIN TARGET`: the policy, from `iptables -S CHAIN`.
 */

import { quoteShellWord } from "../lab/ssh-quote.js";
import type { CheckSpec } from "../lesson/types.js";
import type { StateKind } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "iptables" }>;

const MARK = "@@rules";

export const iptablesCheck: StateKind<Spec> = {
  needs(spec, ns) {
    const t = quoteShellWord(spec.table);
    const c = quoteShellWord(spec.chain);
    const script =
      spec.mode === "rule"
        ? `iptables -w -t ${t} -C ${c} ${spec.rule.map(quoteShellWord).join(" ")} 2>&1; rc=$?; echo ${MARK}; iptables -w -t ${t} -S ${c} 2>&1; exit $rc`
        : `iptables -w -t ${t} -S ${c} 2>&1`;
    const extra = { id: "iptables", script };
    return { extras: [ns === null ? extra : { ...extra, ns }] };
  },
  evaluate(spec, ctx) {
    const where = `${spec.table} ${spec.chain}`;
    const r = ctx.extra("iptables");
    if (spec.mode === "policy") {
      const expected = `policy ${spec.target} in ${where}`;
      if (r === undefined) return { held: false, expected, found: "iptables could not be read" };
      const line = r.stdout.split("\n").find((l) => l.startsWith(`-P ${spec.chain} `));
      if (line === undefined) {
        return { held: false, expected, found: r.stdout.trim() || `no chain ${spec.chain}` };
      }
      const target = line.split(" ")[2] ?? "";
      return { held: target === spec.target, expected, found: `policy ${target} in ${where}` };
    }
    const expected = `the rule -A ${spec.chain} ${spec.rule.join(" ")} in the ${spec.table} table`;
    if (r === undefined) return { held: false, expected, found: "iptables could not be read" };
    const [check = "", rules = ""] = r.stdout.split(`${MARK}\n`);
    if (r.exitCode === 0) return { held: true, expected, found: expected };
    const appended = rules
      .split("\n")
      .filter((l) => l.startsWith("-A "))
      .map((l) => l.trim());
    // Exit 1 is "no such rule"; anything else means iptables could not even read the rule.
    if (
      r.exitCode !== 1 ||
      /Bad argument|unknown option|Couldn't load|does not exist|No chain/i.test(check)
    ) {
      if (!/does a matching rule exist/.test(check)) {
        return {
          held: false,
          expected,
          found: `iptables rejected the rule: ${check.trim().split("\n")[0]}`,
        };
      }
    }
    return {
      held: false,
      expected,
      found:
        appended.length === 0
          ? `no rule in ${where} (it is empty)`
          : `no such rule in ${where} (its rules: ${appended.join("; ")})`,
    };
  },
};
