/** The default `course test` output: one line a lesson, its problems under it, a summary. */
import pc from "picocolors";
import { displayPath } from "../../display-path.js";
import { problemLines, type Reporter, type ReporterOptions, summarize } from "./reporter.js";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A reporter for people at a terminal. */
export function prettyReporter(options: ReporterOptions): Reporter {
  const c = options.color ? pc : pc.createColors(false);
  return {
    start: () => "",
    result(result) {
      const file = displayPath(result.lesson.file, options.cwd);
      // A lesson that ran in the --fallback-lab (its needs missing from the first lab) says so.
      const where = result.fallbackLab === undefined ? "" : ` in the ${result.fallbackLab} lab`;
      const name = `${result.lesson.id} ${c.dim(`(${file})${where}`)}`;
      const lines: string[] = [];
      if (result.status === "skipped") {
        lines.push(`${c.yellow("-")} ${name} ${c.yellow("skipped")}: ${result.skipReason ?? ""}`);
      } else if (result.status === "passed") {
        const mutants = options.mutate
          ? `, ${plural(result.mutants, "mutant")} in ${seconds(result.mutantMs)}`
          : "";
        lines.push(`${c.green("✓")} ${name} ${c.dim(`${seconds(result.durationMs)}${mutants}`)}`);
      } else {
        lines.push(`${c.red("✗")} ${name} ${c.dim(seconds(result.durationMs))}`);
      }
      for (const failure of result.failures) {
        const [first, ...rest] = problemLines(failure, file, "    ");
        lines.push(c.red(first ?? ""), ...rest);
      }
      for (const warning of result.warnings) {
        const [first, ...rest] = problemLines(warning, file, "    ", "warning: ");
        lines.push(c.yellow(first ?? ""), ...rest);
      }
      for (const left of result.leftAlone ?? []) {
        lines.push(
          c.dim(
            `    ${file}:${left.line}: step ${left.step}: left alone by --mutate: ${left.reason}`,
          ),
        );
      }
      return `${lines.join("\n")}\n`;
    },
    end(report) {
      const s = summarize(report);
      const parts = [`${s.passed} passed`, `${s.failed} failed`];
      if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
      if (s.notRun > 0) parts.push(`${s.notRun} not run (--bail)`);
      if (options.mutate) {
        parts.push(
          `${s.mutants} mutants, ${s.unchecked} unchecked command${s.unchecked === 1 ? "" : "s"}`,
        );
      }
      const lessons = plural(s.lessons + s.notRun, "lesson");
      const line = `${lessons}: ${parts.join(", ")} (${seconds(report.durationMs)})`;
      return `\n${s.failed > 0 ? c.red(line) : c.green(line)}\n`;
    },
  };
}
