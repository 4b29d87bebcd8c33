#!/usr/bin/env node
/**
 * Parsing and start-up. Run: `npm run build && node bench/parse.mjs [--write]`.
 *
 * 1. Parse + lint of a generated 500-lesson course (lessons shaped like the shipped ones:
 *    front matter, introduction, four steps with prose, commands, checks and a hint).
 *    Target: at most 1 ms per lesson (median over runs).
 * 2. Cold start of `course --help` and `course list` against `node -e 0`, interleaved,
 *    medians of 25 runs each. Target: at most 2x.
 *
 * `--write` replaces the "Parsing and start-up" section of docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lint } from "../dist/flows/lint-course.js";
import { scanBlocks } from "../dist/lesson/block-scan.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "dist/bin.js");
const LESSONS = 500;
const PARSE_RUNS = 9;
const START_RUNS = 25;

/**
 * Why the figures are what they are (from `node --cpu-prof` of this benchmark); kept here so
 * that `--write` keeps it with the figures. Update it when the parser changes.
 */
const EXPLANATION = [
  "Where the time goes, and what was done:",
  "",
  "- History (same benchmark): parse + lint was 7 ms/lesson at first, 3.8 ms after disabling",
  "  inline constructs, 2.3 ms with the block skeleton (2026-11-23 11:10Z), 0.2-0.3 ms with the",
  "  block scan (13:00Z).",
  "- micromark (remark's tokenizer) costs 20-30 µs per block here, whatever the block's length:",
  "  every paragraph, heading text and fence info string gets a tokenizer of its own, and",
  "  mdast-util-from-markdown builds an object per event. A lesson has ~35 blocks, so even with",
  "  inline constructs off and prose lines cut short (the *skeleton*) it took ~1.5 ms in remark.",
  "- The *block scan* (`src/lesson/block-scan.ts`) builds the part of remark's tree that the",
  "  lesson parser reads (front matter, top-level headings, fences, blockquotes and whether they",
  "  are hints) straight from the lines. Fences and `#` headings in column 1 cut a lesson into",
  "  regions; a region of plain prose and simple blockquotes (most of a lesson) is read by the",
  "  scan, any other region (a list, HTML...) by remark alone, and a few cases (a table, CR line",
  "  endings) send the whole lesson to remark. remark stays the reference: a property test",
  "  (`test/lesson/block-scan.test.ts`, 10,000 random documents built from lines on both sides",
  "  of every rule) checks that wherever the scan answers, its nodes, positions, lesson and",
  "  problems are exactly remark's. In the shipped course, 7 lessons are read by the scan alone",
  "  (~0.3 ms each), 06, 07 and 10 with remark for their lists and `<details>` regions (1.2-3",
  "  ms), and 09 (a table) by remark (~5 ms).",
  "- What remains per lesson: yaml + zod for the front matter, the check lines, reading the",
  "  file, and the course-level checks.",
  "- `course --help` loads only commander and `bin.ts`.",
  "- `course list` and `course status` reuse the last parse of an unchanged course",
  "  (`$XDG_CACHE_HOME/course`, keyed by every lesson file's size and times and by the parser's",
  "  own files: stat calls only), so they load none of unified, micromark, yaml or zod; the",
  "  progress file is checked by a small validator, not zod. What is left is node's module",
  "  loader and commander. `./install.sh` ends with `course start`, which fills the cache.",
  "- The first run after a lesson (or `course` itself) changed has to load the parser: yaml",
  "  (~30-60 ms here), zod (~70 ms), and for lessons the scan leaves to remark, unified +",
  "  remark (~70 ms), each comparable to node's own start-up. That row is shown for",
  "  transparency; it is a once-per-edit cost. Bundling `dist/` with esbuild was tried: it",
  "  halves the parser's load time (236 → 119 ms) but would still leave this case above 2×.",
  "",
].join("\n");

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function lessonText(n) {
  const prose =
    "A veth pair is a virtual cable: what goes in one end comes out of the other. Each end is an\n" +
    "interface of its own, with a MAC address, and it can live in any network namespace. Here you\n" +
    `move one end into namespace \`ns${n}\` and give both ends an address on one subnet.\n`;
  const step = (s) => `## Step ${s} of lesson ${n}

${prose}
\`\`\`sh
ip netns add ns${n}-${s}
ip link add v${s}a type veth peer name v${s}b
ip link set v${s}b netns ns${n}-${s}
ip addr add 10.${s}.${n % 250}.1/24 dev v${s}a
ip link set v${s}a up
\`\`\`

Look at what you built:

\`\`\`sh show
ip -n ns${n}-${s} link
\`\`\`

> Hint: \`ip -n NS link\` lists the interfaces of a namespace.

\`\`\`check
netns ns${n}-${s}
link v${s}a up peer ns${n}-${s}:v${s}b
addr v${s}a 10.${s}.${n % 250}.1/24
ns${n}-${s}: not ping 10.${s}.${n % 250}.1   # the far end has no address yet
\`\`\`
`;
  return `---
title: Generated lesson ${n}
timeout: 20
---

${prose}
${prose}
\`\`\`sh setup
ip link add dummy0 type dummy
\`\`\`

${[1, 2, 3, 4].map(step).join("\n")}`;
}

function generate(dir) {
  let bytes = 0;
  for (let n = 1; n <= LESSONS; n++) {
    const text = lessonText(n);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(dir, `${String(n).padStart(3, "0")}-topic-${n}.md`), text);
  }
  return bytes / LESSONS;
}

