/**
 * The runtime dir and the lab records in it are a boundary between local users (issue 13 item
 * 4): a second real user (`coursetest`) plants what it can where root's `course` keeps its lab
 * records, and root's `course` (the built binary) must neither truncate a root file through a
 * planted `.lock` nor join a planted lab.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LabError } from "../../src/errors.js";
import { ensurePrivateDir, labIdSecret } from "../../src/lab/private-dir.js";
import { runtimeDir } from "../../src/paths.js";
import { ensureLabUser, LAB_TEST_USER, labUserDir, runAsLabUser } from "../helpers/lab-user.js";
import { runTool } from "../helpers/tool.js";

const bin = join(import.meta.dirname, "../../dist/bin.js");
const lessons = join(import.meta.dirname, "fixtures", "course");
const dir = mkdtempSync(join(tmpdir(), "course-runtime-dir-"));
const own = join(dir, "rt");
let user: { uid: number; gid: number };
let attacker: ChildProcess | undefined;
const planted: string[] = [];

function course(args: string[], runtime = own) {
  const r = runTool(process.execPath, [bin, "--lessons", lessons, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      COURSE_RUNTIME_DIR: runtime,
      COURSE_STATE_DIR: join(dir, "state"),
      NO_COLOR: "1",
    },
    timeout: 60_000,
  });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** A root file the attacker would like truncated. */
