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
const setup = `${readFileSync(join(import.meta.dirname, "../test/fixtures/topologies/two-containers-on-a-bridge.sh"), "utf8")}sysctl -qw net.ipv4.ip_forward=1
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
  env: process.env,
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

// The check forms of issue 15 (tunnels, tables, the kernel's decisions): 40 checks of the new
// kinds, plus 2 link-local pings, in a lab with a VXLAN device, a named table and policy rules.
const newSetup = `echo "200 John" >> /etc/iproute2/rt_tables
ip netns add h1; ip netns add h2
ip link add eth0 netns h1 type veth peer name eth0 netns h2
ip -n h1 addr add 10.0.0.1/24 dev eth0; ip -n h2 addr add 10.0.0.2/24 dev eth0
ip -n h1 addr add fe80::1/64 dev eth0 nodad; ip -n h2 addr add fe80::2/64 dev eth0 nodad
ip -n h1 link set eth0 up; ip -n h2 link set eth0 up
ip -n h1 link add vxlan10 type vxlan id 10 local 10.0.0.1 dstport 4789 dev eth0 nolearning
bridge -n h1 fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.0.0.2
ip -n h1 link add mv0 link eth0 type macvlan mode bridge
ip -n h1 route add default via 10.0.0.2 table John metric 5
ip -n h1 route add 192.168.7.0/24 via 10.0.0.2 metric 7
ip -n h1 rule add from 10.0.0.1 lookup John priority 100
ip -n h1 rule add fwmark 3 lookup John priority 101
`;
const newKinds = [
  "h1: link vxlan10 type vxlan id=10 local=10.0.0.1 port=4789 learning=false",
  "h1: link mv0 type macvlan mode=bridge",
  "h1: fdb vxlan10 00:00:00:00:00:00 dst 10.0.0.2 permanent",
  "h1: route default via 10.0.0.2 table John metric 5",
  "h1: route 192.168.7.0/24 via 10.0.0.2 metric 7",
  "h1: route default table 200",
  "h1: rule from 10.0.0.1 lookup John priority 100",
  "h1: rule fwmark 3 lookup 200",
  "h1: lookup 192.0.2.1 from 10.0.0.1 via 10.0.0.2 table John",
  "h1: lookup 192.168.7.9 via 10.0.0.2 src 10.0.0.1",
  "h1: addr eth0 in 10.0.0.0/24",
  "h1: addr eth0 in fe80::/64",
  "h2: addr eth0 in 10.0.0.0/24",
  "h1: not route 192.168.7.0/24 table John",
  "h1: lookup 192.168.7.1 dev eth0",
  "h1: rule from all lookup main",
  "h1: link eth0 up type veth peer h2:eth0",
  "h2: link eth0 up",
  "h1: route 10.0.0.0/24 dev eth0",
  "h1: lookup 10.0.0.2 dev eth0",
];
const newChecks = [...newKinds, ...newKinds]; // 40
const newSteps = [0, 1].map((i) => {
  const lines = [...newChecks.slice(i * 20, i * 20 + 20), `h${i + 1}: ping fe80::${2 - i}%eth0`];
  return `## Step ${i + 1}\n\n\`\`\`check\n${lines.join("\n")}\n\`\`\`\n`;
});
const newDir = mkdtempSync(join(tmpdir(), "course-bench-verify-new-"));
writeFileSync(
  join(newDir, "01-new.md"),
  `---\ntitle: New kinds\n---\n\n\`\`\`sh setup\n${newSetup}\`\`\`\n\n${newSteps.join("\n")}`,
);
{
  const loaded = await loadCourse({ cwd: newDir, lessons: newDir });
  const bad = loaded.problems.filter((p) => p.severity === "error");
  if (bad.length > 0) throw new Error(JSON.stringify(bad, null, 2));
  const newLesson = loaded.course.lessons[0];
  const { lab: newLab } = await openLab({
    spec: { kind: "sandbox" },
    env: process.env,
    key: `bench-verify-new-${process.pid}`,
    label: "bench-verify-new",
    persistent: false,
  });
  try {
    const r = await newLab.exec(newSetup);
    if (r.exitCode !== 0) throw new Error(r.stderr);
    const times = [];
    const trips = [];
    for (let i = 0; i < runs + 2; i++) {
      const report = await verifyLesson(newLab, newLesson);
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
    const m = median(times);
    console.log(
      `new kinds (link KEY=VALUE, fdb permanent, route table/metric, lookup, rule, addr in, ping %DEV): ${newLesson.steps.flatMap((s) => s.checks).length} checks`,
    );
    console.log(
      `new kinds verify median: ${m.toFixed(0)} ms over ${runs} runs (min ${Math.min(...times)}, max ${Math.max(...times)}); round trips ${median(trips)} (max ${Math.max(...trips)})`,
    );
    console.log(
      `target (new kinds): median <= 150 ms and <= 3 round trips: ${m <= 150 && Math.max(...trips) <= 3 ? "met" : "NOT met"}`,
    );
  } finally {
    await newLab.destroy();
    rmSync(newDir, { recursive: true, force: true });
  }
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
