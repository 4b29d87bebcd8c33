/** `course lint`'s text report. */
import pc from "picocolors";
import type { LintReport } from "../flows/lint-course.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The text report: one line a problem, then a summary line. */
export function formatLintReport(report: LintReport, color = false): string {
  const c = color ? pc : pc.createColors(false);
  const lines = report.problems.map((p) => {
    const severity = p.severity === "error" ? c.red("error") : c.yellow("warning");
    return `${c.bold(`${p.file}:${p.line}:${p.column}`)}: ${severity}: ${p.message}`;
  });
  const { errors, warnings, lessons } = report.summary;
  const checked = `${plural(lessons, "lesson")} checked`;
  if (errors === 0 && warnings === 0) {
    lines.push(c.green(`no problems (${checked})`));
  } else {
    const counts = `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
    lines.push(`${errors > 0 ? c.red(counts) : c.yellow(counts)} (${checked})`);
  }
  return `${lines.join("\n")}\n`;
}
