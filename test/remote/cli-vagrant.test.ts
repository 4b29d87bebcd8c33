import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { courseBin } from "../helpers/course-bin.js";
import {
  makeRemoteRecordsDir,
  removeRemoteRecordsDir,
  startSshd,
  type TestSshd,
} from "../helpers/sshd.js";
import { runTool } from "../helpers/tool.js";
import { standInVagrantProject } from "./stand-in-vagrant.js";

const FIXTURE = join(import.meta.dirname, "fixtures/course");

/**
 * End-to-end `--lab vagrant` with the built binary: only `vagrant` is a stand-in (it prints
 * recorded vagrant output and points at a real loopback sshd); everything after it is real.
 */
describe("course --lab vagrant (built binary, stand-in vagrant, real sshd)", () => {
  let sshd: TestSshd;
  let remote: string | undefined;
  let bin: string;
  let project: string;
  let state: string;
  let runtime: string;
  const calls = () => readFileSync(join(bin, "calls"), "utf8").trim().split("\n").filter(Boolean);
  const env = () => ({
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    COURSE_VAGRANT_DIR: project,
    COURSE_STATE_DIR: state,
    COURSE_RUNTIME_DIR: runtime,
    COURSE_REMOTE_RUNTIME_DIR: remote,
    NO_COLOR: "1",
  });
  const course = (args: string[], input?: string) => {
    const result = runTool(
      process.execPath,
      [courseBin, "--lessons", FIXTURE, "--lab", "vagrant", ...args],
      {
        input: input ?? "",
        env: env(),
        timeout: 120_000,
      },
    );
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(async () => {
    remote = makeRemoteRecordsDir();
    sshd = await startSshd({ users: true });
    // Like the real box: a non-root user with passwordless sudo.
    ({ bin, project } = standInVagrantProject(sshd));
    state = mkdtempSync(join(tmpdir(), "course-state-"));
    runtime = mkdtempSync(join(tmpdir(), "course-rt-"));
  });
  afterAll(async () => {
    if (sshd !== undefined) course(["reset", "two-namespaces"]);
    await sshd?.stop();
    for (const d of [bin, project, state, runtime]) rmSync(d, { recursive: true, force: true });
    removeRemoteRecordsDir(remote);
  });

  test("course --lab vagrant start: vagrant up with its progress, then the lesson in the VM", async () => {
    // script(1) gives course the terminal a learner has; stop once the first prompt shows.
    const child = spawn(
      "script",
      [
        "-qec",
        `'${process.execPath}' '${courseBin}' --lessons '${FIXTURE}' --lab vagrant start`,
        "/dev/null",
      ],
      { env: env(), stdio: ["pipe", "pipe", "pipe"], detached: true },
    );
    let out = "";
    const prompted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        out += c;
        if (out.includes("what next?")) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on("exit", () => resolve(false));
    });
    process.kill(-(child.pid as number), "SIGKILL");
    expect(prompted).toBe(true);
    expect(out).toMatch(/the lab VM has not been created yet.*`vagrant up`/);
    expect(out).toContain("==> default: Booting VM...");
    expect(out).toMatch(/Lab ready: vagrant lab: sandbox lab on ssh:\/\/ct-sudo-\w+@127.0.0.1/);
    expect(out).toContain("Step 1 of 2: Create two namespaces");
    expect(calls()).toEqual(["status --machine-readable", "up", "ssh-config"]);
  });

  test("course shell -c in the VM: as root, exit status passed through", () => {
    const result = course(["shell", "two-namespaces", "-c", "id -u; hostname; exit 3"]);
    expect(result.stdout).toBe("0\ntwo-namespaces\n");
    expect(result.code).toBe(3);
  });

  test("later commands find the VM up and never wait for vagrant", () => {
    writeFileSync(join(bin, "calls"), "");
    const run = course(["run", "two-namespaces"]);
    expect(run.code).toBe(0);
    const verify = course(["verify", "two-namespaces"]);
    expect(verify.code).toBe(0);
    expect(verify.stderr).not.toContain("vagrant up");
    expect(calls()).toEqual([]);
  });

  test("course test proves the lesson in the VM", () => {
    const result = course(["test"]);
    expect(result.stdout).toMatch(/1 lesson: 1 passed, 0 failed/);
    expect(result.code).toBe(0);
  });

  test("vagrant missing: exit 4 with what to install", () => {
    const fresh = mkdtempSync(join(tmpdir(), "course-rt-"));
    const result = runTool(
      process.execPath,
      [courseBin, "--lessons", FIXTURE, "--lab", "vagrant", "verify", "two-namespaces"],
      {
        env: {
          ...process.env,
          // No vagrant there (this machine may have one in /usr/bin: the VM test uses it).
          PATH: fresh,
          COURSE_VAGRANT_DIR: project,
          COURSE_STATE_DIR: state,
          COURSE_RUNTIME_DIR: fresh,
        },
      },
    );
    rmSync(fresh, { recursive: true, force: true });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/`vagrant` is not installed/);
    expect(result.stderr).toMatch(/install Vagrant/);
  });
});
