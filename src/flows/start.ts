/**
 * `course start [LESSON]`, the guided flow: make the lab, teach the lesson step by step with
 * prompts (run it for me, I'll type it, check, hint, solution, skip, quit), record progress, and
 * offer the next lesson. Without a terminal it prints the lesson's start and how to go on,
 * without prompting. All I/O is passed in so tests drive it through real prompts.
 */
import { randomBytes } from "node:crypto";
import type { Writable } from "node:stream";
import pc from "picocolors";
import { ExitCode } from "../errors.js";
import type { Lab } from "../lab/types.js";
import type { Check, Course, Lesson, Step } from "../lesson/types.js";
import { findLesson } from "../load-course.js";
import {
  courseKey,
  lessonProgressOf,
  recordCurrentStep,
  takeNextHint,
} from "../progress/lesson-progress.js";
import {
  assertOpen,
  firstOpenLesson,
  lessonLabel as plainLabel,
} from "../progress/lesson-states.js";
import type { ProgressStore } from "../progress/progress-store.js";
import { recordResult } from "../progress/record-result.js";
import { hintTitle } from "../render/hint-title.js";
import { renderMarkdown } from "../render/render-markdown.js";
import { type Spinner, startSpinner } from "../render/render-spinner.js";
import { visibleText } from "../render/visible-text.js";
import {
  InterruptedError,
  type LearnerDriver,
  type Prompts,
  type StepVerdict,
} from "./learner-types.js";
import { splitCommands } from "./shell-analysis.js";

export interface StartFlowOptions {
  course: Course;
  /** The lesson to start; default: the first open lesson not done. */
  lessonName?: string;
  store: ProgressStore;
  driver: LearnerDriver;
  prompts: Prompts;
  stdout: Writable & { columns?: number };
  /** Prompt (a terminal on both ends)? Otherwise print the lesson's start and return. */
  interactive: boolean;
  /** ANSI colour in what is printed. */
  color: boolean;
  /** Columns to wrap to. @default stdout.columns, else 80 (at most 100) */
  width?: number;
  /** Animate the spinner. @default interactive */
  animate?: boolean;
  /**
   * Where Ctrl-C outside a prompt arrives (SIGINT). While the lab shell runs, the shell gets it
   * instead. @default none
   */
  signals?: NodeJS.EventEmitter;
  /** Open the lab shell for "I'll type them". @default lab.shell() */
  openShell?: (lab: Lab, lesson: Lesson) => Promise<number>;
  /**
   * Told the step the flow is on whenever it changes (`step` null: the lesson is complete);
   * `course start --split` shows it beside the flow.
   */
  onStep?: (lesson: Lesson, step: number | null) => void;
}

type Action = "run" | "shell" | "check" | "hint" | "solution" | "network" | "skip" | "quit";

/** Run the flow; resolves to the exit code (0, or 130 after Ctrl-C). */
export async function startFlow(options: StartFlowOptions): Promise<number> {
  const flow = new StartFlow(options);
  return flow.run();
}

class StartFlow {
  readonly o: StartFlowOptions;
  readonly c: ReturnType<typeof pc.createColors>;
  readonly width: number;
  lab: Lab | undefined;
  lesson: Lesson | undefined;
  step = 1;
  inShell = false;
  interrupt: (() => void) | undefined;
  /** The learner worked in the lab shell: the steps after the one checked may already pass. */
  afterShell = false;
  /** Ctrl-C arrived while nothing was waiting: the next wait stops at once. */
  interruptPending = false;

  constructor(options: StartFlowOptions) {
    this.o = options;
    this.c = pc.createColors(options.color);
    this.width = Math.min(options.width ?? options.stdout.columns ?? 80, 100);
  }

  print(text = ""): void {
    this.o.stdout.write(`${text}\n`);
  }

  md(source: string): string {
    return renderMarkdown(source, {
      width: this.width,
      color: this.o.color,
      hideHints: true,
      hideChecks: true,
    });
  }

  async run(): Promise<number> {
    const onSigint = () => {
      if (this.inShell) return;
      if (this.interrupt === undefined) this.interruptPending = true;
      else this.interrupt();
    };
    this.o.signals?.on("SIGINT", onSigint);
    try {
      let lesson = await this.chooseLesson();
      if (lesson === undefined) return ExitCode.ok;
      if (!this.o.interactive) return await this.printStart(lesson);
      for (;;) {
        const next = await this.teach(lesson);
        if (next === undefined) return ExitCode.ok;
        lesson = next;
      }
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
      this.print();
      this.print(this.resumeMessage());
      return ExitCode.interrupted;
    } finally {
      this.o.signals?.off("SIGINT", onSigint);
      await this.lab?.close().catch(() => {});
    }
  }

