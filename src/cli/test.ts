/**
 * `course test [PATH...] [--jobs N] [--reporter pretty|tap|junit|json] [--bail] [--mutate
 * [--strict]] [--watch] [--fallback-lab LAB]`: lint first (errors: exit 2, nothing runs), then
 * prove every lesson in a fresh lab of its own; a lesson whose `needs` the lab lacks is skipped,
 * or with --fallback-lab runs in that lab (the Vagrant VM's kernel has every feature). Exit 0
 * when every lesson passes (skipped ones count as passing), 1 otherwise.
 */
import { watch as watchDir } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { type CommandContext, useColor } from "../context.js";
import { displayPath } from "../display-path.js";
import { ExitCode, LessonError, UsageError } from "../errors.js";
import { testCourse } from "../flows/test-course.js";
import type { LessonDriver } from "../flows/test-lesson.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import type { Lesson } from "../lesson/types.js";
import { requireCourse } from "../load-course.js";
import { jsonReporter } from "../render/reporters/json-reporter.js";
import { junitReporter } from "../render/reporters/junit-reporter.js";
import { prettyReporter } from "../render/reporters/pretty-reporter.js";
import type { Reporter, ReporterName, ReporterOptions } from "../render/reporters/reporter.js";
import { tapReporter } from "../render/reporters/tap-reporter.js";

export interface TestCommandOptions {
  /** Lessons (and mutants) at once. @default the number of CPUs */
  jobs?: string;
  /** @default "pretty" */
  reporter?: ReporterName;
  bail?: boolean;
  mutate?: boolean;
  strict?: boolean;
  watch?: boolean;
  /** Where lessons go whose `needs` the lab lacks (`vagrant`), instead of being skipped. */
  fallbackLab?: string;
}

/** The reporter called `name`. */
export function makeReporter(name: ReporterName, options: ReporterOptions): Reporter {
  switch (name) {
    case "tap":
      return tapReporter(options);
    case "junit":
      return junitReporter(options);
    case "json":
      return jsonReporter(options);
    default:
      return prettyReporter(options);
  }
}

function parseJobs(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  if (!/^[1-9][0-9]*$/.test(text.trim())) {
    throw new UsageError(`--jobs ${text}: expected a whole number of 1 or more`, {
      hint: "e.g. `course test --jobs 2`",
    });
  }
  return Number(text);
}

/** The lab driver, imported only when lessons are actually run. */
async function driverFor(ctx: CommandContext, fallbackLab?: string): Promise<LessonDriver> {
  const { defaultDriver } = await import("../flows/test-driver.js");
  return defaultDriver(ctx, fallbackLab);
}

/** `--fallback-lab`: a lab spec (checked here, so a typo fails before any lesson runs). */
function parseFallbackLab(ctx: CommandContext, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const fallback = labSpecFromOption(value);
  const first = labSpecFromOption(ctx.global.lab);
  if (JSON.stringify(fallback) === JSON.stringify(first)) {
    throw new UsageError(`--fallback-lab ${value}: that is the lab lessons already run in`, {
      hint: "name another lab, e.g. `course test --fallback-lab vagrant` (lessons run in the sandbox, those whose needs it lacks in the VM)",
    });
  }
  return value.trim();
}

/** Run `course test` once over `lessons`; returns the exit code. */
async function runOnce(
  ctx: CommandContext,
  lessons: Lesson[],
  driver: LessonDriver,
  options: TestCommandOptions,
  jobs: number,
): Promise<number> {
  const reporter = makeReporter(options.reporter ?? "pretty", {
    cwd: ctx.cwd,
    color: useColor(ctx),
    mutate: options.mutate === true,
  });
  ctx.stdout.write(reporter.start());
  const report = await testCourse(lessons, {
    driver,
    jobs,
    bail: options.bail === true,
    mutate: options.mutate === true,
    strict: options.strict === true,
    onResult: (result) => ctx.stdout.write(reporter.result(result)),
  });
  ctx.stdout.write(reporter.end(report));
  const failed = report.results.filter((r) => r.status === "failed");
  // No lab at all (every lesson that ran failed to get one) is the machine's problem: exit 4.
  const noLab =
    failed.length > 0 &&
    report.results.every(
      (r) => r.status === "skipped" || r.failures.every((p) => p.rule === "lab-error"),
    );
  if (noLab) return ExitCode.labUnavailable;
  return failed.length > 0 ? ExitCode.checksFailed : ExitCode.ok;
}

/** `course test`: see the module comment. */
export async function testCommand(
  ctx: CommandContext,
  paths: string[],
  options: TestCommandOptions,
): Promise<number> {
  if (options.strict === true && options.mutate !== true) {
    throw new UsageError("--strict only applies to --mutate", {
      hint: "run `course test --mutate --strict`",
    });
  }
  const jobs = parseJobs(options.jobs);
  const fallbackLab = parseFallbackLab(ctx, options.fallbackLab);
  const course = await requireCourse(ctx, paths);
  const driver = await driverFor(ctx, fallbackLab);
  const run = (lessons: Lesson[]) => runOnce(ctx, lessons, driver, options, jobs);
  if (options.watch === true) return watchLessons(ctx, course.lessons, run);
  return run(course.lessons);
}

/**
 * `--watch`: test everything once with `run` (runOnce with this command's driver and options),
 * then rerun a lesson whenever its file changes (after a short quiet period, since editors write
 * a file in several steps). Ends on Ctrl-C.
 */
async function watchLessons(
  ctx: CommandContext,
  lessons: Lesson[],
  run: (lessons: Lesson[]) => Promise<number>,
): Promise<number> {
  await run(lessons);
  const files = new Set(lessons.map((l) => l.file));
  const dirs = new Set(lessons.map((l) => dirname(l.file)));
  const timers = new Map<string, NodeJS.Timeout>();
  let queue = Promise.resolve();
  const rerun = (file: string) => {
    queue = queue.then(async () => {
      ctx.stderr.write(`\ncourse: ${displayPath(file, ctx.cwd)} changed; testing it again\n`);
      try {
        const course = await requireCourse(ctx, [file]);
        await run(course.lessons);
      } catch (error) {
        if (!(error instanceof LessonError)) throw error;
        // A half-written lesson is normal while editing: show the problems and keep watching.
        for (const p of error.problems) {
          ctx.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}\n`);
        }
      }
      ctx.stderr.write("course: watching for changes (Ctrl-C to stop)\n");
    });
  };
  const watchers = [...dirs].map((dir) =>
    watchDir(dir, (_event, name) => {
      if (name === null) return;
      const file = `${dir}/${name}`;
      if (!files.has(file)) return;
      clearTimeout(timers.get(file));
      timers.set(
        file,
        setTimeout(() => rerun(file), 150),
      );
    }),
  );
  ctx.stderr.write("course: watching for changes (Ctrl-C to stop)\n");
  return new Promise<number>((resolve) => {
    process.once("SIGINT", () => {
      for (const w of watchers) w.close();
      for (const t of timers.values()) clearTimeout(t);
      // Labs of a test that is still running end with this process (their holders die with it).
      resolve(ExitCode.interrupted);
    });
  });
}
