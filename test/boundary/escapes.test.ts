/**
 * The lab is a boundary: each escape of issue 13 is tried from inside a real lab (`course shell
 * -c`, the built binary), as root and as the unprivileged test user, and must fail or stay in
 * the lab; the host is compared before and after (files, sysctls, network, mounts, processes).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { snapshotHost } from "../helpers/lab-host-snapshot.js";
import { ensureLabUser, labUserDir, labUserRoot, runAsLabUser } from "../helpers/lab-user.js";

const repo = join(import.meta.dirname, "../..");
const bin = join(repo, "dist/bin.js");
const lessons = join(repo, "test", "lab", "fixtures", "course");
const dir = mkdtempSync(join(tmpdir(), "course-boundary-"));
const tag = `course-boundary-${process.pid}`;

/** Files a lab tries to make on the host (none may appear). */
const planted = ["/etc", "/root", "/var/tmp", "/home", "/dev/shm", "/tmp"].map(
  (d) => `${d}/${tag}`,
);

/** The escapes, each printing `ESCAPED <what>` only if it worked. */
const ESCAPES = String.raw`
for f in ${planted.join(" ")}; do echo x > "$f" 2>/dev/null; done
echo 200 John >> /etc/iproute2/rt_tables 2>/dev/null
sysctl -w vm.swappiness=59 >/dev/null 2>&1 && [ "$(cat /proc/sys/vm/swappiness)" = 59 ] && echo ESCAPED swappiness
head -c 512 /dev/vda >/dev/null 2>&1 && echo ESCAPED /dev/vda
[ -c /dev/kmsg ] && echo escape > /dev/kmsg 2>/dev/null && echo ESCAPED /dev/kmsg
mknod /tmp/kmsg c 1 11 2>/dev/null && echo escape > /tmp/kmsg 2>/dev/null && echo ESCAPED mknod kmsg
mknod /tmp/vda b 254 0 2>/dev/null && head -c 512 /tmp/vda >/dev/null 2>&1 && echo ESCAPED mknod vda
umount -l /proc 2>/dev/null
for p in /proc/[0-9]*; do
  nsenter --net="$p/ns/net" ip link add ${tag.slice(0, 14)} type bridge 2>/dev/null && echo "ESCAPED netns via $p"
  nsenter --mount="$p/ns/mount" mount -t tmpfs x /mnt 2>/dev/null && echo "ESCAPED mountns via $p"
done
mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg 2>/dev/null && for k in /tmp/cg/*/cgroup.kill; do
  [ -e "$k" ] && echo 1 > "$k" 2>/dev/null && echo "ESCAPED cgroup.kill $k"
done
df -k /tmp /run /dev/shm | awk 'NR > 1 && $2 > 1048576 { print "ESCAPED tmpfs of " $2 " KiB at " $6 }'
python3 -c 'b = bytearray(2 << 30); print("ESCAPED memory limit")' 2>/dev/null
for p in /dev/pts/[0-9]*; do [ -e "$p" ] && echo "ESCAPED a pty of the host: $p"; done
sh -c 'n=0; while [ $n -lt 3000 ]; do sleep 60 & n=$((n + 1)); done' >/dev/null 2>&1
[ "$(pgrep -c -x sleep)" -lt 3000 ] || echo ESCAPED 3000 processes
echo tried
`;

function hostState() {
  return {
    net: snapshotHost(),
    swappiness: readFileSync("/proc/sys/vm/swappiness", "utf8"),
    rtTables: readFileSync("/etc/iproute2/rt_tables", "utf8"),
    mounts: readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((l) => l.split(" ").slice(4, 5).join())
      .sort(),
    planted: planted.filter((f) => existsSync(f)),
  };
}

const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dir,
  COURSE_RUNTIME_DIR: join(dir, "rt"),
  COURSE_STATE_DIR: join(dir, "state"),
  NO_COLOR: "1",
};

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("run `npm run build` first: these tests run dist/bin.js");
});
afterAll(() => {
  spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "--all"], { env });
  for (const f of planted) rmSync(f, { force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe("escapes from a lab fail, and the host is unchanged", () => {
  test("as root", () => {
    const before = hostState();
    const r = spawnSync(
      process.execPath,
      [bin, "--lessons", lessons, "shell", "plain", "-c", ESCAPES],
      {
        encoding: "utf8",
        env,
        timeout: 120_000,
      },
    );
    spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "--all"], { env });
    expect(r.stdout).toBe("tried\n");
    const after = hostState();
    expect(after).toEqual(before);
  });

  test("as an unprivileged user", () => {
    const ids = ensureLabUser();
    const tree = labUserRoot(repo);
    const home = labUserDir(ids, "course-boundary-user-");
    try {
      const userEnv = {
        HOME: home,
        COURSE_RUNTIME_DIR: join(home, "rt"),
        COURSE_STATE_DIR: join(home, "state"),
        NO_COLOR: "1",
      };
      const userBin = join(tree.root, "dist", "bin.js");
      const userLessons = join(tree.root, "test", "lab", "fixtures", "course");
      const before = hostState();
      const r = runAsLabUser(
        [process.execPath, userBin, "--lessons", userLessons, "shell", "plain", "-c", ESCAPES],
        userEnv,
        { timeout: 120_000 },
      );
      runAsLabUser(
        [process.execPath, userBin, "--lessons", userLessons, "reset", "--all"],
        userEnv,
      );
      expect(r.stdout).toBe("tried\n");
      expect(hostState()).toEqual(before);
    } finally {
      rmSync(home, { recursive: true, force: true });
      tree.cleanup();
    }
  });

  test("ptys work inside the lab, on a devpts of its own", () => {
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "--lessons",
        lessons,
        "shell",
        "plain",
        "-c",
        "script -qec 'tty; ls -1 /dev/pts' /dev/null; ls -1 /dev/pts",
      ],
      { encoding: "utf8", env, timeout: 60_000 },
    );
    spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "plain"], { env });
    // script made pty 0 of the lab's own devpts (the host's has its own, in use); it is gone
    // when script ends.
    expect(r.stdout.replaceAll("\r", "")).toBe("/dev/pts/0\n0\nptmx\nptmx\n");
    expect(r.status).toBe(0);
  });

  test("a write to /etc works inside the lab and is gone after reset", () => {
    const run = (script: string) =>
      spawnSync(process.execPath, [bin, "--lessons", lessons, "shell", "plain", "-c", script], {
        encoding: "utf8",
        env,
        timeout: 60_000,
      });
    expect(run(`echo inside > /etc/${tag}; cat /etc/${tag}`).stdout).toBe("inside\n");
    expect(existsSync(`/etc/${tag}`)).toBe(false);
    expect(run(`cat /etc/${tag}`).stdout).toBe("inside\n");
    spawnSync(process.execPath, [bin, "--lessons", lessons, "reset", "plain"], { env });
    expect(run(`cat /etc/${tag} 2>/dev/null || echo gone`).stdout).toBe("gone\n");
  });
});
