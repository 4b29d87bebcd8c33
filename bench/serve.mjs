// bench/serve.mjs: `course serve` (the built binary) measured from outside, as a browser uses it.
//  1. keystroke echo: one key over the terminal's WebSocket → pty → lab shell → WebSocket back;
//  2. POST /api/lessons/3/verify (lesson 3 unlocked by `course run --count` of lessons 1 and 2),
//     with its terminal open (the page's case) and, interleaved, through a server with none;
//  3. 50 learners at once: a course of 50 always-open lessons, 50 labs, 50 terminals each
//     running `ping -i 0.2 127.0.0.1` inside its lab; the server's memory per learner and its
//     event-loop delay (measured inside the server by bench/serve-probe.mjs).
// Run: npm run build && node bench/serve.mjs [keystrokes] [verifies] [learners] (0 skips a part)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { tempCourse } from "../scripts/temp-course.mjs";

const keys = Number(process.argv[2] ?? 200);
const verifies = Number(process.argv[3] ?? 20);
const learners = Number(process.argv[4] ?? 50);
const root = join(import.meta.dirname, "..");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(2)} ms`;

async function serve(temp, extraArgs = [], probe) {
  const child = spawn(
    process.execPath,
    [
      ...(probe ? ["--import", join(import.meta.dirname, "serve-probe.mjs")] : []),
      join(root, "dist/bin.js"),
      ...extraArgs,
      "serve",
      "--port",
      "0",
      "--no-open",
    ],
    {
      cwd: root,
      env: { ...temp.env, ...(probe ? { COURSE_BENCH_PROBE: probe } : {}) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  for await (const chunk of child.stdout) {
    out += chunk;
    const m = /course: serving (\S+)/.exec(out);
    if (m) {
      const url = new URL(m[1]);
      return { child, origin: url.origin, token: url.searchParams.get("token") };
    }
  }
  throw new Error(`course serve did not start: ${out}`);
}

async function stop(server) {
  server.child.kill("SIGTERM");
  if (server.child.exitCode === null) await once(server.child, "exit");
}

/** A terminal socket; `screen()` is everything it received; `until(text)` waits for it. */
async function terminal(server, lesson) {
  const ws = new WebSocket(
    `${server.origin.replace("http", "ws")}/api/lessons/${lesson}/terminal`,
    { headers: { authorization: `Bearer ${server.token}`, origin: server.origin } },
  );
  let text = "";
  let waiter;
  let frameWaiter;
  ws.on("message", (data, binary) => {
    if (!binary) return;
    text += data.toString();
    if (frameWaiter) {
      const w = frameWaiter;
      frameWaiter = undefined;
      w(data.toString());
    }
    if (waiter && text.includes(waiter.want, waiter.from)) {
      const w = waiter;
      waiter = undefined;
      w.resolve();
    }
  });
  await once(ws, "open");
  const until = (want, from = 0) =>
    new Promise((resolve, reject) => {
      if (text.includes(want, from)) return resolve();
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(want)}`)), 30_000);
      waiter = {
        want,
        from,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  const type = (data) => ws.send(JSON.stringify({ type: "input", data }));
  /** A WebSocket ping answered by ws inside the server: the round trip with none of our code. */
  const ping = () =>
    new Promise((resolve) => {
      ws.once("pong", resolve);
      ws.ping();
    });
  const nextFrame = () =>
    new Promise((resolve) => {
      frameWaiter = resolve;
    });
  return { ws, type, until, nextFrame, ping, screen: () => text };
}

const results = { load: loadavg()[0].toFixed(2) };

