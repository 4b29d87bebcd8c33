/**
 * A state dir that cannot be used (issue 13 item 7): each failure is made for real (a
 * directory or FIFO where progress.json belongs, a read-only bind mount, a full tmpfs, and as
 * the unprivileged test user a mode-000 file and a mode-555 dir), and the built binary must
 * answer with one message naming the path and the fix, exit 5, and leave no `.lock` behind.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ensureLabUser, labUserDir, labUserRoot, runAsLabUser } from "../helpers/lab-user.js";
import { runTool, tool } from "../helpers/tool.js";

const repo = resolve(import.meta.dirname, "../..");
const bin = join(repo, "dist/bin.js");
const lessons = join(repo, "test/fixtures/learner");
const dir = mkdtempSync(join(tmpdir(), "course-state-failures-"));

function env(state: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    COURSE_STATE_DIR: state,
    COURSE_RUNTIME_DIR: join(dir, "runtime"),
    XDG_CACHE_HOME: join(dir, "cache"),
    NO_COLOR: "1",
  };
}

/** `course ARGS` with progress in `state`; `wrap` runs it inside another command (unshare). */
function course(state: string, args: string[], wrap: string[] = []) {
  const argv = [...wrap, process.execPath, bin, "--lessons", lessons, ...args];
  const r = runTool(argv[0] as string, argv.slice(1), {
    env: env(state),
    timeout: 30_000,
  });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** Nothing the store makes while saving is left behind. */
function leftovers(state: string): string[] {
  return readdirSync(state).filter((f) => /\.lock|\.tmp-/.test(f));
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("run `npm run build` first: these tests run dist/bin.js");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test("progress.json as a directory: read and save say so, with the fix", () => {
  const state = join(dir, "isdir");
  mkdirSync(join(state, "progress.json"), { recursive: true });
  for (const args of [["status"], ["hint", "1"]]) {
    const r = course(state, args);
    expect(r.status, args.join(" ")).toBe(5);
    expect(r.stderr).toBe(
      `course: ${state}/progress.json is a directory, not a regular file: course keeps your progress there\nFix: move it away (\`mv ${state}/progress.json ${state}/progress.json.bad\`); progress then starts afresh.\n`,
    );
  }
  expect(leftovers(state)).toEqual([]);
});

test("a FIFO progress.json does not hang status or hint", () => {
  const state = join(dir, "fifo");
  mkdirSync(state);
  expect(runTool("mkfifo", [join(state, "progress.json")]).code).toBe(0);
  for (const args of [["status"], ["hint", "1"]]) {
    const r = course(state, args);
    expect(r.status, args.join(" ")).toBe(5);
    expect(r.stderr).toMatch(/progress\.json is a FIFO \(named pipe\), not a regular file/);
  }
  expect(leftovers(state)).toEqual([]);
});

test("a read-only state dir: exit 5 naming the file system, no lock left", () => {
  const state = join(dir, "ro");
  mkdirSync(state);
  const r = course(
    state,
    ["hint", "1"],
    ["unshare", "--mount", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', state],
  );
  expect(r.status).toBe(5);
  expect(r.stderr).toMatch(
    /^course: cannot save your progress: .*\/ro\/progress\.json\.lock: the file system is read-only\nFix: set COURSE_STATE_DIR to a writable directory\.\n$/,
  );
  expect(leftovers(state)).toEqual([]);
});

test("a full state dir (ENOSPC): exit 5, no empty .lock and no temp file left", () => {
  const state = join(dir, "full");
  mkdirSync(state);
  // A 16 KiB tmpfs in a mount namespace of its own, filled up but for room to create files.
  const r = course(
    state,
    ["hint", "1"],
    [
      "unshare",
      "--mount",
      "sh",
      "-c",
      'mount -t tmpfs -o size=16k tmpfs "$0" && dd if=/dev/zero of="$0/fill" bs=4k count=4 2>/dev/null; "$@"; rc=$?; ls -A "$0" >"$0.ls"; exit $rc',
      state,
    ],
  );
  expect(r.status).toBe(5);
  expect(r.stderr).toMatch(
    /^course: cannot save your progress: .*\/full\/progress\.json(\.lock)?: no space left on the device\nFix: free some space there, or set COURSE_STATE_DIR to a directory you can write\.\n$/,
  );
  // What the tmpfs held when course ended (the mount is gone with its namespace).
  expect(tool("cat", [`${state}.ls`])).toBe("fill\n");
});

test("as a user: a mode-000 progress.json and a mode-555 state dir name the path and the fix", () => {
  const ids = ensureLabUser();
  const home = labUserDir(ids, "course-state-user-");
  const tree = labUserRoot(repo);
  try {
    const locked = join(home, "s000");
    mkdirSync(locked);
    writeFileSync(join(locked, "progress.json"), "{}\n");
    chmodSync(join(locked, "progress.json"), 0o000);
    const readOnly = join(home, "s555");
    mkdirSync(readOnly);
    for (const d of [locked, join(locked, "progress.json"), readOnly])
      chownSync(d, ids.uid, ids.gid);
    chmodSync(readOnly, 0o555);
    const run = (state: string, args: string[]) =>
      runAsLabUser(
        [
          "node",
          join(tree.root, "dist/bin.js"),
          "--lessons",
          join(tree.root, "test/fixtures/learner"),
          ...args,
        ],
        {
          ...env(state),
          HOME: home,
          COURSE_RUNTIME_DIR: join(home, "rt"),
          XDG_CACHE_HOME: join(home, "c"),
        },
        { timeout: 30_000 },
      );
    const status = run(locked, ["status"]);
    expect(status.status).toBe(5);
    expect(status.stderr).toBe(
      `course: cannot read your progress: ${locked}/progress.json: permission denied\nFix: give yourself access (\`chmod u+rwx ${locked}; chmod u+rw ${locked}/progress.json\` as their owner), or set COURSE_STATE_DIR to a directory you can write.\n`,
    );
    const hint = run(readOnly, ["hint", "1"]);
    expect(hint.status).toBe(5);
    expect(hint.stderr).toMatch(
      new RegExp(
        `^course: cannot save your progress: ${readOnly}/progress\\.json\\.lock: permission denied\\n`,
      ),
    );
    expect(leftovers(readOnly)).toEqual([]);
  } finally {
    tree.cleanup();
    rmSync(home, { recursive: true, force: true });
  }
});
