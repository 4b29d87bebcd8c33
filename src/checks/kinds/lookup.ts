/**
 * `lookup DEST [from SRC] [iif DEV] [mark N] [via GW] [dev DEV] [src IP] [table T]`: what the
 * kernel decides for a packet to DEST, as `ip -j route get` answers in the check's namespace. The
 * words before the answer ask (`from`, `iif`, `mark`); `via`, `dev`, `src` and `table` are the
 * answer expected. Policy routing is judged by its outcome, whatever rules and tables produce it.
 */

import { shellQuote } from "../../lab/shell-quote.js";
import {
  type Args,
  ipArg,
  type LineContext,
  need,
  parseAttributes,
  valueAttributes,
} from "../../lesson/check-grammar.js";
import type { CheckSpec } from "../../lesson/types.js";
import { normalizeIP } from "../resolve.js";
import { parseRtTables, RT_TABLES_EXTRA, tableNumber } from "../route-tables.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "lookup" }>;

/** One answer of `ip -j route get`. */
interface RouteGet {
  dst?: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  table?: string;
}

/** The question, as `ip route get` words. */
function question(spec: Spec): string {
  return [
    spec.dest,
    spec.from !== undefined && `from ${spec.from}`,
    spec.iif !== undefined && `iif ${spec.iif}`,
    spec.mark !== undefined && `mark ${spec.mark}`,
  ]
    .filter(Boolean)
    .join(" ");
}

const state: StateKind<Spec> = {
  needs(spec, ns) {
    const words = question(spec).split(" ").map(shellQuote).join(" ");
    const extra = { id: "get", script: `ip -j route get ${words} 2>&1` };
    return {
      extras: [
        ns === null ? extra : { ...extra, ns },
        ...(spec.table === undefined ? [] : [RT_TABLES_EXTRA]),
      ],
    };
  },
  evaluate(spec, { extra }) {
    const answer = [
      spec.via !== undefined && `via ${spec.via}`,
      spec.dev !== undefined && `dev ${spec.dev}`,
      spec.src !== undefined && `src ${spec.src}`,
      spec.table !== undefined && `table ${spec.table}`,
    ].filter(Boolean);
    const expected = `the kernel routes ${question(spec)}${answer.length > 0 ? ` ${answer.join(" ")}` : ""}`;
    const r = extra("get");
    if (r === undefined) return { held: false, expected, found: "the lookup could not be run" };
    let got: RouteGet | undefined;
    try {
      got = (JSON.parse(r.stdout.trim()) as RouteGet[])[0];
    } catch {
      got = undefined;
    }
    if (r.exitCode !== 0 || got === undefined) {
      const why = r.stdout.trim().split("\n")[0] || `exit ${r.exitCode}`;
      return { held: false, expected, found: `no route: ${why}` };
    }
    const names = parseRtTables(extra(RT_TABLES_EXTRA.id)?.stdout);
    const gotTable = got.table ?? "main";
    const found = [
      got.gateway !== undefined && `via ${got.gateway}`,
      got.dev !== undefined && `dev ${got.dev}`,
      got.prefsrc !== undefined && `src ${got.prefsrc}`,
      `table ${gotTable}`,
    ].filter(Boolean);
    const same = (a: string | undefined, b: string | undefined) =>
      a !== undefined && b !== undefined && normalizeIP(a) === normalizeIP(b);
    const held =
      (spec.via === undefined || same(got.gateway, spec.via)) &&
      (spec.dev === undefined || got.dev === spec.dev) &&
      (spec.src === undefined || same(got.prefsrc, spec.src)) &&
      (spec.table === undefined || tableNumber(spec.table, names) === tableNumber(gotTable, names));
    return {
      held,
      expected,
      found: held ? expected : `the kernel routes ${question(spec)} ${found.join(" ")}`,
    };
  },
};

const KEYWORDS = ["from", "iif", "mark", "via", "dev", "src", "table"];

export const lookupCheckKind: CheckKindModule<Spec> = {
  name: "lookup",
  form: "lookup DEST [from SRC] [iif DEV] [mark N] [via GW] [dev DEV] [src IP] [table T]",
  keywords: KEYWORDS,
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const destWord = need(args, ctx, "the destination address DEST");
    const dest = destWord && ipArg(destWord, ctx, "destination");
    if (dest === undefined) return undefined;
    const spec: Spec = { kind: "lookup", dest };
    const a = valueAttributes(args, ctx, spec);
    const ok = parseAttributes(args, ctx, KEYWORDS, {
      from: a.ip("from", "the address after `from`", "from"),
      iif: a.ifname("iif", "the interface after `iif`"),
      mark: a.integer("mark", "the mark after `mark`", "mark"),
      via: a.ip("via", "the address after `via`", "via"),
      dev: a.ifname("dev", "the interface after `dev`"),
      src: a.ip("src", "the address after `src`", "src"),
      table: a.table("table", "the table after `table`"),
    });
    if (ok && spec.iif !== undefined && spec.from === undefined) {
      return ctx.error(
        args.end,
        `lookup: \`iif\` needs \`from\` (the kernel asks where a forwarded packet came from)${ctx.form}`,
      );
    }
    return ok ? spec : undefined;
  },
  state,
};
