// The progress file (src/progress/): what recording a result costs.
//  1. one locked read-modify-write (`recordResult`: lock, read, parse, write temp, fsync, rename,
//     fsync dir, unlock) in one process: median over BENCH_N (default 200), with 30 lessons on file;
//  2. 20 processes recording 20 different lessons at once: median wall time over BENCH_ROUNDS
//     (default 5), and the ratio to 20 records in one process (what the lock serialises);
//  3. `course status` of the shipped course (spawned dist/bin.js): median over BENCH_CLI_N (default 10).
// Run: npm run build && node bench/progress.mjs
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProgressStore } from "../dist/progress/progress-store.js";
import { recordResult } from "../dist/progress/record-result.js";

const root = join(import.meta.dirname, "..");
const N = Number(process.env.BENCH_N ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CLI_N = Number(process.env.BENCH_CLI_N ?? 10);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const worker = join(root, "test/learner/progress-worker.mjs");
const dir = mkdtempSync(join(tmpdir(), "course-bench-progress-"));
try {
  const courseDir = join(dir, "course");
  const lesson = (i) => ({
    file: `${courseDir}/${i}.md`,
    id: `l${i}`,
    position: i,
    title: `Lesson ${i}`,
    requires: [],
    steps: [{ index: 1, title: "s", hints: [] }],
  });
  const course = { dir: courseDir, lessons: Array.from({ length: 30 }, (_, i) => lesson(i + 1)) };
  const store = new ProgressStore({ dir: join(dir, "one") });
  const outcome = { passed: [1], failed: [], complete: true, solvedBy: "learner" };
  for (const l of course.lessons) await recordResult(store, course, l, outcome);
  const one = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await recordResult(store, course, course.lessons[i % 30], outcome);
    one.push(performance.now() - t0);
  }
  const record = median(one);
  console.log(`one locked record: median ${record.toFixed(2)} ms (n=${N})`);

  const walls = [];
  for (let r = 0; r < ROUNDS; r++) {
    const state = join(dir, `many-${r}`);
    const t0 = performance.now();
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [worker, state, courseDir, String(i + 1)]);
            child.on("error", reject);
            child.on("exit", (code) =>
              code === 0 ? resolve() : reject(new Error(`exit ${code}`)),
            );
          }),
      ),
    );
    walls.push(performance.now() - t0);
  }
  const startOnly = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    startOnly.push(performance.now() - t0);
  }
  const wall = median(walls);
  console.log(
    `20 concurrent processes, 20 lessons: median ${wall.toFixed(0)} ms wall (n=${ROUNDS}); ` +
      `ratio to 20 records in one process: ${(wall / (20 * record)).toFixed(1)}x ` +
      `(node start-up alone: ${median(startOnly).toFixed(0)} ms)`,
  );

  const cli = [];
  for (let i = 0; i < CLI_N; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(root, "dist/bin.js"), "status"], {
      cwd: root,
      env: { ...process.env, COURSE_STATE_DIR: join(dir, "one"), NO_COLOR: "1" },
    });
    if (r.status !== 0) throw new Error(`course status: ${r.stderr}`);
    cli.push(performance.now() - t0);
  }
  console.log(`course status (shipped course): median ${median(cli).toFixed(0)} ms (n=${CLI_N})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