  resumeMessage(): string {
    const lesson = this.lesson;
    if (lesson === undefined) return "Stopped. Run `course start` to begin again.";
    return `Stopped. Your lab and progress are kept; run ${this.c.bold(`course start ${lesson.position}`)} to resume ${lessonLabel(lesson)} at step ${this.step}.`;
  }

  /** Wait for `promise`, unless Ctrl-C comes first (the work goes on in the lab; we stop waiting). */
  async interruptible<T>(promise: Promise<T>): Promise<T> {
    if (this.interruptPending) throw new InterruptedError();
    try {
      return await new Promise<T>((resolve, reject) => {
        this.interrupt = () => reject(new InterruptedError());
        promise.then(resolve, reject);
      });
    } finally {
      this.interrupt = undefined;
    }
  }

  async chooseLesson(): Promise<Lesson | undefined> {
    const { course, store, lessonName } = this.o;
    const progress = await store.read();
    if (lessonName !== undefined) {
      const lesson = findLesson(course, lessonName);
      assertOpen(course, progress, lesson);
      return lesson;
    }
    const lesson = firstOpenLesson(course, progress);
    if (lesson === undefined) {
      this.print(
        course.lessons.length === 0
          ? `The course in ${visibleText(course.dir)} has no lessons yet.`
          : `${this.c.green("Every lesson is done.")} Run \`course start N\` to do one again, or \`course status\` to see them all.`,
      );
    }
    return lesson;
  }

  /** The step to start at: where the learner left off, else the first not passed. */
  async resumeStep(lesson: Lesson): Promise<number> {
    const p = lessonProgressOf(await this.o.store.read(), this.o.course, lesson);
    if (p === undefined) return 1;
    if (p.currentStep !== undefined && p.currentStep <= lesson.steps.length) return p.currentStep;
    const passed = new Set(p.stepsPassed);
    return lesson.steps.find((s) => !passed.has(s.index))?.index ?? 1;
  }

  async openLab(lesson: Lesson): Promise<Lab> {
    const spinner: Spinner = startSpinner(
      this.o.stdout,
      `Making the lab for ${lessonLabel(lesson)}…`,
      this.o.animate ?? this.o.interactive,
    );
    try {
      const { lab, created } = await this.interruptible(this.o.driver.openLab(lesson));
      spinner.stop(
        `${this.c.green("✓")} ${created ? "Lab ready" : "Lab reused (your earlier work is still there)"}: ${visibleText(lab.description)}`,
      );
      return lab;
    } catch (error) {
      spinner.stop(`${this.c.red("✗")} Could not make the lab.`);
      throw error;
    }
  }

  header(lesson: Lesson): string {
    const total = this.o.course.lessons.length;
    return this.c.bold(`Lesson ${lesson.position} of ${total}: ${visibleText(lesson.title)}`);
  }

  stepHeader(lesson: Lesson, step: Step): string {
    return this.c.bold(
      this.c.cyan(`Step ${step.index} of ${lesson.steps.length}: ${visibleText(step.title)}`),
    );
  }

  /** Without a terminal: make the lab, print the start of the lesson and how to go on. */
  async printStart(lesson: Lesson): Promise<number> {
    this.lesson = lesson;
    this.lab = await this.openLab(lesson);
    const at = await this.resumeStep(lesson);
    const step = lesson.steps[at - 1] ?? lesson.steps[0];
    this.print();
    this.print(this.header(lesson));
    this.print();
    if (lesson.intro.trim() !== "") this.print(`${this.md(lesson.intro)}\n`);
    if (step !== undefined) {
      this.print(this.stepHeader(lesson, step));
      this.print();
      this.print(this.md(step.markdown));
      this.print();
    }
    const n = lesson.position;
    this.print("This is not a terminal, so there are no prompts. To go on:");
    this.print(`  course shell ${n}     type the commands in the lesson's lab`);
    this.print(`  course verify ${n}    check your work`);
    this.print(`  course hint ${n}      a hint for the step you are on`);
    this.print(`  course start ${n}     the guided flow, in a terminal`);
    return ExitCode.ok;
  }