// 1 and 2: the shipped course (skipped with 0 keystrokes and 0 verifies).
if (keys > 0 || verifies > 0) {
  const temp = tempCourse({ prefix: "course-bench-serve-" });
  let server;
  let noTerminal;
  try {
    for (const n of ["1", "2"]) {
      const r = temp.course("run", n, "--count");
      if (r.status !== 0) throw new Error(`course run ${n}: ${r.stderr}`);
    }
    server = await serve(temp);
    const t = await terminal(server, "3");
    await t.until("[lesson 3 ·");
    await sleep(2000); // the first live check's tick has been shown
    const echo = [];
    for (let i = 0; i < keys; i++) {
      const key = String.fromCharCode(97 + (i % 26));
      const started = performance.now();
      const frame = t.nextFrame();
      t.type(key);
      // The first frame after the key must be its echo (nothing else runs in this shell).
      const got = await frame;
      echo.push(performance.now() - started);
      if (!got.includes(key))
        throw new Error(`expected the echo of ${key}, got ${JSON.stringify(got)}`);
      if (i % 40 === 39) {
        t.type("\u0015"); // Ctrl-U: clear the line now and then, and let its redraw pass
        await sleep(300);
      }
    }
    t.type("\u0015");
    // The floor at this moment: the same key through a bare pty (bash here, no server, no lab).
    const pty = await import("@lydell/node-pty");
    const bare = pty.spawn("bash", ["--norc", "--noprofile", "-i"], { cols: 80, rows: 24 });
    let bareWaiter;
    bare.onData((d) => bareWaiter?.(d));
    await sleep(1000);
    const floor = [];
    for (let i = 0; i < keys; i++) {
      const key = String.fromCharCode(97 + (i % 26));
      const got = new Promise((resolve) => {
        bareWaiter = resolve;
      });
      const started = performance.now();
      bare.write(key);
      await got;
      floor.push(performance.now() - started);
      if (i % 40 === 39) {
        bare.write("\u0015");
        await sleep(300);
      }
    }
    bare.kill();
    results.floorMedian = median(floor);
    const pings = [];
    for (let i = 0; i < keys; i++) {
      const started = performance.now();
      await t.ping();
      pings.push(performance.now() - started);
    }
    results.pingMedian = median(pings);
    results.echoMedian = median(echo);
    results.echoP90 = [...echo].sort((a, b) => a - b)[Math.floor(echo.length * 0.9)];

    // Verify with the lesson's terminal open, as the page has it (its lab is reused), and, in
    // turn, through a second server on the same home with no terminal open (an API script: the
    // lab is joined per request). Interleaved, so both see the same load.
    noTerminal = await serve(temp);
    const verifyOnce = async (s) => {
      const started = performance.now();
      const res = await fetch(`${s.origin}/api/lessons/3/verify`, {
        method: "POST",
        headers: { authorization: `Bearer ${s.token}` },
      });
      await res.json();
      if (res.status !== 200) throw new Error(`verify: ${res.status}`);
      return performance.now() - started;
    };
    const times = [];
    const alone = [];
    for (let i = 0; i < verifies + 2; i++) {
      const a = await verifyOnce(server);
      const b = await verifyOnce(noTerminal);
      if (i < 2) continue; // the first two warm up
      times.push(a);
      alone.push(b);
    }
    results.verifyMedian = median(times);
    results.verifyAloneMedian = median(alone);
    // The same verify as a CLI run, for the ratio: what serving in process saves.
    const cli = [];
    for (let i = 0; i < Math.min(verifies, 10); i++) {
      const started = performance.now();
      temp.course("verify", "3", "--json");
      cli.push(performance.now() - started);
    }
    results.cliVerifyMedian = median(cli);
  } finally {
    if (server) await stop(server);
    if (noTerminal) await stop(noTerminal);
    temp.dispose();
  }
}

