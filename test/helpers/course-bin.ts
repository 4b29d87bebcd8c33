/**
 * The built binary (`dist/bin.js`, so `npm run build` first) run the way CLI tests run it: no
 * colour, and state, runtime (labs) and cache dirs of its own under a temp dir, so a test touches
 * neither the user's progress nor another test file's labs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { runTool } from "./tool.js";

/** The repository's root (the binary's default cwd in tests). */
export const repoRoot = resolve(import.meta.dirname, "../..");
/** The built binary. */
export const courseBin = join(repoRoot, "dist/bin.js");

/** What one run of the binary did. */
export interface CourseBinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How a test file runs the binary. */
export interface CourseBinOptions {
  /** The temp dir's name prefix (`course-NAME-`), so a leftover one says whose it is. */
  prefix: string;
  /** Arguments before every command's own (e.g. `--lessons DIR`). */
  args?: string[];
  /** Kill a run after this many ms. */
  timeout?: number;
}

/**
 * A binary with a temp home: `open()` in beforeAll, `run()` in tests, `remove()` in afterAll
 * (after `course reset --all` where the file made labs: removing the dir does not end them).
 */
export class CourseBin {
  private tmp: string | undefined;

  constructor(private readonly options: CourseBinOptions) {}

  /** The temp dir (state in `state/`, labs in `runtime/`, cache in `cache/`). */
  get dir(): string {
    if (this.tmp === undefined) throw new Error("CourseBin: call open() (in beforeAll) first");
    return this.tmp;
  }

  open(): void {
    this.tmp = mkdtempSync(join(tmpdir(), this.options.prefix));
  }

  /** Run `course ARGS` (after the file's own leading args) in `cwd`, with `env` on top. */
  run(args: string[], env: Record<string, string> = {}, cwd = repoRoot): CourseBinResult {
    const { code, stdout, stderr } = runTool(
      process.execPath,
      [courseBin, ...(this.options.args ?? []), ...args],
      {
        cwd,
        ...(this.options.timeout === undefined ? {} : { timeout: this.options.timeout }),
        env: this.env(env),
      },
    );
    return { code, stdout, stderr };
  }

  /** The environment a run gets: no colour, the temp dir's state, labs and cache, then `env`. */
  env(env: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NO_COLOR: "1",
      FORCE_COLOR: undefined,
      COURSE_STATE_DIR: join(this.dir, "state"),
      COURSE_RUNTIME_DIR: join(this.dir, "runtime"),
      XDG_CACHE_HOME: join(this.dir, "cache"),
      ...env,
    };
  }

  /** Remove the temp dir (a no-op when open() never ran). */
  remove(): void {
    if (this.tmp !== undefined) rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * Register, in the calling test file, beforeAll (open `bin`'s temp dir) and afterAll: `course
 * reset --all` (the file's labs end, even when a test failed), remove the dir, and expect the
 * reset to have succeeded.
 */
export function labsInTempHome(bin: CourseBin): void {
  beforeAll(() => {
    bin.open();
  });
  afterAll(() => {
    const reset = bin.run(["reset", "--all"]);
    bin.remove();
    expect(reset.code).toBe(0);
  });
}