  /** The guided flow through one lesson; resolves to the next lesson to teach, if any. */
  async teach(lesson: Lesson): Promise<Lesson | undefined> {
    this.lesson = lesson;
    if (this.lab !== undefined) {
      await this.lab.close().catch(() => {});
      this.lab = undefined;
    }
    this.step = await this.resumeStep(lesson);
    this.print();
    this.print(this.header(lesson));
    this.lab = await this.openLab(lesson);
    this.print();
    if (lesson.intro.trim() !== "") this.print(`${this.md(lesson.intro)}\n`);
    if (this.step > 1) this.print(this.c.dim(`Resuming at step ${this.step}.\n`));

    while (this.step <= lesson.steps.length) {
      const step = lesson.steps[this.step - 1];
      if (step === undefined) break;
      await this.o.store.update((p) => recordCurrentStep(p, this.o.course, lesson, step.index));
      this.o.onStep?.(lesson, step.index);
      const advance = await this.teachStep(lesson, step);
      if (advance === "quit") {
        this.print(this.resumeMessage().replace("Stopped.", "See you later."));
        return undefined;
      }
      this.step += 1;
    }
    return this.finish(lesson);
  }

  /** One step: show it, then offer actions until its checks pass, it is skipped, or quit. */
  async teachStep(lesson: Lesson, step: Step): Promise<"next" | "quit"> {
    const lab = this.lab;
    if (lab === undefined) throw new Error("teachStep without a lab");
    if (this.afterShell && step.checks.length > 0) {
      // Typed ahead in the lab shell (its live checks ticked): a step that passes is done.
      const ahead = await this.interruptible(this.o.driver.checkStep(lab, lesson, step));
      if (ahead.passed) {
        await recordResult(this.o.store, this.o.course, lesson, {
          passed: [step.index],
          failed: [],
          complete: false,
          solvedBy: "learner",
        });
        this.print(`${this.c.green("✓")} Step ${step.index} done (in the lab shell).\n`);
        return "next";
      }
    }
    this.afterShell = false;
    this.print(this.stepHeader(lesson, step));
    this.print();
    if (step.markdown.trim() !== "") this.print(`${this.md(step.markdown)}\n`);
    let failed = false;
    for (;;) {
      const action = await this.o.prompts.select<Action>(
        `Step ${step.index}: what next?`,
        this.choices(step),
        failed ? "check" : undefined,
      );
      let verdict: StepVerdict | undefined;
      switch (action) {
        case "run":
          if (await this.runCommands(lab, lesson, step))
            verdict = await this.check(lab, lesson, step);
          break;
        case "shell":
          await this.shell(lab, lesson);
          verdict = await this.check(lab, lesson, step);
          this.afterShell = verdict.passed;
          break;
        case "check":
          verdict = await this.check(lab, lesson, step);
          break;
        case "hint":
          await this.hint(lesson, step);
          break;
        case "solution":
          this.solution(step);
          break;
        case "network":
          await this.network(lab);
          break;
        case "skip":
          this.print(
            this.c.dim(
              `Skipped step ${step.index}; \`course verify ${lesson.position}\` checks it later.\n`,
            ),
          );
          return "next";
        case "quit":
          return "quit";
      }
      if (verdict === undefined) continue;
      if (verdict.passed) {
        this.print(`${this.c.green("✓")} Step ${step.index} done.\n`);
        return "next";
      }
      failed = true;
      // A failed check brings a hint, the one for the first failing check if there is one.
      const failing = step.checks.find((c) => c.source === verdict.failures[0]?.source);
      if (step.hints.length > 0) await this.hint(lesson, step, failing);
    }
  }

  choices(step: Step): { value: Action; name: string; description?: string }[] {
    const runnable = step.commands.some((b) => !b.options.noRun);
    const all: { value: Action; name: string; description?: string; show: boolean }[] = [
      { value: "run", name: "Run the commands for me", show: runnable },
      {
        value: "shell",
        name: "I'll type them (open the lab shell)",
        description: "type `exit` or Ctrl-D to come back; your work is checked then",
        show: true,
      },
      { value: "check", name: "Check my work", show: step.checks.length > 0 },
      { value: "hint", name: "Next hint", show: step.hints.length > 0 },
      { value: "solution", name: "Show the solution", show: step.commands.length > 0 },
      {
        value: "network",
        name: "Show me the network",
        description: "the lab as it is now: namespaces, interfaces, cables, bridges, NAT",
        show: this.o.driver.drawNetwork !== undefined,
      },
      { value: "skip", name: "Skip this step", show: true },
      { value: "quit", name: "Quit (lab and progress are kept)", show: true },
    ];
    return all.filter((a) => a.show).map(({ show: _show, ...a }) => a);
  }

