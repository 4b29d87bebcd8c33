import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { LabError } from "../errors.js";

/** The current user id (0 where there are no uids: Windows has no planted-dir problem). */
function currentUid(): number {
  return typeof process.getuid === "function" ? process.getuid() : 0;
}

function refuse(dir: string, what: string, fix: string): LabError {
  return new LabError(
    `the runtime directory ${dir} ${what}: another user could plant lab records in it`,
    {
      hint: `${fix}, or set COURSE_RUNTIME_DIR to a directory of your own (mode 700).`,
    },
  );
}

/**
 * Make sure `dir` is a directory where nobody else can plant files (lab records, locks, ssh
 * control sockets), creating it mode 0700 when missing, and return it. Checked at every use, as
 * OpenSSH checks the paths it trusts and tmux its socket directory: `dir` itself is a real
 * directory (not a symlink), owned by the current user, with no group or other access; every
 * directory above it is owned by root or the user and, when others may write to it, sticky
 * (like /tmp, where nobody can rename or remove what another user made).
 * @throws LabError (exit 4) that names the directory, what is wrong and how to fix it.
 */
export function ensurePrivateDir(dir: string, uid = currentUid()): string {
  if (process.platform === "win32") return dir;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code !== "EEXIST") {
      throw new LabError(`cannot create the runtime directory ${dir} (${code || String(error)})`, {
        hint: "Set COURSE_RUNTIME_DIR to a directory you can write, or fix the permissions above it.",
      });
    }
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) {
    throw refuse(
      dir,
      "is a symbolic link",
      `Remove it (\`rm ${dir}\`) after checking what it points at`,
    );
  }
  if (!st.isDirectory()) {
    throw refuse(dir, "is not a directory", `Remove it (\`rm ${dir}\`) after checking what it is`);
  }
  if (st.uid !== uid) {
    throw refuse(
      dir,
      `belongs to uid ${st.uid}, not to you (uid ${uid})`,
      `Remove it (\`rm -rf ${dir}\`) after checking who made it`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    throw refuse(
      dir,
      `is open to others (mode ${(st.mode & 0o777).toString(8)})`,
      `Make it private: \`chmod 700 ${dir}\``,
    );
  }
  let above = realpathSync(dirname(dir));
  for (;;) {
    const a = statSync(above);
    if (a.uid !== 0 && a.uid !== uid) {
      throw refuse(dir, `lies under ${above}, which belongs to uid ${a.uid}`, "Move it");
    }
    if ((a.mode & 0o022) !== 0 && (a.mode & 0o1000) === 0) {
      throw refuse(
        dir,
        `lies under ${above}, which others may write to (mode ${(a.mode & 0o7777).toString(8)}, not sticky)`,
        "Move it",
      );
    }
    const next = dirname(above);
    if (next === above) break;
    above = next;
  }
  return dir;
}

/**
 * A random key kept in the (private) runtime dir `dir`, made on first use, that lab ids are
 * derived with (`sandboxLabId`): ids another user cannot work out from a course's path.
 */
export function labIdSecret(dir: string): string {
  const file = join(dir, "lab-id-key");
  // Written whole under a temporary name, then linked into place: a concurrent first use
  // either wins or reads the winner's key, never a half-written one.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(tmp, randomBytes(16).toString("hex"), { flag: "wx", mode: 0o600 });
    linkSync(tmp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") {
      throw new LabError(`cannot write ${file} (${code ?? String(error)})`, {
        hint: "Set COURSE_RUNTIME_DIR to a directory you can write.",
      });
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd, "utf8").trim();
  } finally {
    closeSync(fd);
  }
}
