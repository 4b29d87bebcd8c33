// Lab benchmarks: create + destroy, exec overhead, 100 labs at once.
// Run: npm run build && node bench/lab.mjs   (as root or as a user with user namespaces)
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { listSandboxLabs } from "../dist/lab/lab-records.js";
import { localTransport } from "../dist/lab/local-transport.js";
import { openLab } from "../dist/lab/open-lab.js";
import { openSandboxLab } from "../dist/lab/sandbox-lab.js";

const runtimeDir = mkdtempSync(join(tmpdir(), "course-bench-lab-"));
const root = process.getuid() === 0;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => `${ms.toFixed(2)} ms`;
let n = 0;
const open = (persistent, extra = {}) =>
  openLab({
    spec: { kind: "sandbox" },
    env: process.env,
    key: `bench#${n}`,
    label: `bench-${n++}`,
    persistent,
    runtimeDir,
    ...extra,
  });

function run(argv) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.resume();
    child.stderr.resume();
    child.on("close", resolve);
  });
}

async function createDestroy(persistent, rounds) {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const { lab } = await open(persistent);
    await lab.destroy();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function execOverhead(rounds) {
  const { lab } = await open(false);
  const [record] = (await listSandboxLabs(localTransport(process.env), runtimeDir)).filter(
    (r) => r.id === lab.id,
  );
  const enter = [
    "nsenter",
    "-t",
    String(record.pid),
    ...(root ? ["--user"] : ["--user", "--preserve-credentials"]),
    "--net",
    "--mount",
    "--pid",
    "--uts",
    "--ipc",
    "--",
  ];
  const spawnLab = await openSandboxLab({
    spec: { kind: "sandbox" },
    key: "bench#spawn",
    env: process.env,
    label: "bench-spawn",
    persistent: false,
    runtimeDir,
    transport: localTransport(process.env),
    privileged: root,
    subordinateIds: !root,
    execMode: "spawn",
  });
  const bare = [];
  const spawned = [];
  const server = [];
  await lab.exec("true");
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    await run([...enter, "bash", "-c", "true"]);
    bare.push(performance.now() - t);
    t = performance.now();
    await spawnLab.lab.exec("true");
    spawned.push(performance.now() - t);
  }
  const t = performance.now();
  for (let i = 0; i < rounds * 10; i++) await lab.exec("true");
  const perCommand = (performance.now() - t) / (rounds * 10);
  for (let i = 0; i < rounds; i++) {
    const s = performance.now();
    await lab.exec("true");
    server.push(performance.now() - s);
  }
  // Concurrent probes (as the checks do): 8 at once through the pool.
  const c = performance.now();
  for (let i = 0; i < rounds; i++)
    await Promise.all(Array.from({ length: 8 }, () => lab.exec("true")));
  const concurrent = (performance.now() - c) / (rounds * 8);
  await spawnLab.lab.destroy();
  await lab.destroy();
  return {
    bare: median(bare),
    spawned: median(spawned),
    server: median(server),
    perCommand,
    concurrent,
  };
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function memory(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
    return { rss: kb("Rss"), pss: kb("Pss") };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

async function hundredLabs(count) {
  const t = performance.now();
  const labs = await Promise.all(Array.from({ length: count }, () => open(false)));
  const created = performance.now() - t;
  const records = await listSandboxLabs(localTransport(process.env), runtimeDir);
  // Idle lab memory: the RSS (and PSS) of every process a lab keeps while idle: its PID 1
  // (the record's pid) and what PID 1 has left running, plus, for an ephemeral lab, the process
  // its creator started (an sh waiting for the creator's pipe to end, `course-lab-end PID`).
  const waiters = new Map();
  for (const entry of readdirSync("/proc")) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const at = argv.indexOf("course-lab-end");
      if (at > 0) waiters.set(Number(argv[at + 1]), Number(entry));
    } catch {
      // Ended while we looked.
    }
  }
  let idle = { rss: 0, pss: 0, processes: 0 };
  for (const r of records) {
    const own = waiters.has(r.pid) ? [waiters.get(r.pid)] : [];
    for (const pid of [...own, r.pid, ...children(r.pid)]) {
      const m = memory(pid);
      idle = { rss: idle.rss + m.rss, pss: idle.pss + m.pss, processes: idle.processes + 1 };
    }
  }
  const d = performance.now();
  await Promise.all(labs.map(({ lab }) => lab.destroy()));
  const destroyed = performance.now() - d;
  return { created, destroyed, idle, processesPerLab: idle.processes / count, count };
}

const results = {};
try {
  await createDestroy(false, 3);
  results.ephemeral = await createDestroy(false, 30);
  results.persistent = await createDestroy(true, 30);
  results.exec = await execOverhead(30);
  results.many = await hundredLabs(100);
} finally {
  rmSync(runtimeDir, { recursive: true, force: true });
}

const e = results.exec;
const m = results.many;
console.log(
  `mode: ${root ? "root" : "unprivileged (user namespace)"}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `create + destroy, ephemeral lab (median of 30): ${fmt(results.ephemeral)}   target <= ${root ? 30 : 40} ms`,
);
console.log(`create + destroy, persistent lab (median of 30): ${fmt(results.persistent)}`);
console.log(`bare nsenter + bash -c true (median): ${fmt(e.bare)}`);
console.log(
  `lab.exec("true"), a process per command (median): ${fmt(e.spawned)}   ratio ${(e.spawned / e.bare).toFixed(2)}x   target <= 1.5x`,
);
console.log(
  `lab.exec("true"), persistent shell (median): ${fmt(e.server)}; ${fmt(e.perCommand)} per command in a loop   ratio ${(e.server / e.bare).toFixed(2)}x   target <= 1 ms`,
);
console.log(`lab.exec("true"), 8 at once through the shell pool: ${fmt(e.concurrent)} per command`);
console.log(
  `${m.count} labs at once: created in ${fmt(m.created)}, destroyed in ${fmt(m.destroyed)}   target <= 5000 ms`,
);
console.log(
  `idle lab memory: ${(m.idle.rss / m.count / 1024).toFixed(2)} MiB RSS, ${(m.idle.pss / m.count / 1024).toFixed(2)} MiB PSS per lab (${m.processesPerLab} processes)   target <= 5 MiB`,
);
