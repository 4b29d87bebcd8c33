// bench/startup.mjs: how long the built CLI takes from spawn to exit for the commands a learner
// runs most: `--help`, `list`, `status`, and `verify 1` of a one-check lesson in a persistent
// sandbox lab (made by a first run, so what is timed is start-up, course loading, opening the
// existing lab, one round trip and recording). Each command runs N times interleaved with
// `node -e 0` (the floor: Node's own start-up), so a burst of load on the shared machine hits
// both alike. Prints medians, the ratio to `node -e 0`, and the load average before and after.
// Run: npm run build && node bench/startup.mjs [runs]
// BENCH_BIN=a/bin.js,b/bin.js compares builds, their runs interleaved too (each its own labs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const runs = Number(process.argv[2] ?? 20);
const bins = (process.env.BENCH_BIN ?? resolve(import.meta.dirname, "../dist/bin.js")).split(",");
const dir = mkdtempSync(join(tmpdir(), "course-bench-startup-"));
writeFileSync(
  join(dir, "01-one.md"),
  "---\ntitle: One\n---\n\n## Make it\n\n```sh\nip netns add blue\n```\n\n```check\nnetns blue\n```\n",
);
const envOf = (b) => ({
  ...process.env,
  NO_COLOR: "1",
  COURSE_STATE_DIR: join(dir, `state-${b}`),
  COURSE_RUNTIME_DIR: join(dir, `runtime-${b}`),
  XDG_CACHE_HOME: join(dir, `cache-${b}`),
});
const timed = (argv, env = envOf(0)) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", env });
  return { ms: performance.now() - t0, code: r.status, out: r.stdout + r.stderr };
};
const course = (b, args) => timed([bins[b], "--lessons", dir, ...args], envOf(b));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

const commands = [
  { name: "--help", args: ["--help"], code: 0 },
  { name: "list", args: ["list"], code: 0 },
  { name: "status", args: ["status"], code: 0 },
  // Exit 1: the check fails (nothing done in the lab); the lab is found, not made.
  { name: "verify 1", args: ["verify", "1"], code: 1 },
];
const loadBefore = load();
const names = [...commands.map((c) => c.name)];
try {
  // The parse cache and the persistent lab, made once, as a learner's second command finds them.
  for (const b of bins.keys()) course(b, ["verify", "1"]);
  const floor = [];
  const times = bins.map(() => Object.fromEntries(names.map((n) => [n, []])));
  for (let i = 0; i < runs; i++) {
    floor.push(timed(["-e", "0"]).ms);
    for (const c of commands) {
      for (const b of bins.keys()) {
        const r = course(b, c.args);
        if (r.code !== c.code) throw new Error(`course ${c.name}: exit ${r.code}\n${r.out}`);
        times[b][c.name].push(r.ms);
      }
    }
  }
  const node0 = median(floor);
  console.log(`${runs} runs each, interleaved; load average ${loadBefore} before, ${load()} after`);
  console.log(`node -e 0  median ${node0.toFixed(0).padStart(5)} ms`);
  for (const b of bins.keys()) {
    console.log(bins[b]);
    for (const [name, ms] of Object.entries(times[b])) {
      console.log(
        `  ${name.padEnd(10)} median ${median(ms).toFixed(0).padStart(5)} ms (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}), ${(median(ms) / node0).toFixed(2)}x node -e 0`,
      );
    }
  }
} finally {
  for (const b of bins.keys()) course(b, ["reset", "--all"]);
  rmSync(dir, { recursive: true, force: true });
}
