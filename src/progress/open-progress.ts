import type { Writable } from "node:stream";
import { ProgressStore } from "./progress-store.js";

/**
 * The progress store a CLI run uses: under `stateDir(env)`, with warnings (a corrupt file moved
 * aside) written to `stderr`.
 */
export function openProgress(io: { env: NodeJS.ProcessEnv; stderr: Writable }): ProgressStore {
  return new ProgressStore({ env: io.env, onWarning: (m) => io.stderr.write(`${m}\n`) });
}
