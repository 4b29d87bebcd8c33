/**
 * `course shell N -c CMD` with a pipe or a file on standard input, as `ssh host CMD` treats it:
 * the command starts at once, stdin is streamed to it as it arrives, and the command's end ends
 * the run even when stdin never does. The built binary, on real labs: sandbox, host and ssh
 * (a real loopback sshd); the Lab API's streamed `input` in both sandbox exec modes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { localTransport } from "../../src/lab/local-transport.js";
import { openSandboxLab } from "../../src/lab/sandbox-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { CourseBin, courseBin } from "../helpers/course-bin.js";
import {
  makeRemoteRecordsDir,
  removeRemoteRecordsDir,
  startSshd,
  type TestSshd,
} from "../helpers/sshd.js";

const LESSONS = join(import.meta.dirname, "../lab/fixtures/course");
/** What "promptly" means on a shared, loaded machine: a run takes ~0.5 s when calm. */
const PROMPT_MS = 30_000;

const bin = new CourseBin({ prefix: "course-shell-stdin-", args: ["--lessons", LESSONS] });

/** A running `course` whose stdin is a pipe the test holds (and may never close). */
interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code when course exits; rejects after `PROMPT_MS`. */
  exit: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}, stdin: "pipe" | number = "pipe") {
  const child = spawn(process.execPath, [courseBin, "--lessons", LESSONS, ...args], {
    env: bin.env(env),
    stdio: [stdin, "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on("data", (b: Buffer) => {
    err += b.toString();
  });
  // The pipe stays open after course exits: a write after that must not fail the test.
  child.stdin?.on("error", () => {});
  const exit = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`course ${args.join(" ")} did not exit in ${PROMPT_MS} ms; stderr: ${err}`));
    }, PROMPT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  const running: Running = { child, stdout: () => out, stderr: () => err, exit };
  return running;
}

/** Resolves when `running` has printed `text` on stdout. */
async function printed(running: Running, text: string): Promise<void> {
  await expect.poll(running.stdout, { timeout: PROMPT_MS, interval: 50 }).toContain(text);
}

/**
 * The cases every lab kind must pass, with `args` choosing the lab (`--lab …`) and `lesson`
 * the lesson whose lab is used.
 */
function streamingCases(lesson: string, args: () => string[], env: () => Record<string, string>) {
  test("an open pipe that never closes: output and exit code arrive at once", async () => {
    const run = start([...args(), "shell", lesson, "-c", "read x; echo got $x; exit 3"], env());
    run.child.stdin?.write("hello\n");
    // Never ended: course must not wait for stdin's end, only for the command's.
    expect(await run.exit).toBe(3);
    expect(run.stdout()).toBe("got hello\n");
    run.child.stdin?.destroy();
  });

  test("stdin is streamed: the command reads the first line before the second is written", async () => {
    const run = start(
      [...args(), "shell", lesson, "-c", "read a; echo got $a; read b; echo got $b; wc -l"],
      env(),
    );
    run.child.stdin?.write("one\n");
    await printed(run, "got one\n");
    run.child.stdin?.end("two\nthree\nfour\n");
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toBe("got one\ngot two\n2\n");
  });

  test("a few MB of input reach the command whole", async () => {
    const data = randomBytes(3 * 1024 * 1024).toString("base64");
    const run = start([...args(), "shell", lesson, "-c", "sha256sum"], env());
    run.child.stdin?.end(data);
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toBe(`${createHash("sha256").update(data).digest("hex")}  -\n`);
  });
}

