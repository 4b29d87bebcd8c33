/**
 * A lab's limits: their defaults and overrides, and a command that hits one is told which limit
 * it hit and how to raise it (real labs, as root; test/boundary tries them as a user too).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { UsageError } from "../../src/errors.js";
import { localTransport } from "../../src/lab/local-transport.js";
import { labLimits, openSandboxLab } from "../../src/lab/sandbox-lab.js";

const runtimeDir = mkdtempSync(join(tmpdir(), "course-lab-limits-"));
afterAll(() => rmSync(runtimeDir, { recursive: true, force: true }));

describe("labLimits", () => {
  test("defaults, overrides from the environment, and bad values refused", () => {
    expect(labLimits({})).toEqual({ tmpfsSize: "64m", processLimit: 512 });
    expect(labLimits({ COURSE_LAB_TMPFS: "1G", COURSE_LAB_PROCS: "2048" })).toEqual({
      tmpfsSize: "1g",
      processLimit: 2048,
    });
    expect(() => labLimits({ COURSE_LAB_TMPFS: "lots" })).toThrow(UsageError);
    expect(() => labLimits({ COURSE_LAB_PROCS: "0" })).toThrow(UsageError);
    expect(() => labLimits({ COURSE_LAB_PROCS: "-5" })).toThrow(/COURSE_LAB_PROCS/);
  });
});

describe("a command that hits a limit", () => {
  test("is told which one and how to raise it", async () => {
    const root = process.getuid?.() === 0;
    const { lab } = await openSandboxLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: "limits#1",
      label: "limits",
      persistent: false,
      runtimeDir,
      transport: localTransport(process.env),
      privileged: root,
      subordinateIds: !root,
      processLimit: 40,
      tmpfsSize: "2m",
    });
    try {
      const full = await lab.exec("head -c 3m /dev/zero > /tmp/big", { timeout: 30 });
      expect(full.exitCode).not.toBe(0);
      expect(full.stderr).toContain("each of its tmpfs holds 2m); raise it with COURSE_LAB_TMPFS=");
      const etc = await lab.exec("head -c 3m /dev/zero > /etc/big", { timeout: 30 });
      expect(etc.stderr).toContain("No space left on device");
      const procs = await lab.exec("for i in $(seq 80); do sleep 30 & done", { timeout: 60 });
      expect(procs.exitCode).not.toBe(0);
      expect(procs.stderr).toContain(
        "course: the lab reached its limit of 40 processes; raise it with COURSE_LAB_PROCS=160",
      );
    } finally {
      await lab.destroy();
    }
  }, 120_000);
});
