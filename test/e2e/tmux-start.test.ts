/**
 * End to end, as a person would: the built `course` in a real terminal (tmux, 100x40), keys
 * typed with send-keys, the screen read with capture-pane. Own state and runtime directories,
 * the fixture course in test/fixtures/learner, real sandbox labs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { learnerDriver } from "../../src/flows/learner-driver.js";
import { loadCourse } from "../../src/load-course.js";
import { BIN, ensureBuilt } from "../learner/build.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learner");
const SOCKET = `course-e2e-${process.pid}`;
let dir: string;

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
}

/** The visible screen of the session. */
function screen(): string {
  return tmux("capture-pane", "-p", "-t", "learner");
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

function keys(...k: string[]): void {
  tmux("send-keys", "-t", "learner", ...k);
}

/** Start `course ARGS` in a fresh tmux session; its exit status is printed as `EXIT=N`. */
function startSession(args: string): void {
  const env = `COURSE_STATE_DIR=${join(dir, "state")} COURSE_RUNTIME_DIR=${join(dir, "run")} TERM=xterm-256color`;
  const command = `env ${env} node ${BIN} --lessons ${FIXTURE} ${args}; echo EXIT=$?; sleep 600`;
  tmux("new-session", "-d", "-x", "100", "-y", "40", "-s", "learner", command);
}

function endSession(): void {
  spawnSync("tmux", ["-L", SOCKET, "kill-session", "-t", "learner"]);
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "course-tmux-"));
}, 120_000);

afterAll(async () => {
  spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
  try {
    // The labs the CLI kept for the learner: end them.
    const { course } = await loadCourse({ cwd: FIXTURE, lessons: FIXTURE });
    const driver = learnerDriver({
      env: process.env,
      spec: { kind: "sandbox" },
      course,
      runtimeDir: join(dir, "run"),
    });
    for (const lesson of course.lessons.slice(0, 2)) {
      const { lab } = await driver.openLab(lesson);
      await lab.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe("course start in a real terminal", () => {
  it("a learner types in the lab shell, runs a step, stops with Ctrl-C and resumes", async () => {
    startSession("start");
    await waitForScreen("Lesson 1 of 3: First steps");
    await waitForScreen("Step 1: what next?");
    // "I'll type them": the lab shell opens on this terminal.
    keys("2");
    keys("Enter");
    await waitForScreen("Opening the lab shell");
    await new Promise((r) => setTimeout(r, 1000));
    keys("ip netns add blue", "Enter");
    keys("exit", "Enter");
    await waitForScreen("✓ Step 1 done.");
    await waitForScreen("Step 2: what next?");
    // Ctrl-C at the prompt: stops cleanly, says how to resume.
    keys("C-c");
    const stopped = await waitForScreen("EXIT=130");
    expect(stopped).toContain("run course start 1 to resume lesson-1 (first) at step 2");
    endSession();

    startSession("start");
    await waitForScreen("Resuming at step 2.");
    await waitForScreen("Step 2: what next?");
    keys("1");
    keys("Enter");
    await waitForScreen("complete!");
    await waitForScreen("Start lesson-2 (second)");
    keys("n", "Enter");
    const end = await waitForScreen("EXIT=0");
    expect(end).toContain("Unlocked lesson-2 (second)");
    endSession();

    const status = execFileSync(process.execPath, [BIN, "--lessons", FIXTURE, "status"], {
      encoding: "utf8",
      env: { ...process.env, COURSE_STATE_DIR: join(dir, "state"), NO_COLOR: "1" },
    });
    expect(status).toContain("1 of 3 lessons done");
    expect(status).toMatch(/first\s+done\s+2\/2 steps/);
  });
});
