/**
 * A lab's limits: their defaults and overrides, and a command that hits one is told which limit
 * it hit and how to raise it (real labs, as root; test/boundary tries them as a user too).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
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
    expect(labLimits({})).toEqual({ tmpfsSize: "64m", processLimit: 512, memoryLimit: "512m" });
    expect(
      labLimits({ COURSE_LAB_TMPFS: "1G", COURSE_LAB_PROCS: "2048", COURSE_LAB_MEMORY: "2G" }),
    ).toEqual({ tmpfsSize: "1g", processLimit: 2048, memoryLimit: "2g" });
    expect(() => labLimits({ COURSE_LAB_MEMORY: "1m" })).toThrow(/COURSE_LAB_MEMORY/);
    expect(() => labLimits({ COURSE_LAB_MEMORY: "lots" })).toThrow(UsageError);
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

describe("the lab's memory limit", () => {
  test("a command allocating past it is stopped and told which limit; the cgroup goes with the lab", async () => {
    const root = process.getuid?.() === 0;
    const { lab } = await openSandboxLab({
      spec: { kind: "sandbox" },
      key: "limits#memory",
      label: "limits-memory",
      persistent: false,
      runtimeDir,
      transport: localTransport(process.env),
      env: process.env,
      privileged: root,
      subordinateIds: !root,
      memoryLimit: "64m",
    });
    const record = readFileSync(join(runtimeDir, "labs", `${lab.id}.lab`), "utf8");
    const cgroup = /^cgroup=(.*)$/m.exec(record)?.[1] ?? "";
    try {
      if (root) {
        // As root: a memory cgroup of the lab's own, limited, which lab commands join.
        expect(cgroup).toMatch(/^\/sys\/fs\/cgroup\/.*course.*/);
        const limit = existsSync(`${cgroup}/memory.max`) ? "memory.max" : "memory.limit_in_bytes";
        expect(readFileSync(`${cgroup}/${limit}`, "utf8").trim()).toBe(String(64 * 2 ** 20));
        const own = cgroup.replace(/^\/sys\/fs\/cgroup\/(memory|unified)?/, "");
        // Through a persistent shell and through a process of its own (a command with input).
        const inside = await lab.exec("cat /proc/self/cgroup");
        expect(inside.stdout).toContain(own);
        const spawned = await lab.exec("cat /proc/self/cgroup; cat", { input: "in\n" });
        expect(spawned.stdout).toContain(own);
        expect(spawned.stdout).toContain("in\n");
        // Nothing else stays in it (the process that made the lab left it): each of its
        // processes is in the lab's PID namespace, or the nsenter that entered it for a shell.
        const holder = /^pid=(\d+)$/m.exec(record)?.[1];
        const labPids = readlinkSync(`/proc/${holder}/ns/pid`);
        const procs = readFileSync(`${cgroup}/cgroup.procs`, "utf8").trim().split("\n");
        expect(procs).toContain(String(holder));
        for (const pid of procs) {
          try {
            const ns = readlinkSync(`/proc/${pid}/ns/pid`);
            const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
            expect(ns === labPids || comm === "nsenter", `${pid} (${comm}) in the cgroup`).toBe(
              true,
            );
          } catch (error) {
            // Ended since.
            if (existsSync(`/proc/${pid}`)) throw error;
          }
        }
      }
      const big = await lab.exec(
        `python3 -c 'b = bytearray(256 * 1024 * 1024); print("allocated")'`,
        {
          timeout: 60,
        },
      );
      expect(big.exitCode).not.toBe(0);
      expect(big.stdout).toBe("");
      expect(big.stderr).toContain(
        "course: the lab reached its memory limit of 64m; raise it with COURSE_LAB_MEMORY=2g",
      );
      // The lab (and the host) carry on: a small allocation still works.
      const small = await lab.exec(`python3 -c 'b = bytearray(8 * 1024 * 1024); print("ok")'`);
      expect(small).toMatchObject({ exitCode: 0, stdout: "ok\n" });
    } finally {
      await lab.destroy();
    }
    if (root) expect(existsSync(cgroup)).toBe(false);
    expect(existsSync(join(runtimeDir, "labs", `${lab.id}.lab`))).toBe(false);
  }, 120_000);
});

describe("the interactive lab shell", () => {
  test("says which limit a command reached, as commands run by course do", () => {
    const repo = join(import.meta.dirname, "../..");
    const dir = mkdtempSync(join(tmpdir(), "course-lab-limits-shell-"));
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      TERM: "dumb",
      COURSE_RUNTIME_DIR: join(dir, "rt"),
      COURSE_STATE_DIR: join(dir, "state"),
      COURSE_LAB_TMPFS: "2m",
      COURSE_LAB_MEMORY: "64m",
      NO_COLOR: "1",
    };
    const course = [process.execPath, join(repo, "dist/bin.js")];
    const lessons = ["--lessons", join(repo, "test/lab/fixtures/course")];
    try {
      // script(1) gives course a terminal, as a learner's would be: the shell is interactive.
      const typed = [
        "head -c 3m /dev/zero > /tmp/big",
        "false",
        `python3 -c 'b = bytearray(256 << 20)'`,
        "exit",
      ];
      const r = spawnSync(
        "script",
        ["-qec", [...course, ...lessons, "shell", "plain"].join(" "), "/dev/null"],
        { input: `${typed.join("\n")}\n`, encoding: "utf8", env, timeout: 60_000 },
      );
      const out = r.stdout.replaceAll("\r", "");
      const tmpfs =
        "course: a filesystem of the lab is full (each of its tmpfs holds 2m); raise it with COURSE_LAB_TMPFS=1g";
      // Said once when the tmpfs became full, not again after `false`.
      expect(out.split(tmpfs).length - 1).toBe(1);
      if (process.getuid?.() === 0) {
        expect(out).toContain(
          "course: killed (SIGKILL), as by the lab's memory limit of 64m; raise it with COURSE_LAB_MEMORY=2g",
        );
      }
    } finally {
      spawnSync(course[0] as string, [...course.slice(1), ...lessons, "reset", "--all"], { env });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
