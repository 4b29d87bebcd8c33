/**
 * `run "COMMAND" [exit N] [stdout "TEXT"] [stdout ~ /REGEX/]`: the command, run by bash in the
 * check's namespace, exits N (default 0) and its standard output matches every pattern.
 */

import { shellQuote } from "../../lab/shell-quote.js";
import { type Args, type LineContext, need } from "../../lesson/check-grammar.js";
import { parseInteger, parseRegex } from "../../lesson/check-values.js";
import type { Word } from "../../lesson/check-words.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec, TextMatch } from "../../lesson/types.js";
import { clipFound, whereItDiffers } from "../clip-found.js";
import { inNamespace } from "../facts.js";
import type { ProbeKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "run" }>;

const probe: ProbeKind<Spec> = {
  script(spec, ns, timeout) {
    return `timeout ${timeout} ${inNamespace(ns, `bash -c ${shellQuote(spec.command)}`)}`;
  },
  judge(spec, out, _ns, timeout) {
    const wants = [
      `exit ${spec.exit}`,
      ...spec.stdout.map((m) =>
        "text" in m ? `stdout "${m.text}"` : `stdout ~ /${m.regex}/${m.flags}`,
      ),
    ];
    const expected = wants.join(", ");
    const problems: string[] = [];
    if (out.exitCode === 124 && spec.exit !== 124) problems.push(`no exit within ${timeout} s`);
    else if (out.exitCode !== spec.exit) {
      problems.push(
        `exit ${out.exitCode}${out.stderr.trim() ? ` (stderr: ${clipFound(out.stderr, 0, 120)})` : ""}`,
      );
    }
    const unmatched = spec.stdout.filter((m) =>
      "text" in m ? !out.stdout.includes(m.text) : !new RegExp(m.regex, m.flags).test(out.stdout),
    );
    if (unmatched.length > 0) {
      const focus = whereItDiffers(out.stdout, unmatched[0] as TextMatch);
      problems.push(
        out.stdout.trim() === "" ? "no output" : `stdout "${clipFound(out.stdout, focus)}"`,
      );
    }
    return {
      held: problems.length === 0,
      expected,
      found: problems.length === 0 ? expected : problems.join(", "),
    };
  },
};

const KEYWORDS = ["exit", "stdout"];

function parseRun(args: Args, ctx: LineContext): Spec | undefined {
  const cmd = need(args, ctx, "the COMMAND (in double quotes)");
  if (cmd === undefined) return undefined;
  if (cmd.text.trim() === "") return ctx.error(cmd, `run: the COMMAND is empty${ctx.form}`);
  let exit: number | undefined;
  const stdout: TextMatch[] = [];
  while (!args.done) {
    const kw = args.next() as Word;
    if (kw.text === "exit" && !kw.quoted) {
      if (exit !== undefined) return ctx.error(kw, `run: "exit" is given twice`);
      const w = need(args, ctx, "the exit status after `exit`");
      const n = w && ctx.value(w, parseInteger(w.text, 0, 255), "exit status");
      if (n === undefined) return undefined;
      exit = n;
    } else if (kw.text === "stdout" && !kw.quoted) {
      const w = need(args, ctx, 'the "TEXT" or ~ /REGEX/ after `stdout`');
      if (w === undefined) return undefined;
      if (!w.quoted && w.text.startsWith("~/")) {
        // `stdout ~/abc/` would be the literal text "~/abc/": almost surely a regex.
        return ctx.error(
          w,
          `run: "${w.text}" needs a space after ~: write stdout ~ ${w.text.slice(1)} for a regular expression, or stdout "${w.text}" for that text`,
        );
      }
      if (w.text === "~" && !w.quoted) {
        const r = need(args, ctx, "the /REGEX/ after `stdout ~`");
        if (r === undefined) return undefined;
        const following = args.peek();
        if (
          !r.quoted &&
          r.text.startsWith("/") &&
          parseRegex(r.text).ok === false &&
          following !== undefined &&
          /\/[dgimsuvy]*$/.test(following.text)
        ) {
          // `/a b/` was split at the space: say so, instead of judging the cut-off word.
          return ctx.error(
            r,
            `run: a /REGEX/ is one word: write \\s for a space (/${r.text.slice(1)}\\s${following.text}, or [ ] for exactly one space)`,
          );
        }
        const re = ctx.value(r, parseRegex(r.text), "regular expression");
        if (re === undefined) return undefined;
        stdout.push(re);
      } else {
        if (!w.quoted && w.text.startsWith("/") && w.text.length > 1) {
          ctx.warn(
            w,
            `run: "${w.text}" is matched as plain text; write stdout ~ ${w.text} for a regular expression`,
            "regex-as-text",
          );
        }
        stdout.push({ text: w.text });
      }
    } else {
      return ctx.error(
        kw,
        `run: unexpected "${kw.text}"${suggestion(kw.text, KEYWORDS)}${cmd.quoted ? "" : ' (quote a COMMAND of several words: run "ip link show")'}${ctx.form}`,
        "unknown-keyword",
      );
    }
  }
  return { kind: "run", command: cmd.text, exit: exit ?? 0, stdout };
}

export const runCheckKind: CheckKindModule<Spec> = {
  name: "run",
  form: 'run "COMMAND" [exit N] [stdout "TEXT"] [stdout ~ /REGEX/]',
  keywords: KEYWORDS,
  probes: true,
  parse: parseRun,
  probe,
};
