/**
 * The guided flow through real prompts (@inquirer/prompts on injected streams), real sandbox labs
 * and real checks, on the fixture course in test/fixtures/learner.
 */
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inquirerPrompts } from "../../src/cli/prompts.js";
import { learnerDriver } from "../../src/flows/learner-driver.js";
import type { LearnerDriver } from "../../src/flows/learner-types.js";
import { type StartFlowOptions, startFlow } from "../../src/flows/start.js";
import type { Lab } from "../../src/lab/types.js";
import type { Course, Lesson } from "../../src/lesson/types.js";
import { loadCourse } from "../../src/load-course.js";
import { lessonProgressOf } from "../../src/progress/lesson-progress.js";
import { lessonStates } from "../../src/progress/lesson-states.js";
import { ProgressStore } from "../../src/progress/progress-store.js";
import { Screen } from "./screen.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learner");

let dir: string;
let course: Course;
let store: ProgressStore;
let driver: LearnerDriver;
const opened = new Set<Lesson>();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "course-start-flow-"));
  ({ course } = await loadCourse({ cwd: FIXTURE, lessons: FIXTURE }));
  store = new ProgressStore({ dir: join(dir, "state") });
  const real = learnerDriver({
    env: process.env,
    spec: { kind: "sandbox" },
    course,
    persistent: true,
    runtimeDir: join(dir, "run"),
  });
  driver = {
    ...real,
    openLab: (lesson, options) => {
      opened.add(lesson);
      return real.openLab(lesson, options);
    },
  };
});

afterEach(async () => {
  // Persistent labs outlive the flow on purpose; end every one this test made.
  try {
    for (const lesson of opened) {
      const { lab } = await driver.openLab(lesson);
      await lab.destroy();
    }
  } finally {
    opened.clear();
    rmSync(dir, { recursive: true, force: true });
  }
});

function flow(screen: Screen, extra: Partial<StartFlowOptions> = {}): Promise<number> {
  return startFlow({
    course,
    store,
    driver,
    prompts: inquirerPrompts({ input: screen.input, output: screen.output }),
    stdout: screen.output,
    interactive: true,
    color: false,
    animate: false,
    ...extra,
  });
}

const lesson = (i: number): Lesson => {
  const l = course.lessons[i - 1];
  if (l === undefined) throw new Error(`no lesson ${i}`);
  return l;
};

