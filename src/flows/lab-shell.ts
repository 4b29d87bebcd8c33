/**
 * The live lab shell on a terminal (`course shell`, `course start`'s "I'll type them"): bash in
 * the lab behind a pty course owns, with shell integration (src/lab/shell-integration.ts). After
 * each command the step in sight is checked in the background (src/flows/live-check.ts) and a
 * tick is shown above the prompt without touching what the learner types; `step`, `hint` and
 * `check` typed in the shell are answered here. All I/O is passed in.
 */
import type { Readable, Writable } from "node:stream";
import pc from "picocolors";
import { spawnPty } from "../lab/pty-process.js";
import {
  ANSWERED,
  type ShellEvent,
  ShellMarkReader,
  type ShellRequest,
  shellIntegrationEnv,
  tickInput,
} from "../lab/shell-integration.js";
import type { Lab } from "../lab/types.js";
import type { Course, Lesson } from "../lesson/types.js";
import { lessonProgressOf } from "../progress/lesson-progress.js";
import type { ProgressStore } from "../progress/progress-store.js";
import { hintTitle } from "../render/hint-title.js";
import { liveLabel, liveLines, renderStepCard } from "../render/render-live.js";
import { renderMarkdown } from "../render/render-markdown.js";
import { renderVerifyReport } from "../render/render-verify-report.js";
import { LiveChecker, type LiveState } from "./live-check.js";
import { recordVerifyReport, verifyLesson } from "./verify.js";

/** A terminal: a TTY stream with raw mode (the CommandContext's stdin), or a test's pty. */
export type TerminalInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
export type TerminalOutput = Writable & { columns?: number; rows?: number };

export interface LabShellOptions {
  course: Course;
  lesson: Lesson;
  /** The lesson's open lab (left open). */
  lab: Lab;
  store: ProgressStore;
  stdin: TerminalInput;
  stdout: TerminalOutput;
  /** Run the step's checks after each command (`COURSE_LIVE=0` turns it off). @default true */
  live?: boolean;
  color: boolean;
  /** `file:line` places in `check`'s verdicts are relative to this directory. */
  cwd: string;
  /** Print the step card as the shell opens. @default true */
  card?: boolean;
  /** Told whenever the step in sight changes (`course start --split` redraws its pane). */
  onState?: (state: LiveState) => void;
  /** Ends the shell (SIGHUP) when aborted: `course serve` stopping. */
  signal?: AbortSignal;
}

/** How long a check waits for the prompt's end mark before it starts anyway (PS1 replaced). */
const PROMPT_WAIT_MS = 100;
/**
 * How long after the prompt the check starts: a frame or two for the terminal to draw it. Started
 * at once (0 ms), the check's lab processes cost the next prompt about 1 ms on a busy 2-core
 * machine (docs/benchmarks.md); the tick comes this much later, well inside its 300 ms.
 */
const DRAW_MS = 25;

