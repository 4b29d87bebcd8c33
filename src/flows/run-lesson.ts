/**
 * `course run LESSON`: in a fresh lab, run every command of the lesson with its output live,
 * then check every step. Recorded as solved by the runner; it counts as complete only with
 * `--count` (the learner did not do the work).
 */
import type { Writable } from "node:stream";
import pc from "picocolors";
import { ExitCode } from "../errors.js";
import type { Lab } from "../lab/types.js";
import type { Course, Lesson } from "../lesson/types.js";
import { assertOpen, lessonLabel } from "../progress/lesson-states.js";
import type { ProgressStore } from "../progress/progress-store.js";
import { type RecordedResult, recordResult } from "../progress/record-result.js";
import type { LearnerDriver, StepVerdict } from "./learner-types.js";

export interface RunLessonOptions {
  course: Course;
  lesson: Lesson;
  store: ProgressStore;
  driver: LearnerDriver;
  stdout: Writable;
  color: boolean;
  /** Count a pass as the lesson's completion (needs the lesson to be open). */
  count: boolean;
  /** Drawn after each step (`--graph`): the lab as text. */
  graph?: (lab: Lab, lesson: Lesson) => Promise<string>;
}

export interface RunLessonReport {
  /** Every command that had to succeed did, and every check passed. */
  passed: boolean;
  /** The first command that failed: `file:line` and exit code. */
  failedCommand?: { where: string; exitCode: number };
  verdicts: StepVerdict[];
  recorded?: RecordedResult;
}

/** Run the lesson; prints as it goes and returns the report. */
export async function runLesson(o: RunLessonOptions): Promise<RunLessonReport> {
  const c = pc.createColors(o.color);
  const print = (text = "") => o.stdout.write(`${text}\n`);
  const { lesson } = o;
  // One rule for a locked lesson, as `course verify` and `course start` have it: its solution
  // is not shown before the lessons it requires are done.
  assertOpen(o.course, await o.store.read(), lesson);
  print(c.dim(`Making a fresh lab for ${lessonLabel(lesson)}…`));
  const { lab } = await o.driver.openLab(lesson, { fresh: true });
  try {
    const report: RunLessonReport = { passed: true, verdicts: [] };
    for (const step of lesson.steps) {
      print(c.bold(c.cyan(`Step ${step.index} of ${lesson.steps.length}: ${step.title}`)));
      for (const block of step.commands) {
        if (block.options.noRun) continue;
        for (const line of block.code.split("\n")) print(c.dim(`$ ${line}`));
        let lastNewline = true;
        const result = await o.driver.runBlock(lab, block, lesson, (chunk) => {
          o.stdout.write(chunk);
          lastNewline = chunk.endsWith("\n");
        });
        if (!lastNewline) print();
        if (result.exitCode !== 0 && !block.options.allowFail) {
          const where = `${block.file}:${block.codeLine}`;
          print(
            `${c.red("✗")} exit ${result.exitCode}${result.timedOut ? " (timed out)" : ""} at ${where}`,
          );
          report.passed = false;
          report.failedCommand = { where, exitCode: result.exitCode };
          break;
        }
      }
      if (report.failedCommand !== undefined) break;
      if (o.graph !== undefined) print(await o.graph(lab, lesson));
      print();
    }
    print(c.dim("Checking every step…"));
    for (const step of lesson.steps) {
      const verdict = await o.driver.checkStep(lab, lesson, step);
      report.verdicts.push(verdict);
      print(
        `${verdict.passed ? c.green("✓") : c.red("✗")} step ${step.index}: ${step.title}${step.checks.length === 0 ? c.dim(" (no checks)") : ""}`,
      );
      for (const f of verdict.failures)
        print(`    ${f.source}  ${c.dim(f.where)}\n      ${f.message}`);
    }
    const failed = report.verdicts.filter((v) => !v.passed).map((v) => v.step);
    report.passed = report.passed && failed.length === 0;
    report.recorded = await recordResult(o.store, o.course, lesson, {
      passed: report.verdicts.filter((v) => v.passed).map((v) => v.step),
      failed,
      complete: report.passed,
      solvedBy: "runner",
      count: o.count,
    });
    if (report.passed) {
      print(
        o.count
          ? `${c.green("✓")} ${lessonLabel(lesson)} passes; counted as complete (--count).`
          : `${c.green("✓")} ${lessonLabel(lesson)} passes. Recorded as solved by \`course run\`, not counted: do it yourself with \`course start ${lesson.position}\`, or add --count.`,
      );
      for (const l of report.recorded.unlocked) print(`  Unlocked ${lessonLabel(l)}: ${l.title}`);
    } else {
      print(`${c.red("✗")} ${lessonLabel(lesson)} does not pass.`);
    }
    return report;
  } finally {
    await lab.close().catch(() => {});
  }
}

/** The exit code for a run report: 0 when it passed, 1 otherwise. */
export function runExitCode(report: RunLessonReport): number {
  return report.passed ? ExitCode.ok : ExitCode.checksFailed;
}