function victim(): string {
  const file = join(dir, "victim");
  writeFileSync(file, "root's precious data\n", { mode: 0o600 });
  return file;
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("run `npm run build` first: these tests run dist/bin.js");
  user = ensureLabUser();
});
afterAll(() => {
  course(["reset", "--all"]);
  if (attacker?.pid !== undefined) {
    try {
      process.kill(-attacker.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  for (const p of planted) rmSync(p, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe("ensurePrivateDir", () => {
  test("creates a missing dir 0700 and accepts it at every later use", () => {
    const d = join(dir, "fresh", "deeper");
    expect(ensurePrivateDir(d)).toBe(d);
    expect(lstatSync(d).mode & 0o777).toBe(0o700);
    expect(ensurePrivateDir(d)).toBe(d);
  });

  test("refuses a symlink, another user's dir, a dir open to others, a dir under an open one", () => {
    const target = join(dir, "target");
    mkdirSync(target, { mode: 0o700 });
    const link = join(dir, "link");
    symlinkSync(target, link);
    expect(() => ensurePrivateDir(link)).toThrow(/is a symbolic link/);

    const theirs = labUserDir(user, "course-planted-");
    planted.push(theirs);
    expect(() => ensurePrivateDir(theirs)).toThrow(
      new RegExp(`belongs to uid ${user.uid}, not to you \\(uid 0\\)`),
    );
    try {
      ensurePrivateDir(theirs);
    } catch (error) {
      expect(error).toBeInstanceOf(LabError);
      expect((error as LabError).exitCode).toBe(4);
      expect((error as LabError).hint).toMatch(/COURSE_RUNTIME_DIR/);
    }

    const open = join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o755);
    expect(() => ensurePrivateDir(open)).toThrow(/is open to others \(mode 755\).*/);

    const shared = join(dir, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(() => ensurePrivateDir(join(shared, "mine"))).toThrow(
      /lies under .*shared, which others may write to \(mode 777, not sticky\)/,
    );
    // A sticky dir open to all (like /tmp) is fine to live under.
    chmodSync(shared, 0o1777);
    expect(ensurePrivateDir(join(shared, "mine"))).toBe(join(shared, "mine"));
  });

  test("defaults: $XDG_RUNTIME_DIR, /run/course for root, else a per-user dir under the temp dir", () => {
    expect(runtimeDir({ COURSE_RUNTIME_DIR: "/x" }, 0)).toBe("/x");
    expect(runtimeDir({ XDG_RUNTIME_DIR: "/run/user/1000" }, 1000)).toBe("/run/user/1000/course");
    expect(runtimeDir({}, 0)).toBe("/run/course");
    expect(runtimeDir({}, 1000)).toBe(join(tmpdir(), "course-1000"));
  });

  test("lab ids are keyed with a secret of the runtime dir, made once, private", () => {
    const d = ensurePrivateDir(join(dir, "secret"));
    const a = labIdSecret(d);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(labIdSecret(d)).toBe(a);
    expect(lstatSync(join(d, "lab-id-key")).mode & 0o777).toBe(0o600);
  });
});

describe("a second user attacks root's runtime dir", () => {
  test("a runtime dir the attacker made first is refused: no planted .lock followed, no planted lab joined", () => {
    const file = victim();
    // The attacker makes the dir before root's course does, open to all, and plants a .lock
    // symlink and a .lab record under every id it can work out from the course's path.
    const plant = join(tmpdir(), `course-planted-${process.pid}`);
    planted.push(plant);
    rmSync(plant, { recursive: true, force: true });
    const key = `${lessons}#plain`;
    const sha = createHash("sha256").update(key).digest("hex");
    const ids = [`plain-${sha.slice(0, 8)}`, `plain-${sha.slice(0, 12)}`];
    const script = [
      'mkdir -m 777 "$1" "$1/labs" && chmod 777 "$1" "$1/labs"',
      ...ids.map(
        (id) =>
          `ln -s "$2" "$1/labs/${id}.lock" && printf 'pid=1\\nstart=1\\npersistent=1\\n' >"$1/labs/${id}.lab"`,
      ),
    ].join(" && ");
    const r = runAsLabUser(["sh", "-c", script, "sh", plant, file], {});
    expect(r).toMatchObject({ status: 0, stderr: "" });

    const shell = course(["shell", "plain", "-c", "echo joined"], plant);
    expect(shell.status).toBe(4);
    expect(shell.stdout).toBe("");
    expect(shell.stderr).toMatch(
      new RegExp(
        `^course: the runtime directory ${plant} belongs to uid ${user.uid}, not to you \\(uid 0\\): another user could plant lab records in it\\n.*COURSE_RUNTIME_DIR`,
      ),
    );
    expect(readFileSync(file, "utf8")).toBe("root's precious data\n");
    // Root wrote nothing there: every file is still the attacker's.
    for (const f of readdirSync(join(plant, "labs"))) {
      expect(lstatSync(join(plant, "labs", f)).uid).toBe(user.uid);
    }
  });

  test("inside root's own runtime dir: a .lock symlink is not followed, an attacker's lab record is not joined", () => {
    // Learn the lab's id (unguessable to the attacker, who cannot list this dir), then end it.
    const first = course(["shell", "plain", "-c", "readlink /proc/self/ns/net"]);
    expect(first.status).toBe(0);
    const labs = join(own, "labs");
    const record = readdirSync(labs).find((f) => f.startsWith("plain-") && f.endsWith(".lab"));
    expect(record).toBeDefined();
    const id = (record as string).slice(0, -".lab".length);
    expect(course(["reset", "plain"]).status).toBe(0);

    // (a) A .lock symlink to a root file (nobody but root can put it there: the dir is 0700;
    // this is the second line of defence).
    const file = victim();
    symlinkSync(file, join(labs, `${id}.lock`));
    const a = course(["shell", "plain", "-c", "echo ok"]);
    expect(a).toMatchObject({ status: 0, stdout: "ok\n" });
    expect(readFileSync(file, "utf8")).toBe("root's precious data\n");
    expect(lstatSync(join(labs, `${id}.lock`)).isSymbolicLink()).toBe(false);
    expect(course(["reset", "plain"]).status).toBe(0);

    // (b) The attacker makes namespaces of its own (a user namespace it owns) and writes a
    // record for them, exactly as a lab's holder would.
    const home = labUserDir(user, "course-attacker-");
    planted.push(home);
    attacker = spawn(
      "runuser",
      [
        "-u",
        LAB_TEST_USER,
        "--",
        "unshare",
        "--user",
        "--map-root-user",
        "--net",
        "--mount",
        "--pid",
        "--uts",
        "--fork",
        "--kill-child",
        "--",
        "sh",
        "-c",
        String.raw`read -r p _ _ pp _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ s _ </proc/self/stat
ns=$(stat -L --printf '%i ' -- /proc/$p/ns/net /proc/$p/ns/mnt /proc/$p/ns/pid /proc/$p/ns/uts /proc/$p/ns/user)
printf 'pid=%s\nppid=%s\nstart=%s\nuid=%s\nns=%s\npersistent=1\nmode=root\nhostname=plain\nlabel=plain\nkey=x\n' "$p" "$pp" "$s" "$2" "$ns" >"$1/evil.lab"
printf '%s\n' "$ns" >"$1/ns"
exec sleep 600`,
        "sh",
        home,
        String(user.uid),
      ],
      { stdio: "ignore", detached: true },
    );
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(home, "ns")) && Date.now() < deadline) {
      runTool("sleep", ["0.05"]);
    }
    const evilNs = readFileSync(join(home, "ns"), "utf8").split(" ")[0];
    expect(evilNs).toMatch(/^\d+$/);

    // However the record got into root's dir, and whoever it says owns it, it is not joined.
    const evil = join(home, "evil.lab");
    const variants: Array<[string, (f: string) => void]> = [
      ["as the attacker's file", (f) => chownSync(f, user.uid, user.gid)],
      ["as root's file, naming the attacker's uid", () => {}],
      [
        "as root's file, claiming uid 0",
        (f) => writeFileSync(f, readFileSync(f, "utf8").replace(/^uid=.*$/m, "uid=0")),
      ],
    ];
    for (const [how, make] of variants) {
      const target = join(labs, `${id}.lab`);
      copyFileSync(evil, target);
      chmodSync(target, 0o600);
      make(target);
      const b = course(["shell", "plain", "-c", "readlink /proc/self/ns/net; id -u"]);
      expect(b.status, how).toBe(0);
      const [ns, uid] = b.stdout.trim().split("\n");
      expect(ns, how).toMatch(/^net:\[\d+\]$/);
      expect(ns, how).not.toBe(`net:[${evilNs}]`);
      expect(uid, how).toBe("0");
      // The planted record is gone, replaced by the real lab's.
      expect(readFileSync(target, "utf8"), how).not.toMatch(new RegExp(`ns=${evilNs} `));
      expect(course(["reset", "plain"]).status, how).toBe(0);
    }
    // `reset` with the planted record in place removes it, but does not kill the attacker's
    // process: not ours to kill.
    copyFileSync(evil, join(labs, `${id}.lab`));
    expect(course(["reset", "plain"]).status).toBe(0);
    expect(existsSync(join(labs, `${id}.lab`))).toBe(false);
    runTool("sleep", ["0.2"]);
    expect(attacker.exitCode).toBeNull();
    expect(attacker.signalCode).toBeNull();
  });
});