/** Run the live lab shell until it exits; resolves to its exit status. */
export async function runLabShell(o: LabShellOptions): Promise<number> {
  const live = await LiveChecker.open({
    course: o.course,
    lesson: o.lesson,
    lab: o.lab,
    store: o.store,
  });
  const c = pc.createColors(o.color);
  const width = () => Math.min(o.stdout.columns ?? 80, 100);
  const card = () => {
    const step = live.state.current ?? o.lesson.steps.at(-1);
    if (step === undefined) return "";
    const done = live.state.current === undefined ? `${c.green("✓")} Every step passes.\n\n` : "";
    return `${done}${renderStepCard(o.lesson, step, { width: width(), color: o.color })}\n`;
  };
  if (o.card !== false) o.stdout.write(`${card()}\n`);
  o.stdout.write(
    c.dim(
      `Lab shell of lesson ${o.lesson.position}. \`step\` shows the step, \`hint\` a hint, \`check\` checks everything; \`exit\` leaves.${o.live === false ? " (Live checks are off.)" : ""}\n`,
    ),
  );

  const pty = await spawnPty(
    o.lab.shellCommand({
      env: shellIntegrationEnv({ label: liveLabel(live.state), color: o.color }),
    }),
    { columns: o.stdout.columns ?? 80, rows: o.stdout.rows ?? 24 },
  );
  o.signal?.addEventListener("abort", () => pty.kill("SIGHUP"), { once: true });

  // Where the shell is: ticks go in only while it waits at its prompt.
  let atPrompt = false;
  let label = liveLabel(live.state);
  let lines: string[] = [];
  let dirty = false;
  let liveOn = o.live !== false;
  const flush = () => {
    if (!atPrompt || !dirty) return;
    pty.write(tickInput(label, lines.join("\n")));
    lines = [];
    dirty = false;
  };
  const show = (state: LiveState, newLines: string[]) => {
    const next = liveLabel(state);
    if (next !== label || newLines.length > 0) dirty = true;
    label = next;
    lines.push(...newLines);
    flush();
  };
  let lastStep = live.state.current?.index;
  const runLive = () => {
    if (!liveOn) return;
    live.check().then(
      (update) => {
        show(update.state, liveLines(update, o.color));
        if (update.state.current?.index !== lastStep) {
          lastStep = update.state.current?.index;
          o.onState?.(update.state);
        }
      },
      (error: unknown) => {
        liveOn = false;
        const why = error instanceof Error ? error.message : String(error);
        show(live.state, [`${c.yellow("!")} course: live checks stopped: ${why}`]);
      },
    );
  };

  const answer = async (name: ShellRequest): Promise<string> => {
    if (name === "step") return card();
    if (name === "hint") {
      const taken = await live.nextHint();
      if (taken === undefined)
        return "This step has no hints; the lesson's text says what to do.\n";
      const body = renderMarkdown(taken.hint.markdown, { width: width() - 2, color: o.color });
      return `${c.green(`${hintTitle(taken)} (step ${taken.step.index}):`)}\n${body.replace(/^/gm, "  ")}\n`;
    }
    return check(o);
  };
  // Requests are answered one at a time, in order (the shell waits for each).
  let requests = Promise.resolve();
  // A command ended: its check starts once the next prompt is on the terminal (the `input` mark
  // ends the prompt) and the terminal has had a moment to draw it, so nothing of the check sits
  // in the prompt's path, not even its processes competing for the CPU with the terminal's. A
  // shell whose PS1 the learner replaced (no marks) gets its check a little later.
  let checkDue: NodeJS.Timeout | undefined;
  const startCheck = () => {
    if (checkDue === undefined) return;
    clearTimeout(checkDue);
    checkDue = setTimeout(() => {
      checkDue = undefined;
      runLive();
    }, DRAW_MS);
  };
  const onEvent = (event: ShellEvent) => {
    if (event.type === "input") {
      atPrompt = true;
      flush();
      startCheck();
    } else if (event.type === "command") {
      atPrompt = false;
    } else if (event.type === "done") {
      atPrompt = false;
      if (liveOn && checkDue === undefined) checkDue = setTimeout(startCheck, PROMPT_WAIT_MS);
    } else if (event.type === "request") {
      requests = requests.then(async () => {
        let text: string;
        try {
          text = await answer(event.name);
        } catch (error) {
          text = `course: ${event.name} failed: ${error instanceof Error ? error.message : String(error)}\n`;
        }
        o.stdout.write(text.replace(/\r?\n/g, "\r\n"));
        pty.write(ANSWERED);
      });
    }
  };
  const reader = new ShellMarkReader((text) => o.stdout.write(text), onEvent);
  pty.onData((data) => reader.push(data));

  const onInput = (data: Buffer | string) => pty.write(data.toString());
  const onResize = () => pty.resize(o.stdout.columns ?? 80, o.stdout.rows ?? 24);
  const raw = o.stdin.isTTY === true && typeof o.stdin.setRawMode === "function";
  if (raw) o.stdin.setRawMode?.(true);
  o.stdin.on("data", onInput);
  o.stdin.resume();
  o.stdout.on("resize", onResize);
  try {
    return await new Promise<number>((resolve) => pty.onExit(resolve));
  } finally {
    clearTimeout(checkDue);
    o.stdin.off("data", onInput);
    o.stdout.off("resize", onResize);
    if (raw) o.stdin.setRawMode?.(false);
    o.stdin.pause();
    await requests;
    await live.settled().catch((error: unknown) => {
      o.stdout.write(
        `course: your progress could not be saved: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  }
}

/** `check` in the shell: every check of the lesson, verdicts and all, recorded as `course verify` does. */
async function check(o: LabShellOptions): Promise<string> {
  const seen = lessonProgressOf(await o.store.read(), o.course, o.lesson)?.hintsSeen ?? {};
  const report = await verifyLesson(o.lab, o.lesson, {
    hintShown: (step) => seen[String(step.index)] ?? 0,
  });
  const recorded = await recordVerifyReport(o.store, o.course, o.lesson, report);
  let text = renderVerifyReport(report, { cwd: o.cwd, color: o.color });
  for (const l of recorded.unlocked) {
    text += `  Unlocked lesson ${l.position}: ${l.title} (course start ${l.position})\n`;
  }
  return text;
}
