import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Lab } from "../../src/lab/types.js";
import { openVagrantLab } from "../../src/lab/vagrant-lab.js";
import { courseBin } from "../helpers/course-bin.js";
import {
  makeRemoteRecordsDir,
  removeRemoteRecordsDir,
  startSshd,
  type TestSshd,
  withBindMounts,
} from "../helpers/sshd.js";
import { runTool } from "../helpers/tool.js";
import { standInVagrantProject } from "./stand-in-vagrant.js";

const FIX =
  "run it in the Vagrant VM (`course --lab vagrant …`), or inside a throwaway VM with Docker using `--lab host`";

/**
 * A stand-in for the Docker CLI and engine (there is none on this machine, and Docker is not
 * what is tested: where a lesson's lab runs is). It answers `docker info`, and keeps
 * "containers" as files in `state/` so that a lesson can make one and a check can see it.
 */
const STAND_IN_DOCKER = `#!/bin/sh
state="$(dirname "$0")/state"
case "$1" in
  info) echo "Server Version: stand-in"; exit 0 ;;
  run) shift; while [ "$1" != "--name" ]; do shift; done; touch "$state/$2"; echo "id-$2" ;;
  rm) shift; [ "$1" = -f ] && shift; for c in "$@"; do rm -f "$state/$c"; done ;;
  inspect) [ -e "$state/$4" ] && echo true || { echo "Error: No such object: $4" >&2; exit 1; } ;;
  *) echo "stand-in docker: unexpected: $*" >&2; exit 1 ;;
esac
`;

/** Needs docker; its commands and checks only read this machine's network (`link lo up`). */
const DOCKER_LESSON = `---
title: Docker where Docker is
needs: [docker]
---

The lab must be the Docker host itself.

\`\`\`sh setup
docker rm -f c1 >/dev/null 2>&1 || true
\`\`\`

## Start a container

\`\`\`sh
docker run -d --name c1 busybox sleep 86400
\`\`\`

\`\`\`check
run "docker info" stdout ~ /Server\\sVersion/
run "docker inspect -f {{.State.Running}} c1" stdout "true"
link lo up
\`\`\`
`;

/**
 * Lessons that need docker run where Docker really is: in the Vagrant VM's own namespaces
 * (stand-in vagrant, real loopback sshd standing in for the VM, with a stand-in `docker` bind-mounted on
 * its PATH in sshd's own mount namespace), and are refused by the sandbox and ssh labs.
 */
