/** Runs the built binary (`node dist/bin.js`) the way a user does, with state kept apart. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { runToolAsync } from "../helpers/tool.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "dist/bin.js");
export const OUTCOMES = "test/fixtures/outcomes";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A private state and runtime directory for one test file; `cleanup` removes it. */
export function isolatedEnv(): { env: NodeJS.ProcessEnv; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "course-instructor-"));
  return {
    env: {
      ...process.env,
      NO_COLOR: "1",
      COURSE_STATE_DIR: join(dir, "state"),
      COURSE_RUNTIME_DIR: join(dir, "run"),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * `course ARGS…` from the repository root (so paths print as `test/fixtures/…`). With
 * `command`, runs that program with `args` instead (e.g. `runuser … node dist/bin.js …`).
 */
export async function course(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; command?: string } = {},
): Promise<Run> {
  const argv = options.command === undefined ? [BIN, ...args] : args;
  const r = await runToolAsync(options.command ?? process.execPath, argv, {
    cwd: options.cwd ?? ROOT,
    env,
  });
  if (r.startError !== undefined) throw new Error(`cannot run \`${r.command}\`: ${r.startError}`);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** A long-lived child's stdout and stderr so far (read them while it runs, or once it has closed). */
export function collectOutput(child: { stdout: Readable; stderr: Readable }): {
  readonly stdout: string;
  readonly stderr: string;
} {
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out.stderr += d.toString();
  });
  return out;
}
