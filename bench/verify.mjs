// bench/verify.mjs: `course verify` of a lesson with 40 state checks and 4 pings, in a real
// sandbox lab. Reports the median time and the lab round trips per verify, and the ratio to
// evaluating the same checks one round trip each (what batching saves).
// Run: npm run build && node bench/verify.mjs [runs]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { evaluateChecks } from "../dist/checks/evaluate-checks.js";
import { verifyLesson } from "../dist/flows/verify.js";
import { openLab } from "../dist/lab/open-lab.js";
import { loadCourse } from "../dist/load-course.js";

const runs = Number(process.argv[2] ?? 20);

// The check tests' topology (test/checks/helpers.ts BRIDGE), plus forwarding and SNAT.
const setup = `${readFileSync(join(import.meta.dirname, "../test/fixtures/two-containers-on-a-bridge.sh"), "utf8")}sysctl -qw net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
`;

// 40 state checks of every state kind, spread over 4 steps, each step ending with a ping.
const state = [
  "netns c1",
  "netns c2",
  "link br0 up type bridge",
  "link veth-c1 up master br0 peer c1:eth0",
  "link veth-c2 up master br0 peer c2:eth0",
  "c1: link eth0 up type veth",
  "c2: link eth0 up mtu 1500",
  "addr br0 172.18.0.1/16",
  "c1: addr eth0 172.18.0.2/16",
  "c2: addr eth0 172.18.0.3/16",
  "c1: route default via 172.18.0.1 dev eth0",
  "c2: route default via 172.18.0.1",
  "route 172.18.0.0/16 dev br0",
  "sysctl net.ipv4.ip_forward 1",
  "iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
  "iptables -P FORWARD ACCEPT",
  "c1: link lo up",
  "c2: link lo up",
  "fdb br0 c1:eth0 port veth-c1",
  "fdb br0 c2:eth0 port veth-c2",
];
const pings = [
  "c1: ping 172.18.0.3",
  "c2: ping 172.18.0.2",
  "c1: ping 172.18.0.1",
  "ping 172.18.0.3",
];
const allState = [...state, ...state]; // 40
const steps = [0, 1, 2, 3].map((i) => {
  const checks = [...allState.slice(i * 10, i * 10 + 10), pings[i]];
  return `## Step ${i + 1}\n\n\`\`\`check\n${checks.join("\n")}\n\`\`\`\n`;
});
const lesson = `---\ntitle: Verify benchmark\n---\n\n\`\`\`sh setup\n${setup}\`\`\`\n\n${steps.join("\n")}`;

const dir = mkdtempSync(join(tmpdir(), "course-bench-verify-"));
writeFileSync(join(dir, "01-bench.md"), lesson);
const { course, problems } = await loadCourse({ cwd: dir, lessons: dir });
const errors = problems.filter((p) => p.severity === "error");
if (errors.length > 0) throw new Error(JSON.stringify(errors, null, 2));
const target = course.lessons[0];
const checks = target.steps.flatMap((s) => s.checks);

const { lab } = await openLab({
  spec: { kind: "sandbox" },
  key: `bench-verify-${process.pid}`,
  label: "bench-verify",
  persistent: false,
});
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
try {
  const r = await lab.exec(setup);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  // Fill the bridge's fdb (the fdb checks) before measuring.
  await lab.exec("ip netns exec c1 ping -c1 -W1 172.18.0.3 >/dev/null");

  const times = [];
  const trips = [];
  for (let i = 0; i < runs + 2; i++) {
    const report = await verifyLesson(lab, target);
    if (!report.passed) {
      const failed = report.steps.flatMap((s) => s.results).filter((x) => !x.passed);
      throw new Error(
        `verify failed: ${failed.map((f) => `${f.check.source}: ${f.found}`).join("\n")}`,
      );
    }
    if (i >= 2) {
      times.push(report.durationMs);
      trips.push(report.roundTrips);
    }
  }

  // Baseline: the same checks, one evaluation (one round trip or more) per check.
  const oneByOne = [];
  for (let i = 0; i < Math.max(3, Math.floor(runs / 4)); i++) {
    const t0 = performance.now();
    for (const c of checks) await evaluateChecks(lab, [c], { timeout: target.timeout });
    oneByOne.push(performance.now() - t0);
  }

  const m = median(times);
  const base = median(oneByOne);
  console.log(
    `checks: ${checks.length} (${checks.length - pings.length} state, ${pings.length} pings)`,
  );
  console.log(
    `verify median: ${m.toFixed(0)} ms over ${runs} runs (min ${Math.min(...times)}, max ${Math.max(...times)})`,
  );
  console.log(`round trips per verify: ${median(trips)} (max ${Math.max(...trips)})`);
  console.log(
    `one check per round trip: ${base.toFixed(0)} ms median; batching is ${(base / m).toFixed(1)}× faster`,
  );
  console.log(
    `target: median <= 150 ms and <= 3 round trips: ${m <= 150 && Math.max(...trips) <= 3 ? "met" : "NOT met"}`,
  );
} finally {
  await lab.destroy();
}

// The same lesson through the built CLI (`course verify 1`, a persistent lab made once by the
// first run from the lesson's setup): what a learner waits for, Node start-up included.
const bin = resolve(import.meta.dirname, "../dist/bin.js");
const env = {
  ...process.env,
  NO_COLOR: "1",
  COURSE_STATE_DIR: join(dir, "state"),
  COURSE_RUNTIME_DIR: join(dir, "runtime"),
};
const cli = (args) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, "--lessons", dir, ...args], {
    encoding: "utf8",
    env,
  });
  return { ms: performance.now() - t0, code: r.status, out: r.stdout + r.stderr };
};
try {
  cli(["verify", "1"]); // creates the lab and runs the setup
  cli(["verify", "1"]); // the fdb is filled by now (the pings of the first run)
  const cliTimes = [];
  for (let i = 0; i < Math.max(5, Math.floor(runs / 2)); i++) {
    const r = cli(["verify", "1"]);
    if (r.code !== 0) throw new Error(`course verify failed:\n${r.out}`);
    cliTimes.push(r.ms);
  }
  const node0 = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    node0.push(performance.now() - t0);
  }
  console.log(
    `course verify (CLI, persistent lab): ${median(cliTimes).toFixed(0)} ms median; node -e 0: ${median(node0).toFixed(0)} ms`,
  );
} finally {
  cli(["reset", "--all"]);
  rmSync(dir, { recursive: true, force: true });
}
