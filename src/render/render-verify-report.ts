/** `course verify`'s report as the learner reads it in a terminal. */
import pc from "picocolors";
import { formatVerdict } from "../checks/verdict.js";
import type { VerifyReport } from "../flows/verify.js";

export interface RenderOptions {
  /** Paths are shown relative to this directory. */
  cwd: string;
  color: boolean;
}

/** The report as the learner reads it, step by step, failures with found/expected and a hint. */
export function renderVerifyReport(report: VerifyReport, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const out: string[] = [c.bold(`Lesson ${report.lesson.position}: ${report.lesson.title}`)];
  for (const step of report.steps) {
    const n = step.results.length;
    const mark = n === 0 ? c.dim("-") : step.passed ? c.green("✓") : c.red("✗");
    const count =
      n === 0
        ? "no check: cannot be verified"
        : `${step.results.filter((r) => r.passed).length}/${n} checks`;
    out.push(`${mark} Step ${step.index}: ${step.title} ${c.dim(`(${count})`)}`);
    for (const r of step.results) {
      if (r.passed) continue;
      const [first, ...rest] = formatVerdict(r, options.cwd).split("\n");
      out.push(`    ${c.red("✗")} ${first}`);
      for (const line of rest) out.push(`      ${c.yellow(line.trim())}`);
    }
    if (step.hint !== undefined) {
      out.push(`    ${c.cyan("Hint:")} ${step.hint.split("\n").join("\n          ")}`);
    }
  }
  const checks = report.steps.flatMap((s) => s.results);
  const passedSteps = report.steps.filter((s) => s.passed).length;
  out.push(
    report.passed
      ? c.green(`All ${checks.length} checks pass: lesson ${report.lesson.id} is done.`)
      : `${passedSteps} of ${report.steps.length} steps pass, ${checks.filter((r) => r.passed).length} of ${checks.length} checks.`,
  );
  return `${out.join("\n")}\n`;
}
