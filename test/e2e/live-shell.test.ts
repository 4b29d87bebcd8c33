/**
 * The live lab shell end to end, as a learner sees it: the built `course` in a real terminal
 * (tmux), keys typed with send-keys, the screen read with capture-pane, the shipped course,
 * real sandbox labs, own state and runtime directories.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Course, Lesson } from "../../src/lesson/types.js";
import { courseWithLessonOneDone, lessonAt, tmuxTerminal } from "../helpers/tmux-terminal.js";
import { runTool, tool } from "../helpers/tool.js";
import { BIN, ensureBuilt } from "../learner/build.js";

const LESSONS = join(import.meta.dirname, "..", "..", "lessons");
let dir: string;
let course: Course;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function env(): Record<string, string> {
  return { COURSE_STATE_DIR: join(dir, "state"), COURSE_RUNTIME_DIR: join(dir, "run") };
}

const { screen, waitForScreen, keys, type, startSession, endSession, killServer } = tmuxTerminal(
  "course-live",
  LESSONS,
  env,
);
const lesson = (n: number): Lesson => lessonAt(course, n);

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "course-live-shell-"));
  // Lesson 1 done, so lesson 2 is open (how it got done is not what this file tests).
  course = await courseWithLessonOneDone(LESSONS, join(dir, "state"));
}, 120_000);

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

    const status = tool(process.execPath, [BIN, "--lessons", LESSONS, "status"], {
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
    // The menu again, after the shell's check (the first menu's answered line is still on the
    // screen: a Ctrl-C sent before the new menu is caught by the check, not by the menu).
    await waitForScreen(/\nexit\n[\s\S]*\? Step 1: what next\?[\s\S]*navigate/);
    keys("C-c");
    await waitForScreen("EXIT=130");
    endSession();
  }, 240_000);

  it("course shell -c passes its standard input to the command (bash -s < script)", () => {
    const r = runTool(
      process.execPath,
      [BIN, "--lessons", LESSONS, "shell", "1", "-c", "bash -s"],
      {
        input: "ip netns add from-stdin\nip netns list\necho done\n",
        env: { ...process.env, ...env() },
      },
    );
    expect(r.stdout).toBe("from-stdin\ndone\n");
    expect(r.code).toBe(0);
  }, 60_000);
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
