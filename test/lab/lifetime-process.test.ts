import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { tool } from "../helpers/tool.js";

const worker = join(import.meta.dirname, "fixtures", "lab-worker.mjs");
const runtime = mkdtempSync(join(tmpdir(), "course-lab-kill-"));

function hostProcesses(pattern: RegExp): string[] {
  return tool("ps", ["-eo", "pid,args"])
    .split("\n")
    .filter((l) => pattern.test(l));
}

beforeAll(() => {
  if (!existsSync(join(import.meta.dirname, "../../dist/lab/open-lab.js"))) {
    throw new Error(
      "run `npm run build` first: this test runs the built library in a child process",
    );
  }
});
afterAll(() => rmSync(runtime, { recursive: true, force: true }));

test("after kill -9 of the process that made an ephemeral lab, nothing of the lab remains", async () => {
  const child = spawn(process.execPath, [worker, "hold", runtime], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
      });
      child.on("exit", (code) => reject(new Error(`worker exited with ${code}`)));
    });
    const { id } = JSON.parse(line) as { id: string };
    // The sleeps may still be exec'ing when exec() returns.
    await expect.poll(() => hostProcesses(/sleep 555[56]/), { timeout: 3000 }).toHaveLength(2);
    expect(readdirSync(join(runtime, "labs"))).toContain(`${id}.lab`);
    const holders = hostProcesses(new RegExp(id));
    expect(holders.length).toBeGreaterThan(0);

    child.kill("SIGKILL");

    await expect.poll(() => hostProcesses(/sleep 555[56]/), { timeout: 5000 }).toEqual([]);
    await expect.poll(() => hostProcesses(new RegExp(id)), { timeout: 5000 }).toEqual([]);
    await expect
      .poll(() => readdirSync(join(runtime, "labs")).filter((f) => f.startsWith(id)), {
        timeout: 5000,
      })
      .toEqual([]);
  } finally {
    child.kill("SIGKILL");
  }
});

test("after kill -9 of `course test` in the middle of a lesson, nothing of its labs remains", async () => {
  const bin = join(import.meta.dirname, "../../dist/bin.js");
  const lessons = join(import.meta.dirname, "fixtures", "slow-course");
  const child = spawn(process.execPath, [bin, "--lessons", lessons, "test"], {
    stdio: "ignore",
    env: { ...process.env, COURSE_RUNTIME_DIR: runtime, COURSE_STATE_DIR: join(runtime, "state") },
  });
  try {
    await expect
      .poll(() => hostProcesses(/sleep 5557$/).length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    const labs = () =>
      readdirSync(join(runtime, "labs")).filter((f) => f.startsWith("slow-") && f.endsWith(".lab"));
    expect(labs().length).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await expect.poll(() => hostProcesses(/sleep 5557$/), { timeout: 5000 }).toEqual([]);
    await expect.poll(labs, { timeout: 5000 }).toEqual([]);
  } finally {
    child.kill("SIGKILL");
  }
}, 60_000);
