/**
 * `--reporter junit`: JUnit XML as Jenkins, GitLab and GitHub test-report actions read it. One
 * testcase a lesson; a failed lesson has one `<failure>` naming its first problem, with every
 * problem in its text; mutation warnings go to `<system-out>`.
 */

import { displayPath } from "../../display-path.js";
import type { LessonTestResult, TestProblem } from "../../flows/test-lesson.js";
import { problemLines, type Reporter, type ReporterOptions, summarize } from "./reporter.js";

/**
 * Text safe inside XML content and attributes: the five special characters escaped, and
 * characters XML 1.0 forbids (control characters, such as the ESC of colour codes in command
 * output, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
 */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const attr = (name: string, value: string | number) => `${name}="${xmlEscape(String(value))}"`;
const secs = (ms: number) => (ms / 1000).toFixed(3);

/** A reporter for CI systems that read JUnit XML. */
export function junitReporter(options: ReporterOptions): Reporter {
  const lines = (problems: TestProblem[], file: string, label = "") =>
    problems.flatMap((p) => problemLines(p, file, "", label)).join("\n");
  const testcase = (r: LessonTestResult) => {
    const file = displayPath(r.lesson.file, options.cwd);
    const open = `    <testcase ${attr("name", `${r.lesson.position} ${r.lesson.id}: ${r.lesson.title}`)} ${attr("classname", "course.lessons")} ${attr("file", file)} ${attr("time", secs(r.durationMs))}`;
    const body: string[] = [];
    if (r.status === "skipped")
      body.push(`      <skipped ${attr("message", r.skipReason ?? "")}/>`);
    const first = r.failures[0];
    if (first !== undefined) {
      body.push(
        `      <failure ${attr("message", `${file}:${first.line}: ${first.message}`)} ${attr("type", first.rule)}>${xmlEscape(lines(r.failures, file))}</failure>`,
      );
    }
    if (r.warnings.length > 0) {
      body.push(
        `      <system-out>${xmlEscape(lines(r.warnings, file, "warning: "))}</system-out>`,
      );
    }
    return body.length === 0 ? `${open}/>` : `${open}>\n${body.join("\n")}\n    </testcase>`;
  };
  return {
    start: () => "",
    result: () => "",
    end(report) {
      const s = summarize(report);
      const counts = `${attr("tests", s.lessons)} ${attr("failures", s.failed)} ${attr("errors", 0)} ${attr("skipped", s.skipped)} ${attr("time", secs(report.durationMs))}`;
      return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites ${attr("name", "course test")} ${counts}>`,
        `  <testsuite ${attr("name", "lessons")} ${counts}>`,
        ...report.results.map(testcase),
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n");
    },
  };
}
