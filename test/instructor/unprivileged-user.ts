/**
 * The unprivileged user the end-to-end tests run `course` as: `coursetest`, with subordinate
 * ids (so the sandbox lab maps a full id range, as a learner's does). Created when missing and
 * kept: other test files (and CI runs) share it, and it holds nothing between runs.
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TEST_USER = "coursetest";

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Make sure `coursetest` exists with subordinate ids; returns its uid and gid. */
export function ensureTestUser(): { uid: number; gid: number } {
  try {
    run("id", ["-u", TEST_USER]);
  } catch {
    try {
      run("useradd", ["--create-home", "--shell", "/bin/bash", TEST_USER]);
    } catch (error) {
      // Another test file may have created it at the same moment.
      try {
        run("id", ["-u", TEST_USER]);
      } catch {
        throw error;
      }
    }
  }
  const has = (file: string) => {
    try {
      return run("grep", ["-c", `^${TEST_USER}:`, file]).trim() !== "0";
    } catch {
      return false;
    }
  };
  if (!has("/etc/subuid") || !has("/etc/subgid")) {
    run("usermod", ["--add-subuids", "300000-365535", "--add-subgids", "300000-365535", TEST_USER]);
  }
  return {
    uid: Number(run("id", ["-u", TEST_USER]).trim()),
    gid: Number(run("id", ["-g", TEST_USER]).trim()),
  };
}

/** A fresh directory owned by the test user (its HOME and runtime dir for one test file). */
export function userTempDir(ids: { uid: number; gid: number }): string {
  const dir = mkdtempSync(join(tmpdir(), "course-user-"));
  chownSync(dir, ids.uid, ids.gid);
  return dir;
}
