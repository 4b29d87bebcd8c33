import { existsSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LabError, UsageError } from "../../src/errors.js";
import { shellJoin } from "../../src/lab/shell-quote.js";
import { splitSshOptions } from "../../src/lab/split-ssh-options.js";
import { parseSshTarget, SshTransport } from "../../src/lab/ssh-transport.js";
import { startSshd, type TestSshd } from "../helpers/sshd.js";
import { tool } from "../helpers/tool.js";

describe("splitSshOptions", () => {
  test("splits like a shell: quotes, escapes, blanks", () => {
    expect(splitSshOptions("")).toEqual([]);
    expect(splitSshOptions("  -i KEY   -o StrictHostKeyChecking=accept-new ")).toEqual([
      "-i",
      "KEY",
      "-o",
      "StrictHostKeyChecking=accept-new",
    ]);
    expect(splitSshOptions(`-i '/my keys/id' -o "ProxyCommand=ssh -W %h:%p \\"jump\\""`)).toEqual([
      "-i",
      "/my keys/id",
      "-o",
      'ProxyCommand=ssh -W %h:%p "jump"',
    ]);
    expect(splitSshOptions(`a\\ b c''d "" ''`)).toEqual(["a b", "cd", "", ""]);
  });

  test("an unterminated quote is a usage error that names the variable", () => {
    expect(() => splitSshOptions(`-i 'KEY`)).toThrow(UsageError);
    expect(() => splitSshOptions(`-o "X`)).toThrow(/COURSE_SSH_OPTS: unterminated "/);
  });
});

describe("parseSshTarget", () => {
  test("user, host and port, each optional but the host", () => {
    expect(parseSshTarget("ssh://root@10.0.0.1:2222")).toEqual({
      user: "root",
      host: "10.0.0.1",
      port: 2222,
    });
    expect(parseSshTarget("ssh://box")).toEqual({ host: "box" });
    expect(parseSshTarget("learner@box")).toEqual({ user: "learner", host: "box" });
    expect(parseSshTarget("ssh://root@[::1]:22")).toEqual({ user: "root", host: "::1", port: 22 });
  });

  test("a bad port or an empty target is a usage error with the fix", () => {
    expect(() => parseSshTarget("ssh://root@box:http")).toThrow(/port "http" is not 1-65535/);
    expect(() => parseSshTarget("ssh://")).toThrow(/expected ssh:\/\/USER@HOST\[:PORT\]/);
    expect(() => parseSshTarget("ssh://root@box:0")).toThrow(UsageError);
  });

  test("a user or host that starts with - is refused: ssh would take it for an option", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the attacker's shell word, literally
    expect(() => parseSshTarget("ssh://root@-oProxyCommand=touch${IFS}q")).toThrow(
      /cannot start with "-" \(ssh would read it as an option\)/,
    );
    expect(() => parseSshTarget("ssh://-oProxyCommand=x@box")).toThrow(UsageError);
  });
});

