/**
 * `course verify` from the learner's side, through the built binary and real sandbox labs:
 * without a lesson it checks the current one; Ctrl-C says what happened.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../helpers/tool.js";
import { BIN, ensureBuilt } from "./build.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learner");
let dir: string;
let slow: string;

const env = () => ({
  ...process.env,
  NO_COLOR: "1",
  COURSE_STATE_DIR: join(dir, "state"),
  COURSE_RUNTIME_DIR: join(dir, "run"),
});

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "course-cli-verify-"));
  slow = join(dir, "slow");
  mkdirSync(slow);
  writeFileSync(
    join(slow, "01-slow.md"),
    '---\ntitle: Slow\n---\n\n## Wait\n\n```sh\ntrue\n```\n\n```check\nrun "sleep 60"\n```\n',
  );
}, 120_000);

afterAll(() => {
  for (const lessons of [FIXTURE, slow]) {
    runTool(process.execPath, [BIN, "--lessons", lessons, "reset", "--all"], { env: env() });
  }
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("course verify", () => {
  it("without a lesson checks the current one", () => {
    const r = runTool(process.execPath, [BIN, "--lessons", FIXTURE, "verify"], { env: env() });
    expect(r.stdout).toContain("Lesson 1: First steps");
    expect(r.code).toBe(1);
  }, 60_000);

  it("says what happened on Ctrl-C (exit 130, nothing recorded, lab kept)", async () => {
    const child = spawn(process.execPath, [BIN, "--lessons", slow, "verify", "1"], { env: env() });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    // The check runs for a minute: interrupt it once the lab is up and the check under way.
    await new Promise((r) => setTimeout(r, 4000));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toContain("interrupted: the check of lesson 1 stopped before it ended");
    expect(stderr).toContain("Your lab and your progress are kept");
  }, 60_000);
});