// 3: many learners at once (skipped with 0 learners).
if (learners > 0) {
  const temp = tempCourse({ prefix: "course-bench-serve50-" });
  const lessons = join(temp.dir, "lessons");
  mkdirSync(lessons);
  for (let i = 1; i <= learners; i++) {
    writeFileSync(
      join(lessons, `${String(i).padStart(2, "0")}-learner-${i}.md`),
      `---\ntitle: Learner ${i}\nrequires: []\n---\n\nA lab of its own.\n\n## Ping\n\n\`\`\`sh\nping -c 1 127.0.0.1\n\`\`\`\n\n\`\`\`check\nlink lo up\n\`\`\`\n`,
    );
  }
  const probe = join(temp.dir, "probe.json");
  const read = async (server) => {
    server.child.kill("SIGUSR2");
    await sleep(300);
    return JSON.parse(readFileSync(probe, "utf8"));
  };
  let server;
  const terms = [];
  try {
    server = await serve(temp, ["--lessons", lessons], probe);
    // Warm: one request of each kind, so the baseline holds the loaded code, not only the learners.
    await fetch(`${server.origin}/api/lessons`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    await sleep(1000);
    await read(server);
    // The same server idle, on the same machine at the same time: what the load alone costs.
    await sleep(10_000);
    const before = await read(server);
    const opening = performance.now();
    for (let i = 1; i <= learners; i++) {
      const t = await terminal(server, String(i));
      terms.push(t);
    }
    for (const [i, t] of terms.entries()) {
      await t.until(`[lesson ${i + 1} ·`);
      t.type("ping -i 0.2 127.0.0.1\r");
    }
    results.openAllMs = performance.now() - opening;
    await Promise.all(terms.map((t) => t.until("icmp_seq=3")));
    await read(server); // restart the histogram: measure the steady state only
    await sleep(10_000);
    const during = await read(server);
    const replies = terms.map((t) => (t.screen().match(/icmp_seq=/g) ?? []).length);
    results.learners = learners;
    results.minReplies = Math.min(...replies);
    results.rssBeforeMiB = before.rss / 2 ** 20;
    results.rssDuringMiB = during.rss / 2 ** 20;
    results.perLearnerMiB = (during.rss - before.rss) / 2 ** 20 / learners;
    results.loopP50 = during.p50;
    results.loopP99 = during.p99;
    results.loopMax = during.max;
    results.idleP50 = before.p50;
    results.idleP99 = before.p99;
    for (const t of terms) t.type("\u0003");
    await sleep(300);
    for (const t of terms) t.ws.close();
  } finally {
    if (server) await stop(server);
    temp.dispose();
  }
}

results.loadAfter = loadavg()[0].toFixed(2);
console.log(`load average (1 min): ${results.load} before, ${results.loadAfter} after`);
if (keys > 0)
  console.log(
    `keystroke echo (WebSocket → pty → lab shell → WebSocket): median ${ms(results.echoMedian)}, p90 ${ms(results.echoP90)} over ${keys} keys (target ≤ 10 ms); at the same time, a bare local pty: median ${ms(results.floorMedian)}, a WebSocket ping to the server (no code of ours): median ${ms(results.pingMedian)}`,
  );
if (verifies > 0)
  console.log(
    `verify lesson 3 through the API, its terminal open (as the page has it): median ${ms(results.verifyMedian)} over ${verifies} (target ≤ 150 ms); interleaved, through a server with no terminal open: ${ms(results.verifyAloneMedian)}; \`course verify 3 --json\` as a process: ${ms(results.cliVerifyMedian)} (${(results.cliVerifyMedian / results.verifyMedian).toFixed(1)}x)`,
  );
if (learners > 0) {
  console.log(
    `${results.learners} learners, each a lab with \`ping -i 0.2\` in its terminal (all opened in ${(results.openAllMs / 1000).toFixed(1)} s; fewest replies seen in 10 s: ${results.minReplies}):`,
  );
  console.log(
    `  server memory ${results.rssBeforeMiB.toFixed(1)} MiB → ${results.rssDuringMiB.toFixed(1)} MiB: ${results.perLearnerMiB.toFixed(2)} MiB per learner (target ≤ 15)`,
  );
  console.log(
    `  event-loop delay: p50 ${ms(results.loopP50)}, p99 ${ms(results.loopP99)}, max ${ms(results.loopMax)} (target p99 ≤ 50 ms); the same server idle just before: p50 ${ms(results.idleP50)}, p99 ${ms(results.idleP99)}`,
  );
}