describe("course start (guided flow)", () => {
  it("finishes a lesson with 'run the commands for me' and offers the next", async () => {
    const screen = new Screen();
    const done = flow(screen);
    await screen.waitFor("Lesson 1 of 3: First steps");
    await screen.waitFor("Step 1 of 2: Make a namespace");
    await screen.choose("Run the commands for me");
    await screen.waitFor("$ ip netns add blue");
    await screen.waitFor("✓ Step 1 done.");
    await screen.waitFor("Step 2 of 2: Bring up loopback");
    await screen.choose("Run the commands for me");
    await screen.waitFor("✓ Step 2 done.");
    await screen.waitFor('lesson-1 (first) "First steps" complete!');
    await screen.waitFor("Unlocked lesson-2 (second)");
    await screen.waitFor("Start lesson-2 (second)");
    screen.type("n\r");
    expect(await done).toBe(0);
    const progress = await store.read();
    expect(lessonProgressOf(progress, course, lesson(1))).toMatchObject({
      stepsPassed: [1, 2],
      solvedBy: "learner",
    });
    expect(lessonStates(course, progress).map((s) => s.state)).toEqual(["done", "open", "locked"]);
  });

  it("finishes a lesson by typing in the lab shell; checks run when the shell exits", async () => {
    await store.update((p) => {
      p.courses[course.dir] = {
        dir: course.dir,
        lessons: {
          first: {
            stepsPassed: [1, 2],
            stepCount: 2,
            attempts: 1,
            firstAt: "2026-01-01T00:00:00.000Z",
            lastAt: "2026-01-01T00:00:00.000Z",
            completedAt: "2026-01-01T00:00:00.000Z",
            solvedBy: "learner",
            hintsSeen: {},
          },
        },
      };
    });
    const screen = new Screen();
    const typed: string[] = [];
    // The learner's keystrokes in the shell, run as the shell would run them (the real
    // interactive shell is exercised by the tmux end-to-end test).
    const done = flow(screen, {
      openShell: async (lab) => {
        const line = "ip link add v0 type veth peer name v1";
        typed.push(line);
        return (await lab.exec(line)).exitCode;
      },
    });
    await screen.waitFor("Lesson 2 of 3: A veth pair");
    await screen.choose("I'll type them (open the lab shell)");
    await screen.waitFor("Opening the lab shell");
    await screen.waitFor("✓ Step 1 done.");
    await screen.waitFor("complete!");
    await screen.waitFor("Start lesson-3 (third)");
    screen.type("n\r");
    expect(await done).toBe(0);
    expect(typed).toHaveLength(1);
    expect(lessonStates(course, await store.read())[1]?.state).toBe("done");
  });

  it("'run the commands for me' echoes each command as it runs and stops at the first failure", async () => {
    const lessons = join(dir, "lessons");
    mkdirSync(lessons);
    writeFileSync(
      join(lessons, "01-fails.md"),
      "---\ntitle: Fails\n---\n\n## Two rooms\n\n```sh\nip netns add ns1\nip netns add ns1\nip netns add ns2\n```\n\n```check\nnetns ns2\n```\n",
    );
    const own = (await loadCourse({ cwd: lessons, lessons })).course;
    const ownDriver = learnerDriver({
      env: process.env,
      spec: { kind: "sandbox" },
      course: own,
      persistent: false,
      runtimeDir: join(dir, "run"),
    });
    let lab: Lab | undefined;
    const screen = new Screen();
    const done = flow(screen, {
      course: own,
      driver: {
        ...ownDriver,
        openLab: async (l, o) => {
          const opened = await ownDriver.openLab(l, o);
          lab = opened.lab;
          return opened;
        },
      },
    });
    try {
      await screen.waitFor("Step 1 of 1");
      await screen.choose("Run the commands for me");
      const out = await screen.waitFor("Not run:");
      expect(out.match(/\$ ip netns add ns1/g)).toHaveLength(2);
      expect(out).not.toContain("$ ip netns add ns2");
      expect(out).toMatch(/✗ `ip netns add ns1` failed \(exit 1\) at \S*01-fails.md:9\./);
      expect(out).toContain("Ran before it: `ip netns add ns1`.");
      expect(out).toContain("Not run: `ip netns add ns2`.");
      await screen.choose("Quit (lab and progress are kept)");
      expect(await done).toBe(0);
    } finally {
      await lab?.destroy();
    }
  });

  it("shows what failed and the next hint when a check fails", async () => {
    const screen = new Screen();
    const done = flow(screen, { lessonName: "first" });
    await screen.waitFor("Step 1 of 2");
    await screen.choose("Check my work");
    const failed = await screen.waitFor("Hint 1 of 2:");
    expect(failed).toContain("Not yet: 1 check of step 1 failed.");
    expect(failed).toContain("netns blue");
    expect(failed).toContain("01-first.md:20");
    await screen.waitFor("the command is `ip netns add NAME`.");
    await screen.choose("Next hint");
    await screen.waitFor("Hint 2 of 2:");
    await screen.waitFor("name it `blue`");
    await screen.choose("Show the solution");
    await screen.waitFor("ip netns add blue");
    await screen.choose("Quit (lab and progress are kept)");
    expect(await done).toBe(0);
    const p = lessonProgressOf(await store.read(), course, lesson(1));
    expect(p?.attempts).toBe(1);
    expect(p?.stepsPassed).toEqual([]);
    expect(p?.hintsSeen).toEqual({ "1": 2 });
  });

  it("shows the network as it is now, before and after the step's commands", async () => {
    const screen = new Screen();
    const done = flow(screen, { lessonName: "first" });
    await screen.waitFor("Step 1 of 2");
    await screen.choose("Show me the network");
    await screen.waitFor("┌─ lab host");
    const before = await screen.waitFor("Step 1: what next?");
    expect(before).toContain("lo UP 127.0.0.1/8");
    expect(before).not.toContain("┌─ blue");
    await screen.choose("Run the commands for me");
    await screen.waitFor("✓ Step 1 done.");
    await screen.waitFor("Step 2 of 2");
    await screen.choose("Show me the network");
    await screen.waitFor("┌─ lab host");
    const after = await screen.waitFor("Step 2: what next?");
    expect(after).toContain("┌─ blue");
    expect(after).toContain("lo DOWN");
    await screen.choose("Quit (lab and progress are kept)");
    expect(await done).toBe(0);
  });

  it("stops cleanly on Ctrl-C (exit 130) and resumes where the learner left off", async () => {
    const first = new Screen();
    const done = flow(first);
    await first.waitFor("Step 1 of 2");
    await first.choose("Run the commands for me");
    await first.waitFor("✓ Step 1 done.");
    await first.waitFor("Step 2 of 2");
    await first.waitFor("what next?");
    first.type("\x03");
    expect(await done).toBe(130);
    expect(first.text).toContain(
      "Stopped. Your lab and progress are kept; run course start 1 to resume lesson-1 (first) at step 2.",
    );

    const again = new Screen();
    const resumed = flow(again);
    await again.waitFor("Lesson 1 of 3: First steps");
    await again.waitFor("Lab reused");
    await again.waitFor("Resuming at step 2.");
    await again.waitFor("Step 2 of 2: Bring up loopback");
    await again.choose("Run the commands for me");
    await again.waitFor("complete!");
    again.type("n\r");
    expect(await resumed).toBe(0);
    expect(again.text).not.toContain("Step 1 of 2");
  });

  it("stops on Ctrl-C while commands run (SIGINT), keeping lab and progress", async () => {
    const screen = new Screen();
    const signals = new EventEmitter();
    const real = driver;
    const code = flow(screen, {
      signals,
      driver: {
        ...real,
        runBlock: (lab, block, l, onOutput) => {
          const running = real.runBlock(lab, block, l, onOutput);
          // The learner presses Ctrl-C while the command runs.
          setTimeout(() => signals.emit("SIGINT"), 0);
          return running;
        },
      },
    });
    await screen.waitFor("Step 1 of 2");
    await screen.choose("Run the commands for me");
    expect(await code).toBe(130);
    expect(screen.text).toContain("run course start 1 to resume lesson-1 (first) at step 1");
    expect(signals.listenerCount("SIGINT")).toBe(0);
    expect(lessonProgressOf(await store.read(), course, lesson(1))?.currentStep).toBe(1);
  });

  it("without a terminal, makes the lab, prints the start of the lesson and how to go on", async () => {
    const screen = new Screen();
    const code = await flow(screen, { interactive: false });
    expect(code).toBe(0);
    const text = screen.text;
    expect(text).toContain("Lesson 1 of 3: First steps");
    expect(text).toContain("This lesson makes a namespace");
    expect(text).toContain("Step 1 of 2: Make a namespace");
    expect(text).toContain("ip netns add blue");
    expect(text).not.toContain("Hint:");
    expect(text).toContain("course verify 1");
    expect(text).toContain("course shell 1");
  });

  it("refuses a locked lesson, naming what to finish first", async () => {
    const screen = new Screen();
    await expect(flow(screen, { lessonName: "3" })).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining("finish lesson-2 (second) first"),
    });
  });
});
