/**
 * What every `course test` reporter implements. Reporters only format: they return strings, and
 * `course test` writes them. `result` is called once per lesson in course order, as results are
 * ready, so that streaming formats (pretty, TAP) show progress.
 */
import type { TestCourseReport } from "../../flows/test-course.js";
import type { LessonTestResult, TestProblem } from "../../flows/test-lesson.js";

export interface ReporterOptions {
  /** Paths are shown relative to this directory when inside it. */
  cwd: string;
  color: boolean;
  /** `--mutate` was given (the summary counts mutants). */
  mutate: boolean;
}

export interface Reporter {
  /** Printed before any result. */
  start(): string;
  /** Printed when one lesson's result is final. */
  result(result: LessonTestResult): string;
  /** Printed at the end. */
  end(report: TestCourseReport): string;
}

export type ReporterName = "pretty" | "tap" | "junit" | "json";

/** Counts over a run, shared by the reporters. */
export function summarize(report: TestCourseReport) {
  const count = (status: string) => report.results.filter((r) => r.status === status).length;
  return {
    lessons: report.results.length,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    notRun: report.notRun.length,
    warnings: report.results.reduce((n, r) => n + r.warnings.length, 0),
    // With --strict an unchecked command is a failure: count it wherever it was filed.
    unchecked: report.results.reduce(
      (n, r) =>
        n + [...r.warnings, ...r.failures].filter((p) => p.rule === "unchecked-command").length,
      0,
    ),
    mutants: report.results.reduce((n, r) => n + r.mutants, 0),
    checks: report.results.reduce((n, r) => n + r.checksRun, 0),
    seconds: report.durationMs / 1000,
  };
}

/** `FILE:LINE: [label]message`, then `expected:` and `found:` lines, indented by `indent`. */
export function problemLines(
  problem: TestProblem,
  file: string,
  indent: string,
  label = "",
): string[] {
  const lines = [`${indent}${file}:${problem.line}: ${label}${problem.message}`];
  const detail = (label: string, text: string | undefined) => {
    if (text === undefined) return;
    const [first, ...rest] = text.split("\n");
    lines.push(`${indent}  ${label} ${first ?? ""}`);
    for (const line of rest) lines.push(`${indent}  ${" ".repeat(label.length)} ${line}`);
  };
  detail("expected:", problem.expected);
  detail("found:   ", problem.found);
  return lines;
}