  /** "Show me the network": draw the lab as it is now. */
  async network(lab: Lab): Promise<void> {
    const draw = this.o.driver.drawNetwork;
    if (draw === undefined) return;
    const picture = await draw(lab, { width: Math.min(this.width, 100), color: this.o.color });
    this.print(`${picture.trimEnd()}\n`);
  }

  /**
   * "Run the commands for me": every fence, output live, each command echoed as it starts (a
   * fence is one script, so its variables carry over). Stops at the first command that fails
   * and says which ran. False when one failed.
   */
  async runCommands(lab: Lab, lesson: Lesson, step: Step): Promise<boolean> {
    const blocks = step.commands.filter((b) => !b.options.noRun);
    for (const [at, block] of blocks.entries()) {
      const units = await splitCommands(block.code, block.codeLine);
      const token = `@course-run-${randomBytes(6).toString("hex")}`;
      // Before each command the script says which starts; errexit stops it at the first failure.
      // On both streams: each stream's output of a command then comes after its echo.
      const code = units
        .map(
          (u, i) =>
            `printf '%s %d\\n' ${token} ${i}; printf '%s %d\\n' ${token} ${i} >&2\n${u.text}`,
        )
        .join("\n");
      let started = -1;
      let lastNewline = true;
      const write = (text: string) => {
        if (text === "") return;
        this.o.stdout.write(text);
        lastNewline = text.endsWith("\n");
      };
      // Markers come one line each, maybe split across reads.
      const pendingOf = { stdout: "", stderr: "" };
      const echo = (n: number) => {
        if (n <= started) return;
        if (!lastNewline) write("\n");
        started = n;
        const unit = units[n];
        if (unit !== undefined)
          write(
            `${this.c.dim(visibleText(unit.text, { keepNewlines: true }).replace(/^/gm, "$ "))}\n`,
          );
      };
      const onChunk = (chunk: string, stream: "stdout" | "stderr") => {
        const text = pendingOf[stream] + chunk;
        pendingOf[stream] = "";
        let from = 0;
        for (;;) {
          const at = text.indexOf(token, from);
          const nl = at < 0 ? -1 : text.indexOf("\n", at);
          if (at < 0 || nl < 0) {
            // Hold back what may be the start of a marker.
            let keep = at >= 0 ? text.length - at : 0;
            for (let k = Math.min(token.length - 1, text.length - from); keep === 0 && k > 0; k--) {
              if (token.startsWith(text.slice(text.length - k))) keep = k;
            }
            write(text.slice(from, text.length - keep));
            pendingOf[stream] = text.slice(text.length - keep);
            return;
          }
          write(text.slice(from, at));
          echo(Number(text.slice(at + token.length + 1, nl)));
          from = nl + 1;
        }
      };
      const result = await this.interruptible(
        this.o.driver.runBlock(lab, { ...block, code }, lesson, onChunk),
      );
      write(pendingOf.stdout + pendingOf.stderr);
      if (!lastNewline) this.print();
      if (result.exitCode !== 0 && !block.options.allowFail) {
        const failed = units[started];
        const ran = units.slice(0, Math.max(0, started)).map((u) => u.text.split("\n")[0]);
        const later = await Promise.all(
          blocks.slice(at + 1).map((b) => splitCommands(b.code, b.codeLine)),
        );
        const notRun = [...units.slice(started + 1), ...later.flat()].map(
          (u) => u.text.split("\n")[0],
        );
        const where =
          failed === undefined ? `${block.file}:${block.codeLine}` : `${block.file}:${failed.line}`;
        this.print(
          `${this.c.red("✗")} \`${visibleText(failed?.text.split("\n")[0] ?? block.code.split("\n")[0] ?? "")}\` failed (exit ${result.exitCode}${result.timedOut ? ", timed out" : ""}) at ${where}.`,
        );
        if (ran.length > 0)
          this.print(
            `  Ran before it: ${ran.map((r) => `\`${visibleText(r ?? "")}\``).join(", ")}.`,
          );
        if (notRun.length > 0)
          this.print(`  Not run: ${notRun.map((r) => `\`${visibleText(r ?? "")}\``).join(", ")}.`);
        this.print(
          "  Your lab may already hold part of this step (run it twice?). Open the lab shell to look, or `course reset` the lesson.\n",
        );
        return false;
      }
    }
    return true;
  }

  async shell(lab: Lab, lesson: Lesson): Promise<void> {
    this.print(
      this.c.dim(
        "Opening the lab shell. Type the step's commands; `exit` (or Ctrl-D) comes back here and checks your work.",
      ),
    );
    this.inShell = true;
    try {
      await (this.o.openShell ?? ((l) => l.shell({ label: lesson.id })))(lab, lesson);
    } finally {
      this.inShell = false;
    }
    this.print();
  }

  async check(lab: Lab, lesson: Lesson, step: Step): Promise<StepVerdict> {
    const verdict = await this.interruptible(this.o.driver.checkStep(lab, lesson, step));
    await recordResult(this.o.store, this.o.course, lesson, {
      passed: verdict.passed ? [step.index] : [],
      failed: verdict.passed ? [] : [step.index],
      complete: false,
      solvedBy: "learner",
    });
    if (!verdict.passed) {
      this.print(
        `${this.c.red("✗")} Not yet: ${verdict.failures.length} check${verdict.failures.length === 1 ? "" : "s"} of step ${step.index} failed.`,
      );
      for (const f of verdict.failures) {
        this.print(
          `  ${this.c.red("✗")} ${this.c.bold(visibleText(f.source))}  ${this.c.dim(visibleText(f.where))}`,
        );
        this.print(`    ${visibleText(f.message, { keepNewlines: true })}`);
      }
      this.print();
    }
    return verdict;
  }

  async hint(lesson: Lesson, step: Step, failing?: Check): Promise<void> {
    const taken = await this.o.store.update((p) =>
      takeNextHint(p, this.o.course, lesson, step.index, failing),
    );
    if (taken === undefined) {
      this.print('This step has no hints; "Show the solution" shows its commands.\n');
      return;
    }
    this.print(this.c.green(`${hintTitle(taken)}:`));
    this.print(
      `${renderMarkdown(taken.hint.markdown, { width: this.width - 2, color: this.o.color }).replace(/^/gm, "  ")}\n`,
    );
  }

  solution(step: Step): void {
    const fences = step.commands
      .map((b) => `\`\`\`${b.lang}${b.options.noRun ? " no-run" : ""}\n${b.code}\n\`\`\``)
      .join("\n\n");
    this.print(this.c.bold("The solution:"));
    this.print(`${renderMarkdown(fences, { width: this.width, color: this.o.color })}\n`);
  }

