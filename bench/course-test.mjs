// `course test` of the shipped course, end to end (spawned `dist/bin.js`, real sandbox labs):
//  1. `course test lessons --jobs 2`: median wall time over BENCH_N runs (default 5), target
//     at most 10 s; also per lesson, and the ratio to one job (what parallel lessons buy);
//  2. `course test lessons --mutate --jobs 2`: median over BENCH_MUTATE_N runs (default 3),
//     target at most 60 s; mutants run and time per mutant.
// Run: npm run build && node bench/course-test.mjs   (as root, like the tests)
import { tempCourse } from "../scripts/temp-course.mjs";

const N = Number(process.env.BENCH_N ?? 5);
const MUTATE_N = Number(process.env.BENCH_MUTATE_N ?? 3);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const { course, dispose } = tempCourse({ prefix: "course-bench-test-", args: ["test", "lessons"] });

function run(args) {
  const t0 = performance.now();
  const r = course(...args);
  const seconds = (performance.now() - t0) / 1000;
  const doc = JSON.parse(r.stdout);
  return { seconds, code: r.status, summary: doc.summary };
}

try {
  const results = {};
  for (const [name, args, n] of [
    ["test, 2 jobs", ["--jobs", "2", "--reporter", "json"], N],
    ["test, 1 job", ["--jobs", "1", "--reporter", "json"], N],
    ["test --mutate, 2 jobs", ["--mutate", "--jobs", "2", "--reporter", "json"], MUTATE_N],
  ]) {
    const runs = [];
    for (let i = 0; i < n; i++) runs.push(run(args));
    const last = runs.at(-1);
    results[name] = { seconds: median(runs.map((r) => r.seconds)), ...last };
  }
  const two = results["test, 2 jobs"];
  const one = results["test, 1 job"];
  const mutate = results["test --mutate, 2 jobs"];
  const s = two.summary;
  console.log(
    `course: ${s.lessons} lessons (${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped), ${s.checks} check evaluations`,
  );
  console.log(`| run | median wall time | target | figures |`);
  console.log(`|---|---|---|---|`);
  console.log(
    `| \`course test lessons --jobs 2\` (${N} runs) | ${two.seconds.toFixed(1)} s | ≤ 10 s | ${(two.seconds / s.lessons).toFixed(2)} s a lesson; exit ${two.code} |`,
  );
  console.log(
    `| \`course test lessons --jobs 1\` (${N} runs) | ${one.seconds.toFixed(1)} s | | 2 jobs take ${(two.seconds / one.seconds).toFixed(2)}× the time of 1 |`,
  );
  console.log(
    `| \`course test lessons --mutate --jobs 2\` (${MUTATE_N} runs) | ${mutate.seconds.toFixed(1)} s | ≤ 60 s | ${mutate.summary.mutants} mutants, ${((mutate.seconds * 2) / Math.max(1, mutate.summary.mutants)).toFixed(2)} s of a job per mutant, ${mutate.summary.warnings} unchecked; ${(mutate.seconds / two.seconds).toFixed(1)}× plain test; exit ${mutate.code} |`,
  );
} finally {
  dispose();
}
