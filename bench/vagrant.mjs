// The Vagrant VM (vagrant-libvirt): what the lab costs once a VM runs, and what it costs to get one.
//  1. box build (scripts/build-vagrant-box.sh): time and size          (BENCH_BUILD_BOX=FILE)
//  2. first `vagrant up` from the box, provisioners included
//  3. one command through course's kept ssh master into the VM, vs a local process start
//  4. `course --lab vagrant verify 3` vs the local sandbox's `course verify 3` (after `run 3`)
//  5. the whole shipped course in the VM: `course --lab vagrant test`
// Needs a box (COURSE_VAGRANT_BOX, see docs/remote.md) and libvirt running (`virtlogd -d;
// libvirtd -d` without systemd). It makes its own VM in a temp project dir and destroys it at
// the end; libvirt's own host changes (its bridge, iptables chains) stay: see docs/remote.md.
// Run: npm run build && COURSE_VAGRANT_BOX=course/debian12 node bench/vagrant.mjs
//      (COURSE_VAGRANT_LIBVIRT_DRIVER=qemu where /dev/kvm is missing or too slow)
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openLab } from "../dist/lab/open-lab.js";
import { vagrantTransport } from "../dist/lab/vagrant-lab.js";

const repo = resolve(import.meta.dirname, "..");
const N = Number(process.env.BENCH_N ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

if (!process.env.COURSE_VAGRANT_BOX) {
  console.error("bench/vagrant: set COURSE_VAGRANT_BOX to a libvirt box (docs/remote.md)");
  process.exit(2);
}
const home = mkdtempSync(join(tmpdir(), "course-bench-vagrant-"));
const project = join(home, "project");
spawnSync("mkdir", ["-p", project]);
copyFileSync(join(repo, "Vagrantfile"), join(project, "Vagrantfile"));
const env = {
  ...process.env,
  NO_COLOR: "1",
  COURSE_VAGRANT_DIR: project,
  COURSE_STATE_DIR: join(home, "state"),
  COURSE_RUNTIME_DIR: join(home, "runtime"),
  XDG_CACHE_HOME: join(home, "cache"),
  VAGRANT_DEFAULT_PROVIDER: process.env.VAGRANT_DEFAULT_PROVIDER ?? "libvirt",
  VAGRANT_CHECKPOINT_DISABLE: "1",
};
// The lab modules read vagrant's settings from process.env.
Object.assign(process.env, env);
const timed = (cmd, args, opts = {}) => {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", env, cwd: repo, ...opts });
  return { code: r.status, ms: performance.now() - t, out: `${r.stdout}${r.stderr}` };
};
const course = (args) => timed(process.execPath, [join(repo, "dist/bin.js"), ...args]);

try {
  console.log(`load average at start: ${load()}`);
  if (process.env.BENCH_BUILD_BOX) {
    const file = process.env.BENCH_BUILD_BOX;
    const b = timed(join(repo, "scripts/build-vagrant-box.sh"), [file]);
    if (b.code !== 0) throw new Error(`box build failed:\n${b.out.slice(-2000)}`);
    console.log(
      `box build: ${secs(b.ms)}, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB (load ${load()})`,
    );
  }

  const up = timed("vagrant", ["up"], { cwd: project });
  if (up.code !== 0) throw new Error(`vagrant up failed:\n${up.out.slice(-2000)}`);
  console.log(`first vagrant up from the box: ${secs(up.ms)} (load ${load()})`);

  // 3. One command through the kept master (what every lab command costs), vs a local process.
  const transport = await vagrantTransport({ key: "", label: "", persistent: true, env });
  const one = (start) =>
    new Promise((res) => {
      const t = performance.now();
      const child = start();
      child.on("close", () => res(performance.now() - t));
    });
  const remote = [];
  const local = [];
  for (let i = 0; i < N; i++) {
    remote.push(await one(() => transport.spawn(["true"], { stdio: "pipe" })));
    local.push(await one(() => spawn("true", [], { stdio: "ignore" })));
  }
  console.log(
    `new ssh session through the kept master: median ${median(remote).toFixed(2)} ms over ${N} (local process: ${median(local).toFixed(2)} ms) (load ${load()})`,
  );
  // The channel alone: a line to a shell that only reads and echoes it (builtins: no process
  // starts in the guest), on one session through the kept master. What course's transport adds;
  // the rest of a lab command is the guest's own process start.
  const echo = transport.spawn(["sh", "-c", 'while read -r l; do echo "$l"; done'], {
    stdio: "pipe",
  });
  const lines = [];
  let buffered = "";
  let waiting;
  echo.stdout.on("data", (b) => {
    buffered += b.toString();
    if (buffered.includes("\n") && waiting) {
      buffered = "";
      waiting();
    }
  });
  let ended;
  const echoEnded = new Promise((_, rej) => {
    ended = rej;
  });
  echo.on("close", (code) => ended(new Error(`the echo shell in the VM ended (exit ${code})`)));
  // A write to a shell that ended (EPIPE) is reported by "close" above.
  echo.stdin.on("error", () => {});
  const roundTrip = () =>
    Promise.race([
      new Promise((res) => {
        const t = performance.now();
        waiting = () => res(performance.now() - t);
        echo.stdin.write("x\n");
      }),
      echoEnded,
    ]);
  await roundTrip();
  for (let i = 0; i < N; i++) lines.push(await roundTrip());
  echoEnded.catch(() => {});
  echo.stdin.end();
  console.log(
    `a line echoed by a shell builtin on an open session through the kept master (no process in the guest): median ${median(lines).toFixed(2)} ms over ${N} (load ${load()})`,
  );
  // What a lab command costs: the lab keeps shells open over the master (as in bench/ssh.mjs).
  const opened = await openLab({
    spec: { kind: "vagrant" },
    env: process.env,
    key: "bench-vagrant",
    label: "bench-vagrant",
    persistent: false,
    runtimeDir: env.COURSE_RUNTIME_DIR,
  });
  // `true` costs the open shell a fork in the guest (no exec); `ip -br link` adds an exec of ip.
  for (const script of ["true", "ip -br link"]) {
    await opened.lab.exec(script);
    const execs = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await opened.lab.exec(script);
      execs.push(performance.now() - t);
    }
    console.log(
      `lab.exec(${JSON.stringify(script)}) in the VM's sandbox lab, on its open shell through the kept master: median ${median(execs).toFixed(2)} ms over ${N} (load ${load()})`,
    );
  }
  await opened.lab.destroy();

  // 4. verify 3 in the VM vs the local sandbox, each after `run 3`. Lesson 3 is locked until
  // 1 and 2 are done: done first in the (fast) local sandbox.
  for (const args of [
    ["run", "1"],
    ["verify", "1"],
    ["run", "2"],
    ["verify", "2"],
  ]) {
    const r = course(["--lab", "sandbox", ...args]);
    if (r.code !== 0) throw new Error(`sandbox ${args.join(" ")} failed:\n${r.out.slice(-2000)}`);
  }
  for (const lab of [
    ["--lab", "vagrant"],
    ["--lab", "sandbox"],
  ]) {
    const run = course([...lab, "run", "3"]);
    if (run.code !== 0) throw new Error(`run 3 ${lab[1]} failed:\n${run.out.slice(-2000)}`);
  }
  const times = { vagrant: [], sandbox: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const lab of ["vagrant", "sandbox"]) {
      const r = course(["--lab", lab, "verify", "3"]);
      if (r.code !== 0) throw new Error(`verify 3 ${lab}: exit ${r.code}\n${r.out.slice(-2000)}`);
      times[lab].push(r.ms);
    }
  }
  const v = median(times.vagrant);
  const s = median(times.sandbox);
  console.log(
    `verify 3: vagrant ${v.toFixed(0)} ms, sandbox ${s.toFixed(0)} ms (median of ${RUNS}), ratio ${(v / s).toFixed(2)} (load ${load()})`,
  );
  course(["--lab", "sandbox", "reset", "--all"]);
  course(["--lab", "vagrant", "reset", "--all"]);

  // 5. The whole course in the VM.
  const all = course(["--lab", "vagrant", "test"]);
  console.log(
    `course --lab vagrant test (whole course): ${secs(all.ms)}, exit ${all.code} (load ${load()})`,
  );
  if (all.code !== 0) console.log(all.out.slice(-3000));
} finally {
  course(["--lab", "vagrant", "reset", "--all"]);
  timed("vagrant", ["destroy", "-f"], { cwd: project });
  const socks = spawnSync("find", [join(home, "runtime"), "-type", "s"], { encoding: "utf8" });
  for (const sock of (socks.stdout ?? "").split("\n").filter(Boolean)) {
    spawnSync("ssh", ["-o", `ControlPath=${sock}`, "-O", "exit", "vm"]);
  }
  rmSync(home, { recursive: true, force: true });
}
