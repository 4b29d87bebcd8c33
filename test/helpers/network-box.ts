/**
 * A network box: a fresh network namespace and mount namespace made by `unshare`, for tests of
 * code that has no boundary of its own: the host lab changes the network namespace it runs in,
 * and `course serve --host ADDR` binds an address that must not be one of this machine's.
 * Inside: `lo` (up) and whatever `setup` adds, a private tmpfs on /run (so the files of `ip netns
 * add` live and die with the box) and a private copy of /etc/iproute2. Everything started with
 * `enter()` runs there; nothing of this machine's own network (interfaces, routes, firewall,
 * sysctls, /run/netns) changes.
 *
 * The box is held by a shell that reads its standard input: it ends when `close()` closes that
 * pipe or when the test process dies. `close()` first kills every process left in the box's
 * network namespace (they are the test's: only it enters the box), so the kernel frees the
 * namespaces and their mounts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTool } from "./tool.js";

export interface NetworkBox {
  /** The holder's pid (its namespaces are the box's). */
  pid: number;
  /** The argv prefix that runs a command inside the box, in `cwd`. */
  enter(cwd: string): string[];
  /** Run a shell script inside the box, synchronously. */
  sh(script: string): { code: number | null; stdout: string; stderr: string };
  /** An executable file that runs `program` (with its arguments) inside the box. */
  wrapper(program: string): string;
  /** Kill what is left in the box, end it, remove its files. */
  close(): Promise<void>;
}

const HOLDER = `set -e
ip link set lo up
mount -t tmpfs -o mode=755 course-test-box /run
mkdir -p "$1/iproute2"
cp -a /etc/iproute2/. "$1/iproute2/"
mount --bind "$1/iproute2" /etc/iproute2
eval "$2"
echo ready
read -r _ || true
`;

/** Open a box; `setup` is a shell script run inside it first (e.g. adding a dummy interface). */
export async function openNetworkBox(setup = ""): Promise<NetworkBox> {
  const dir = mkdtempSync(join(tmpdir(), "course-test-box-"));
  const holder: ChildProcess = spawn(
    "unshare",
    ["--net", "--mount", "--propagation", "private", "sh", "-c", HOLDER, "box", dir, setup],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let err = "";
  holder.stderr?.on("data", (d) => {
    err += String(d);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      holder.stdout?.on("data", (d) => {
        out += String(d);
        if (out.includes("ready\n")) resolve();
      });
      holder.on("exit", (code) =>
        reject(new Error(`the network box did not start (${code}): ${err}`)),
      );
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pid = holder.pid ?? 0;
  const netns = readlinkSync(`/proc/${pid}/ns/net`);
  const enter = (cwd: string) => [
    "nsenter",
    "-t",
    String(pid),
    "--net",
    "--mount",
    `--wd=${cwd}`,
    "--",
  ];
  return {
    pid,
    enter,
    sh(script) {
      const [cmd = "", ...args] = enter("/");
      const { code, stdout, stderr } = runTool(cmd, [...args, "sh", "-c", script]);
      return { code, stdout, stderr };
    },
    wrapper(program) {
      const file = join(dir, `in-box-${program.replace(/\W+/g, "-")}`);
      writeFileSync(file, `#!/bin/sh\nexec nsenter -t ${pid} --net -- ${program} "$@"\n`);
      chmodSync(file, 0o755);
      return file;
    },
    async close() {
      try {
        for (const entry of readdirSync("/proc")) {
          if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
          try {
            if (readlinkSync(`/proc/${entry}/ns/net`) === netns)
              process.kill(Number(entry), "SIGKILL");
          } catch {
            // Gone meanwhile, or not ours to read.
          }
        }
        if (holder.exitCode === null && holder.signalCode === null) {
          const ended = once(holder, "exit");
          holder.stdin?.end();
          await ended;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