describe("the host reaches ssh after --", () => {
  test("even a host that looks like an option is only ever a host name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "course-ssh-dashdash-"));
    try {
      const marker = join(dir, "proxy-command-ran");
      // Built directly (parseSshTarget refuses it): the real ssh client must still not run it.
      const t = new SshTransport({
        env: process.env,
        target: { user: "root", host: `-oProxyCommand=touch ${marker}` },
        runtimeDir: join(dir, "rt"),
      });
      await expect(t.connect()).rejects.toThrow(LabError);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("SshTransport against a real sshd", () => {
  let sshd: TestSshd;
  let runtime: string;
  const transports: SshTransport[] = [];
  const make = (user: string, options?: string[]) => {
    const t = new SshTransport({
      env: process.env,
      target: { user, host: "127.0.0.1", port: sshd.port },
      options: options ?? sshd.clientOptions,
      runtimeDir: runtime,
    });
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    sshd = await startSshd({ users: true });
    runtime = mkdtempSync(join(tmpdir(), "course-rt-"));
  });
  afterAll(async () => {
    for (const t of transports) await t.stopMaster();
    await sshd?.stop();
    // The short fallback directory of the long-runtime-dir test, once empty.
    for (const t of transports) {
      if (!t.controlPath.startsWith(runtime)) rmdirQuietly(dirname(t.controlPath));
    }
    rmSync(runtime, { recursive: true, force: true });
  });

  test("argv reaches the remote unchanged, whatever it contains", async () => {
    const t = make("root");
    await t.connect();
    const nasty = [
      "",
      " ",
      "a b",
      "'",
      "''",
      '"',
      "\\",
      "$HOME",
      "$(id)",
      "`id`",
      "; rm -rf /tmp/never",
      "a\nb",
      "*",
      "~",
      "!x",
      "é ✓",
      "--",
      "-o",
      "%h",
      "\t",
      "#comment",
    ];
    const result = await t.run(["printf", "%s\\0", ...nasty]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\0").slice(0, -1)).toEqual(nasty);
    // And arbitrary strings (no NUL: argv cannot hold it).
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: "binary" }).map((s) => s.replaceAll("\0", "")),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        async (words) => {
          const r = await t.run(["printf", "%s\\0", ...words]);
          expect(r.stdout.split("\0").slice(0, -1)).toEqual(words);
        },
      ),
      { numRuns: 40 },
    );
    expect(shellJoin(["a b", "c"])).toBe("'a b' c");
  });

  test("as root: commands run as they are; exit status and stdin pass through", async () => {
    const t = make("root");
    const info = await t.connect();
    expect(info.root).toBe(true);
    expect((await t.run(["sh", "-c", "exit 7"])).exitCode).toBe(7);
    expect((await t.run(["cat"], { input: "from stdin\n" })).stdout).toBe("from stdin\n");
    expect(await t.masterAlive()).toBe(true);
  });

  test("a live master is reused: a second transport connects with no round trip", async () => {
    const first = make("root");
    await first.connect();
    const second = make("root");
    await second.connect();
    expect(second.sessions).toBe(0);
    expect((await second.run(["id", "-u"])).stdout).toBe("0\n");
    expect(second.sessions).toBe(1);
  });

  test("a live master whose cached facts are gone is reused, not orphaned", async () => {
    const t = make("root");
    await t.connect();
    const pidOf = () =>
      Number(
        /pid=(\d+)/.exec(
          tool("sh", ["-c", `ssh -o ControlPath='${t.controlPath}' -O check x 2>&1`]),
        )?.[1],
      );
    const before = pidOf();
    rmSync(`${t.controlPath}.json`);
    const again = make("root");
    expect((await again.connect()).root).toBe(true);
    expect(again.sessions).toBe(1);
    expect(pidOf()).toBe(before);
  });

  test("a killed master is replaced by the next command without an error", async () => {
    const t = make("root");
    await t.connect();
    const pidText = tool("sh", [
      "-c",
      `ssh -o ControlPath='${t.controlPath}' -O check 127.0.0.1 2>&1`,
    ]);
    const pid = Number(/pid=(\d+)/.exec(pidText)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 50));
    expect(await t.masterAlive()).toBe(false);
    // Same handle, and a fresh one as a later CLI run would make.
    expect((await t.run(["echo", "still here"])).stdout).toBe("still here\n");
    const later = make("root");
    await later.connect();
    expect((await later.run(["id", "-u"])).stdout).toBe("0\n");
    expect(await later.masterAlive()).toBe(true);
  });

  test("the user's ssh config applies: a Host alias with its own port and key", async () => {
    const config = join(sshd.dir, "client_config");
    writeFileSync(
      config,
      [
        "Host course-test-lab",
        "  HostName 127.0.0.1",
        `  Port ${sshd.port}`,
        `  IdentityFile ${sshd.key}`,
        "  IdentitiesOnly yes",
        `  UserKnownHostsFile ${sshd.knownHosts}`,
        "  StrictHostKeyChecking accept-new",
        "",
      ].join("\n"),
    );
    const t = new SshTransport({
      env: process.env,
      target: parseSshTarget("ssh://root@course-test-lab"),
      options: splitSshOptions(`-F ${config}`),
      runtimeDir: runtime,
    });
    transports.push(t);
    expect(t.name).toBe("ssh://root@course-test-lab");
    expect((await t.connect()).root).toBe(true);
    expect((await t.run(["hostname"])).exitCode).toBe(0);
  });

  test("a runtime dir too long for a unix socket: the control socket moves to a short path", async () => {
    const deep = join(runtime, "a-very-long-directory-name-for-the-runtime-dir".repeat(2));
    const t = make("root");
    const long = new SshTransport({
      env: process.env,
      target: { user: "root", host: "127.0.0.1", port: sshd.port },
      options: sshd.clientOptions,
      runtimeDir: deep,
    });
    transports.push(long);
    expect(t.controlPath.startsWith(runtime)).toBe(true);
    expect(long.controlPath.startsWith(deep)).toBe(false);
    expect(Buffer.byteLength(long.controlPath)).toBeLessThanOrEqual(80);
    await long.connect();
    expect(await long.masterAlive()).toBe(true);
    expect((await long.run(["echo", "ok"])).stdout).toBe("ok\n");
  });

  test("a tty when asked (course shell), none otherwise", async () => {
    const t = make("root");
    await t.connect();
    const script = ["sh", "-c", "if [ -t 0 ]; then echo tty; else echo notty; fi"];
    expect((await t.run(script)).stdout.trim()).toBe("notty");
    const child = t.spawn(script, { stdio: "pipe", tty: true });
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stdin?.end();
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(0);
    expect(out.trim()).toBe("tty");
  });

  test("a user with passwordless sudo: commands run as root through sudo -n", async () => {
    expect(sshd.sudoUser).toBeDefined();
    const t = make(sshd.sudoUser as string);
    expect((await t.connect()).root).toBe(false);
    expect((await t.run(["id", "-u"])).stdout).toBe("0\n");
    expect((await t.run(["printf", "%s", "a 'b' $c"])).stdout).toBe("a 'b' $c");
  });

  test("a user whose sudo asks for a password: a LabError that says how to allow it", async () => {
    const t = make(sshd.noSudoUser as string);
    const error = await t.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toMatch(/sudo asks ct-nosudo-\w+ for a password/);
    expect((error as LabError).hint).toMatch(/NOPASSWD: ALL' \| sudo tee \/etc\/sudoers.d\/course/);
    expect((error as LabError).exitCode).toBe(4);
  });

  test("nothing listening: connection refused, with the fix", async () => {
    const t = new SshTransport({
      env: process.env,
      target: { user: "root", host: "127.0.0.1", port: 1 },
      options: sshd.clientOptions,
      runtimeDir: runtime,
    });
    const error = await t.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toMatch(/127.0.0.1:1: connection refused/);
    expect((error as LabError).hint).toMatch(/sshd runs there/);
  });

  test("a changed host key: a LabError that says how to fix it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "course-kh-"));
    try {
      tool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "other")]);
      const other = tool("cat", [join(dir, "other.pub")]);
      const knownHosts = join(dir, "known_hosts");
      writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${other}`);
      const t = make("root", [
        "-F",
        "/dev/null",
        "-i",
        sshd.key,
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "StrictHostKeyChecking=yes",
      ]);
      const error = await t.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabError);
      expect((error as LabError).message).toMatch(/host key is unknown or has changed/);
      expect((error as LabError).hint).toMatch(/ssh-keygen -R 127.0.0.1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a key the server does not know: login refused, with the fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "course-key-"));
    try {
      tool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "stranger")]);
      const t = make("root", [
        "-F",
        "/dev/null",
        "-i",
        join(dir, "stranger"),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        `UserKnownHostsFile=${sshd.knownHosts}`,
        "-o",
        "StrictHostKeyChecking=accept-new",
      ]);
      const error = await t.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabError);
      expect((error as LabError).message).toMatch(/login refused/);
      expect((error as LabError).hint).toMatch(/COURSE_SSH_OPTS="-i/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (another run's sockets) or already gone.
  }
}
