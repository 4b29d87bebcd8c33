import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runTool } from "../helpers/tool.js";

const root = join(import.meta.dirname, "..", "..");

/** Path of the built CLI. */
export const BIN = join(root, "dist", "bin.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory()
        ? newestSource(path)
        : entry.name.endsWith(".ts")
          ? statSync(path).mtimeMs
          : 0,
    );
  }
  return newest;
}

/**
 * Build dist/ when it is missing or older than src/ (`npm test` builds first, so then this does
 * nothing and parallel test files never rebuild under each other). Other engineers' work in
 * progress may not typecheck; tsc still emits, so a non-zero exit is tolerated.
 */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(BIN).mtimeMs;
  } catch {
    // Not built yet.
  }
  if (built >= newestSource(join(root, "src"))) return;
  // A non-zero exit is no failure here: emitted anyway (noEmitOnError is off).
  runTool(
    process.execPath,
    [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
    },
  );
}
