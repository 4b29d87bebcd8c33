/**
 * `run "COMMAND" [exit N] [stdout "TEXT"] [stdout ~ /REGEX/]`: the command, run by bash in the
 * check's namespace, exits N (default 0) and its standard output matches every pattern.
 */

import { quoteShellWord } from "../lab/ssh-quote.js";
import type { CheckSpec } from "../lesson/types.js";
import { inNamespace } from "./facts.js";
import type { ProbeKind } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "run" }>;

const clip = (s: string, n = 200) => {
  const one = s.trim().replaceAll("\n", "⏎");
  return one.length > n ? `${one.slice(0, n)}…` : one;
};

export const runCheck: ProbeKind<Spec> = {
  script(spec, ns, timeout) {
    return `timeout ${timeout} ${inNamespace(ns, `bash -c ${quoteShellWord(spec.command)}`)}`;
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
        `exit ${out.exitCode}${out.stderr.trim() ? ` (stderr: ${clip(out.stderr, 120)})` : ""}`,
      );
    }
    const unmatched = spec.stdout.filter((m) =>
      "text" in m ? !out.stdout.includes(m.text) : !new RegExp(m.regex, m.flags).test(out.stdout),
    );
    if (unmatched.length > 0) {
      problems.push(out.stdout.trim() === "" ? "no output" : `stdout "${clip(out.stdout)}"`);
    }
    return {
      held: problems.length === 0,
      expected,
      found: problems.length === 0 ? expected : problems.join(", "),
    };
  },
};
