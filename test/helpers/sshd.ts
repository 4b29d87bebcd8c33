import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tool } from "./tool.js";

/** A real OpenSSH server on loopback, with throwaway host keys, client key and users. */
export interface TestSshd {
  port: number;
  dir: string;
  /** The client's private key (authorized for root and every test user). */
  key: string;
  knownHosts: string;
  /** ssh options a client needs: key, known-hosts file, no user config. */
  clientOptions: string[];
  /** `COURSE_SSH_OPTS` carrying `clientOptions`. */
  sshOpts: string;
  /** A user with passwordless sudo, if sudo is installed. */
  sudoUser: string | undefined;
  /** A user whose sudo asks for a password. */
  noSudoUser: string | undefined;
  pid: number;
  /** Kill sshd, its sessions, and remove the users and files. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitListening(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`sshd did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every process whose ancestry leads to `pid` (read from /proc), deepest first. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      walk(c);
      out.push(c);
    }
  };
  walk(pid);
  return out;
}

function addUser(name: string): void {
  tool("useradd", ["--create-home", "--shell", "/bin/bash", name]);
  // sshd without PAM refuses a locked account ("!" password); "*" means no password, not locked.
  tool("usermod", ["-p", "*", name]);
}

/**
 * Start sshd on a free loopback port. Root may log in with the generated key; when sudo is
 * installed, two throwaway users are made: one with NOPASSWD sudo, one without.
 */
export async function startSshd(
  options: {
    users?: boolean;
    /**
     * Files bind-mounted over existing files for sshd and its sessions only: sshd runs in a
     * mount namespace of its own (its network namespace stays this machine's), so a stand-in
     * tool (e.g. `docker`) is on the remote PATH without touching this machine's files.
     */
    bindMounts?: Array<{ source: string; target: string }>;
  } = {},
): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), "course-sshd-"));
  // sshd reads authorized_keys as the logging-in user: the test users must be able to.
  chmodSync(dir, 0o755);
  const hostKey = join(dir, "host_ed25519");
  const key = join(dir, "id_ed25519");
  tool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  tool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${key}.pub`), { mode: 0o644 });
  const port = await freePort();
  const suffix = randomBytes(3).toString("hex");
  const withUsers = options.users === true && existsSync("/usr/bin/sudo");
  const sudoUser = withUsers ? `ct-sudo-${suffix}` : undefined;
  const noSudoUser = withUsers ? `ct-nosudo-${suffix}` : undefined;
  const sudoers = join("/etc/sudoers.d", `course-test-${suffix}`);
  if (sudoUser !== undefined && noSudoUser !== undefined) {
    addUser(sudoUser);
    addUser(noSudoUser);
    writeFileSync(sudoers, `${sudoUser} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  }
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `HostKey ${hostKey}`,
      "ListenAddress 127.0.0.1",
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      // The key lives in a temp dir that StrictModes would reject.
      "StrictModes no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      // Labs multiplex many sessions over one master connection.
      "MaxSessions 200",
      "MaxStartups 100",
      "LogLevel ERROR",
      // bash sources ~/.bashrc for every ssh command unless SHLVL says it is nested; root's
      // .bashrc on the CI machine runs \`pyenv init\` (~150 ms). A remote's dotfiles are the
      // remote's business; tests and benchmarks measure course, so skip them.
      "SetEnv SHLVL=1",
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });
  const sshdArgv = ["/usr/sbin/sshd", "-D", "-e", "-f", config, "-p", String(port)];
  const argv = withBindMounts(options.bindMounts ?? [], sshdArgv);
  const child = spawn(argv[0] ?? "", argv.slice(1), {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    log += c;
  });
  const pid = child.pid ?? 0;
  const knownHosts = join(dir, "known_hosts");
  const clientOptions = [
    "-F",
    "/dev/null",
    "-i",
    key,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "StrictHostKeyChecking=accept-new",
  ];
  const stop = async () => {
    for (const p of [pid, ...descendants(pid)].reverse()) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    for (const user of [sudoUser, noSudoUser]) {
      if (user === undefined) continue;
      try {
        tool("userdel", ["--remove", "--force", user]);
      } catch {
        // userdel complains about a mail spool that was never made.
      }
    }
    rmSync(sudoers, { force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening(port, 5000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}: ${log}`);
  }
  return {
    port,
    dir,
    key,
    knownHosts,
    clientOptions,
    sshOpts: clientOptions.map((w) => (w.includes(" ") ? `'${w}'` : w)).join(" "),
    sudoUser,
    noSudoUser,
    pid,
    stop,
  };
}

/**
 * `argv` run in a mount namespace of its own where each `source` is bind-mounted over its
 * `target` (this machine's files stay as they are); `argv` itself when there are no mounts.
 * unshare and sh exec in turn: the pid is the command's.
 */
export function withBindMounts(
  mounts: Array<{ source: string; target: string }>,
  argv: string[],
): string[] {
  if (mounts.length === 0) return argv;
  return [
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "sh",
    "-c",
    `${mounts.map((_, i) => `mount --bind "\${${2 * i + 1}}" "\${${2 * i + 2}}"`).join(" && ")} && shift ${2 * mounts.length} && exec "$@"`,
    "sh",
    ...mounts.flatMap((m) => [m.source, m.target]),
    ...argv,
  ];
}

/**
 * A records directory for the remote labs of one test file (`COURSE_REMOTE_RUNTIME_DIR`): the
 * "remote" is this machine, and test files run at once, so each keeps its labs' records apart
 * and removes the whole directory at the end.
 */
export function makeRemoteRecordsDir(): string {
  return mkdtempSync("/run/course-test-");
}

/**
 * End every lab still recorded in `dir` (each record's holder is PID 1 of its lab: killing it
 * ends the lab) and remove the directory. For afterAll, so that a failed test leaves nothing.
 */
export function removeRemoteRecordsDir(dir: string | undefined): void {
  if (dir === undefined || !dir.startsWith("/run/course-test-")) return;
  try {
    for (const f of readdirSync(join(dir, "labs"))) {
      if (!f.endsWith(".lab")) continue;
      const record = readFileSync(join(dir, "labs", f), "utf8");
      const pid = Number(/^pid=(\d+)$/m.exec(record)?.[1]);
      if (pid > 1) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  } catch {
    // No records.
  }
  rmSync(dir, { recursive: true, force: true });
}
