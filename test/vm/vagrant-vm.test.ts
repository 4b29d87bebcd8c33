/**
 * The Vagrant lab for real: a Debian 12 box built from Debian packages by
 * scripts/build-vagrant-box.sh (cached, keyed by the script's hash), booted by the real vagrant
 * and vagrant-libvirt under plain QEMU emulation, and the built `course` driving it over ssh:
 * verify, run, shell, the whole shipped course (lesson 11 against the VM's real Docker), reset,
 * halt and boot again, destroy. libvirt's changes to this host (its daemons, networks, bridges,
 * dnsmasq, iptables chains, ip_forward) are undone in afterAll, also when a test failed.
 *
 * Where no VM can boot (no QEMU, no libvirt, not root) the file says why; in CI (CI=true, where
 * install.sh has installed all of it) that is a failure.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { openLab } from "../../src/lab/open-lab.js";
import { vagrantTransport } from "../../src/lab/vagrant-lab.js";
import { CourseBin, repoRoot } from "../helpers/course-bin.js";
import { startCourseServer } from "../helpers/course-server.js";
import { LibvirtHost, whyNoVm } from "../helpers/libvirt-host.js";

const BUILD_SCRIPT = join(repoRoot, "scripts/build-vagrant-box.sh");
const MIN = 60_000;
/** The load averages, for the figures printed along the way (the machine is shared). */
const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`;
const missing = whyNoVm();

test("this machine can boot the course VM (else the reason is printed)", () => {
  if (missing !== undefined && process.env.CI === undefined) {
    console.warn(`vagrant VM tests skipped: ${missing}`);
    return;
  }
  expect(missing).toBeUndefined();
});

/** Where built boxes are kept between runs, and vagrant's home (which holds the added box). */
function boxCache(): string {
  return (
    process.env.COURSE_TEST_BOX_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "course-test", "vagrant-box")
  );
}

describe.skipIf(missing !== undefined)("the real Vagrant VM (vagrant-libvirt, QEMU)", () => {
  const key = createHash("sha256").update(readFileSync(BUILD_SCRIPT)).digest("hex").slice(0, 12);
  const boxName = `course-test/debian12-${key}`;
  const cache = boxCache();
  const vagrantHome = join(cache, "vagrant-home");
  const bin = new CourseBin({ prefix: "course-vm-", timeout: 25 * MIN });
  let project = "";
  let libvirt: LibvirtHost | undefined;
  const env = (): Record<string, string> => ({
    COURSE_VAGRANT_DIR: project,
    COURSE_VAGRANT_BOX: boxName,
    // /dev/kvm here is nested and paravirtual: a stock kernel crawls on it; emulation does not.
    COURSE_VAGRANT_LIBVIRT_DRIVER: "qemu",
    VAGRANT_HOME: vagrantHome,
    VAGRANT_DEFAULT_PROVIDER: "libvirt",
    VAGRANT_CHECKPOINT_DISABLE: "1",
    VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1",
    LIBVIRT_DEFAULT_URI: "qemu:///system",
    // Emulation on a shared 2-core machine: the lessons' 30 s fences are written for real
    // hardware; a setup of many `ip` commands took longer here.
    COURSE_TIMEOUT_SCALE: "4",
    // The box is Debian: vagrant need not try every guest it knows at each `vagrant up`.
    COURSE_VAGRANT_GUEST: "debian",
  });
  const vagrant = (args: string[], cwd = project, extra: Record<string, string> = {}) => {
    const r = spawnSync("vagrant", args, {
      cwd,
      encoding: "utf8",
      timeout: 15 * MIN,
      env: { ...process.env, ...env(), ...extra },
    });
    return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  };
  const course = (args: string[], extra: Record<string, string> = {}) =>
    bin.run(["--lab", "vagrant", ...args], { ...env(), ...extra });
  const timed = <T>(f: () => T): [T, number] => {
    const t = performance.now();
    const r = f();
    return [r, Math.round((performance.now() - t) / 1000)];
  };

  beforeAll(() => {
    bin.open();
    project = mkdtempSync(join(tmpdir(), "course-vm-"));
    // Only the Vagrantfile: its rsync'd /vagrant stays small, and the box already has course.
    writeFileSync(join(project, "Vagrantfile"), readFileSync(join(repoRoot, "Vagrantfile")));
    libvirt = new LibvirtHost();
    libvirt.start();
    mkdirSync(vagrantHome, { recursive: true });
    const boxes = vagrant(["box", "list"], repoRoot).out;
    if (!boxes.includes(boxName)) {
      const file = join(cache, `${key}.box`);
      // A box file of this script's (built, but not added: an interrupted run) is used as it is.
      if (!existsSync(file)) {
        const [build, seconds] = timed(() =>
          spawnSync(BUILD_SCRIPT, [file], { encoding: "utf8", timeout: 30 * MIN }),
        );
        if (build.status !== 0) {
          throw new Error(
            `the box build failed:\n${`${build.stdout}${build.stderr}`.slice(-3000)}`,
          );
        }
        console.log(
          `box built in ${seconds} s (${load()}): ${build.stdout.trim().split("\n").pop()}`,
        );
      }
      const [add, addSeconds] = timed(() =>
        vagrant(["box", "add", "--force", "--name", boxName, file], repoRoot),
      );
      console.log(`vagrant box add: ${addSeconds} s`);
      rmSync(file, { force: true });
      if (add.code !== 0) throw new Error(`vagrant box add failed:\n${add.out}`);
      // Boxes of earlier versions of the script, and their copies in libvirt's pool.
      for (const m of boxes.matchAll(/^(course-test\/debian12-\w+)\s/gm)) {
        vagrant(["box", "remove", "--force", "--all", m[1] as string], repoRoot);
      }
      const vols = spawnSync("virsh", ["vol-list", "default", "--details"], { encoding: "utf8" });
      for (const m of (vols.stdout ?? "").matchAll(
        /^\s*(course-test-VAGRANTSLASH-debian12-\w+?_vagrant_box_image\S*)/gm,
      )) {
        if (!(m[1] as string).includes(key))
          spawnSync("virsh", ["vol-delete", m[1] as string, "default"]);
      }
    }
  }, 40 * MIN);

  afterAll(() => {
    if (project !== "") {
      // Labs first (while the VM still runs: a reset must not boot a halted or destroyed VM
      // again), then the VM, then course's kept ssh master.
      if (/,state,running$/m.test(vagrant(["status", "--machine-readable"]).out)) {
        course(["reset", "--all"]);
      }
      bin.run(["--lab", "sandbox", "reset", "--all"], env());
      vagrant(["destroy", "-f"]);
      for (const sock of listSockets(join(bin.dir, "runtime"))) {
        spawnSync("ssh", ["-o", `ControlPath=${sock}`, "-O", "exit", "course-vm"]);
      }
    }
    const forced = libvirt?.restore(`${basename(project)}_`) ?? [];
    if (forced.length > 0) console.log(`cleaned up after libvirt: ${forced.join(", ")}`);
    bin.remove();
    rmSync(project, { force: true, recursive: true });
    expect(libvirt?.leftovers() ?? []).toEqual([]);
  }, 10 * MIN);

  test(
    "a failed `vagrant up` says what failed (no box), not that VirtualBox is missing",
    () => {
      const elsewhere = mkdtempSync(join(tmpdir(), "course-vm-nobox-"));
      try {
        writeFileSync(join(elsewhere, "Vagrantfile"), readFileSync(join(repoRoot, "Vagrantfile")));
        // A box vagrant does not have, and no Vagrant Cloud to fetch it from (offline here anyway).
        const r = course(["verify", "1"], {
          COURSE_VAGRANT_DIR: elsewhere,
          COURSE_VAGRANT_BOX: "course-test/no-such-box",
          VAGRANT_SERVER_URL: "http://127.0.0.1:9",
        });
        expect(r.code, r.stderr).toBe(4);
        expect(r.stderr).toContain("`vagrant up` failed");
        expect(r.stderr).toMatch(/box .*course-test\/no-such-box/i);
        expect(r.stderr).toContain("vagrant box add");
        expect(r.stderr).not.toMatch(/VirtualBox/);
      } finally {
        spawnSync("vagrant", ["destroy", "-f"], {
          cwd: elsewhere,
          env: { ...process.env, ...env() },
        });
        rmSync(elsewhere, { force: true, recursive: true });
      }
    },
    5 * MIN,
  );

  test(
    "first command: `vagrant up` from the box, then verify 1 fails as a fresh lab should",
    () => {
      const [r, seconds] = timed(() => course(["verify", "1"]));
      console.log(`first vagrant up + verify 1: ${seconds} s (${load()})`);
      expect(r.stderr).toContain("running `vagrant up`");
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    },
    25 * MIN,
  );

  test(
    "run 1, then verify 1 passes; shell -c runs in the VM's lab",
    () => {
      const run = course(["run", "1"]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const verify = course(["verify", "1"]);
      expect(verify.code, `${verify.stdout}\n${verify.stderr}`).toBe(0);
      const shell = course(["shell", "1", "-c", "hostname; ip netns list; exit 3"]);
      expect(shell.code, shell.stderr).toBe(3);
      // The lab is a sandbox inside the VM: its own UTS namespace, lesson 1's namespaces in it.
      expect(shell.stdout).toMatch(/\S/);
    },
    10 * MIN,
  );

  test(
    "a lab command through the kept ssh master: one round trip on an open lab shell",
    async () => {
      // In-process, as a CLI run does it: the lab keeps shells open over the master connection.
      const saved = { ...process.env };
      Object.assign(process.env, env(), {
        COURSE_RUNTIME_DIR: join(bin.dir, "runtime"),
        COURSE_STATE_DIR: join(bin.dir, "state"),
      });
      try {
        const opened = await openLab({
          env: process.env,
          spec: { kind: "vagrant" },
          key: "vm-test-rtt",
          label: "vm-test-rtt",
          persistent: false,
          runtimeDir: join(bin.dir, "runtime"),
        });
        try {
          // Three different costs, measured apart (under emulation every process start in the
          // guest costs tens of ms): `true` on the lab's open shell (a fork in the guest, no
          // exec), `ip -br link` on it (fork + exec of ip), and a new ssh session through the
          // kept master (sshd forks a session and starts a login shell in the guest).
          const median = async (n: number, f: () => Promise<void>) => {
            await f();
            const times: number[] = [];
            for (let i = 0; i < n; i++) {
              const t = performance.now();
              await f();
              times.push(performance.now() - t);
            }
            return [...times].sort((a, b) => a - b)[Math.floor(n / 2)]?.toFixed(1);
          };
          const builtin = await median(50, async () => {
            expect((await opened.lab.exec("true")).exitCode).toBe(0);
          });
          const ip = await median(20, async () => {
            expect((await opened.lab.exec("ip -br link")).exitCode).toBe(0);
          });
          const transport = await vagrantTransport({
            env: process.env,
            spec: { kind: "vagrant" },
            key: "",
            label: "",
            persistent: false,
          });
          const session = await median(10, async () => {
            expect((await transport.run(["true"], { timeoutMs: 60_000 })).exitCode).toBe(0);
          });
          console.log(
            `through the kept ssh master, medians: lab.exec("true") on the open lab shell ${builtin} ms, lab.exec("ip -br link") ${ip} ms, a new ssh session through it (sudo -n true, as root like every lab command) ${session} ms (${load()})`,
          );
        } finally {
          await opened.lab.destroy();
        }
      } finally {
        process.env = saved;
      }
    },
    5 * MIN,
  );

  test(
    "doctor --lab vagrant: vagrant, provider, box, VM running, ssh, tools, a lab, Docker",
    () => {
      const r = course(["doctor", "--json"]);
      const report = JSON.parse(r.stdout) as {
        ok: boolean;
        checks: Array<{ name: string; status: string; detail: string }>;
      };
      const by = new Map(report.checks.map((c) => [c.name, c]));
      expect(r.code, r.stdout).toBe(0);
      for (const name of [
        "vagrant",
        "provider",
        "box",
        "vm",
        "connection",
        "tools",
        "lab",
        "docker",
      ]) {
        expect(by.get(name)?.status, `${name}: ${JSON.stringify(by.get(name))}`).toBe("ok");
      }
      expect(by.get("provider")?.detail).toContain("libvirt");
      expect(by.get("box")?.detail).toContain(boxName);
      // The VM's kernel features, tried in a scratch namespace in the VM: its stock Debian
      // kernel has the 802.1Q VLANs this machine's kernel lacks.
      const needs = by.get("lesson needs");
      expect(needs?.detail, JSON.stringify(needs)).toMatch(/has [^;]*\bvlan\b/);
      console.log(`doctor --lab vagrant, lesson needs: ${needs?.status}: ${needs?.detail}`);
    },
    5 * MIN,
  );

  test(
    "course test --fallback-lab vagrant: a lesson needing vlan (missing here) runs in the VM and passes",
    () => {
      const lesson = join(repoRoot, "test/fixtures/contract/04-vlan.md");
      // Locally it is skipped: this machine's kernel has no 802.1Q (else the fallback is moot).
      const local = bin.run(["--lab", "sandbox", "test", "--reporter", "json", lesson], env());
      expect(local.code, local.stderr).toBe(0);
      const skipped = JSON.parse(local.stdout) as { lessons: Array<Record<string, unknown>> };
      expect(skipped.lessons[0]?.status, local.stdout).toBe("skipped");
      expect(String(skipped.lessons[0]?.skipReason)).toContain("needs vlan");

      const [r, seconds] = timed(() =>
        bin.run(
          ["--lab", "sandbox", "test", "--fallback-lab", "vagrant", "--reporter", "json", lesson],
          env(),
        ),
      );
      console.log(`course test --fallback-lab vagrant (vlan lesson): ${seconds} s (${load()})`);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const report = JSON.parse(r.stdout) as { lessons: Array<Record<string, unknown>> };
      expect(report.lessons[0]).toMatchObject({ status: "passed", fallbackLab: "vagrant" });
      expect(report.lessons[0]?.checksRun).toBeGreaterThan(0);
    },
    10 * MIN,
  );

  test(
    "course --lab vagrant serve: the browser's terminal is a live lab shell in the VM",
    async () => {
      const server = await startCourseServer(bin, ["--lab", "vagrant"], env());
      try {
        const ws = new WebSocket(`${server.origin.replace("http", "ws")}/api/lessons/1/terminal`, {
          headers: { authorization: `Bearer ${server.token}`, origin: server.origin },
        });
        let screen = "";
        ws.on("message", (data, binary) => {
          if (binary) screen += data.toString();
        });
        await new Promise((resolve, reject) => {
          ws.on("open", resolve);
          ws.on("error", reject);
        });
        await expect.poll(() => screen, { timeout: 3 * MIN }).toContain("[lesson 1 ·");
        // The VM's kernel, not this machine's: Debian's cloud kernel.
        ws.send(
          JSON.stringify({
            type: "input",
            data: "ip netns add from-browser; echo k-$(uname -r)\r",
          }),
        );
        await expect.poll(() => screen, { timeout: 2 * MIN }).toMatch(/k-\S*cloud-amd64/);
        ws.close();
        const cli = course(["shell", "1", "-c", "ip netns list"]);
        expect(cli.stdout, cli.stderr).toContain("from-browser");
      } finally {
        await server.stop();
        expect(server.stderr()).not.toMatch(/Error:|at .*\.js:\d+/);
      }
    },
    10 * MIN,
  );

  test(
    "verify 3 in the VM against the local sandbox (a figure; both must pass after run 3)",
    () => {
      const sandbox = (args: string[]) => bin.run(["--lab", "sandbox", ...args], env());
      // Lesson 3 is locked until 1 and 2 are done: done here in the (fast) local sandbox.
      for (const args of [
        ["run", "1"],
        ["verify", "1"],
        ["run", "2"],
        ["verify", "2"],
      ]) {
        const r = sandbox(args);
        expect(r.code, `sandbox ${args.join(" ")}: ${r.stdout}\n${r.stderr}`).toBe(0);
      }
      for (const [name, run] of [
        ["vagrant", course],
        ["sandbox", sandbox],
      ] as const) {
        const r = run(["run", "3"]);
        expect(r.code, `${name}: ${r.stdout}\n${r.stderr}`).toBe(0);
      }
      const ms = { vagrant: [] as number[], sandbox: [] as number[] };
      for (let i = 0; i < 3; i++) {
        for (const [name, run] of [
          ["vagrant", course],
          ["sandbox", sandbox],
        ] as const) {
          const t = performance.now();
          const r = run(["verify", "3"]);
          ms[name].push(performance.now() - t);
          expect(r.code, `${name}: ${r.stdout}\n${r.stderr}`).toBe(0);
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] ?? 0;
      console.log(
        `verify 3: vagrant ${median(ms.vagrant).toFixed(0)} ms, sandbox ${median(ms.sandbox).toFixed(0)} ms, ratio ${(median(ms.vagrant) / median(ms.sandbox)).toFixed(1)} (${load()})`,
      );
      expect(sandbox(["reset", "--all"]).code).toBe(0);
    },
    10 * MIN,
  );

  test(
    "the whole shipped course passes in the VM, lesson 11 against its real Docker",
    () => {
      const [r, seconds] = timed(() => course(["test", "--jobs", "2", "--reporter", "json"]));
      console.log(`course --lab vagrant test (whole course): ${seconds} s (${load()})`);
      const failures = r.stdout.length > 0 ? r.stdout : r.stderr;
      expect(r.code, failures.slice(-4000)).toBe(0);
      const report = JSON.parse(r.stdout) as unknown;
      const text = JSON.stringify(report);
      expect(text).toContain("real-docker0");
      expect(text).not.toMatch(/"(skipped|skip)"\s*:\s*(true|[1-9])/);
    },
    25 * MIN,
  );

  test(
    "reset --all ends the labs in the VM",
    () => {
      const r = course(["reset", "--all"]);
      expect(r.code, r.stderr).toBe(0);
      const left = course(["shell", "1", "-c", "true"]);
      expect(left.code).toBe(0);
      expect(course(["reset", "--all"]).code).toBe(0);
    },
    5 * MIN,
  );

  test(
    "after `vagrant halt` the next command boots the VM again (not the dead ssh master)",
    () => {
      const [halt, haltSeconds] = timed(() => vagrant(["halt"]));
      console.log(`vagrant halt: ${haltSeconds} s`);
      expect(halt.code, halt.out).toBe(0);
      const [r, seconds] = timed(() => course(["shell", "1", "-c", "cut -d. -f1 /proc/uptime"]));
      console.log(`after halt: boot + shell -c: ${seconds} s (${load()})`);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stderr).toContain("running `vagrant up`");
      expect(Number(r.stdout.trim())).toBeLessThan(seconds + 60);
      expect(course(["reset", "--all"]).code).toBe(0);
    },
    20 * MIN,
  );

  test(
    "vagrant destroy removes the VM",
    () => {
      const [r, seconds] = timed(() => vagrant(["destroy", "-f"]));
      console.log(
        `vagrant destroy: ${seconds} s (load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")})`,
      );
      expect(r.code, r.out).toBe(0);
      const doms = spawnSync("virsh", ["-c", "qemu:///system", "list", "--all", "--name"], {
        encoding: "utf8",
      });
      expect(doms.stdout).not.toContain(basename(project));
    },
    10 * MIN,
  );
});

/** ssh control sockets course left in its runtime dir (its kept masters). */
function listSockets(dir: string): string[] {
  const r = spawnSync("find", [dir, "-type", "s"], { encoding: "utf8" });
  return existsSync(dir) ? (r.stdout ?? "").split("\n").filter(Boolean) : [];
}
