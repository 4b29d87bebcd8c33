/**
 * The learner's progress: one versioned JSON file under the state directory, read and written
 * only under a lock, replaced atomically (write a temp file, fsync, rename, fsync the directory),
 * so that concurrent `course` runs never lose a result and a crash never leaves it truncated.
 */
import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import { join } from "node:path";
import { CourseError, ExitCode, StateError } from "../errors.js";
import { shellQuote } from "../lab/shell-quote.js";
import { stateDir } from "../paths.js";
import { readRegularFile } from "../read-regular-file.js";
import { writeAtomically } from "../write-atomically.js";
import type { ProgressFile } from "./progress-file.js";
import { validateProgress } from "./validate-progress.js";

/** The version of the file this code writes. A newer file is refused, never rewritten. */
export const PROGRESS_FORMAT_VERSION = 1;

/** The progress file is newer than this `course` understands, or cannot be read. Exit 2. */
export class ProgressError extends CourseError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

export type ProgressStoreOptions = (
  | {
      /** Directory of `progress.json`. */
      dir: string;
    }
  | {
      /** The user's environment, which says where progress lives (`stateDir(env)`). */
      env: NodeJS.ProcessEnv;
    }
) & {
  /** Told when a corrupt file is moved aside (the caller prints it). */
  onWarning?: (message: string) => void;
  /** Give up waiting for the lock after this many ms. @default 15000 */
  lockTimeoutMs?: number;
};

/** An empty progress file. */
export function emptyProgress(): ProgressFile {
  return { formatVersion: PROGRESS_FORMAT_VERSION, courses: {} };
}

/** The state file of a course, with locked read-modify-write. */
export class ProgressStore {
  readonly dir: string;
  readonly file: string;
  readonly lockFile: string;
  readonly #onWarning: (message: string) => void;
  readonly #lockTimeoutMs: number;

  constructor(options: ProgressStoreOptions) {
    this.dir = "dir" in options ? options.dir : stateDir(options.env);
    this.file = join(this.dir, "progress.json");
    this.lockFile = `${this.file}.lock`;
    this.#onWarning = options.onWarning ?? (() => {});
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 15_000;
  }

  /**
   * Read the file without the lock (readers never see a partial file, thanks to rename).
   * A corrupt file is moved aside (under the lock) and reported; a newer one is refused.
   */
  async read(): Promise<ProgressFile> {
    const text = await readIfExists(this.file).catch((error: unknown) => {
      throw stateFailure(error, "read", this.file);
    });
    if (text === undefined) return emptyProgress();
    const parsed = this.#parse(text);
    if (parsed !== undefined) return parsed;
    return this.update(() => undefined).then(() => this.read());
  }

