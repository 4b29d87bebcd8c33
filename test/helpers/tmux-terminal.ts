/**
 * A learner's real terminal for end-to-end tests: the built `course` as the command of a tmux
 * session (`learner`) on a tmux server of the test's own (socket NAME-PID), keys typed with
 * send-keys, panes read with capture-pane. Plus the shipped course with lesson 1 recorded done,
 * which several of those tests start from.
 */
import type { Course, Lesson } from "../../src/lesson/types.js";
import { loadCourse } from "../../src/load-course.js";
import { ProgressStore } from "../../src/progress/progress-store.js";
import { recordResult } from "../../src/progress/record-result.js";
import { BIN } from "../learner/build.js";
import { runTool, tool } from "./tool.js";

export interface TmuxTerminal {
  tmux(...args: string[]): string;
  /** The pane's text, with the last 200 lines of its history. */
  screenOf(pane: string): string;
  screen(): string;
  /** Waits until `test()`; on a timeout, the error shows `show()`. */
  waitFor(what: string, test: () => boolean, show: () => string, timeoutMs?: number): Promise<void>;
  /** Waits until the pane shows `text`; returns its screen then. */
  waitForPane(pane: string, text: string | RegExp, timeoutMs?: number): Promise<string>;
  waitForScreen(text: string | RegExp, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): void;
  /** Types a line as a person would (literal text, then Enter). */
  type(line: string, pane?: string): void;
  /** `course --lessons LESSONS ARGS` as the session's command; it prints `EXIT=N` after. */
  startSession(args: string, options?: { width?: number; envFirst?: string }): void;
  endSession(): void;
  killServer(): void;
}

export function tmuxTerminal(
  name: string,
  lessons: string,
  env: () => Record<string, string>,
): TmuxTerminal {
  const socket = `${name}-${process.pid}`;
  const tmux = (...args: string[]) => tool("tmux", ["-L", socket, ...args]);
  const screenOf = (pane: string) => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", pane);
  async function waitFor(
    what: string,
    test: () => boolean,
    show: () => string,
    timeoutMs = 45_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; screen:\n${show()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function waitForPane(pane: string, text: string | RegExp, timeoutMs?: number) {
    let now = "";
    const shows = () => {
      now = screenOf(pane);
      return typeof text === "string" ? now.includes(text) : text.test(now);
    };
    await waitFor(String(text), shows, () => now, timeoutMs);
    return now;
  }
  return {
    tmux,
    screenOf,
    screen: () => screenOf("learner"),
    waitFor,
    waitForPane,
    waitForScreen: (text, timeoutMs) => waitForPane("learner", text, timeoutMs),
    keys: (...keys) => {
      tmux("send-keys", "-t", "learner", ...keys);
    },
    type(line, pane = "learner") {
      tmux("send-keys", "-t", pane, "-l", line);
      tmux("send-keys", "-t", pane, "Enter");
    },
    startSession(args, { width = 110, envFirst = "" } = {}) {
      const vars = Object.entries({ ...env(), TERM: "xterm-256color" })
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      const command = `env ${envFirst} ${vars} node ${BIN} --lessons ${lessons} ${args}; echo EXIT=$?; sleep 600`;
      tmux("new-session", "-d", "-x", String(width), "-y", "50", "-s", "learner", command);
    },
    endSession() {
      runTool("tmux", ["-L", socket, "kill-session", "-t", "learner"]);
    },
    killServer() {
      runTool("tmux", ["-L", socket, "kill-server"]);
    },
  };
}

/** The course at `lessons`, with lesson 1 recorded done in `stateDir` (so lesson 2 is open). */
export async function courseWithLessonOneDone(lessons: string, stateDir: string): Promise<Course> {
  const { course } = await loadCourse({ cwd: lessons, lessons });
  const one = lessonAt(course, 1);
  await recordResult(new ProgressStore({ dir: stateDir }), course, one, {
    passed: one.steps.map((s) => s.index),
    failed: [],
    complete: true,
    solvedBy: "learner",
  });
  return course;
}

export function lessonAt(course: Course, n: number): Lesson {
  const l = course.lessons[n - 1];
  if (l === undefined) throw new Error(`no lesson ${n}`);
  return l;
}