  /** After the last step: check the whole lesson, record it, offer the next one. */
  async finish(lesson: Lesson): Promise<Lesson | undefined> {
    const lab = this.lab;
    if (lab === undefined) throw new Error("finish without a lab");
    this.print(this.c.dim(`Checking the whole of ${lessonLabel(lesson)}…`));
    const verdicts: StepVerdict[] = [];
    for (const step of lesson.steps) {
      verdicts.push(await this.interruptible(this.o.driver.checkStep(lab, lesson, step)));
    }
    const failed = verdicts.filter((v) => !v.passed).map((v) => v.step);
    const result = await recordResult(this.o.store, this.o.course, lesson, {
      passed: verdicts.filter((v) => v.passed).map((v) => v.step),
      failed,
      complete: failed.length === 0,
      solvedBy: "learner",
    });
    await this.o.store.update((p) => {
      const entry = p.courses[courseKey(this.o.course)]?.lessons[lesson.id];
      if (entry !== undefined) delete entry.currentStep;
    });
    if (failed.length > 0) {
      this.step = failed[0] ?? 1;
      this.print(
        `${this.c.yellow("!")} Not complete yet: step${failed.length === 1 ? "" : "s"} ${failed.join(", ")} ${failed.length === 1 ? "does" : "do"} not pass.`,
      );
      this.print(
        `  Run ${this.c.bold(`course start ${lesson.position}`)} to go back, or \`course verify ${lesson.position}\` for details.`,
      );
      return undefined;
    }
    this.o.onStep?.(lesson, null);
    this.print(
      `${this.c.green("✓")} ${this.c.bold(`${lessonLabel(lesson)} "${visibleText(lesson.title)}" complete!`)}`,
    );
    for (const l of result.unlocked)
      this.print(`  Unlocked ${lessonLabel(l)}: ${visibleText(l.title)}`);
    const next = firstOpenLesson(this.o.course, await this.o.store.read());
    if (next === undefined) {
      this.print(this.c.green("That was the last lesson. Well done!"));
      return undefined;
    }
    this.print();
    if (
      await this.o.prompts.confirm(
        `Start ${lessonLabel(next)} "${visibleText(next.title)}" now?`,
        true,
      )
    ) {
      return next;
    }
    this.print(`Run ${this.c.bold("course start")} when you are ready.`);
    return undefined;
  }
}

/** `lesson-3 (bridge)`, its id shown, never obeyed (an id is a file name, which may hold anything). */
function lessonLabel(lesson: Lesson): string {
  return visibleText(plainLabel(lesson));
}
