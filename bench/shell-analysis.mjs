// The shell parser behind `course test --mutate` (src/flows/shell-analysis.ts: tree-sitter-bash
// through web-tree-sitter):
//  1. its load time in a fresh process (both WebAssembly modules), median of BENCH_N (default 5);
//  2. splitting and classifying every fence of the shipped course once it is loaded;
//  3. `course test --mutate lessons/03-bridge.md`, median of BENCH_MUTATE_N runs (default 3), with
//     real sandbox labs. BENCH_BIN=/other/checkout/dist/bin.js times another build the same way
//     (how the before/after figures in docs/benchmarks.md were taken).
// Run: npm run build && node bench/shell-analysis.mjs   (as root, like the tests)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const N = Number(process.env.BENCH_N ?? 5);
const MUTATE_N = Number(process.env.BENCH_MUTATE_N ?? 3);
const bin = process.env.BENCH_BIN ?? join(root, "dist/bin.js");
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const analysis = join(root, "dist/flows/shell-analysis.js");

const loads = [];
for (let i = 0; i < N; i++) {
  const r = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const t0 = performance.now(); const m = await import(${JSON.stringify(analysis)}); await m.bashParser(); console.log(performance.now() - t0);`,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  loads.push(Number(r.stdout));
}
console.log(`parser load (fresh process): median ${median(loads).toFixed(0)} ms of ${N}`);

const { splitCommands, isReadOnlyCommand } = await import(analysis);
const fences = readdirSync(join(root, "lessons"))
  .filter((f) => f.endsWith(".md"))
  .flatMap((f) =>
    [
      ...readFileSync(join(root, "lessons", f), "utf8").matchAll(
        /```(?:sh|bash|console)[^\n]*\n([\s\S]*?)```/g,
      ),
    ].map((m) => m[1]),
  );
await splitCommands("true", 1);
const t0 = performance.now();
let units = 0;
for (const code of fences) {
  for (const u of await splitCommands(code, 1)) {
    units++;
    await isReadOnlyCommand(u.text);
  }
}
const ms = performance.now() - t0;
console.log(`split + classify: ${fences.length} fences, ${units} units in ${ms.toFixed(0)} ms`);

const times = [];
for (let i = 0; i < MUTATE_N; i++) {
  const dir = mkdtempSync(join(tmpdir(), "course-bench-shell-"));
  const env = {
    ...process.env,
    NO_COLOR: "1",
    COURSE_STATE_DIR: join(dir, "state"),
    COURSE_RUNTIME_DIR: join(dir, "runtime"),
  };
  const before = load();
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, "test", "--mutate", "lessons/03-bridge.md"], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  times.push((performance.now() - t) / 1000);
  spawnSync(process.execPath, [bin, "reset", "--all"], { cwd: root, env });
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `  run ${i + 1}: ${times.at(-1).toFixed(1)} s, exit ${r.status}, load before ${before}`,
  );
}
console.log(
  `course test --mutate lessons/03-bridge.md (${bin}): median ${median(times).toFixed(1)} s of ${MUTATE_N}; load ${load()}`,
);
