import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LabError } from "../../src/errors.js";
import type { Lab } from "../../src/lab/types.js";
import { openVagrantLab, vagrantTransport } from "../../src/lab/vagrant-lab.js";
import {
  makeRemoteRecordsDir,
  removeRemoteRecordsDir,
  startSshd,
  type TestSshd,
} from "../helpers/sshd.js";
import { standInVagrantProject } from "./stand-in-vagrant.js";

describe("the vagrant lab with a stand-in vagrant and a real sshd", () => {
  let sshd: TestSshd;
  let remote: string | undefined;
  let bin: string;
  let project: string;
  let runtime: string;
  const labs: Lab[] = [];
  const env = () => ({
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    COURSE_REMOTE_RUNTIME_DIR: remote,
  });
  const calls = () => readFileSync(join(bin, "calls"), "utf8").trim().split("\n").filter(Boolean);
  const base = (key: string) => ({
    spec: { kind: "vagrant" as const },
    key,
    label: key,
    persistent: true,
    runtimeDir: runtime,
    dir: project,
  });

  beforeAll(async () => {
    remote = makeRemoteRecordsDir();
    sshd = await startSshd({ users: true });
    ({ bin, project } = standInVagrantProject(sshd));
    runtime = mkdtempSync(join(tmpdir(), "course-rt-"));
  });
  afterAll(async () => {
    for (const lab of labs) await lab.destroy().catch(() => {});
    await sshd?.stop();
    for (const d of [bin, project, runtime]) rmSync(d, { recursive: true, force: true });
    removeRemoteRecordsDir(remote);
  });

  test("a VM not yet created: vagrant up runs with its progress shown, then the lab works", async () => {
    const progress: string[] = [];
    const { lab, created } = await openVagrantLab({
      ...base("vagrant-lesson"),
      env: env(),
      progress: (line) => progress.push(line),
    });
    labs.push(lab);
    expect(created).toBe(true);
    expect(lab.kind).toBe("vagrant");
    expect(lab.description).toMatch(
      /^vagrant lab: sandbox lab on ssh:\/\/ct-sudo-\w+@127.0.0.1:\d+/,
    );
    expect(calls()).toEqual(["status --machine-readable", "up", "ssh-config"]);
    expect(progress[0]).toMatch(/the lab VM has not been created yet.*running `vagrant up`/);
    expect(progress).toContain("  ==> default: Booting VM...");
    expect(progress.at(-1)).toBe("  ==> default: Machine 'default' has a post-up message");
    const r = await lab.exec("id -u; ip netns add ns1; ip netns list");
    expect(r).toMatchObject({ exitCode: 0, stdout: "0\nns1\n" });
    await lab.close();
  });

  test("a later run with the VM up asks vagrant nothing: the cached ssh settings suffice", async () => {
    writeFileSync(join(bin, "calls"), "");
    const { lab, created } = await openVagrantLab({ ...base("vagrant-lesson"), env: env() });
    labs.push(lab);
    expect(created).toBe(false);
    expect(calls()).toEqual([]);
    expect((await lab.exec("ip netns list")).stdout).toBe("ns1\n");
    await lab.destroy();
  });

  test("vagrant not installed: a LabError that says what to install", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "course-rt-"));
    const error = await vagrantTransport({
      ...base("vagrant-missing"),
      runtimeDir: fresh,
      env: { ...process.env, PATH: "/nonexistent" },
    }).catch((e: unknown) => e);
    rmSync(fresh, { recursive: true, force: true });
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toMatch(/`vagrant` is not installed/);
    expect((error as LabError).hint).toMatch(/developer.hashicorp.com\/vagrant/);
    expect((error as LabError).exitCode).toBe(4);
  });

  test("vagrant up fails: its last words and the fix", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "course-rt-"));
    writeFileSync(join(bin, "state"), "poweroff\n");
    writeFileSync(join(bin, "fail-up"), "");
    try {
      const progress: string[] = [];
      const error = await vagrantTransport({
        ...base("vagrant-up-fails"),
        runtimeDir: fresh,
        env: env(),
        progress: (l) => progress.push(l),
      }).catch((e: unknown) => e);
      expect(progress[0]).toMatch(/the lab VM is poweroff: running `vagrant up`/);
      expect(error).toBeInstanceOf(LabError);
      expect((error as LabError).message).toBe("vagrant lab: `vagrant up` failed (exit 1)");
      expect((error as LabError).hint).toMatch(/vagrant: VirtualBox is complaining/);
    } finally {
      rmSync(join(bin, "fail-up"));
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test("the VM is not running (no ssh address): says so, with `vagrant up`", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "course-rt-"));
    writeFileSync(join(bin, "state"), "running\n");
    writeFileSync(join(bin, "no-ssh"), "");
    try {
      const error = await vagrantTransport({
        ...base("vagrant-no-ssh"),
        runtimeDir: fresh,
        env: env(),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabError);
      expect((error as LabError).message).toMatch(/the VM is not running/);
      expect((error as LabError).hint).toMatch(/`vagrant up`.*\n.*not yet ready for SSH/s);
    } finally {
      rmSync(join(bin, "no-ssh"));
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
