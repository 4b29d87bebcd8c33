/** `--reporter tap`: TAP version 14, one test point a lesson, YAML diagnostics for failures. */
import { stringify } from "yaml";
import { displayPath } from "../../display-path.js";
import type { TestProblem } from "../../flows/test-lesson.js";
import type { Reporter, ReporterOptions } from "./reporter.js";

/** TAP descriptions end at `#` (a directive) and must stay on one line. */
const description = (text: string) =>
  text.replace(/\\/g, "\\\\").replace(/#/g, "\\#").replace(/\n/g, " ");

function diagnostic(problem: TestProblem, file: string) {
  const entry: Record<string, unknown> = {
    message: problem.message,
    rule: problem.rule,
    at: `${file}:${problem.line}`,
  };
  if (problem.step !== undefined) entry.step = problem.step;
  if (problem.expected !== undefined) entry.expected = problem.expected;
  if (problem.found !== undefined) entry.found = problem.found;
  return entry;
}

/** A reporter for CI systems and tools that read TAP. The plan comes last (bail may cut the run). */
export function tapReporter(options: ReporterOptions): Reporter {
  let n = 0;
  return {
    start: () => "TAP version 14\n",
    result(result) {
      n++;
      const file = displayPath(result.lesson.file, options.cwd);
      const name = description(`${result.lesson.id} (${file})`);
      if (result.status === "skipped") {
        return `ok ${n} - ${name} # SKIP ${description(result.skipReason ?? "")}\n`;
      }
      const lines = [`${result.status === "passed" ? "ok" : "not ok"} ${n} - ${name}`];
      const yamlBlock: Record<string, unknown> = {};
      if (result.failures.length > 0) {
        yamlBlock.failures = result.failures.map((p) => diagnostic(p, file));
      }
      if (result.warnings.length > 0) {
        yamlBlock.warnings = result.warnings.map((p) => diagnostic(p, file));
      }
      if (Object.keys(yamlBlock).length > 0) {
        yamlBlock.duration_ms = Math.round(result.durationMs);
        const body = stringify(yamlBlock, { lineWidth: 0 }).trimEnd().split("\n");
        lines.push("  ---", ...body.map((l) => `  ${l}`), "  ...");
      }
      return `${lines.join("\n")}\n`;
    },
    end: () => `1..${n}\n`,
  };
}
