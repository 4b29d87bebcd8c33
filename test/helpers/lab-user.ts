/**
 * The unprivileged user lab tests run as: `coursetest`, with subordinate ids (as a learner on a
 * usual distribution has). Created when missing and kept (other test files share it); each test
 * file gets its own directories owned by it, removed afterwards.
 */
import { chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTool, tool } from "./tool.js";

export const LAB_TEST_USER = "coursetest";

/** Make sure the test user exists with subordinate ids; returns its uid and gid. */
export function ensureLabUser(): { uid: number; gid: number } {
  try {
    tool("id", ["-u", LAB_TEST_USER]);
  } catch {
    try {
      tool("useradd", ["--create-home", "--shell", "/bin/bash", LAB_TEST_USER]);
    } catch (error) {
      // Another test file may have created it at the same moment.
      tool("id", ["-u", LAB_TEST_USER]);
      void error;
    }
  }
  const has = (file: string) => runTool("grep", ["-q", `^${LAB_TEST_USER}:`, file]).code === 0;
  if (!has("/etc/subuid") || !has("/etc/subgid")) {
    tool("usermod", [
      "--add-subuids",
      "300000-365535",
      "--add-subgids",
      "300000-365535",
      LAB_TEST_USER,
    ]);
  }
  return {
    uid: Number(tool("id", ["-u", LAB_TEST_USER]).trim()),
    gid: Number(tool("id", ["-g", LAB_TEST_USER]).trim()),
  };
}

/** A fresh directory owned by the test user. */
export function labUserDir(ids: { uid: number; gid: number }, prefix = "course-lab-user-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownSync(dir, ids.uid, ids.gid);
  return dir;
}

/** Run argv as the test user (`runuser -u coursetest -- ...`) with a clean, given environment. */
export function runAsLabUser(
  argv: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeout?: number; input?: string } = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = runTool(
    "runuser",
    [
      "-u",
      LAB_TEST_USER,
      "--",
      "env",
      "-i",
      ...Object.entries({ PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }).map(
        ([k, v]) => `${k}=${v}`,
      ),
      ...argv,
    ],
    {
      cwd: options.cwd ?? "/",
      timeout: options.timeout ?? 60_000,
      input: options.input ?? "",
    },
  );
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A tree the test user can read that holds `dist/`, `node_modules/` and the lab test fixtures:
 * the repository itself when the user can read it, else a copy (a CI clone may live under a
 * directory only root can enter, e.g. /root).
 */
export function labUserRoot(repo: string): { root: string; cleanup: () => void } {
  const readable = (p: string) =>
    runTool("runuser", ["-u", LAB_TEST_USER, "--", "test", "-r", p]).code === 0;
  if (
    readable(join(repo, "dist", "bin.js")) &&
    readable(join(repo, "test", "lab", "fixtures", "lab-worker.mjs"))
  ) {
    return { root: repo, cleanup: () => {} };
  }
  const root = mkdtempSync(join(tmpdir(), "course-lab-tree-"));
  mkdirSync(join(root, "test", "lab"), { recursive: true });
  for (const part of ["dist", "node_modules", "package.json", join("test", "lab", "fixtures")]) {
    cpSync(join(repo, part), join(root, part), { recursive: true, verbatimSymlinks: true });
  }
  tool("chmod", ["-R", "a+rX", root]);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
