// bench/live-shell.mjs: the live lab shell (`course shell`) under a pty, as a learner's terminal
// drives it. Measures (1) prompt-to-prompt time of `true` with live checks on and off
// (COURSE_LIVE=0): two shells open side by side in the same lab, prompts interleaved (on, off,
// off, on, …) so a change in the machine's load hits both alike; median of each, their ratio;
// (2) how long after the command that completes a step its tick appears.
// Fixture course: test/fixtures/learner, real sandbox labs.
// Run: npm run build && node bench/live-shell.mjs [prompts per mode, default 100] [tick runs, default 10]
// (PACE_MS=N: the pause between prompts, default 1000)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pty from "@lydell/node-pty";

const runs = Number(process.argv[2] ?? 100);
const tickRuns = Number(process.argv[3] ?? 10);
/**
 * A learner's pace: the live check of one prompt is over before the next command (at load 20 on
 * 2 cores a check takes 300-500 ms; a faster pace measures two checks at once, not the prompt).
 */
const PACE_MS = Number(process.env.PACE_MS ?? 1000);
/**
 * BENCH_AA=1: both shells with checks off (an A/A run): the spread the machine alone puts between
 * two identical shells, to read the on/off figures against.
 */
const AA = process.env.BENCH_AA === "1";
const root = resolve(import.meta.dirname, "..");
const bin = join(root, "dist/bin.js");
const lessons = join(root, "test/fixtures/learner");
const dir = mkdtempSync(join(tmpdir(), "course-bench-live-"));
const env = {
  ...process.env,
  TERM: "xterm-256color",
  NO_COLOR: "1",
  COURSE_STATE_DIR: join(dir, "state"),
  COURSE_RUNTIME_DIR: join(dir, "run"),
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A `course shell 1` in a pty; `until(text)` resolves when `text` appears after the last mark. */
function open(live) {
  const p = pty.spawn(process.execPath, [bin, "--lessons", lessons, "shell", "1"], {
    cols: 120,
    rows: 40,
    env: { ...env, COURSE_LIVE: live && !AA ? "1" : "0" },
  });
  let out = "";
  let mark = 0;
  let waiter;
  p.onData((d) => {
    out += d;
    waiter?.();
  });
  const until = (text) =>
    new Promise((res) => {
      const check = () => {
        const at = out.indexOf(text, mark);
        if (at >= 0) {
          mark = at + text.length;
          waiter = undefined;
          res(performance.now());
        }
      };
      waiter = check;
      check();
    });
  const exited = new Promise((r) => p.onExit(r));
  return { p, until, skip: () => (mark = out.length), exited };
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const quantile = (xs, q) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const median = (xs) => quantile(xs, 0.5);

/** One prompt: type `true`, time until the next prompt is on the terminal. */
async function prompt(s) {
  const t0 = performance.now();
  s.p.write("true\r");
  return (await s.until("/tmp# ")) - t0;
}

/** One round: two shells, `onFirst` says which is opened first (the first one may make the lab). */
async function promptTimes(runs, onFirst) {
  const first = open(onFirst);
  await first.until("/tmp# ");
  const second = open(!onFirst);
  await second.until("/tmp# ");
  const [on, off] = onFirst ? [first, second] : [second, first];
  await sleep(500);
  on.skip();
  off.skip();
  // Warm both (JIT, page cache) before measuring.
  for (let i = 0; i < 5; i++) {
    await prompt(on);
    await sleep(PACE_MS);
    await prompt(off);
    await sleep(PACE_MS);
  }
  const times = { on: [], off: [] };
  for (let i = 0; i < runs; i++) {
    // ABBA order: neither mode always goes first after the pause.
    const order = i % 2 === 0 ? ["on", "off"] : ["off", "on"];
    for (const mode of order) {
      times[mode].push(await prompt(mode === "on" ? on : off));
      await sleep(PACE_MS);
    }
  }
  on.p.write("exit\r");
  off.p.write("exit\r");
  await Promise.all([on.exited, off.exited]);
  return times;
}

async function tickTimes() {
  const times = [];
  for (let i = 0; i < tickRuns; i++) {
    spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "--all", "--progress"], {
      env,
    });
    const s = open(true);
    await s.until("/tmp# ");
    await sleep(500);
    s.skip();
    const t0 = performance.now();
    s.p.write("ip netns add blue\r");
    const back = await s.until("/tmp# ");
    const tick = await s.until("✓ step 1 done");
    times.push({ tick: tick - t0, prompt: back - t0 });
    s.p.write("exit\r");
    await s.exited;
  }
  return times;
}

try {
  const loadBefore = loadavg().map((x) => x.toFixed(1));
  // Two rounds: the shell with checks on opened first, then second.
  const one = await promptTimes(Math.ceil(runs / 2), true);
  const two = await promptTimes(Math.floor(runs / 2), false);
  const on = [...one.on, ...two.on];
  const off = [...one.off, ...two.off];
  const loadMid = loadavg().map((x) => x.toFixed(1));
  const ticks = tickRuns > 0 ? await tickTimes() : [];
  const fmt = (x) => `${x.toFixed(2)} ms`;
  const spread = (xs) => `p25 ${fmt(quantile(xs, 0.25))}, p75 ${fmt(quantile(xs, 0.75))}`;
  console.log(
    `load average (1/5/15 min): before ${loadBefore.join(" ")}, after the prompts ${loadMid.join(" ")}`,
  );
  console.log(
    `prompt-to-prompt of \`true\`, ${runs} prompts per mode, interleaved, ${PACE_MS} ms apart${AA ? " (A/A: both shells with checks off)" : ""}:`,
  );
  console.log(`  live on  median ${fmt(median(on))} (${spread(on)})`);
  console.log(`  live off median ${fmt(median(off))} (${spread(off)})`);
  console.log(`  ratio on/off of the medians: ${(median(on) / median(off)).toFixed(3)}`);
  // Each on prompt beside the off prompt measured next to it: the load they met was alike.
  const paired = on.map((x, i) => x / (off[i] ?? x));
  console.log(`  median of the paired ratios: ${median(paired).toFixed(3)}`);
  if (ticks.length > 0) {
    console.log(
      `tick after \`ip netns add blue\`: median ${fmt(median(ticks.map((t) => t.tick)))} (prompt back at ${fmt(median(ticks.map((t) => t.prompt)))}), max ${fmt(Math.max(...ticks.map((t) => t.tick)))}, ${ticks.length} runs`,
    );
  }
} finally {
  spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "--all"], { env });
  rmSync(dir, { recursive: true, force: true });
}