  /**
   * Read, let `change` modify the data in place, write it back: all inside the lock, so two
   * runs recording different lessons at once both keep their result.
   */
  async update<T>(change: (progress: ProgressFile) => T | Promise<T>): Promise<T> {
    // File-system failures (permissions, a read-only or full disk, a directory or FIFO where
    // progress.json belongs) become a StateError naming the path; anything else is left alone.
    const io = <R>(what: "read" | "save", p: Promise<R>) =>
      p.catch((error: unknown) => {
        throw stateFailure(error, what, this.file);
      });
    await io("save", fs.mkdir(this.dir, { recursive: true }));
    const release = await io("save", this.#lock());
    try {
      const text = await io("read", readIfExists(this.file));
      let progress = emptyProgress();
      if (text !== undefined) {
        const parsed = this.#parse(text);
        if (parsed === undefined) await io("save", this.#moveAside());
        else progress = parsed;
      }
      const result = await change(progress);
      await io("save", this.#removeDeadTemps());
      await io("save", writeAtomically(this.file, `${JSON.stringify(progress, null, 2)}\n`));
      return result;
    } finally {
      // Never leave the lock behind, also when the disk is full or read-only.
      await release().catch(() => {});
    }
  }

  /** Parse and validate; undefined = corrupt. Throws for a newer format. */
  #parse(text: string): ProgressFile | undefined {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return undefined;
    }
    const version =
      typeof data === "object" && data !== null && "formatVersion" in data
        ? (data as { formatVersion: unknown }).formatVersion
        : undefined;
    if (typeof version === "number" && version > PROGRESS_FORMAT_VERSION) {
      throw new ProgressError(
        `${this.file}: progress format ${version} was written by a newer course; this one reads format ${PROGRESS_FORMAT_VERSION}`,
        {
          hint: "Upgrade course (./install.sh in a newer checkout), or point COURSE_STATE_DIR elsewhere. The file was left untouched.",
        },
      );
    }
    return validateProgress(data, PROGRESS_FORMAT_VERSION);
  }

  /** Temp files of runs killed mid-write (`kill -9`): harmless, but not left to pile up. */
  async #removeDeadTemps(): Promise<void> {
    const prefix = "progress.json.tmp-";
    for (const name of await fs.readdir(this.dir)) {
      if (!name.startsWith(prefix)) continue;
      const pid = Number(name.slice(prefix.length).split("-")[0]);
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
        await fs.rm(join(this.dir, name), { force: true });
      }
    }
  }

  async #moveAside(): Promise<void> {
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    await fs.rename(this.file, aside);
    this.#onWarning(
      `course: ${this.file} could not be read (not valid progress JSON); it was kept as ${aside} and progress starts afresh. Nothing was deleted.`,
    );
  }

  /**
   * Take the lock: create `progress.json.lock` with O_EXCL holding our pid. A lock whose pid is
   * no longer alive (a run killed with -9) is stale and is broken.
   */
  async #lock(): Promise<() => Promise<void>> {
    const token = `${process.pid} ${randomBytes(6).toString("hex")}\n`;
    const deadline = Date.now() + this.#lockTimeoutMs;
    let wait = 2;
    for (;;) {
      try {
        const handle = await fs.open(
          this.lockFile,
          constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
          0o644,
        );
        try {
          await handle.writeFile(token);
        } catch (error) {
          // A full disk: the empty lock would only be broken after seconds. Remove it now.
          await handle.close().catch(() => {});
          await fs.rm(this.lockFile, { force: true });
          throw error;
        }
        await handle.close();
        return async () => {
          // Only remove the lock if it is still ours (never another run's after a stale break).
          const now = await readIfExists(this.lockFile);
          if (now === token) await fs.rm(this.lockFile, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      await this.#breakIfStale();
      if (Date.now() > deadline) {
        const holder = (await readIfExists(this.lockFile))?.trim() ?? "?";
        throw new ProgressError(
          `${this.lockFile}: another course run (pid ${holder.split(" ")[0]}) has held the progress lock for more than ${Math.round(this.#lockTimeoutMs / 1000)}s`,
          { hint: `If no other course is running, remove ${this.lockFile}.` },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
      wait = Math.min(wait * 2, 10);
    }
  }

  /**
   * Remove the lock if its holder is dead. Breakers take `progress.json.lock.break` (O_EXCL)
   * first and look again under it: the stale lock cannot be replaced meanwhile (it exists, and
   * its dead owner never releases it) and no other breaker can act, so unlinking what was seen
   * dead never removes a live run's lock.
   */
  async #breakIfStale(): Promise<void> {
    if (!(await this.#isStale())) return;
    const breaker = `${this.lockFile}.break`;
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(breaker, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A breaker that died mid-break (it takes microseconds) leaves this behind: clear it.
      const stat = await fs.stat(breaker).catch(() => undefined);
      if (stat !== undefined && Date.now() - stat.mtimeMs > 10_000) {
        await fs.rm(breaker, { force: true });
      }
      return;
    }
    try {
      await handle.close();
      if (await this.#isStale()) await fs.rm(this.lockFile, { force: true });
    } finally {
      await fs.rm(breaker, { force: true });
    }
  }

  /** The lock exists and its holder is dead (or it stayed half-written for seconds). */
  async #isStale(): Promise<boolean> {
    const content = await readIfExists(this.lockFile);
    if (content === undefined) return false;
    const pid = Number(content.split(" ")[0]);
    if (Number.isInteger(pid) && pid > 0) return !isAlive(pid);
    // Half-written (its writer died between open and write): stale once it is old.
    const stat = await fs.stat(this.lockFile).catch(() => undefined);
    return stat !== undefined && Date.now() - stat.mtimeMs > 2000;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Far above any real progress file (a few KB per course). */
const MAX_STATE_BYTES = 64 * 1024 * 1024;

/** A file of the state dir, or undefined when absent; a FIFO, a device or a huge file is refused unread. */
async function readIfExists(file: string): Promise<string | undefined> {
  let read: Awaited<ReturnType<typeof readRegularFile>>;
  try {
    read = await readRegularFile(file, MAX_STATE_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if ("bytes" in read) return read.bytes.toString("utf8");
  throw new StateError(
    "kind" in read
      ? `${file} is ${read.kind}, not a regular file: course keeps your progress there`
      : `${file} is ${(read.tooLarge / 1024 / 1024).toFixed(0)} MB: that is not a progress file`,
    {
      hint: `Fix: move it away (\`mv ${shellQuote(file)} ${shellQuote(`${file}.bad`)}\`); progress then starts afresh.`,
    },
  );
}

/**
 * A file-system error met while reading or saving progress, as a StateError that names the
 * path and the fix. Other errors (a bug, a ProgressError) pass through unchanged.
 */
function stateFailure(error: unknown, what: "read" | "save", file: string): unknown {
  if (error instanceof CourseError) return error;
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code !== "string") return error;
  const path = e.path ?? file;
  const dir = join(file, "..");
  const elsewhere = "or set COURSE_STATE_DIR to a directory you can write";
  const [why, fix] = ((): [string, string] => {
    switch (e.code) {
      case "EACCES":
      case "EPERM":
        return [
          "permission denied",
          `give yourself access (\`chmod u+rwx ${shellQuote(dir)}; chmod u+rw ${shellQuote(file)}\` as their owner), ${elsewhere}`,
        ];
      case "EROFS":
        return ["the file system is read-only", `set COURSE_STATE_DIR to a writable directory`];
      case "ENOSPC":
      case "EDQUOT":
        return ["no space left on the device", `free some space there, ${elsewhere}`];
      case "EISDIR":
        return [
          "it is a directory",
          `move it away (\`mv ${shellQuote(path)} ${shellQuote(`${path}.bad`)}\`), ${elsewhere}`,
        ];
      case "ENOTDIR":
        return ["a part of the path is not a directory", `fix the path, ${elsewhere}`];
      default:
        return [e.message, elsewhere];
    }
  })();
  return new StateError(`cannot ${what} your progress: ${path}: ${why}`, {
    hint: `Fix: ${fix}.`,
    cause: error,
  });
}
