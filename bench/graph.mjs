// `course graph`: what drawing costs once the facts are in.
//  1. buildGraph and each renderer on recorded labs (test/graph/fixtures): medians per call;
//  2. SVG: the first render in a fresh process (loads Graphviz wasm) vs a warm render, and the
//     ratio to the DOT it is drawn from;
//  3. `course graph` end to end (spawned `dist/bin.js`, text and svg) on a real lab after
//     `course run` of lesson BENCH_GRAPH_LESSON (default 3), against `course --version`.
// Run: npm run build && node bench/graph.mjs   (as root, like the tests)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildGraph } from "../dist/graph/build-graph.js";
import { renderDot } from "../dist/graph/render-dot.js";
import { renderMermaid } from "../dist/graph/render-mermaid.js";
import { renderText } from "../dist/graph/render-text.js";
import { tempCourse } from "../scripts/temp-course.mjs";

const root = join(import.meta.dirname, "..");
const N = Number(process.env.BENCH_N ?? 200);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const time = (fn, n = N) => {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
};
const fmt = (x) => `${x < 1 ? x.toFixed(3) : x.toFixed(1)} ms`;

const rows = [];
for (const name of ["veth-pair", "bridge", "nat"]) {
  const facts = JSON.parse(readFileSync(join(root, "test/graph/fixtures", `${name}.json`), "utf8"));
  const graph = buildGraph(facts);
  rows.push({
    lab: name,
    build: time(() => buildGraph(facts)),
    text: time(() => renderText(graph)),
    mermaid: time(() => renderMermaid(graph)),
    dot: time(() => renderDot(graph)),
  });
}
console.log("| lab | buildGraph | text | mermaid | dot |");
console.log("|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.lab} | ${fmt(r.build)} | ${fmt(r.text)} | ${fmt(r.mermaid)} | ${fmt(r.dot)} |`,
  );
}

// SVG in fresh processes: the first render pays for loading Graphviz; then warm renders.
const svgScript = `
import { readFileSync } from "node:fs";
import { buildGraph } from "${root}/dist/graph/build-graph.js";
import { renderSvg } from "${root}/dist/graph/render-svg.js";
const g = buildGraph(JSON.parse(readFileSync("${root}/test/graph/fixtures/nat.json", "utf8")));
let t0 = performance.now(); await renderSvg(g); const cold = performance.now() - t0;
const warm = [];
for (let i = 0; i < 30; i++) { t0 = performance.now(); await renderSvg(g); warm.push(performance.now() - t0); }
warm.sort((a, b) => a - b);
console.log(JSON.stringify({ cold, warm: warm[15] }));`;
const colds = [];
const warms = [];
for (let i = 0; i < 5; i++) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", svgScript], {
    encoding: "utf8",
  });
  const { cold, warm } = JSON.parse(r.stdout);
  colds.push(cold);
  warms.push(warm);
}
const natGraph = buildGraph(
  JSON.parse(readFileSync(join(root, "test/graph/fixtures/nat.json"), "utf8")),
);
const dotNat = time(() => renderDot(natGraph));
console.log(
  `\nsvg (nat): first render ${fmt(median(colds))} (loads Graphviz wasm), warm ${fmt(median(warms))}; warm svg / dot = ${(median(warms) / dotNat).toFixed(0)}x`,
);

// End to end, on a real lab: `course run N` once, then `course graph N` (text, svg) against
// `course --version` (process start, the floor) in the same run. Labs in a temp dir, reset after.
const lesson = process.env.BENCH_GRAPH_LESSON ?? "3";
const { course, dispose } = tempCourse({ prefix: "course-bench-graph-" });
try {
  const run = course("run", lesson);
  if (run.status !== 0 && run.status !== 1) throw new Error(`course run ${lesson}: ${run.stderr}`);
  const spawned = (args) => {
    const xs = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      const r = course(...args);
      if (r.status !== 0) throw new Error(`course ${args.join(" ")}: ${r.stderr}`);
      xs.push(performance.now() - t0);
    }
    return median(xs);
  };
  const floor = spawned(["--version"]);
  const text = spawned(["graph", lesson]);
  const svg = spawned(["graph", lesson, "--format", "svg"]);
  console.log(
    `\ncourse graph ${lesson} (spawned, lab exists): text ${fmt(text)}, svg ${fmt(svg)}; course --version ${fmt(floor)}; text / --version = ${(text / floor).toFixed(1)}x, svg / text = ${(svg / text).toFixed(2)}x`,
  );
} finally {
  dispose();
}
