import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SshTransport } from "../../src/lab/ssh-transport.js";
import { courseBin, repoRoot } from "../helpers/course-bin.js";
import {
  makeRemoteRecordsDir,
  removeRemoteRecordsDir,
  startSshd,
  type TestSshd,
} from "../helpers/sshd.js";
import { runTool, tool } from "../helpers/tool.js";

const FIXTURE = join(import.meta.dirname, "fixtures/course");

/** End-to-end: the built `course` binary with `--lab ssh://…` against a real loopback sshd. */
describe("course over ssh (built binary, real sshd)", () => {
  let sshd: TestSshd;
  let remote: string | undefined;
  let state: string;
  let runtime: string;
  const lab = (user = "root") => `ssh://${user}@127.0.0.1:${sshd.port}`;
  /** The binary's dirs here and on the "remote", and how it reaches the test sshd. */
  const labEnv = () => ({
    ...process.env,
    COURSE_SSH_OPTS: sshd.sshOpts,
    COURSE_REMOTE_RUNTIME_DIR: remote,
    COURSE_STATE_DIR: state,
    COURSE_RUNTIME_DIR: runtime,
  });
  const course = (args: string[], options: { user?: string; lessons?: string } = {}) => {
    const result = runTool(
      process.execPath,
      [courseBin, "--lessons", options.lessons ?? FIXTURE, "--lab", lab(options.user), ...args],
      {
        env: { ...labEnv(), NO_COLOR: "1" },
        timeout: 120_000,
      },
    );
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  };
  const masterPid = () => {
    const t = new SshTransport({
      env: process.env,
      target: { user: "root", host: "127.0.0.1", port: sshd.port },
      options: sshd.clientOptions,
      runtimeDir: runtime,
    });
    const out = tool("sh", [
      "-c",
      `ssh -o ControlPath='${t.controlPath}' -O check 127.0.0.1 2>&1 || true`,
    ]);
    return Number(/pid=(\d+)/.exec(out)?.[1] ?? 0);
  };

  beforeAll(async () => {
    remote = makeRemoteRecordsDir();
    expect(existsSync(courseBin)).toBe(true);
    sshd = await startSshd({ users: true });
    state = mkdtempSync(join(tmpdir(), "course-state-"));
    runtime = mkdtempSync(join(tmpdir(), "course-rt-"));
  });
  afterAll(async () => {
    if (sshd !== undefined) course(["reset", "two-namespaces"]);
    await sshd?.stop();
    rmSync(state, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
    removeRemoteRecordsDir(remote);
  });

  test("course shell -c runs in the remote lab and passes its exit status through", () => {
    const ok = course(["shell", "two-namespaces", "-c", "ip netns add made-over-ssh; hostname"]);
    expect(ok.stderr).not.toMatch(/error/i);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("two-namespaces");
    const failed = course(["shell", "two-namespaces", "-c", "echo to-stderr >&2; exit 7"]);
    expect(failed.code).toBe(7);
    expect(failed.stderr).toContain("to-stderr");
    // The same lab again: what the first command made is still there.
    const again = course(["shell", "two-namespaces", "-c", "ip netns list"]);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain("made-over-ssh");
  });

  test("course shell on a terminal gets a real pty on the remote (ssh -t)", () => {
    // script(1) gives course a terminal, as a learner's would be.
    const inner = [process.execPath, courseBin, "--lessons", FIXTURE, "--lab", lab()]
      .concat(["shell", "two-namespaces", "-c", "tty; stty size; exit 5"])
      .map((w) => `'${w.replaceAll("'", `'\\''`)}'`)
      .join(" ");
    const result = runTool("script", ["-qec", `stty rows 30 cols 91; ${inner}`, "/dev/null"], {
      env: labEnv(),
      timeout: 60_000,
    });
    expect(result.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(result.stdout).toContain("30 91");
    expect(result.code).toBe(5);
  });

  test("a killed master between runs is replaced without the user noticing", () => {
    expect(course(["test"]).code).toBe(0);
    const before = masterPid();
    expect(before).toBeGreaterThan(0);
    process.kill(before, "SIGKILL");
    const after = course(["test"]);
    expect(after.stderr).toBe("");
    expect(after.stdout).toMatch(/1 lesson: 1 passed, 0 failed/);
    expect(after.code).toBe(0);
    const replaced = masterPid();
    expect(replaced).toBeGreaterThan(0);
    expect(replaced).not.toBe(before);
  });

  test("course verify over ssh: fails before the work, passes after it", () => {
    course(["reset", "two-namespaces"]);
    const before = course(["verify", "two-namespaces"]);
    expect(before.code).toBe(1);
    const run = course(["run", "two-namespaces"]);
    expect(run.code).toBe(0);
    const after = course(["verify", "two-namespaces"]);
    expect(after.stdout + after.stderr).not.toMatch(/✗/);
    expect(after.code).toBe(0);
  });

  test("course test proves the lesson over ssh", () => {
    const result = course(["test"]);
    expect(result.stdout).toMatch(/1 lesson: 1 passed, 0 failed/);
    expect(result.code).toBe(0);
  });

  test("the shipped course: every lesson that passes in the local sandbox passes over ssh", () => {
    const lessons = join(repoRoot, "lessons");
    const passed = (out: string) =>
      out
        .split("\n")
        .filter((l) => l.startsWith("✓ "))
        .map((l) => l.replace(/ [\d.]+ s$/, ""));
    const local = runTool(
      process.execPath,
      [courseBin, "--lessons", lessons, "--lab", "sandbox", "test"],
      {
        env: {
          ...process.env,
          COURSE_STATE_DIR: state,
          COURSE_RUNTIME_DIR: runtime,
          NO_COLOR: "1",
        },
        timeout: 300_000,
      },
    );
    const remote = course(["test"], { lessons });
    expect(passed(local.stdout).length).toBeGreaterThan(0);
    expect(passed(remote.stdout)).toEqual(expect.arrayContaining(passed(local.stdout)));
    if (local.code === 0) expect(remote.code).toBe(0);
  }, 600_000);

  test("course test over ssh through passwordless sudo", () => {
    const result = course(["test"], { user: sshd.sudoUser as string });
    expect(result.stdout).toMatch(/1 lesson: 1 passed, 0 failed/);
    expect(result.code).toBe(0);
  });

  test("course reset --all ends every persistent lab on the remote machine", () => {
    expect(course(["shell", "two-namespaces", "-c", "true"]).code).toBe(0);
    const records = () =>
      readdirSync(join(remote as string, "labs")).filter((f) => f.endsWith(".lab"));
    expect(records().length).toBeGreaterThan(0);
    const reset = course(["reset", "--all"]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/reset 1 lab: two-namespaces/);
    expect(records()).toEqual([]);
  });

  test("course doctor checks the remote machine: reachable, tools, a lab, docker", () => {
    const ok = course(["doctor"]);
    expect(ok.stdout).toMatch(/^ok {3}connection: ssh:\/\/root@127.0.0.1:\d+ reached as root/m);
    expect(ok.stdout).toMatch(/^ok {3}tools: perl, unshare, nsenter, flock, ip/m);
    expect(ok.stdout).toMatch(
      /^ok {3}lab: sandbox lab on ssh:\/\/root@127.0.0.1:\d+ \(as root\): created in \d+ ms/m,
    );
    expect(ok.stdout).toMatch(/^(ok {2}|warn) docker: /m);
    expect(ok.stdout).toMatch(/^(ok {2}|warn) lesson needs: (the kernel has|has|lacks) /m);
    expect(ok.code).toBe(0);
    const json = JSON.parse(course(["doctor", "--json"]).stdout) as { ok: boolean };
    expect(json.ok).toBe(true);
    const denied = course(["doctor"], { user: sshd.noSudoUser as string });
    expect(denied.stdout).toMatch(/^FAIL connection: .*sudo asks ct-nosudo-\w+ for a password/m);
    expect(denied.stdout).toMatch(/fix: .*sudo -n/);
    expect(denied.code).toBe(1);
  });

  test("sudo that asks for a password: exit 4 and how to allow it", () => {
    const result = course(["verify", "two-namespaces"], { user: sshd.noSudoUser as string });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/sudo asks ct-nosudo-\w+ for a password/);
    expect(result.stderr).toMatch(/NOPASSWD: ALL/);
  });

  test("nothing listening: exit 4, connection refused", () => {
    const result = runTool(
      process.execPath,
      [
        courseBin,
        "--lessons",
        FIXTURE,
        "--lab",
        "ssh://root@127.0.0.1:1",
        "verify",
        "two-namespaces",
      ],
      {
        env: {
          ...process.env,
          COURSE_SSH_OPTS: sshd.sshOpts,
          COURSE_REMOTE_RUNTIME_DIR: remote,
          COURSE_RUNTIME_DIR: runtime,
        },
      },
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/connection refused/);
    expect(result.stderr).toMatch(/sshd runs there: ssh -p 1 root@127.0.0.1 true/);
  });
});
