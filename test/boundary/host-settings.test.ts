/**
 * The same starting state on every host: with the host's ip_forward at 1 (a Docker or libvirt
 * host), a lab still starts at the kernel's defaults and the whole shipped course passes. The
 * one sanctioned change to this machine: ip_forward is set for the run and restored at once
 * (in `finally`, and again in afterAll should the test itself be killed mid-way).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import { course, isolatedEnv } from "../instructor/run-course.js";

const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";
const saved = readFileSync(IP_FORWARD, "utf8").trim();
const { env, cleanup } = isolatedEnv();
afterAll(() => {
  writeFileSync(IP_FORWARD, `${saved}\n`);
  cleanup();
});

describe("a host with ip_forward=1", { timeout: 600_000 }, () => {
  test("labs start with ip_forward=0 and `course test` of the whole course passes", async () => {
    expect(process.getuid?.(), "sets a host sysctl: runs as root (npm test in CI)").toBe(0);
    let lab: Awaited<ReturnType<typeof course>>;
    let run: Awaited<ReturnType<typeof course>>;
    try {
      writeFileSync(IP_FORWARD, "1\n");
      lab = await course(["shell", "7", "-c", "sysctl -n net.ipv4.ip_forward"], env);
      run = await course(["test", "lessons", "--jobs", "2"], env);
    } finally {
      writeFileSync(IP_FORWARD, `${saved}\n`);
      await course(["reset", "--all"], env);
    }
    expect(lab.stdout, `${lab.stdout}\n${lab.stderr}`).toBe("0\n");
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/\d+ lessons: \d+ passed, 0 failed/);
  });
});
