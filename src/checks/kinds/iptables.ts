/**
 * `iptables [-t TABLE] -A CHAIN RULE...`: the rule is present, as `iptables -C` decides (it
 * knows every match and target, MASQUERADE and DNAT included; `nft -j` shows those as opaque
 * `xt` entries). `iptables [-t TABLE] -P CHAIN TARGET`: the policy, from `iptables -S CHAIN`.
 */

import { shellQuote } from "../../lab/shell-quote.js";
import { type Args, type LineContext, need } from "../../lesson/check-grammar.js";
import type { Word } from "../../lesson/check-words.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec } from "../../lesson/types.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "iptables" }>;

const MARK = "@@rules";

const state: StateKind<Spec> = {
  needs(spec, ns) {
    const t = shellQuote(spec.table);
    const c = shellQuote(spec.chain);
    const script =
      spec.mode === "rule"
        ? `iptables -w -t ${t} -C ${c} ${spec.rule.map(shellQuote).join(" ")} 2>&1; rc=$?; echo ${MARK}; iptables -w -t ${t} -S ${c} 2>&1; exit $rc`
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

const iptablesTables = ["filter", "nat", "mangle", "raw", "security"];
const builtinChains: Record<string, string[]> = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
  security: ["INPUT", "FORWARD", "OUTPUT"],
};

function parseIptables(args: Args, ctx: LineContext): Spec | undefined {
  let table: string | undefined;
  let mode: "rule" | "policy" | undefined;
  let chain: string | undefined;
  let chainWord: Word | undefined;
  const rule: Word[] = [];
  while (!args.done) {
    const w = args.next() as Word;
    if (!w.quoted && (w.text === "-t" || w.text === "--table")) {
      if (table !== undefined) return ctx.error(w, "iptables: the table is given twice");
      const t = need(args, ctx, "the table after -t");
      if (t === undefined) return undefined;
      if (!iptablesTables.includes(t.text)) {
        return ctx.error(
          t,
          `iptables: unknown table "${t.text}"${suggestion(t.text, iptablesTables)}; tables are ${iptablesTables.join(", ")}`,
        );
      }
      table = t.text;
      continue;
    }
    if (mode === undefined) {
      if (!w.quoted && (w.text === "-A" || w.text === "--append")) mode = "rule";
      else if (!w.quoted && (w.text === "-P" || w.text === "--policy")) mode = "policy";
      else if (!w.quoted && ["-I", "-C", "-D", "-R", "--insert", "--check"].includes(w.text)) {
        return ctx.error(
          w,
          `iptables: write the rule with -A, not ${w.text}: the check asks whether the rule is present (as iptables -C decides)${ctx.form}`,
        );
      } else {
        return ctx.error(
          w,
          `iptables: expected -A or -P (or -t TABLE), found "${w.text}"${ctx.form}`,
        );
      }
      const c = need(args, ctx, "the CHAIN");
      if (c === undefined) return undefined;
      if (c.text.startsWith("-"))
        return ctx.error(c, `iptables: expected a chain name, found "${c.text}"${ctx.form}`);
      if (c.text === "") return ctx.error(c, `iptables: the chain name is empty${ctx.form}`);
      chain = c.text;
      chainWord = c;
      continue;
    }
    rule.push(w);
  }
  const t = table ?? "filter";
  if (mode === undefined || chain === undefined) {
    return ctx.error(
      args.end,
      `iptables: -A CHAIN RULE... or -P CHAIN TARGET is missing${ctx.form}`,
    );
  }
  if (mode === "rule") {
    if (rule.length === 0)
      return ctx.error(args.end, `iptables: the RULE after -A ${chain} is missing${ctx.form}`);
    return { kind: "iptables", table: t, mode, chain, rule: rule.map((w) => w.text) };
  }
  const builtins = builtinChains[t] ?? [];
  if (!builtins.includes(chain)) {
    return ctx.error(
      chainWord ?? args.end,
      `iptables: only built-in chains have a policy; the ${t} table's are ${builtins.join(", ")}${suggestion(chain, builtins)}`,
    );
  }
  const [target, ...extra] = rule;
  if (target === undefined)
    return ctx.error(
      args.end,
      `iptables: the policy TARGET (ACCEPT or DROP) is missing${ctx.form}`,
    );
  if (target.text !== "ACCEPT" && target.text !== "DROP") {
    return ctx.error(
      target,
      `iptables: a policy is ACCEPT or DROP, found "${target.text}"${suggestion(target.text, ["ACCEPT", "DROP"])}`,
    );
  }
  if (extra[0])
    return ctx.error(
      extra[0],
      `iptables: unexpected "${extra[0].text}" after the policy${ctx.form}`,
    );
  return { kind: "iptables", table: t, mode, chain, target: target.text };
}

export const iptablesCheckKind: CheckKindModule<Spec> = {
  name: "iptables",
  form: "iptables [-t TABLE] -A CHAIN RULE... | iptables [-t TABLE] -P CHAIN TARGET",
  probes: false,
  parse: parseIptables,
  state,
};
