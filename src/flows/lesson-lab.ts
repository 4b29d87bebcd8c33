/**
 * A lesson's lab: opened (or found again) by course directory + lesson id, with the lesson's
 * hidden `setup` fences run once when the lab is created; and command fences run with the
 * semantics of the lesson format.
 */
import { displayPath } from "../display-path.js";
import { LabError } from "../errors.js";
import { lackingNeed } from "../lab/lab-needs.js";
import { openLab } from "../lab/open-lab.js";
import type { ExecResult, Lab, LabSpec, OpenedLab } from "../lab/types.js";
import type { CommandBlock, Course, Lesson } from "../lesson/types.js";
import { takeFailedLine, traceFence } from "./fence-trace.js";

export interface OpenLessonLabOptions {
  spec: LabSpec;
  course: Course;
  lesson: Lesson;
  /** CLI runs keep the lab for later runs; tests and `course test` tie it to this process. */
  persistent: boolean;
  /** Where lab records live. @default runtimeDir(env) */
  runtimeDir?: string;
  /** The user's environment (`labIo(ctx)`). */
  env: NodeJS.ProcessEnv;
  /** Where a slow lab reports progress (`labIo(ctx)`). @default not told */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  debug?: (line: string) => void;
  /** `file:line` places in errors are relative to this directory when inside it. @default none: absolute paths */
  cwd?: string;
  /**
   * Told what the user must know about the lab (e.g. that `host` changes the real network);
   * the CLI writes it to standard error as `course: warning: ...` (`warnOption`).
   * @default not told
   */
  onWarning?: (message: string) => void;
  /** Live output of the setup fences (for `--debug` or a spinner). */
  onOutput?: (chunk: string, stream: "stdout" | "stderr") => void;
}

/** The key that finds a lesson's lab again across CLI runs: course directory + lesson id. */
export function lessonLabKey(course: Course, lesson: Lesson): string {
  return `${course.dir}#${lesson.id}`;
}

function tail(text: string, lines = 10): string {
  const all = text.trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}

/**
 * Open the lesson's lab; when this call created it, run the lesson's `setup` fences in order.
 * A setup fence that fails destroys the lab again (so the next run retries a clean setup).
 * The lesson's `needs` choose the lab (see `openLab`) and must be met by it.
 * @throws LabLacksError (exit 4) when the lab cannot meet the lesson's `needs`; LabError when
 * the lab cannot be opened or a setup fence fails (naming `file:line`).
 */
export async function openLessonLab(options: OpenLessonLabOptions): Promise<OpenedLab> {
  const open = () =>
    openLab({
      spec: options.spec,
      key: lessonLabKey(options.course, options.lesson),
      label: options.lesson.id,
      persistent: options.persistent,
      needs: options.lesson.needs,
      env: options.env,
      ...(options.stderr === undefined ? {} : { stderr: options.stderr }),
      ...(options.runtimeDir === undefined ? {} : { runtimeDir: options.runtimeDir }),
      ...(options.debug === undefined ? {} : { debug: options.debug }),
    });
  const warn = options.onWarning ?? (() => {});
  const setup = options.lesson.setup.filter((b) => !b.options.noRun);
  let opened = await open();
  // Only a sandbox lab has a private /run to hold the mark (the host lab is this machine).
  const marks = (lab: OpenedLab) => setup.length > 0 && lab.lab.kind === "sandbox";
  if (!opened.created && marks(opened)) {
    // A lab whose setup never reached its end (Ctrl-C, kill, a crash) is not reused half-built.
    const ready = await opened.lab
      .exec(`test -e ${READY_MARK}`, { timeout: 10 })
      .catch(() => undefined);
    if (ready?.exitCode !== 0) {
      warn(
        `the lab of lesson \`${options.lesson.id}\` was left half-built (its setup did not finish): building it again`,
      );
      await opened.lab.destroy().catch(() => {});
      opened = await open();
    }
  }
  if (options.lesson.needs.length > 0) {
    // A lab that could host the lesson may still lack it (no Docker engine answers there):
    // refuse before the setup runs, and forget the lab so a later run starts afresh.
    const lacking = await lackingNeed(opened.lab, options.lesson.needs, options.lesson.id);
    if (lacking !== undefined) {
      await (opened.created ? opened.lab.destroy() : opened.lab.close()).catch(() => {});
      throw lacking;
    }
  }
  // Said once, when the lab is made; the host lab's warning every time it is used.
  if (opened.created || options.spec.kind === "host")
    for (const w of opened.warnings ?? []) warn(w);
  if (!opened.created) return opened;
  for (const block of setup) {
    let result: ExecResult;
    try {
      // The ERR trap names the line that failed (relative to the fence), so the error can
      // point at it; `exit N` fires no trap and the fence's own line is named instead.
      result = await opened.lab.exec(traceFence(block.code), {
        timeout: blockTimeout(block, options.lesson),
        background: block.options.background,
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      });
    } catch (error) {
      await opened.lab.destroy().catch(() => {});
      throw error;
    }
    const { stderr, line } = takeFailedLine(result.stderr);
    if (result.exitCode !== 0 && !block.options.allowFail) {
      await opened.lab.destroy().catch(() => {});
      const output = tail(`${result.stdout}${stderr}`);
      const at = line === undefined ? block.line : block.codeLine + line - 1;
      throw new LabError(
        `the setup of lesson \`${options.lesson.id}\` failed at ${options.cwd === undefined ? block.file : displayPath(block.file, options.cwd)}:${at}: ${
          result.timedOut ? "timed out" : `exit status ${result.exitCode}`
        }${output === "" ? "" : `\n${output}`}`,
        {
          hint: "This is a problem in the lesson, not in your work: run `course test` on it, or tell its author.",
        },
      );
    }
  }
  if (marks(opened)) {
    // Marked only after the last setup fence: an interrupted setup leaves no mark (see above).
    const marked = await opened.lab.exec(`: >${READY_MARK}`, { timeout: 10 });
    if (marked.exitCode !== 0) {
      await opened.lab.destroy().catch(() => {});
      throw new LabError(
        `cannot mark the lab of lesson \`${options.lesson.id}\` ready: ${marked.stderr.trim()}`,
      );
    }
  }
  return opened;
}

/**
 * Inside the lab (its private /run), made once the lesson's setup has run to its end: a lab
 * found without it was interrupted while being set up and is built again.
 */
const READY_MARK = "/run/.course-setup-done";

/** Seconds a command fence may run: its `timeout=N`, else the lesson's timeout. */
export function blockTimeout(block: CommandBlock, lesson: Lesson): number {
  return block.options.timeout ?? lesson.timeout;
}

/** Whether a fence's result stops the step: non-zero exit (or a timeout) without `allow-fail`. */
export function blockFailed(block: CommandBlock, result: ExecResult): boolean {
  return (result.exitCode !== 0 || result.timedOut) && !block.options.allowFail;
}

/**
 * Run one command fence in the lab: one script, `bash -e -o pipefail`, with the fence's
 * `timeout=N` (else the lesson's) and `background`. `allow-fail` is the caller's business
 * (see `blockFailed`): the result is returned either way.
 */
export function runCommandBlock(
  lab: Lab,
  block: CommandBlock,
  lesson: Lesson,
  options: { onOutput?: (chunk: string, stream: "stdout" | "stderr") => void } = {},
): Promise<ExecResult> {
  return lab.exec(block.code, {
    timeout: blockTimeout(block, lesson),
    background: block.options.background,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
}