describe("course shell -c and its standard input (built binary)", () => {
  let dir: string;
  beforeAll(() => {
    expect(existsSync(courseBin)).toBe(true);
    bin.open();
    dir = mkdtempSync(join(tmpdir(), "course-shell-stdin-files-"));
  });
  afterAll(() => {
    const reset = bin.run(["reset", "--all"]);
    bin.run(["--lab", "host", "reset", "plain"]);
    bin.remove();
    rmSync(dir, { recursive: true, force: true });
    expect(reset.code).toBe(0);
  });

  describe("sandbox lab", () => {
    streamingCases(
      "plain",
      () => [],
      () => ({}),
    );

    test("`bash -s < script`: a file on stdin runs as a script, with its exit code", async () => {
      const script = join(dir, "script.sh");
      writeFileSync(script, "echo from-script\nhostname\nexit 5\n");
      const fd = openSync(script, "r");
      try {
        const run = start(["shell", "plain", "-c", "bash -s"], {}, fd);
        expect(await run.exit).toBe(5);
        expect(run.stdout()).toBe("from-script\nplain\n");
      } finally {
        closeSync(fd);
      }
    });

    test("`server &` with an open stdin: course returns, the server runs on", async () => {
      const run = start(["shell", "plain", "-c", "sleep 1037 & echo started"]);
      expect(await run.exit).toBe(0);
      expect(run.stdout()).toBe("started\n");
      run.child.stdin?.destroy();
      const still = bin.run(["shell", "plain", "-c", "pgrep -x sleep -a | grep -c 1037"]);
      expect(still.stdout).toBe("1\n");
    });
  });

  describe("host lab", () => {
    // Only reads and echoes: the host lab runs in this machine's own namespaces.
    streamingCases(
      "plain",
      () => ["--lab", "host"],
      () => ({}),
    );
  });

  describe("ssh lab (a real loopback sshd)", () => {
    let sshd: TestSshd | undefined;
    let remote: string | undefined;
    beforeAll(async () => {
      remote = makeRemoteRecordsDir();
      sshd = await startSshd();
    });
    afterAll(async () => {
      if (sshd !== undefined) {
        bin.run(["--lab", `ssh://root@127.0.0.1:${sshd.port}`, "reset", "plain"], {
          COURSE_SSH_OPTS: sshd.sshOpts,
          COURSE_REMOTE_RUNTIME_DIR: remote ?? "",
        });
      }
      await sshd?.stop();
      removeRemoteRecordsDir(remote);
    });
    streamingCases(
      "plain",
      () => ["--lab", `ssh://root@127.0.0.1:${sshd?.port}`],
      () => ({ COURSE_SSH_OPTS: sshd?.sshOpts ?? "", COURSE_REMOTE_RUNTIME_DIR: remote ?? "" }),
    );
  });
});

describe("Lab.exec with a stream as input", () => {
  // Made in beforeAll, not when the file is collected: a run that filters these tests out
  // must not leave the dir behind.
  let runtime = "";
  const labs: Lab[] = [];
  beforeAll(() => {
    runtime = mkdtempSync(join(tmpdir(), "course-shell-stdin-lab-"));
  });
  afterAll(async () => {
    for (const lab of labs) await lab.destroy();
    if (runtime !== "") rmSync(runtime, { recursive: true, force: true });
  });

  for (const execMode of ["server", "spawn"] as const) {
    test(`${execMode} mode: streamed as it comes, and the command's end ends the call`, async () => {
      const { lab } = await openSandboxLab({
        env: process.env,
        spec: { kind: "sandbox" },
        key: `stdin-${execMode}`,
        label: `stdin-${execMode}`,
        persistent: false,
        runtimeDir: runtime,
        transport: localTransport(process.env),
        privileged: true,
        subordinateIds: false,
        execMode,
      });
      labs.push(lab);
      const input = new PassThrough();
      const chunks: string[] = [];
      const result = lab.exec("read a; echo got $a; read b; echo got $b; exit 4", {
        input,
        onOutput: (chunk) => chunks.push(chunk),
      });
      input.write("one\n");
      await expect.poll(() => chunks.join(""), { timeout: PROMPT_MS }).toBe("got one\n");
      input.write("two\nnever read\n");
      // The input never ends; the call resolves with the command.
      expect(await result).toMatchObject({ exitCode: 4, stdout: "got one\ngot two\n" });
      // The lab's next command is not disturbed, and a string input still works.
      expect(await lab.exec("cat", { input: "plain string\n" })).toMatchObject({
        exitCode: 0,
        stdout: "plain string\n",
      });
    });
  }
});
