/** `--reporter json`: one JSON document at the end, for scripts. */

import { displayPath } from "../../display-path.js";
import type { TestProblem } from "../../flows/test-lesson.js";
import { type Reporter, type ReporterOptions, summarize } from "./reporter.js";

/** Bump when a field changes meaning or goes away; new fields do not bump it. */
export const TEST_REPORT_FORMAT_VERSION = 1;

/** A reporter whose whole output is one JSON object (see docs/instructors.md for its shape). */
export function jsonReporter(options: ReporterOptions): Reporter {
  const problem = (p: TestProblem) => ({ ...p, file: displayPath(p.file, options.cwd) });
  return {
    start: () => "",
    result: () => "",
    end(report) {
      const s = summarize(report);
      const doc = {
        formatVersion: TEST_REPORT_FORMAT_VERSION,
        ok: s.failed === 0,
        summary: s,
        lessons: report.results.map((r) => ({
          id: r.lesson.id,
          position: r.lesson.position,
          title: r.lesson.title,
          file: displayPath(r.lesson.file, options.cwd),
          status: r.status,
          ...(r.skipReason === undefined ? {} : { skipReason: r.skipReason }),
          ...(r.fallbackLab === undefined ? {} : { fallbackLab: r.fallbackLab }),
          durationMs: Math.round(r.durationMs),
          checksRun: r.checksRun,
          mutants: r.mutants,
          mutantMs: Math.round(r.mutantMs),
          failures: r.failures.map(problem),
          warnings: r.warnings.map(problem),
        })),
        notRun: report.notRun.map((l) => l.id),
      };
      return `${JSON.stringify(doc, null, 2)}\n`;
    },
  };
}
