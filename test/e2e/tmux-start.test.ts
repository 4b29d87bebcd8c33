/**
 * End to end, as a person would: the built `course` in a real terminal (tmux, 100 columns), keys
 * typed with send-keys, the screen read with capture-pane (test/helpers/tmux-terminal.ts). Own
 * state and runtime directories (test/helpers/course-bin.ts), the fixture course in
 * test/fixtures/learner, real sandbox labs.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CourseBin, labsInTempHome } from "../helpers/course-bin.js";
import { tmuxTerminal } from "../helpers/tmux-terminal.js";
import { ensureBuilt } from "../learner/build.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learner");
const bin = new CourseBin({ prefix: "course-tmux-", args: ["--lessons", FIXTURE] });
// Registered first, so its afterAll (`course reset --all`, then the dir) runs after the tmux
// server is gone.
labsInTempHome(bin);

const { tmux, waitForScreen, keys, startSession, endSession, killServer } = tmuxTerminal(
  "course-e2e",
  FIXTURE,
  () => ({
    COURSE_STATE_DIR: join(bin.dir, "state"),
    COURSE_RUNTIME_DIR: join(bin.dir, "runtime"),
  }),
);

beforeAll(() => {
  ensureBuilt();
  // A session that outlives the learner's: ending the only session ends the tmux server, and the
  // next new-session can race its exit (seen once under load, exit 1).
  tmux("new-session", "-d", "-s", "keep", "sleep 3600");
}, 120_000);

afterAll(() => {
  killServer();
});

describe("course start in a real terminal", () => {
  it("a learner types in the lab shell, runs a step, stops with Ctrl-C and resumes", async () => {
    startSession("start", { width: 100 });
    await waitForScreen("Lesson 1 of 3: First steps");
    await waitForScreen("Step 1: what next?");
    // "I'll type them": the lab shell opens on this terminal.
    keys("2");
    keys("Enter");
    await waitForScreen("Opening the lab shell");
    // The shell's own prompt: keys typed before it could still be read by the menu.
    await waitForScreen(/\[lesson 1 · step 1\/\d+\]/);
    keys("ip netns add blue", "Enter");
    keys("exit", "Enter");
    await waitForScreen("✓ Step 1 done.");
    await waitForScreen("Step 2: what next?");
    // Ctrl-C at the prompt: stops cleanly, says how to resume.
    keys("C-c");
    const stopped = await waitForScreen("EXIT=130");
    expect(stopped).toContain("run course start 1 to resume lesson-1 (first) at step 2");
    endSession();

    startSession("start", { width: 100 });
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

    const status = bin.run(["status"]).stdout;
    expect(status).toContain("1 of 3 lessons done");
    expect(status).toMatch(/first\s+done\s+2\/2 steps/);
  });
});
