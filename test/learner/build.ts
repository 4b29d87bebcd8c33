import { execFileSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

/**
 * Build dist/ once per test file. Other engineers' work in progress may not typecheck yet; tsc
 * still emits, so a non-zero exit is tolerated and the tests then exercise what was built.
 */
export function ensureBuilt(): void {
  try {
    execFileSync(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: root,
        stdio: "pipe",
      },
    );
  } catch {
    // Emitted anyway (noEmitOnError is off).
  }
}

/** Path of the built CLI. */
export const BIN = join(root, "dist", "bin.js");
