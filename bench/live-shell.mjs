// bench/live-shell.mjs: the live lab shell (`course shell`) under a pty, as a learner's terminal
// drives it. Measures (1) prompt-to-prompt time of `true` with live checks on and off
// (COURSE_LIVE=0), median ratio on/off; (2) how long after the command that
// completes a step its tick appears. Fixture course: test/fixtures/learner, real sandbox labs.
// Run: npm run build && node bench/live-shell.mjs [runs]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pty from "@lydell/node-pty";

const runs = Number(process.argv[2] ?? 30);
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

/** A `course shell 1` in a pty; `until(text)` resolves when `text` appears after the last mark. */
function open(live) {
  const p = pty.spawn(process.execPath, [bin, "--lessons", lessons, "shell", "1"], {
    cols: 120,
    rows: 40,
    env: { ...env, COURSE_LIVE: live ? "1" : "0" },
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
  return { p, until, skip: () => (mark = out.length) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function promptTimes(live) {
  const s = open(live);
  await s.until("/tmp# ");
  await new Promise((r) => setTimeout(r, 500));
  s.skip();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    s.p.write("true\r");
    times.push((await s.until("/tmp# ")) - t0);
    // A learner's pace (0.4 s between commands): the live check of one prompt is done before
    // the next command, so this measures its delay to the prompt, not two checks at once.
    await new Promise((r) => setTimeout(r, 400));
  }
  s.p.write("exit\r");
  return times;
}

async function tickTimes() {
  const times = [];
  for (let i = 0; i < Math.min(runs, 10); i++) {
    spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "--all", "--progress"], {
      env,
    });
    const s = open(true);
    await s.until("/tmp# ");
    await new Promise((r) => setTimeout(r, 500));
    s.skip();
    const t0 = performance.now();
    s.p.write("ip netns add blue\r");
    const prompt = await s.until("/tmp# ");
    const tick = await s.until("✓ step 1 done");
    times.push({ tick: tick - t0, prompt: prompt - t0 });
    s.p.write("exit\r");
    await new Promise((r) => s.p.onExit(r));
  }
  return times;
}

try {
  const load = loadavg()[0].toFixed(1);
  const on = await promptTimes(true);
  const off = await promptTimes(false);
  const ticks = await tickTimes();
  const fmt = (x) => `${x.toFixed(1)} ms`;
  console.log(`load average (1 min) at start: ${load}; ${runs} prompts each`);
  console.log(
    `prompt-to-prompt of \`true\`: live on ${fmt(median(on))}, off ${fmt(median(off))}, ratio ${(median(on) / median(off)).toFixed(2)}`,
  );
  console.log(
    `tick after \`ip netns add blue\`: median ${fmt(median(ticks.map((t) => t.tick)))} (prompt back at ${fmt(median(ticks.map((t) => t.prompt)))}), max ${fmt(Math.max(...ticks.map((t) => t.tick)))}, ${ticks.length} runs`,
  );
} finally {
  spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "--all"], { env });
  rmSync(dir, { recursive: true, force: true });
}
