/**
 * `rule [from CIDR|all] [to CIDR] [iif DEV] [fwmark N] lookup T [priority N]`: a routing policy
 * rule with those attributes exists (`ip -j rule show`, IPv4 and IPv6). Attributes not written
 * are not compared; `from all` asks for a rule that matches every source.
 */
import {
  type Args,
  type LineContext,
  parseAttributes,
  valueAttributes,
} from "../../lesson/check-grammar.js";
import { networkAddress, parseCidr, parseIP } from "../../lesson/check-values.js";
import type { Word } from "../../lesson/check-words.js";
import type { CheckSpec } from "../../lesson/types.js";
import { normalizeCidr, normalizeIP } from "../resolve.js";
import { labTable, RT_TABLES_EXTRA, tableNumber } from "../route-tables.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "rule" }>;

/** One entry of `ip -j rule show`. */
interface IpRule {
  priority?: number;
  src?: string;
  srclen?: number;
  dst?: string;
  dstlen?: number;
  iif?: string;
  fwmark?: string;
  table?: string;
}

const MARK = "@@rules6";

/** `from`/`to` of a rule as a CIDR, or `all`. */
function side(addr: string | undefined, len: number | undefined): string {
  if (addr === undefined || addr === "all") return "all";
  return normalizeCidr(len === undefined ? addr : `${addr}/${len}`);
}

function describeRule(r: IpRule): string {
  return [
    r.priority !== undefined && `${r.priority}:`,
    `from ${side(r.src, r.srclen)}`,
    r.dst !== undefined && `to ${side(r.dst, r.dstlen)}`,
    r.iif !== undefined && `iif ${r.iif}`,
    r.fwmark !== undefined && `fwmark ${r.fwmark}`,
    `lookup ${r.table ?? "?"}`,
  ]
    .filter(Boolean)
    .join(" ");
}

const state: StateKind<Spec> = {
  needs(_spec, ns) {
    const extra = {
      id: "rules",
      script: `ip -j rule show 2>&1; echo ${MARK}; ip -j -6 rule show 2>&1`,
    };
    return {
      extras: [ns === null ? extra : { ...extra, ns }, RT_TABLES_EXTRA],
    };
  },
  evaluate(spec, { extra }) {
    const expected = `a rule ${[
      spec.from !== undefined && `from ${spec.from}`,
      spec.to !== undefined && `to ${spec.to}`,
      spec.iif !== undefined && `iif ${spec.iif}`,
      spec.fwmark !== undefined && `fwmark ${spec.fwmark}`,
      `lookup ${spec.table}`,
      spec.priority !== undefined && `priority ${spec.priority}`,
    ]
      .filter(Boolean)
      .join(" ")}`;
    const r = extra("rules");
    if (r === undefined) return { held: false, expected, found: "the rules could not be read" };
    const resolved = labTable(spec.table, extra(RT_TABLES_EXTRA.id)?.stdout);
    if ("found" in resolved) return { held: false, expected, found: resolved.found };
    const { number: table, names } = resolved;
    const v6 = [spec.from, spec.to].some((a) => a?.includes(":"));
    const [four = "", six = ""] = r.stdout.split(`${MARK}\n`);
    let rules: IpRule[] = [];
    try {
      rules = JSON.parse((v6 ? six : four).trim() || "[]") as IpRule[];
    } catch {
      return {
        held: false,
        expected,
        found: `ip rule: ${(v6 ? six : four).trim().split("\n")[0]}`,
      };
    }
    const held = rules.some(
      (rule) =>
        tableNumber(rule.table, names) === table &&
        (spec.from === undefined || side(rule.src, rule.srclen) === side(spec.from, undefined)) &&
        (spec.to === undefined || side(rule.dst, rule.dstlen) === side(spec.to, undefined)) &&
        (spec.iif === undefined || rule.iif === spec.iif) &&
        (spec.fwmark === undefined ||
          (rule.fwmark !== undefined && Number.parseInt(rule.fwmark, 16) === spec.fwmark)) &&
        (spec.priority === undefined || rule.priority === spec.priority),
    );
    // The kernel's own rules (local, main, default) are noise in "found".
    const own = rules.filter(
      (x) =>
        !(x.src === "all" && x.dst === undefined && [0, 32766, 32767].includes(x.priority ?? -1)),
    );
    return {
      held,
      expected,
      found: held
        ? expected
        : own.length === 0
          ? "only the kernel's own rules (local, main, default)"
          : `the rules are ${own.map(describeRule).join("; ")}`,
    };
  },
};

const KEYWORDS = ["from", "to", "iif", "fwmark", "lookup", "priority"];

/** A rule's `from`/`to`: a network (an address alone is a /32 or /128), or `all`. */
function cidrOrAll(w: Word, ctx: LineContext, what: string): string | undefined {
  if (w.text === "all" && !w.quoted) return "all";
  if (!w.text.includes("/")) return ctx.value(w, parseIP(w.text), what)?.ip;
  const value = ctx.value(w, parseCidr(w.text), what);
  if (value === undefined) return undefined;
  {
    const network = networkAddress(value.ip, value.prefix, value.family);
    if (normalizeIP(network) !== normalizeIP(value.ip)) {
      return ctx.error(
        w,
        `rule: "${w.text}" has host bits set: did you mean "${network}/${value.prefix}"?`,
      );
    }
    return `${value.ip}/${value.prefix}`;
  }
}

export const ruleCheckKind: CheckKindModule<Spec> = {
  name: "rule",
  form: "rule [from CIDR|all] [to CIDR] [iif DEV] [fwmark N] lookup T [priority N]",
  keywords: KEYWORDS,
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const spec: Partial<Spec> & { kind: "rule" } = { kind: "rule" };
    const a = valueAttributes(args, ctx, spec);
    const ok = parseAttributes(args, ctx, KEYWORDS, {
      from: a.value("from", "the source after `from`", (w) => cidrOrAll(w, ctx, "source")),
      to: a.value("to", "the destination after `to`", (w) => cidrOrAll(w, ctx, "destination")),
      iif: a.ifname("iif", "the interface after `iif`"),
      fwmark: a.integer("fwmark", "the fwmark after `fwmark`", "fwmark", { hex: true }),
      lookup: a.table("table", "the table after `lookup`"),
      priority: a.integer("priority", "the priority after `priority`", "priority", { hex: true }),
    });
    if (!ok) return undefined;
    if (spec.table === undefined) {
      return ctx.error(
        args.end,
        `rule: \`lookup T\` is missing (the table the rule sends to)${ctx.form}`,
      );
    }
    return spec as Spec;
  },
  state,
};
