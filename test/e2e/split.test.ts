/**
 * `course start --split` end to end: the built `course` in a real tmux (own server socket), the
 * guided flow in one pane and the step pane beside it, keys typed with send-keys, both panes
 * read with capture-pane; the shipped course, real sandbox labs, own state and runtime dirs.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Course, Lesson } from "../../src/lesson/types.js";
import { courseWithLessonOneDone, lessonAt, tmuxTerminal } from "../helpers/tmux-terminal.js";
import { runTool, tool } from "../helpers/tool.js";
import { BIN, ensureBuilt } from "../learner/build.js";

const LESSONS = join(import.meta.dirname, "..", "..", "lessons");
let dir: string;
let course: Course;

function env(): Record<string, string> {
  return { COURSE_STATE_DIR: join(dir, "state"), COURSE_RUNTIME_DIR: join(dir, "run") };
}

const { tmux, screenOf, waitFor, waitForPane, type, startSession, killServer } = tmuxTerminal(
  "course-split",
  LESSONS,
  env,
);
const lesson = (n: number): Lesson => lessonAt(course, n);

/** The panes of the session's window, left to right: their ids. */
function panes(): string[] {
  return tmux("list-panes", "-t", "learner", "-F", "#{pane_id}")
    .split("\n")
    .filter((l) => l !== "");
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "course-split-"));
  // Lesson 1 done, so lesson 2 is open (how it got done is not what this file tests).
  course = await courseWithLessonOneDone(LESSONS, join(dir, "state"));
}, 120_000);

afterEach(() => {
  // Also when a test failed: no session (and no course in it) outlives its test.
  killServer();
});

afterAll(() => {
  killServer();
  try {
    runTool(process.execPath, [BIN, "--lessons", LESSONS, "reset", "--all"], {
      env: { ...process.env, ...env() },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe("course start --split", () => {
  it("shows the step beside the flow and moves on as the lab shell's checks pass", async () => {
    const two = lesson(2);
    const [first, second] = two.steps;
    if (first === undefined || second === undefined) throw new Error("lesson 2 has two steps");
    startSession("start --split 2", { width: 160 });
    await waitFor(
      "two panes",
      () => panes().length === 2,
      () => screenOf("learner"),
    );
    const [flow, steps] = panes() as [string, string];
    await waitForPane(steps, `Step 1 of ${two.steps.length}: ${first.title}`);
    expect(screenOf(steps)).toContain(`Lesson 2 of ${course.lessons.length}: ${two.title}`);
    // The flow stays in its own pane, with the focus.
    await waitForPane(flow, "Step 1: what next?");
    expect(tmux("display-message", "-p", "-t", "learner", "#{pane_id}").trim()).toBe(flow);

    // "I'll type them": the lab shell; step 1's commands, one by one.
    tmux("send-keys", "-t", flow, "2");
    tmux("send-keys", "-t", flow, "Enter");
    await waitForPane(flow, `[lesson 2 · step 1/${two.steps.length}]`);
    for (const line of first.commands
      .filter((b) => !b.options.show && !b.options.noRun)
      .flatMap((b) => b.code.split("\n"))) {
      type(line, flow);
    }
    await waitForPane(flow, "✓ step 1 done", 20_000);
    await waitForPane(steps, `Step 2 of ${two.steps.length}: ${second.title}`, 10_000);
    expect(screenOf(steps)).not.toContain(`Step 1 of ${two.steps.length}`);

    // Leaving the shell and quitting the flow closes the step pane.
    type("exit", flow);
    await waitForPane(flow, "Step 2: what next?");
    tmux("send-keys", "-t", flow, "C-c");
    await waitForPane(flow, "EXIT=130");
    await waitFor(
      "the step pane to close",
      () => panes().length === 1,
      () => screenOf(flow),
    );
    expect(readdirSync(join(dir, "run")).filter((f) => f.startsWith("split-"))).toEqual([]);
  }, 240_000);

  it("outside tmux, starts a tmux session of its own and splits it", async () => {
    // The outer course runs in a plain terminal (this session's pane, TMUX unset); the session
    // it starts lives on a tmux server of its own (TMUX_TMPDIR), killed below.
    const inner = join(dir, "inner-tmux");
    mkdirSync(inner, { recursive: true });
    startSession("start --split 2", {
      width: 160,
      envFirst: `-u TMUX -u TMUX_PANE TMUX_TMPDIR=${inner}`,
    });
    try {
      // Both panes side by side in this terminal: the flow's menu and the step pane's heading.
      await waitForPane("learner", /Step \d: what next\?/);
      await waitForPane("learner", /│Lesson 2 of \d+: /);
      const innerPanes = tool("tmux", ["list-panes", "-a", "-F", "#{pane_id}"], {
        env: { ...process.env, TMUX_TMPDIR: inner },
      });
      expect(innerPanes.trim().split("\n")).toHaveLength(2);
      tmux("send-keys", "-t", "learner", "C-c");
      await waitForPane("learner", "EXIT=130");
    } finally {
      runTool("tmux", ["kill-server"], { env: { ...process.env, TMUX_TMPDIR: inner } });
    }
  }, 240_000);

  it("without tmux says so in one line and exits 2", () => {
    const bin = join(dir, "bin-without-tmux");
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, "node"));
    const r = runTool(process.execPath, [BIN, "--lessons", LESSONS, "start", "--split"], {
      env: { ...process.env, ...env(), PATH: bin },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^course: --split needs tmux, which is not installed here\n/);
    expect(r.stderr).toContain("apt-get install tmux");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
