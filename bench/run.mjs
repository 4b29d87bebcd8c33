#!/usr/bin/env node
// `npm run bench`: every benchmark under bench/, one after the other (they share two CPUs with
// whatever else runs: one at a time keeps their figures comparable). Each with its defaults:
// their arguments differ (run one alone for `--write` or a run count). Exit status: the first
// benchmark that failed, else 0.
// Run: npm run bench   (as root, like the tests: several benchmarks make real labs)
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const benches = readdirSync(here)
  .filter((name) => name.endsWith(".mjs") && name !== "run.mjs")
  .sort();
let status = 0;
for (const name of benches) {
  console.log(`\n== bench/${name}`);
  const run = spawnSync(process.execPath, [join(here, name)], {
    stdio: "inherit",
  });
  const code = run.status ?? 1;
  if (code !== 0) {
    console.log(`bench/${name} failed (exit ${code})`);
    if (status === 0) status = code;
  }
}
process.exit(status);
