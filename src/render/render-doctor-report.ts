/** `course doctor`'s text report. */
import pc from "picocolors";
import type { DoctorCheck } from "../lab/doctor-checks.js";

/** One line a check (`ok`, `warn`, `FAIL`), its fix under it, then what to do next. */
export function renderDoctorReport(checks: DoctorCheck[], color: boolean): string {
  const c = pc.createColors(color);
  const lines: string[] = [];
  for (const check of checks) {
    const mark =
      check.status === "ok"
        ? c.green("ok  ")
        : check.status === "warn"
          ? c.yellow("warn")
          : c.red("FAIL");
    lines.push(`${mark} ${check.name}: ${check.detail}`);
    if (check.fix) lines.push(`     fix: ${check.fix}`);
  }
  const failed = checks.some((check) => check.status === "fail");
  lines.push(
    "",
    failed
      ? "Some checks failed: run the fix commands above, then `course doctor` again."
      : "This machine can run course labs.",
  );
  return `${lines.join("\n")}\n`;
}
