/**
 * `capture DEV while "COMMAND" sees "TEXT"`: tcpdump (`-n -l`) listens on DEV in the check's
 * namespace; once it says it is listening, COMMAND runs in the lab's host namespace; the capture
 * stops as soon as a packet line contains TEXT, or when the time is up.
 */

import { shellQuote } from "../../lab/shell-quote.js";
import { type Args, ifaceRef, type LineContext, need } from "../../lesson/check-grammar.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec } from "../../lesson/types.js";
import { inNetNamespace } from "../facts.js";
import type { ProbeKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "capture" }>;

const SEP = "@@capture-trigger";

const probe: ProbeKind<Spec> = {
  script(spec, ns, timeout) {
    // `NS:DEV` captures in NS; a plain DEV in the check's namespace.
    const tcpdump = inNetNamespace(
      spec.dev.ns ?? ns,
      `tcpdump -n -l --immediate-mode -i ${shellQuote(spec.dev.dev)}`,
    );
    const text = shellQuote(spec.text);
    // Polling a file keeps this plain bash; 50 ms is well under a packet's round trip budget.
    return [
      "c=$(mktemp -d)",
      `${tcpdump} >"$c/cap" 2>"$c/err" & tp=$!`,
      `for i in $(seq 250); do grep -q "listening on" "$c/err" && break; kill -0 $tp 2>/dev/null || break; sleep 0.02; done`,
      `if ! kill -0 $tp 2>/dev/null; then cat "$c/err"; rm -rf "$c"; exit 3; fi`,
      `timeout ${timeout} bash -c ${shellQuote(spec.command)} >"$c/trig" 2>&1 & tr=$!`,
      `end=$((SECONDS + ${timeout})); seen=1; grace=0`,
      "while :; do",
      `  if grep -qF -- ${text} "$c/cap"; then seen=0; break; fi`,
      // Once the trigger is done, give late packets half a second, then stop.
      "  if ! kill -0 $tr 2>/dev/null; then grace=$((grace + 1)); [ $grace -gt 10 ] && break; fi",
      "  [ $SECONDS -ge $end ] && break",
      "  sleep 0.05",
      "done",
      "kill $tp $tr 2>/dev/null; wait $tp $tr 2>/dev/null",
      `head -n 50 "$c/cap"; echo ${SEP}; head -c 2000 "$c/trig"; rm -rf "$c"`,
      "exit $seen",
    ].join("\n");
  },
  judge(spec, out, ns) {
    const devNs = spec.dev.ns ?? ns;
    const where = `${devNs === null ? "" : `${devNs}:`}${spec.dev.dev}`;
    const expected = `a packet on ${where} containing "${spec.text}" while running "${spec.command}"`;
    if (out.exitCode === 3) {
      const err = out.stdout.trim().split("\n").at(-1) ?? "";
      return { held: false, expected, found: `tcpdump could not capture on ${where}: ${err}` };
    }
    const [cap = "", trig = ""] = out.stdout.split(`${SEP}\n`);
    if (out.exitCode === 0) {
      const line = cap.split("\n").find((l) => l.includes(spec.text)) ?? "";
      return { held: true, expected, found: line.trim() };
    }
    const lines = cap.split("\n").filter((l) => l.trim() !== "");
    const trigNote =
      trig.trim() === ""
        ? ""
        : `; the command printed: ${trig.trim().split("\n").slice(-2).join(" ⏎ ")}`;
    return {
      held: false,
      expected,
      found:
        lines.length === 0
          ? `no packet at all on ${where}${trigNote}`
          : `${lines.length} packet line(s), none containing "${spec.text}" (first: ${lines[0]?.trim()})${trigNote}`,
    };
  },
};

function parseCapture(args: Args, ctx: LineContext): Spec | undefined {
  const devWord = need(args, ctx, "the interface DEV");
  const dev = devWord && ifaceRef(devWord, ctx);
  if (dev === undefined) return undefined;
  const whileWord = need(args, ctx, '"while"');
  if (whileWord === undefined) return undefined;
  if (whileWord.text !== "while" || whileWord.quoted) {
    return ctx.error(
      whileWord,
      `capture: expected "while", found "${whileWord.text}"${suggestion(whileWord.text, ["while"])}${ctx.form}`,
      "unknown-keyword",
    );
  }
  const cmd = need(args, ctx, "the COMMAND (in double quotes)");
  if (cmd === undefined) return undefined;
  if (cmd.text.trim() === "") return ctx.error(cmd, `capture: the COMMAND is empty${ctx.form}`);
  const seesWord = need(args, ctx, '"sees"');
  if (seesWord === undefined) return undefined;
  if (seesWord.text !== "sees" || seesWord.quoted) {
    const hint = cmd.quoted ? "" : ' (quote a COMMAND of several words: "ping -c1 10.0.0.2")';
    return ctx.error(
      seesWord,
      `capture: expected "sees", found "${seesWord.text}"${suggestion(seesWord.text, ["sees"])}${hint}${ctx.form}`,
      "unknown-keyword",
    );
  }
  const textWord = need(args, ctx, "the TEXT to look for");
  if (textWord === undefined) return undefined;
  if (textWord.text === "") return ctx.error(textWord, `capture: the TEXT is empty${ctx.form}`);
  return { kind: "capture", dev, command: cmd.text, text: textWord.text };
}

export const captureCheckKind: CheckKindModule<Spec> = {
  name: "capture",
  form: 'capture DEV while "COMMAND" sees "TEXT"',
  keywords: ["while", "sees"],
  probes: true,
  alone: true,
  parse: parseCapture,
  probe,
};
