/**
 * The live lab shell end to end, as a learner sees it: the built `course` in a real terminal
 * (tmux), keys typed with send-keys, the screen read with capture-pane, the shipped course,
 * real sandbox labs, own state and runtime directories.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Course, Lesson } from "../../src/lesson/types.js";
import { loadCourse } from "../../src/load-course.js";
import { ProgressStore } from "../../src/progress/progress-store.js";
import { recordResult } from "../../src/progress/record-result.js";
import { BIN, ensureBuilt } from "../learner/build.js";

const LESSONS = join(import.meta.dirname, "..", "..", "lessons");
const SOCKET = `course-live-${process.pid}`;
let dir: string;
let course: Course;

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
}

function screen(): string {
  return tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "learner");
}

async function waitForScreen(text: string | RegExp, timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = screen();
    if (typeof text === "string" ? now.includes(text) : text.test(now)) return now;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${String(text)}; screen:\n${now}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function keys(...k: string[]): void {
  tmux("send-keys", "-t", "learner", ...k);
}

/** Type a line as a person would (literal text, then Enter). */
function type(line: string): void {
  tmux("send-keys", "-t", "learner", "-l", line);
  keys("Enter");
}

function env(): Record<string, string> {
  return { COURSE_STATE_DIR: join(dir, "state"), COURSE_RUNTIME_DIR: join(dir, "run") };
}

function startSession(args: string): void {
  const vars = Object.entries({ ...env(), TERM: "xterm-256color" })
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const command = `env ${vars} node ${BIN} --lessons ${LESSONS} ${args}; echo EXIT=$?; sleep 600`;
  tmux("new-session", "-d", "-x", "110", "-y", "50", "-s", "learner", command);
}

function endSession(): void {
  spawnSync("tmux", ["-L", SOCKET, "kill-session", "-t", "learner"]);
}

function lesson(n: number): Lesson {
  const l = course.lessons[n - 1];
  if (l === undefined) throw new Error(`no lesson ${n}`);
  return l;
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "course-live-shell-"));
  ({ course } = await loadCourse({ cwd: LESSONS, lessons: LESSONS }));
  // Lesson 1 done, so lesson 2 is open (how it got done is not what this file tests).
  await recordResult(new ProgressStore({ dir: join(dir, "state") }), course, lesson(1), {
    passed: lesson(1).steps.map((s) => s.index),
    failed: [],
    complete: true,
    solvedBy: "learner",
  });
}, 120_000);

afterAll(() => {
  spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
  try {
    spawnSync(process.execPath, [BIN, "--lessons", LESSONS, "reset", "--all"], {
      env: { ...process.env, ...env() },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe("the live lab shell in a real terminal", () => {
  it("ticks lesson 2 step by step as the learner types, then unlocks lesson 3 without verify", async () => {
    const two = lesson(2);
    startSession("shell 2");
    // The step card as the shell opens, then the prompt naming the step.
    await waitForScreen(`Step 1 of ${two.steps.length}: ${two.steps[0]?.title}`);
    await waitForScreen(`[lesson 2 · step 1/${two.steps.length}]`);
    for (const step of two.steps) {
      const lines = step.commands
        .filter((b) => !b.options.show && !b.options.noRun)
        .flatMap((b) => b.code.split("\n"));
      for (const [i, line] of lines.entries()) {
        type(line);
        if (i < lines.length - 1) {
          // Part of the step is not the step: no tick yet.
          await waitForScreen(
            new RegExp(`\\n/tmp# ${escapeRegExp(line)}\\n(?:.*\\n)*?\\[lesson 2`),
          );
          expect(screen()).not.toContain(`✓ step ${step.index} done`);
        }
      }
      await waitForScreen(`✓ step ${step.index} done`, 20_000);
      if (step.index === 1) {
        // `step` reprints the step in sight: now step 2.
        type("step");
        await waitForScreen(`Step 2 of ${two.steps.length}: ${two.steps[1]?.title}`);
      }
    }
    const done = await waitForScreen(`lesson 2 "${two.title}" complete!`, 20_000);
    expect(done).toContain(`lesson 3 (${lesson(3).title}) unlocked`);
    await waitForScreen("[lesson 2 · done ✓]");
    type("exit");
    await waitForScreen("EXIT=0");
    endSession();

    const status = execFileSync(process.execPath, [BIN, "--lessons", LESSONS, "status"], {
      encoding: "utf8",
      env: { ...process.env, ...env(), NO_COLOR: "1" },
    });
    expect(status).toMatch(new RegExp(`${two.id}\\s+done`));
  }, 240_000);

  it("ignores a command typed at the guided menu; the shell it opens ticks live", async () => {
    startSession("start 3");
    await waitForScreen("Step 1: what next?");
    type("ip link show");
    await sleep(1500);
    let now = screen();
    expect(now).not.toContain("Opening the lab shell");
    expect(now).toContain("Step 1: what next?");
    // A number and Enter still choose: 2 is "I'll type them".
    keys("2");
    keys("Enter");
    await waitForScreen("Opening the lab shell");
    await waitForScreen(/\[lesson 3 · step 1\/\d+\]/);
    type("hint");
    now = await waitForScreen("Hint 1 of");
    type("exit");
    await waitForScreen("Step 1: what next?");
    keys("C-c");
    await waitForScreen("EXIT=130");
    endSession();
  }, 240_000);

  it("course shell -c passes its standard input to the command (bash -s < script)", () => {
    const r = spawnSync(
      process.execPath,
      [BIN, "--lessons", LESSONS, "shell", "1", "-c", "bash -s"],
      {
        input: "ip netns add from-stdin\nip netns list\necho done\n",
        encoding: "utf8",
        env: { ...process.env, ...env() },
      },
    );
    expect(r.stdout).toBe("from-stdin\ndone\n");
    expect(r.status).toBe(0);
  }, 60_000);
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