describe("needs: [docker] (built binary, stand-in vagrant and docker, real sshd)", () => {
  let sshd: TestSshd;
  let remote: string | undefined;
  let bin: string;
  let dockerDir: string;
  let noEngineDir: string;
  let project: string;
  let lessons: string;
  let state: string;
  let runtime: string;
  const labs: Lab[] = [];
  const env = () => ({
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    COURSE_VAGRANT_DIR: project,
    COURSE_STATE_DIR: state,
    COURSE_RUNTIME_DIR: runtime,
    COURSE_REMOTE_RUNTIME_DIR: remote,
    COURSE_SSH_OPTS: sshd.sshOpts,
    NO_COLOR: "1",
  });
  const course = (lab: string, args: string[]) => {
    const result = runTool(
      process.execPath,
      [courseBin, "--lessons", lessons, "--lab", lab, ...args],
      {
        input: "",
        env: env(),
        timeout: 120_000,
      },
    );
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  };
  /**
   * `course` on this machine with `dir` bind-mounted over /usr/local/bin (first on the lab's
   * PATH) in a mount namespace of its own: the host lab then sees that stand-in docker, and
   * this machine's files stay as they are.
   */
  const courseWith = (dir: string, lab: string, args: string[]) => {
    const [unshare = "", ...argv] = withBindMounts(
      [{ source: dir, target: "/usr/local/bin" }],
      [process.execPath, courseBin, "--lessons", lessons, "--lab", lab, ...args],
    );
    const result = runTool(unshare, argv, {
      input: "",
      env: env(),
      timeout: 120_000,
    });
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  };
  const sshLab = () => `ssh://root@127.0.0.1:${sshd.port}`;
  /** This machine's own network namespace, as the VM's sshd sees it: read, never changed. */
  const hostNet = () => readlinkSync(`/proc/${sshd.pid}/ns/net`);
  const containers = () => readdirSync(join(dockerDir, "state"));

  beforeAll(async () => {
    remote = makeRemoteRecordsDir();
    dockerDir = mkdtempSync(join(tmpdir(), "course-docker-"));
    chmodSync(dockerDir, 0o755);
    mkdirSync(join(dockerDir, "state"));
    writeFileSync(join(dockerDir, "docker"), STAND_IN_DOCKER, { mode: 0o755 });
    noEngineDir = mkdtempSync(join(tmpdir(), "course-docker-"));
    writeFileSync(
      join(noEngineDir, "docker"),
      "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n",
      { mode: 0o755 },
    );
    // Over the whole of /usr/local/bin (on the lab's PATH), seen only by sshd's sessions.
    sshd = await startSshd({
      users: true,
      bindMounts: [{ source: dockerDir, target: "/usr/local/bin" }],
    });
    // Like the real box: a non-root user with passwordless sudo.
    ({ bin, project } = standInVagrantProject(sshd));
    lessons = mkdtempSync(join(tmpdir(), "course-docker-lessons-"));
    state = mkdtempSync(join(tmpdir(), "course-state-"));
    runtime = mkdtempSync(join(tmpdir(), "course-rt-"));
    writeFileSync(join(lessons, "01-docker-info.md"), DOCKER_LESSON);
    // No needs: on the vagrant lab it still gets a sandbox (open without the lesson before).
    const plain = readFileSync(
      join(import.meta.dirname, "fixtures/course/01-two-namespaces.md"),
      "utf8",
    );
    writeFileSync(join(lessons, "02-plain.md"), plain.replace(/^---\n/, "---\nrequires: []\n"));
    // And the VM already up.
    writeFileSync(join(bin, "state"), "running\n");
  });
  afterAll(async () => {
    for (const lab of labs) await lab.destroy().catch(() => {});
    if (sshd !== undefined) course("vagrant", ["reset", "plain"]);
    await sshd?.stop();
    for (const d of [bin, dockerDir, noEngineDir, project, lessons, state, runtime]) {
      if (d !== undefined) rmSync(d, { recursive: true, force: true });
    }
    removeRemoteRecordsDir(remote);
  });

  test("the stand-in docker is seen by the VM's sessions only, not by this machine", () => {
    expect(existsSync(join(dockerDir, "docker"))).toBe(true);
    const here = runTool("sh", ["-c", "docker info"]);
    expect(here.stdout).not.toContain("stand-in");
  });

  test("vagrant lab: a lesson that needs docker runs in the VM's own network namespace", () => {
    const result = course("vagrant", ["shell", "docker-info", "-c", "readlink /proc/self/ns/net"]);
    expect(result.stderr).toContain("needs docker, so it runs in the VM's own namespaces");
    expect(result.stdout.trim()).toBe(hostNet());
    expect(result.code).toBe(0);
  });

  test("vagrant lab: a lesson without needs still gets a sandbox", () => {
    const result = course("vagrant", ["shell", "plain", "-c", "readlink /proc/self/ns/net"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^net:\[\d+\]$/);
    expect(result.stdout.trim()).not.toBe(hostNet());
  });

  test("vagrant lab: capabilities().docker is true in the VM's namespaces, false in its sandbox", async () => {
    const options = {
      spec: { kind: "vagrant" as const },
      persistent: false,
      runtimeDir: runtime,
      dir: project,
      env: env(),
    };
    const host = await openVagrantLab({
      ...options,
      key: "caps-docker",
      label: "caps",
      needs: ["docker"],
    });
    labs.push(host.lab);
    expect(host.lab.kind).toBe("vagrant");
    expect(host.lab.description).toMatch(/VM's own namespaces/);
    expect(await host.lab.capabilities()).toEqual({ docker: true });
    const sandbox = await openVagrantLab({ ...options, key: "caps-plain", label: "caps" });
    labs.push(sandbox.lab);
    expect(sandbox.lab.description).toMatch(/sandbox lab/);
    expect(await sandbox.lab.capabilities()).toEqual({ docker: false });
  });

  test("course test --lab vagrant passes the lesson that needs docker", () => {
    const result = course("vagrant", ["test"]);
    expect(result.stdout).toMatch(/docker-info .*passed|✓ docker-info/);
    expect(result.stdout).toMatch(/2 lessons: 2 passed, 0 failed/);
    expect(result.code).toBe(0);
  });

  test("course test --mutate --strict on the VM: mutants in its own namespaces take turns", () => {
    const result = course("vagrant", [
      "test",
      "--mutate",
      "--strict",
      "--jobs",
      "4",
      "docker-info",
    ]);
    expect(result.stdout).toMatch(/1 lesson: 1 passed, 0 failed/);
    expect(result.stdout).toMatch(/docker-info .*, 1 mutant in/);
    expect(result.code).toBe(0);
  });

  test("course run, verify, then reset: the VM's namespaces stay, the setup reruns idempotently", () => {
    expect(course("vagrant", ["reset", "docker-info"]).code).toBe(0);
    expect(course("vagrant", ["run", "docker-info"]).code).toBe(0);
    expect(containers()).toEqual(["c1"]);
    const verify = course("vagrant", ["verify", "docker-info"]);
    expect(verify.stdout).toMatch(/is complete|still passes/);
    expect(verify.code).toBe(0);
    const reset = course("vagrant", ["reset", "docker-info"]);
    expect(reset.stdout).toContain("reset the lab of docker-info");
    expect(reset.stdout).toMatch(/VM's own namespaces, which a reset cannot throw away/);
    expect(reset.code).toBe(0);
    // What the learner made persists until the setup runs again, which removes it by name.
    expect(containers()).toEqual(["c1"]);
    const again = course("vagrant", ["shell", "docker-info", "-c", "docker inspect -f x c1"]);
    expect(again.stderr).toContain("No such object: c1");
    expect(again.code).toBe(1);
    expect(containers()).toEqual([]);
    // `reset --all` forgets it too: the next command runs the setup again.
    expect(course("vagrant", ["run", "docker-info"]).code).toBe(0);
    expect(containers()).toEqual(["c1"]);
    expect(course("vagrant", ["reset", "--all"]).code).toBe(0);
    expect(course("vagrant", ["shell", "docker-info", "-c", "true"]).code).toBe(0);
    expect(containers()).toEqual([]);
  });

  test("host lab with Docker: the lesson runs as before, in this machine's own namespaces", () => {
    // Read-only here: the stand-in docker keeps its containers as files; `link lo up` reads.
    const shell = courseWith(dockerDir, "host", [
      "shell",
      "docker-info",
      "-c",
      "readlink /proc/self/ns/net",
    ]);
    expect(shell.stdout.trim()).toBe(readlinkSync("/proc/self/ns/net"));
    expect(shell.code).toBe(0);
    const result = courseWith(dockerDir, "host", ["test", "docker-info"]);
    expect(result.stdout).toContain("1 lesson: 1 passed, 0 failed");
    expect(result.code).toBe(0);
    expect(courseWith(dockerDir, "host", ["reset", "docker-info"]).stdout).toMatch(
      /machine's own namespaces, which a reset cannot throw away/,
    );
  });

  test("host lab without a Docker engine: skipped, or exit 4 with how to start Docker", () => {
    const test = courseWith(noEngineDir, "host", ["test", "docker-info"]);
    expect(test.stdout).toContain(
      "skipped: needs docker, and no Docker engine answers in this lab (`docker info` failed): start Docker there",
    );
    expect(test.code).toBe(0);
    const verify = courseWith(noEngineDir, "host", ["verify", "docker-info"]);
    expect(verify.stderr).toContain(
      "lesson `docker-info` needs docker, and no Docker engine answers",
    );
    expect(verify.stderr).toContain("Start Docker there (`sudo systemctl start docker`");
    expect(verify.code).toBe(4);
    // Refused before its setup ran: the next try starts afresh (the lab was forgotten).
    const after = courseWith(noEngineDir, "host", ["reset", "docker-info"]);
    expect(after.stdout).toContain("docker-info had no lab to reset");
  });

  for (const which of ["sandbox", "ssh"] as const) {
    const lab = () => (which === "sandbox" ? "sandbox" : sshLab());

    test(`${which} lab: course test skips the lesson that needs docker, with the fix`, () => {
      const result = course(lab(), ["test", "docker-info"]);
      expect(result.stdout).toContain(`01-docker-info.md) skipped: needs docker: ${FIX}`);
      expect(result.stdout).toContain("1 lesson: 0 passed, 0 failed, 1 skipped");
      expect(result.code).toBe(0);
    });

    for (const args of [
      ["verify", "docker-info"],
      ["shell", "docker-info", "-c", "true"],
      ["start", "docker-info"],
    ]) {
      test(`${which} lab: course ${args[0]} refuses it: exit 4, the reason and the fix, no stack`, () => {
        const result = course(lab(), args);
        expect(result.stderr).toContain("lesson `docker-info` needs docker:");
        expect(result.stderr).toContain(FIX.replace(/^r/, "R"));
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(result.code).toBe(4);
      });
    }
  }
});
