import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openSshLab } from "../../src/lab/ssh-lab.js";
import { SshTransport } from "../../src/lab/ssh-transport.js";
import type { Lab } from "../../src/lab/types.js";
import {
  makeRemoteRecordsDir,
  removeRemoteRecordsDir,
  startSshd,
  type TestSshd,
} from "../helpers/sshd.js";
import { tool } from "../helpers/tool.js";

describe("the ssh lab: the sandbox lab on a machine reached over ssh", () => {
  let sshd: TestSshd;
  let remote: string | undefined;
  let runtime: string;
  const labs: Lab[] = [];
  const transports: SshTransport[] = [];
  const open = async (user: string, key: string, persistent = true) => {
    const opened = await openSshLab({
      spec: { kind: "ssh", target: `${user}@127.0.0.1:${sshd.port}` },
      key,
      label: key,
      persistent,
      runtimeDir: runtime,
      env: { ...process.env, COURSE_SSH_OPTS: sshd.sshOpts, COURSE_REMOTE_RUNTIME_DIR: remote },
    });
    labs.push(opened.lab);
    return opened;
  };
  const hostNetns = () => tool("ip", ["netns", "list"]);

  beforeAll(async () => {
    remote = makeRemoteRecordsDir();
    sshd = await startSshd({ users: true });
    runtime = mkdtempSync(join(tmpdir(), "course-rt-"));
  });
  afterAll(async () => {
    for (const lab of labs) await lab.destroy().catch(() => {});
    for (const user of ["root", sshd?.sudoUser]) {
      if (user === undefined) continue;
      const t = new SshTransport({
        env: process.env,
        target: { user, host: "127.0.0.1", port: sshd.port },
        options: sshd.clientOptions,
        runtimeDir: runtime,
      });
      transports.push(t);
    }
    for (const t of transports) await t.stopMaster();
    await sshd?.stop();
    rmSync(runtime, { recursive: true, force: true });
    removeRemoteRecordsDir(remote);
  });

  test("as root: a persistent lab is created, found again by a later run, then destroyed", async () => {
    const before = hostNetns();
    const first = await open("root", "ssh-root-lesson");
    expect(first.created).toBe(true);
    expect(first.lab.kind).toBe("ssh");
    expect(first.lab.description).toMatch(/sandbox lab on ssh:\/\/root@127.0.0.1:\d+ \(as root\)/);
    const made = await first.lab.exec("ip netns add ns1\nip netns list\nhostname\nid -u");
    expect(made).toMatchObject({ exitCode: 0, timedOut: false });
    expect(made.stdout).toBe("ns1\nssh-root-lesson\n0\n");
    // The namespace lives in the lab, not on the machine.
    expect(hostNetns()).toBe(before);
    await first.lab.close();

    const again = await open("root", "ssh-root-lesson");
    expect(again.created).toBe(false);
    expect((await again.lab.exec("ip netns list")).stdout).toBe("ns1\n");
    const failed = await again.lab.exec("echo out; echo err >&2; exit 3");
    expect(failed).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    await again.lab.destroy();

    const fresh = await open("root", "ssh-root-lesson");
    expect(fresh.created).toBe(true);
    expect((await fresh.lab.exec("ip netns list")).stdout).toBe("");
    await fresh.lab.destroy();
  });

  test("through passwordless sudo: the same lab, as root", async () => {
    const { lab, created } = await open(sshd.sudoUser as string, "ssh-sudo-lesson");
    expect(created).toBe(true);
    const r = await lab.exec("id -u; ip link add br0 type bridge; ip -br link show br0");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^0\nbr0 +DOWN/);
    await lab.destroy();
  });

  test("exec semantics hold over ssh: timeouts, servers started with &, background fences", async () => {
    const { lab } = await open("root", "ssh-exec", false);
    const started = performance.now();
    const slow = await lab.exec("sleep 100", { timeout: 1 });
    expect(slow.timedOut).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
    const server = await lab.exec("sleep 1000 &\necho started");
    expect(server).toMatchObject({ exitCode: 0, stdout: "started\n" });
    const bg = await lab.exec("echo from-the-background; sleep 1000", { background: true });
    expect(bg.exitCode).toBe(0);
    // The lab is still usable, and both sleeps live in it (and end with it). The background
    // fence is detached: give its shell a moment to reach its `sleep`.
    const count = await lab.exec(
      'for i in $(seq 50); do [ "$(pgrep -c -x sleep)" = 2 ] && break; sleep 0.1; done; pgrep -c -x sleep',
    );
    expect(count.stdout.trim()).toBe("2");
    await lab.close();
  });

  test("an ephemeral lab ends with its handle", async () => {
    const { lab } = await open("root", "ssh-ephemeral", false);
    const pid = (await lab.exec("echo $$")).stdout.trim();
    expect(pid).toMatch(/^\d+$/);
    await lab.close();
    expect(readdirSync(`${remote}/labs`).filter((f) => f.startsWith(lab.id))).toEqual([]);
  });

  test("a killed master between runs: the next run finds the same lab, unaware", async () => {
    const first = await open("root", "ssh-killed-master");
    await first.lab.exec("ip netns add kept");
    await first.lab.close();
    const t = new SshTransport({
      env: process.env,
      target: { user: "root", host: "127.0.0.1", port: sshd.port },
      options: splitOpts(sshd.sshOpts),
      runtimeDir: runtime,
    });
    const check = tool("sh", [
      "-c",
      `ssh -o ControlPath='${t.controlPath}' -O check 127.0.0.1 2>&1`,
    ]);
    const pid = Number(/pid=(\d+)/.exec(check)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    const again = await open("root", "ssh-killed-master");
    expect(again.created).toBe(false);
    expect((await again.lab.exec("ip netns list")).stdout).toBe("kept\n");
    await again.lab.destroy();
  });

  test("kill -9 of the process holding an ephemeral lab ends the lab on the remote", async () => {
    const dist = join(import.meta.dirname, "../../dist/lab/open-lab.js");
    const script = `
      import { openLab } from ${JSON.stringify(dist)};
      const { lab } = await openLab({
        spec: { kind: "ssh", target: "root@127.0.0.1:${sshd.port}" }, env: process.env,
        key: "ssh-kill9", label: "ssh-kill9", persistent: false, runtimeDir: ${JSON.stringify(runtime)},
      });
      await lab.exec("sleep 1000 >/dev/null 2>&1 &");
      console.log(lab.id);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, COURSE_SSH_OPTS: sshd.sshOpts, COURSE_REMOTE_RUNTIME_DIR: remote },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const id = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8").once("data", (c: string) => resolve(c.trim()));
        child.once("exit", (code) => reject(new Error(`the lab holder exited early (${code})`)));
      });
      const record = readFileSync(`${remote}/labs/${id}.lab`, "utf8");
      const holder = Number(/^pid=(\d+)$/m.exec(record)?.[1]);
      expect(existsSync(`/proc/${holder}`)).toBe(true);
      child.kill("SIGKILL");
      const end = Date.now() + 10_000;
      // The record is removed just after the holder exits (by its launcher): wait for both.
      const gone = () => !existsSync(`/proc/${holder}`) && !existsSync(`${remote}/labs/${id}.lab`);
      while (!gone() && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(existsSync(`/proc/${holder}`)).toBe(false);
      expect(existsSync(`${remote}/labs/${id}.lab`)).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("its sandbox never offers docker: the engine's docker0 lives in the machine's own namespaces", async () => {
    // Lessons that need docker run in the Vagrant VM's own namespaces (test/remote/docker-vm.test.ts).
    const { lab } = await open("root", "ssh-caps", false);
    expect(await lab.capabilities()).toEqual({ docker: false });
    await lab.close();
  });
});

/** The test's COURSE_SSH_OPTS as words (no quoting needed: temp paths have no spaces). */
function splitOpts(text: string): string[] {
  return text.split(" ").filter((w) => w !== "");
}
