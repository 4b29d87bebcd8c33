import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { labPidNamespace, processesIn } from "../helpers/lab-processes.js";
import { ensureLabUser, labUserDir, labUserRoot, runAsLabUser } from "../helpers/lab-user.js";
import { runTool } from "../helpers/tool.js";

const bin = join(import.meta.dirname, "../../dist/bin.js");
const lessons = join(import.meta.dirname, "fixtures", "course");
const dir = mkdtempSync(join(tmpdir(), "course-lab-cli-"));
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dir,
  COURSE_RUNTIME_DIR: join(dir, "rt"),
  COURSE_STATE_DIR: join(dir, "state"),
  NO_COLOR: "1",
};

function course(args: string[], extraEnv: Record<string, string> = {}) {
  const r = runTool(process.execPath, [bin, "--lessons", lessons, ...args], {
    env: { ...env, ...extraEnv },
    timeout: 60_000,
  });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("run `npm run build` first: these tests run dist/bin.js");
});
afterAll(() => {
  course(["reset", "--all"]);
  rmSync(dir, { recursive: true, force: true });
});

describe("course shell / reset (as root)", () => {
  test("shell -c on a terminal runs on a pty of the lab's own; in a pipe, on the pipe", () => {
    // script(1) gives course a terminal: the shell gets the lab's first pty, not the host's.
    const argv = [
      process.execPath,
      bin,
      "--lessons",
      lessons,
      "shell",
      "setup-lab",
      "-c",
      "tty; exit 3",
    ];
    const onTerminal = runTool(
      "script",
      ["-qec", argv.map((w) => `'${w}'`).join(" "), "/dev/null"],
      {
        env,
        timeout: 60_000,
      },
    );
    expect(onTerminal.stdout).toContain("/dev/pts/0\r\n");
    expect(onTerminal.code).toBe(3);
    expect(course(["shell", "setup-lab", "-c", "tty"])).toMatchObject({
      status: 1,
      stdout: "not a tty\n",
    });
  });

  test("shell -c runs in the lesson's lab, runs its setup once, and exits with the command's status", () => {
    const first = course([
      "shell",
      "setup-lab",
      "-c",
      "ip netns list; wc -l < /tmp/setup-marker; hostname",
    ]);
    expect(first).toMatchObject({ status: 0, stdout: "setupns\n1\nsetup-lab\n" });
    const again = course(["shell", "1", "-c", "wc -l < /tmp/setup-marker; exit 7"]);
    expect(again).toMatchObject({ status: 7, stdout: "1\n" });
    // Plain bash -c semantics, not -e: the learner's one-liner runs to its end.
    expect(course(["shell", "setup-lab", "-c", "false; echo still"])).toMatchObject({
      status: 0,
      stdout: "still\n",
    });
  });

  test("a failing setup is a lab error naming the fence, and leaves no lab behind", () => {
    const r = course(["shell", "broken-setup", "-c", "true"]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(
      /the setup of lesson `broken-setup` failed at .*03-broken-setup\.md:10: exit status 1/,
    );
    const labs = readdirSync(join(env.COURSE_RUNTIME_DIR, "labs")).filter((f) =>
      f.startsWith("broken-setup"),
    );
    expect(labs.filter((f) => f.endsWith(".lab"))).toEqual([]);
  });

  test("no leaks: `shell -c 'sleep 1000 &'` returns, and `reset` ends it", async () => {
    const started = performance.now();
    const r = course(["shell", "plain", "-c", "sleep 1000 & echo started"]);
    expect(r).toMatchObject({ status: 0, stdout: "started\n" });
    expect(performance.now() - started).toBeLessThan(10_000);
    const ns = labPidNamespace(env.COURSE_RUNTIME_DIR, "plain-");
    await expect.poll(() => processesIn(ns), { timeout: 3000 }).toContain("sleep 1000");
    const reset = course(["reset", "plain"]);
    expect(reset).toMatchObject({
      status: 0,
      stdout: "reset the lab of plain: the next command starts a fresh one\n",
    });
    await expect.poll(() => processesIn(ns), { timeout: 3000 }).toEqual([]);
    expect(
      readdirSync(join(env.COURSE_RUNTIME_DIR, "labs")).filter(
        (f) => f.startsWith("plain") && f.endsWith(".lab"),
      ),
    ).toEqual([]);
    // The next command starts a fresh lab (setup runs again).
    expect(course(["reset", "plain"]).stdout).toBe("plain had no lab to reset\n");
  });

  test("reset --all ends every lab; reset needs a lesson or --all", async () => {
    course(["shell", "plain", "-c", "sleep 1001 &"]);
    course(["shell", "setup-lab", "-c", "sleep 1002 &"]);
    const namespaces = [
      labPidNamespace(env.COURSE_RUNTIME_DIR, "plain-"),
      labPidNamespace(env.COURSE_RUNTIME_DIR, "setup-lab-"),
    ];
    await expect
      .poll(() => namespaces.flatMap(processesIn), { timeout: 3000 })
      .toEqual(expect.arrayContaining(["sleep 1001", "sleep 1002"]));
    const r = course(["reset", "--all"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^reset 2 labs: /);
    await expect.poll(() => namespaces.flatMap(processesIn), { timeout: 3000 }).toEqual([]);
    expect(course(["reset"])).toMatchObject({ status: 2 });
  });

  test("an unknown --lab is a usage error", () => {
    const r = course(["--lab", "docker", "shell", "plain", "-c", "true"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown lab "docker": expected sandbox, host, vagrant or ssh/);
  });

  test("--lab host runs in this machine's own namespaces, with a warning (read-only commands only)", () => {
    const r = course(["--lab", "host", "shell", "plain", "-c", "hostname"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${hostname()}\n`);
    expect(r.stderr).toMatch(
      /warning: the `host` lab runs lesson commands in this machine's own network namespaces/,
    );
    course(["--lab", "host", "reset", "plain"]);
  });

  test("doctor --json says this machine can run labs", () => {
    const r = course(["doctor", "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; status: string }>;
    };
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === "sandbox lab")?.status).toBe("ok");
  });
});

describe("course shell / reset (unprivileged)", () => {
  let userDir: string;
  let userEnv: Record<string, string>;
  let tree: { root: string; cleanup: () => void };
  let userBin: string;
  let userLessons: string;
  beforeAll(() => {
    userDir = labUserDir(ensureLabUser());
    tree = labUserRoot(join(import.meta.dirname, "../.."));
    userBin = join(tree.root, "dist", "bin.js");
    userLessons = join(tree.root, "test", "lab", "fixtures", "course");
    userEnv = {
      HOME: userDir,
      COURSE_RUNTIME_DIR: join(userDir, "rt"),
      COURSE_STATE_DIR: join(userDir, "state"),
      NO_COLOR: "1",
    };
  });
  afterAll(() => {
    runAsLabUser(["node", userBin, "--lessons", userLessons, "reset", "--all"], userEnv);
    rmSync(userDir, { recursive: true, force: true });
    tree.cleanup();
  });

  test("shell -c, setup, background process and reset as a user without root", async () => {
    const run = (args: string[]) =>
      runAsLabUser(["node", userBin, "--lessons", userLessons, ...args], userEnv);
    expect(
      run(["shell", "setup-lab", "-c", "id -u; ip netns list; wc -l < /tmp/setup-marker"]),
    ).toMatchObject({
      status: 0,
      stdout: "0\nsetupns\n1\n",
    });
    expect(run(["shell", "setup-lab", "-c", "sleep 1000 & exit 3"])).toMatchObject({ status: 3 });
    const ns = labPidNamespace(userEnv.COURSE_RUNTIME_DIR ?? "", "setup-lab-");
    await expect.poll(() => processesIn(ns), { timeout: 3000 }).toContain("sleep 1000");
    expect(run(["reset", "setup-lab"])).toMatchObject({ status: 0 });
    await expect.poll(() => processesIn(ns), { timeout: 3000 }).toEqual([]);
  });

  test("doctor as a user", () => {
    const r = runAsLabUser(["node", userBin, "doctor", "--json"], userEnv);
    const report = JSON.parse(r.stdout) as { checks: Array<{ name: string; status: string }> };
    expect(report.checks.find((c) => c.name === "subordinate ids")?.status).toBe("ok");
    expect(report.checks.find((c) => c.name === "sandbox lab")?.status).toBe("ok");
  });
});
