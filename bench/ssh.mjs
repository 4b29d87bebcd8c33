// Remote labs over ssh, on loopback against a throwaway sshd:
//  1. per-command cost through the kept ControlMaster vs a fresh ssh (handshake) per command,
//     against a local process start as the baseline;
//  2. lab.exec() through the ssh lab vs the local sandbox lab;
//  3. `course verify` of a lesson over ssh: wall time and ssh round trips (sessions).
// Run: npm run build && node bench/ssh.mjs   (as root: it starts sshd on 127.0.0.1)
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLab } from "../dist/lab/open-lab.js";
import { SshTransport } from "../dist/lab/ssh-transport.js";

const N = Number(process.env.BENCH_N ?? 200);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const ms = (x) => `${x.toFixed(2)} ms`;

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("close", (code) => resolve({ code, ms: performance.now() - t0, stdout, stderr }));
  });
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startSshd() {
  const dir = mkdtempSync(join(tmpdir(), "course-bench-sshd-"));
  chmodSync(dir, 0o755);
  for (const k of ["host", "client"]) {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, k)]);
  }
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client.pub")));
  const port = await freePort();
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `HostKey ${join(dir, "host")}`,
      "ListenAddress 127.0.0.1",
      `PidFile ${join(dir, "pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "MaxSessions 200",
      "LogLevel ERROR",
      // See test/helpers/sshd.ts: skip this machine's root ~/.bashrc (pyenv init, ~150 ms).
      "SetEnv SHLVL=1",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });
  const child = spawn("/usr/sbin/sshd", ["-D", "-f", config, "-p", String(port)], {
    stdio: "ignore",
  });
  for (let i = 0; i < 250; i++) {
    const up = await new Promise((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const options = [
    "-F",
    "/dev/null",
    "-i",
    join(dir, "client"),
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `UserKnownHostsFile=${join(dir, "known_hosts")}`,
    "-o",
    "StrictHostKeyChecking=accept-new",
  ];
  return {
    port,
    dir,
    options,
    stop() {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sshd = await startSshd();
const runtime = mkdtempSync(join(tmpdir(), "course-bench-rt-"));
const results = {};
try {
  const t = new SshTransport({
    target: { user: "root", host: "127.0.0.1", port: sshd.port },
    env: process.env,
    options: sshd.options,
    runtimeDir: runtime,
  });
  const t0 = performance.now();
  await t.connect();
  results.connect = performance.now() - t0;

  // Local baseline: the same spawn from node, no ssh.
  const local = [];
  for (let i = 0; i < N; i++) local.push((await run("true", [])).ms);
  // Through the kept master.
  const viaMaster = [];
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    await t.run(["true"]);
    viaMaster.push(performance.now() - s);
  }
  // A fresh ssh per command: a full handshake each time.
  const fresh = [];
  const freshN = Math.min(N, 30);
  for (let i = 0; i < freshN; i++) {
    const r = await run("ssh", [
      ...sshd.options,
      "-o",
      "ControlPath=none",
      "-o",
      "BatchMode=yes",
      "-p",
      String(sshd.port),
      "root@127.0.0.1",
      "true",
    ]);
    if (r.code !== 0) throw new Error(`fresh ssh failed: ${r.stderr}`);
    fresh.push(r.ms);
  }
  // The ssh client alone: start, talk to the master over its socket, no remote work.
  const check = [];
  for (let i = 0; i < Math.min(N, 100); i++) {
    const s = performance.now();
    await t.masterAlive();
    check.push(performance.now() - s);
  }
  results.checkMedian = median(check);
  results.localMedian = median(local);
  results.masterMedian = median(viaMaster);
  results.freshMedian = median(fresh);
  results.masterOverhead = results.masterMedian - results.localMedian;

  console.log(`ssh bench on loopback (N=${N}, fresh N=${freshN})`);
  console.log(`  first connect (handshake + probe):     ${ms(results.connect)}`);
  console.log(`  local process start (baseline):        ${ms(results.localMedian)} median`);
  console.log(`  command through the kept master:       ${ms(results.masterMedian)} median`);
  console.log(
    `  overhead of ssh with the master:       ${ms(results.masterOverhead)} median (target <= 5 ms)`,
  );
  console.log(`  of which the local ssh client (-O check): ${ms(results.checkMedian)} median`);
  console.log(`  command with a fresh ssh (handshake):  ${ms(results.freshMedian)} median`);
  console.log(
    `  fresh / master:                        ${(results.freshMedian / results.masterMedian).toFixed(1)}x`,
  );

  // 2. lab.exec() through the ssh lab vs the local sandbox lab (persistent shells both).
  process.env.COURSE_SSH_OPTS = sshd.options.join(" ");
  const labTimes = {};
  for (const [name, spec] of [
    ["local sandbox", { kind: "sandbox" }],
    ["ssh lab", { kind: "ssh", target: `root@127.0.0.1:${sshd.port}` }],
  ]) {
    const opened = await openLab({
      spec,
      env: process.env,
      key: `bench-ssh-${name}`,
      label: "bench-ssh",
      persistent: false,
      runtimeDir: runtime,
    });
    const times = [];
    await opened.lab.exec("true");
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      await opened.lab.exec("true");
      times.push(performance.now() - s);
    }
    await opened.lab.destroy();
    labTimes[name] = median(times);
  }
  results.labLocal = labTimes["local sandbox"];
  results.labSsh = labTimes["ssh lab"];
  console.log(`  lab.exec("true"), local sandbox lab:   ${ms(results.labLocal)} median`);
  console.log(`  lab.exec("true"), ssh lab:             ${ms(results.labSsh)} median`);
  console.log(
    `  per-command overhead of the ssh lab:   ${ms(results.labSsh - results.labLocal)} median (target <= 5 ms)`,
  );

  // 3. `course verify` of a lesson over ssh: round trips (ssh sessions) and wall time.
  const lesson = process.env.BENCH_LESSON ?? "two-namespaces";
  const lessons = process.env.BENCH_LESSONS ?? "test/remote/fixtures/course";
  const cli = (args) =>
    run(
      process.execPath,
      ["dist/bin.js", "--lessons", lessons, "--lab", `ssh://root@127.0.0.1:${sshd.port}`, ...args],
      {
        env: {
          ...process.env,
          COURSE_RUNTIME_DIR: runtime,
          COURSE_STATE_DIR: join(runtime, "state"),
          NO_COLOR: "1",
        },
      },
    );
  const prepared = await cli(["run", lesson]);
  if (prepared.code !== 0) {
    console.log(
      `  course run ${lesson} over ssh failed (exit ${prepared.code}): ${prepared.stderr.trim().split("\n").slice(-3).join(" | ")}`,
    );
  } else {
    const verifyTimes = [];
    let sessions = 0;
    let labTrips = 0;
    let code = 0;
    for (let i = 0; i < 10; i++) {
      const r = await cli(["--debug", "verify", lesson]);
      code = r.code;
      verifyTimes.push(r.ms);
      sessions = r.stderr.split("\n").filter((l) => l.startsWith("ssh ssh://")).length;
      labTrips = Number(/verify: (\d+) lab round trips/.exec(r.stderr)?.[1] ?? Number.NaN);
    }
    results.verifyMedian = median(verifyTimes);
    results.verifySessions = sessions;
    results.verifyLabTrips = labTrips;
    console.log(
      `  course verify ${lesson} over ssh:      ${ms(results.verifyMedian)} median, exit ${code}`,
    );
    console.log(`    lab round trips (commands):          ${labTrips} (target <= 3)`);
    console.log(`    ssh sessions opened (kept master):   ${sessions}, no handshake`);
  }
  await cli(["reset", "--all"]);
  await t.stopMaster();
} finally {
  sshd.stop();
  rmSync(runtime, { recursive: true, force: true });
}
