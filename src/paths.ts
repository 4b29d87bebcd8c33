import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

/** Where progress lives: `$COURSE_STATE_DIR`, else `$XDG_STATE_HOME/course`, else `~/.local/state/course`. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COURSE_STATE_DIR) return env.COURSE_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "course");
  return join(homedir(), ".local", "state", "course");
}

/** Where the parse cache lives: `$XDG_CACHE_HOME/course`, else `~/.cache/course`. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "course");
}

/**
 * Where lab records live: `$COURSE_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/course`, else a
 * per-user directory under the system temp dir.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COURSE_RUNTIME_DIR) return env.COURSE_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "course");
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `course-${uid}`);
}
