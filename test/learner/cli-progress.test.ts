/**
 * The built binary: progress recorded by verify and run, unlocking (exit 3), list/status/hint,
 * reset --progress, and 20 concurrent `course verify` runs on different lessons.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToolAsync } from "../helpers/tool.js";
import { BIN, ensureBuilt } from "./build.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learner");
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function course(args: string[], lessons = FIXTURE): Promise<Run> {
  const r = await runToolAsync(process.execPath, [BIN, "--lessons", lessons, ...args], {
    env: {
      ...process.env,
      COURSE_STATE_DIR: join(dir, "state"),
      COURSE_RUNTIME_DIR: join(dir, "run"),
      NO_COLOR: "1",
    },
    timeout: 120_000,
  });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "course-cli-progress-"));
}, 120_000);

afterAll(async () => {
  try {
    await course(["reset", "--all"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe("progress through the CLI", () => {
  it("locks, runs, verifies, unlocks, hints, lists and forgets", async () => {
    const locked = await course(["verify", "2"]);
    expect(locked.code).toBe(3);
    expect(locked.stderr).toContain("finish lesson-1 (first) first");
    // One rule for a locked lesson: `run` refuses it as `verify` does, before any lab is made.
    const lockedRun = await course(["run", "2"]);
    expect(lockedRun.code).toBe(3);
    expect(lockedRun.stderr).toContain("finish lesson-1 (first) first");

    const run = await course(["run", "1", "--graph"]);
    expect(run.code).toBe(0);
    // --graph: the lab drawn after each step, the new namespace in it.
    expect(run.stdout).toMatch(/─ blue ─/);
    expect(run.stdout).toContain("$ ip netns add blue");
    expect(run.stdout).toContain("not counted");
    let status = await course(["status", "--json"]);
    let report = JSON.parse(status.stdout);
    expect(report.lessons[0]).toMatchObject({ state: "open", solvedByRunner: true });

    // The runner's lab holds the work: a learner's verify of it now counts.
    const verified = await course(["verify", "1"]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("lesson-1 (first) is complete");
    expect(verified.stdout).toContain("Unlocked lesson-2 (second)");

    const failing = await course(["verify", "2", "--json"]);
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout).progress).toEqual({
      complete: false,
      completedNow: false,
      unlocked: [],
    });

    const hint = await course(["hint", "2"]);
    expect(hint.stdout).toContain("Hint 1 of 1 for lesson-2 (second), step 1");

    const list = await course(["list"]);
    expect(list.stdout).toMatch(/1\s+first\s+First steps\s+2\s+done\s+2\/2/);
    expect(list.stdout).toMatch(/2\s+second\s+A veth pair\s+1\s+open\s+0\/1/);
    expect(list.stdout).toMatch(/3\s+third\s+Addresses\s+1\s+locked\s+0\/1/);

    status = await course(["status"]);
    expect(status.stdout).toContain("1 of 3 lessons done");
    expect(status.stdout).toContain("Next: course start 2 (A veth pair)");
    expect(status.stdout).not.toContain("\u001b");

    const reset = await course(["reset", "1", "--progress"]);
    expect(reset.code).toBe(0);
    report = JSON.parse((await course(["status", "--json"])).stdout);
    expect(report.lessons.map((l: { state: string }) => l.state)).toEqual([
      "open",
      "locked",
      "locked",
    ]);

    // --count: the runner's pass counts as complete.
    expect((await course(["run", "1", "--count"])).code).toBe(0);
    report = JSON.parse((await course(["status", "--json"])).stdout);
    expect(report.lessons[0]).toMatchObject({ state: "done", solvedByRunner: false });
    expect(report.lessons[1].state).toBe("open");
  });

  it("shows a done lesson done in every step, a step without checks too; control characters in titles are shown, not obeyed", async () => {
    const odd = join(dir, "odd");
    mkdirSync(odd);
    writeFileSync(
      join(odd, "01-odd.md"),
      "---\ntitle: Odd \u001b[2J title\n---\n\n## Make a room\n\n```check\nnot netns nowhere\n```\n\n## Read \u001b[2J on\n\nNothing to check \u001b[31mhere.\n",
    );
    writeFileSync(
      join(odd, "02-next.md"),
      "---\ntitle: Next \u001b]0;pwned\u0007\n---\n\n## Again\n\n```check\nnot netns nowhere\n```\n",
    );
    try {
      const verified = await course(["verify", "1"], odd);
      expect(verified.code).toBe(0);
      const status = await course(["status"], odd);
      expect(status.stdout).toMatch(/odd\s+done\s+2\/2 steps/);
      expect(status.stdout).toContain("Odd \\e[2J title");
      expect(status.stdout).toContain("Next: course start 2 (Next \\e]0;pwned\\x07)");
      expect(status.stdout).not.toContain("\u001b");
      const report = JSON.parse((await course(["status", "--json"], odd)).stdout);
      expect(report.lessons[0]).toMatchObject({ state: "done", stepsPassed: 2, stepCount: 2 });
      // JSON keeps the title as it is (JSON escapes it).
      expect(report.lessons[0].title).toBe("Odd \u001b[2J title");

      const list = await course(["list"], odd);
      expect(list.stdout).toMatch(/1\s+odd\s+Odd \\e\[2J title\s+2\s+done\s+2\/2/);
      expect(list.stdout).not.toContain("\u001b");

      // `start` without a terminal prints the lesson's start: the titles escaped as well.
      const start = await course(["start", "2"], odd);
      expect(start.code).toBe(0);
      expect(start.stdout).toContain("Lesson 2 of 2: Next \\e]0;pwned\\x07");
      expect(start.stdout).not.toContain("\u001b");
      const first = await course(["start", "1"], odd);
      // A done lesson resumes at its step without checks (never recorded as passed).
      expect(first.stdout).toContain("Step 2 of 2: Read \\e[2J on");
      expect(first.stdout).toContain("Nothing to check \\e[31mhere.");
      expect(first.stdout).not.toContain("\u001b");
    } finally {
      await course(["reset", "--all"], odd);
    }
  });

  it("keeps all 20 results of 20 concurrent `course verify` runs", async () => {
    const many = join(dir, "many");
    mkdirSync(many);
    for (let i = 1; i <= 20; i++) {
      writeFileSync(
        join(many, `${String(i).padStart(2, "0")}-l${i}.md`),
        `---\ntitle: Lesson ${i}\nrequires: []\n---\n\n## Nothing to do\n\n\`\`\`check\nnot netns nowhere\n\`\`\`\n`,
      );
    }
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => course(["verify", String(i + 1)], many)),
    );
    // On failure, say which run failed and what it printed.
    expect(runs.filter((r) => r.code !== 0)).toEqual([]);
    const file = JSON.parse(readFileSync(join(dir, "state", "progress.json"), "utf8"));
    const lessons = file.courses[many].lessons;
    expect(Object.keys(lessons)).toHaveLength(20);
    for (const entry of Object.values(lessons) as { completedAt?: string }[]) {
      expect(entry.completedAt).toBeTypeOf("string");
    }
    await course(["reset", "--all"], many);
  }, 240_000);
});