const quietContext = (cwd, lessons) => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: {},
  cwd,
  global: { debug: false, lessons },
});

async function benchParse(dir) {
  const ctx = quietContext(dir, dir);
  const first = await lint(ctx); // warm-up, and a sanity check
  if (first.summary.errors !== 0 || first.summary.lessons !== LESSONS) {
    throw new Error(`generated course does not lint clean: ${JSON.stringify(first.summary)}`);
  }
  const perLesson = [];
  for (let run = 0; run < PARSE_RUNS; run++) {
    const started = performance.now();
    await lint(ctx);
    perLesson.push((performance.now() - started) / LESSONS);
  }
  return { median: median(perLesson), min: Math.min(...perLesson) };
}

/** The shipped course: real lessons, some read by the block scan and some by remark. */
async function benchShipped(tmp) {
  const lessonsDir = join(root, "lessons");
  const files = readdirSync(lessonsDir).filter((f) => f.endsWith(".md"));
  const scanned = files.filter((f) => {
    const text = readFileSync(join(lessonsDir, f), "utf8");
    return !/[\r\0]/.test(text) && scanBlocks(text.split("\n")) !== undefined; // alone
  }).length;
  const ctx = quietContext(tmp, lessonsDir);
  await lint(ctx);
  const perLesson = [];
  for (let run = 0; run < PARSE_RUNS * 5; run++) {
    const started = performance.now();
    await lint(ctx);
    perLesson.push((performance.now() - started) / files.length);
  }
  return { median: median(perLesson), lessons: files.length, scanned };
}

function timeRun(args, cwd, env) {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: "ignore" });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
  return ms;
}

function benchStart(tmp) {
  // A directory without ./lessons: `course list` reads the shipped course.
  const cwd = join(tmp, "cwd");
  mkdirSync(cwd);
  const cache = join(tmp, "cache");
  const env = {
    ...process.env,
    COURSE_STATE_DIR: join(tmp, "state"),
    XDG_CACHE_HOME: cache,
    NO_COLOR: "1",
  };
  const cases = {
    "node -e 0": ["-e", "0"],
    "course --help": [bin, "--help"],
    "course list": [bin, "list"],
    "course list, no parse cache": [bin, "list"],
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const args of Object.values(cases)) timeRun(args, cwd, env); // warm the file cache
  for (let i = 0; i < START_RUNS; i++) {
    for (const [name, args] of Object.entries(cases)) {
      if (name.endsWith("no parse cache")) rmSync(cache, { recursive: true, force: true });
      times[name].push(timeRun(args, cwd, env));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const tmp = mkdtempSync(join(tmpdir(), "course-bench-parse-"));
try {
  const dir = join(tmp, "lessons");
  mkdirSync(dir);
  const avgBytes = generate(dir);
  const parse = await benchParse(dir);
  const shipped = await benchShipped(tmp);
  const start = benchStart(tmp);
  const base = start["node -e 0"];
  const load = (await import("node:os")).loadavg()[0].toFixed(1);
  const f = (n) => n.toFixed(2);
  const verdict = (ok) => (ok ? "meets target" : "**misses target**");
  const section = `## Parsing and start-up (\`bench/parse.mjs\`)

Run on ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} cores, load average ${load} (the machine was shared).

| what | median | target | |
|---|---|---|---|
| parse + lint, ${LESSONS} generated lessons (${Math.round(avgBytes)} bytes each, 4 steps) | ${f(parse.median)} ms/lesson (best run ${f(parse.min)}) | ≤ 1 ms/lesson | ${verdict(parse.median <= 1)} |
| parse + lint, the shipped course (${shipped.lessons} lessons, ${shipped.scanned} read by the block scan alone) | ${f(shipped.median)} ms/lesson | | |
| \`node -e 0\` | ${f(base)} ms | | |
| \`course --help\` | ${f(start["course --help"])} ms (${f(start["course --help"] / base)}×) | ≤ 2× | ${verdict(start["course --help"] / base <= 2)} |
| \`course list\` (shipped course, parse cache warm) | ${f(start["course list"])} ms (${f(start["course list"] / base)}×) | ≤ 2× | ${verdict(start["course list"] / base <= 2)} |
| \`course list\`, first run after a lesson changed (no parse cache: loads the parser) | ${f(start["course list, no parse cache"])} ms (${f(start["course list, no parse cache"] / base)}×) | (none) | see below |

Parse + lint is \`lint()\` from \`dist/flows/lint-course.js\`: read every file, parse (remark), validate
front matter (yaml + zod), parse every check line, resolve ids and \`requires\`. Start-up
times are wall-clock times of whole processes, ${START_RUNS} interleaved runs each.

${EXPLANATION}`;
  process.stdout.write(`${section}\n`);
  if (process.argv.includes("--write")) {
    const docs = join(root, "docs/benchmarks.md");
    const text = readFileSync(docs, "utf8");
    const startAt = text.indexOf("## Parsing and start-up");
    const next = text.indexOf("\n## ", startAt + 1);
    if (startAt === -1) throw new Error("docs/benchmarks.md has no 'Parsing and start-up' section");
    const end = next === -1 ? text.length : next + 1;
    writeFileSync(docs, `${text.slice(0, startAt)}${section}\n${text.slice(end)}`);
    process.stdout.write("updated docs/benchmarks.md\n");
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
