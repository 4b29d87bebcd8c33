import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { listSandboxLabs } from "../../src/lab/lab-records.js";
import { localTransport } from "../../src/lab/local-transport.js";
import { openLab } from "../../src/lab/open-lab.js";
import { openSandboxLab } from "../../src/lab/sandbox-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { tool } from "../helpers/tool.js";

const runtime = mkdtempSync(join(tmpdir(), "course-lab-test-"));
const opened: Lab[] = [];

async function lab(label = "t", persistent = false): Promise<Lab> {
  const o = await openLab({
    env: process.env,
    spec: { kind: "sandbox" },
    key: `test#${label}`,
    label,
    persistent,
    runtimeDir: runtime,
  });
  opened.push(o.lab);
  return o.lab;
}

/** Processes on the host whose command line contains `marker`. */
function hostProcesses(marker: string): string[] {
  return tool("ps", ["-eo", "pid,args"])
    .split("\n")
    .filter((l) => l.includes(marker) && !l.includes("ps -eo"));
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.destroy().catch(() => {})));
});
afterAll(() => rmSync(runtime, { recursive: true, force: true }));

describe("exec semantics", () => {
  test("bash -e -o pipefail, fixed environment, stdout and stderr apart", async () => {
    const l = await lab();
    const r = await l.exec("echo out; echo err >&2; echo $LANG $TZ $EXTRA; printf no-newline", {
      env: { EXTRA: "it's here" },
    });
    expect(r).toMatchObject({
      exitCode: 0,
      stdout: "out\nC UTC it's here\nno-newline",
      stderr: "err\n",
      timedOut: false,
      truncated: false,
    });
    expect((await l.exec("false; echo not reached")).stdout).toBe("");
    expect((await l.exec("false; echo not reached")).exitCode).toBe(1);
    expect((await l.exec("false | true")).exitCode).toBe(1);
    expect((await l.exec("exit 7")).exitCode).toBe(7);
    // Nothing of the runner's environment leaks in.
    const names = (await l.exec("env | cut -d= -f1 | sort | tr '\\n' ' '")).stdout;
    expect(names).toBe("HOME LANG LC_ALL PATH TERM TZ _ ");
    expect((await l.exec("cat; echo", { input: "from stdin" })).stdout).toBe("from stdin\n");
    // Commands do not read the command server's own input.
    expect((await l.exec("cat")).stdout).toBe("");
  });

  test("root in its own world: hostname, lo up, private /run/netns, resolver on loopback", async () => {
    const l = await lab("world-1");
    const r = await l.exec(
      "id -u; hostname; ip -o link show lo | grep -c UP; cat /etc/resolv.conf | head -1; ls /run; ip netns add a; ls /run/netns; pwd; ps -e --no-headers | wc -l",
    );
    expect(r.stderr).toBe("");
    const [uid, host, loUp, resolver, run, netns, cwd] = r.stdout.trim().split("\n");
    expect({ uid, host, loUp, resolver, run, netns, cwd }).toEqual({
      uid: "0",
      host: "world-1",
      loUp: "1",
      resolver: "nameserver 127.0.0.1",
      run: "netns",
      netns: "a",
      cwd: "/tmp",
    });
    // Name resolution fails at once instead of hanging.
    const dns = await l.exec("getent hosts example.com", { timeout: 5 });
    expect(dns.exitCode).not.toBe(0);
    expect(dns.durationMs).toBeLessThan(1500);
  });

  test("a command that starts a server with & does not hang the runner", async () => {
    const l = await lab();
    const r = await l.exec("sleep 1000 & echo started", { timeout: 5 });
    expect(r).toMatchObject({ exitCode: 0, stdout: "started\n", timedOut: false });
    expect(r.durationMs).toBeLessThan(2000);
    const spawned = await l.exec("sleep 1001 >/dev/null & echo x", { input: "", timeout: 5 });
    expect(spawned.stdout).toBe("x\n");
    await expect
      .poll(async () => (await l.exec("pgrep -c -f 'sleep 100[01]' || true")).stdout.trim(), {
        timeout: 3000,
      })
      .toBe("2");
  });

  test("timeout: sleep 100 with timeout 1 ends in about a second, killing its whole group", async () => {
    const l = await lab();
    const started = performance.now();
    const r = await l.exec("sleep 300 & sleep 100", { timeout: 1 });
    const took = performance.now() - started;
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(137);
    expect(r.stderr).toMatch(/timed out/);
    expect(took).toBeGreaterThan(900);
    expect(took).toBeLessThan(3000);
    // Everything the command started went with it.
    const left = await l.exec("pgrep -f 'sleep (300|100)' || true");
    expect(left.stdout).toBe("");
    // The lab still works afterwards.
    expect((await l.exec("echo alive")).stdout).toBe("alive\n");
  });

  test("background fences start detached and log inside the lab", async () => {
    const l = await lab();
    const r = await l.exec("echo from-background; sleep 1000", { background: true });
    expect(r.exitCode).toBe(0);
    expect(r.durationMs).toBeLessThan(1000);
    const log = /output goes to (\S+)/.exec(r.stdout)?.[1];
    expect(log).toBeDefined();
    await expect
      .poll(async () => (await l.exec(`cat ${log}`)).stdout, { timeout: 3000 })
      .toBe("from-background\n");
  });

  test("output is capped: the last 1 MiB is kept and the cut is said", async () => {
    const l = await lab();
    const r = await l.exec("head -c 3000000 /dev/zero | tr '\\0' a; echo; echo THE-END");
    expect(r.truncated).toBe(true);
    expect(r.stdout).toMatch(
      /^\[course: \d+ bytes of output cut; the last 1048576 bytes follow\]\n/,
    );
    expect(r.stdout.endsWith("a\nTHE-END\n")).toBe(true);
    expect(r.stdout.length).toBeLessThan(1024 * 1024 + 200);
  });

  test("`yes` for a second does not grow the runner's memory past a bound", async () => {
    const l = await lab();
    await l.exec("true");
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const r = await l.exec("yes", { timeout: 1 });
    clearInterval(sampler);
    expect(r.timedOut).toBe(true);
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThan(1024 * 1024 + 200);
    // ~45 MiB here: 64 KiB reads the GC has not collected yet; the kept output is 1 MiB.
    expect(peak - before).toBeLessThan(96 * 1024 * 1024);
  });

  test("netns runs inside a named namespace of the lab", async () => {
    const l = await lab();
    await l.exec("ip netns add ns1; ip -n ns1 link add v7a type veth peer name v7b");
    const r = await l.exec("ip -o link | awk -F': ' '{print $2}' | sort | tr '\\n' ' '", {
      netns: "ns1",
    });
    expect(r.stdout).toBe("lo v7a@v7b v7b@v7a ");
    expect((await l.exec("ls /sys/class/net | tr '\\n' ' '", { netns: "ns1" })).stdout).toBe(
      "lo v7a v7b ",
    );
    expect((await l.exec("ls /sys/class/net | tr '\\n' ' '")).stdout).toBe("lo ");
  });

  test("concurrent exec() calls on one lab are safe", async () => {
    const l = await lab();
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        l.exec(`echo ${i}; sleep 0.0$((${i} % 5)); echo ${i} >&2`),
      ),
    );
    results.forEach((r, i) => {
      expect(r.stdout).toBe(`${i}\n`);
      expect(r.stderr).toBe(`${i}\n`);
    });
  });

  test("spawn mode (a process per command) has the same semantics", async () => {
    const o = await openSandboxLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: "spawn",
      label: "spawn",
      persistent: false,
      runtimeDir: runtime,
      transport: localTransport(process.env),
      privileged: true,
      subordinateIds: false,
      execMode: "spawn",
    });
    opened.push(o.lab);
    const r = await o.lab.exec("echo a; echo b >&2; sleep 1000 & false");
    expect(r).toMatchObject({ exitCode: 1, stdout: "a\n", stderr: "b\n" });
    const t = await o.lab.exec("sleep 100", { timeout: 1 });
    expect(t.timedOut).toBe(true);
  });
});

