import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

/** Where progress lives: `$COURSE_STATE_DIR`, else `$XDG_STATE_HOME/course`, else `~/.local/state/course`. */
export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.COURSE_STATE_DIR) return env.COURSE_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "course");
  return join(homedir(), ".local", "state", "course");
}

/** Where the parse cache lives: `$XDG_CACHE_HOME/course`, else `~/.cache/course`. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "course");
}

/**
 * Where lab records live: `$COURSE_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/course`, else
 * `/run/course` for root, else `course-UID` under the system temp dir. Only a path: every user
 * checks it with `ensurePrivateDir` (lab/private-dir.ts) first, since another local user may
 * have made the temp dir one before us.
 */
export function runtimeDir(
  env: NodeJS.ProcessEnv,
  uid: number = typeof process.getuid === "function" ? process.getuid() : -1,
): string {
  if (env.COURSE_RUNTIME_DIR) return env.COURSE_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "course");
  if (uid === 0) return "/run/course";
  return join(tmpdir(), `course-${uid < 0 ? 0 : uid}`);
}