describe("lifetime", () => {
  test("destroy ends every process of the lab and removes its record", async () => {
    const l = await lab("lifetime");
    await l.exec("sleep 4242 & sleep 4243 >/dev/null 2>&1 &");
    await expect.poll(() => hostProcesses("sleep 424"), { timeout: 3000 }).toHaveLength(2);
    expect(
      (await listSandboxLabs(localTransport(process.env), runtime)).map((r) => r.label),
    ).toContain("lifetime");
    await l.destroy();
    expect(hostProcesses("sleep 424")).toEqual([]);
    expect(
      (await listSandboxLabs(localTransport(process.env), runtime)).map((r) => r.label),
    ).not.toContain("lifetime");
    await expect(l.exec("true")).rejects.toThrow(/destroyed/);
  });

  test("a persistent lab is found again; a record whose holder is gone is cleaned up", async () => {
    const first = await openLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: "persist#p",
      label: "p",
      persistent: true,
      runtimeDir: runtime,
    });
    opened.push(first.lab);
    expect(first.created).toBe(true);
    await first.lab.exec("echo kept > /tmp/state");
    await first.lab.close();
    const again = await openLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: "persist#p",
      label: "p",
      persistent: true,
      runtimeDir: runtime,
    });
    opened.push(again.lab);
    expect(again.created).toBe(false);
    expect((await again.lab.exec("cat /tmp/state")).stdout).toBe("kept\n");
    const [record] = (await listSandboxLabs(localTransport(process.env), runtime)).filter(
      (r) => r.label === "p",
    );
    expect(record?.persistent).toBe(true);
    // The holder dies behind our back: the next listing drops its record, the next open makes a new lab.
    process.kill(record?.pid ?? 0, "SIGKILL");
    await expect
      .poll(async () =>
        (await listSandboxLabs(localTransport(process.env), runtime)).some((r) => r.label === "p"),
      )
      .toBe(false);
    const third = await openLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: "persist#p",
      label: "p",
      persistent: true,
      runtimeDir: runtime,
    });
    opened.push(third.lab);
    expect(third.created).toBe(true);
    expect((await third.lab.exec("cat /tmp/state 2>/dev/null || echo fresh")).stdout).toBe(
      "fresh\n",
    );
  });

  test("a lab that is gone makes exec() throw a LabError, not hang", async () => {
    const o = await openLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: "gone#g",
      label: "g",
      persistent: true,
      runtimeDir: runtime,
    });
    opened.push(o.lab);
    await o.lab.exec("true");
    const [record] = (await listSandboxLabs(localTransport(process.env), runtime)).filter(
      (r) => r.label === "g",
    );
    process.kill(record?.pid ?? 0, "SIGKILL");
    await expect(o.lab.exec("sleep 1", { timeout: 5 })).rejects.toThrow(/lab `g`/);
  });
});

describe("isolation", () => {
  test("50 labs at once using the same names do not see each other", async () => {
    const labs = await Promise.all(Array.from({ length: 50 }, (_, i) => lab(`same-${i}`)));
    const results = await Promise.all(
      labs.map((l, i) =>
        l.exec(
          `ip netns add ns1
ip link add br0 type bridge
ip addr add 10.0.0.1/24 dev br0
ip link set br0 up
echo lab-${i} > /tmp/who
ip -n ns1 link add eth-${i % 10} type veth peer name peer0
ip netns list; ip -br addr show br0 | awk '{print $3}'; ip -n ns1 -o link | grep -c eth-; cat /tmp/who`,
          { timeout: 60 },
        ),
      ),
    );
    results.forEach((r, i) => {
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(`ns1\n10.0.0.1/24\n2\nlab-${i}\n`);
    });
  }, 120_000);
});
