import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openLab } from "../../src/lab/open-lab.js";
import { snapshotHost } from "../helpers/lab-host-snapshot.js";
import { ensureLabUser, labUserDir, labUserRoot, runAsLabUser } from "../helpers/lab-user.js";

/** Everything destructive a lesson could do to a machine's network. */
const DESTRUCTIVE = [
  "if command -v nft >/dev/null; then nft flush ruleset; nft add table inet wreck; fi",
  "iptables -F; iptables -t nat -F; iptables -X || true",
  "iptables -P INPUT DROP; iptables -P FORWARD DROP; iptables -P OUTPUT DROP",
  "iptables -t nat -A POSTROUTING -j MASQUERADE; iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.9.9.2:8080",
  "ip link add br0 type bridge && ip link set br0 up && ip addr add 10.9.9.1/24 dev br0",
  "ip route add default via 10.9.9.254 dev br0",
  "ip neigh add 10.9.9.9 lladdr 02:00:00:00:00:09 dev br0",
  "ip netns add wreck1 && ip netns add wreck2 && ip link add v0 type veth peer name v1 netns wreck1",
  "sysctl -w net.ipv4.ip_forward=1 && sysctl -w net.ipv4.conf.all.rp_filter=0",
  "ip addr flush dev lo && ip link set lo down",
  "ip link set br0 mtu 1400 && ip link del br0",
  "ip -all netns delete",
];

const runtime = mkdtempSync(join(tmpdir(), "course-lab-host-"));
afterAll(() => rmSync(runtime, { recursive: true, force: true }));

describe("the host is untouched by anything a lab does", () => {
  test("as root", async () => {
    const before = snapshotHost();
    const { lab } = await openLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: "wreck",
      label: "wreck",
      persistent: false,
      runtimeDir: runtime,
    });
    try {
      for (const command of DESTRUCTIVE) {
        const r = await lab.exec(command, { timeout: 20 });
        expect({ command, exitCode: r.exitCode, stderr: r.stderr }).toEqual({
          command,
          exitCode: 0,
          stderr: expect.any(String),
        });
      }
      // The lab really changed: its own firewall and forwarding.
      expect(
        (await lab.exec("iptables -S INPUT | head -1; sysctl -n net.ipv4.ip_forward")).stdout,
      ).toBe("-P INPUT DROP\n1\n");
      expect(snapshotHost()).toEqual(before);
    } finally {
      await lab.destroy();
    }
    expect(snapshotHost()).toEqual(before);
    expect(existsSync("/run/netns") ? "present" : "absent").toBe(
      before.netns === "absent" ? "absent" : "present",
    );
  });

  describe("as an unprivileged user", () => {
    let ids: { uid: number; gid: number };
    let dir: string;
    let tree: { root: string; cleanup: () => void };
    beforeAll(() => {
      if (!existsSync(join(import.meta.dirname, "../../dist/lab/open-lab.js"))) {
        throw new Error(
          "run `npm run build` first: this test runs the built library as another user",
        );
      }
      ids = ensureLabUser();
      dir = labUserDir(ids);
      tree = labUserRoot(join(import.meta.dirname, "../.."));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
      tree.cleanup();
    });

    test("with subordinate ids", () => {
      const before = snapshotHost();
      const r = runAsLabUser(
        [
          "node",
          join(tree.root, "test", "lab", "fixtures", "lab-worker.mjs"),
          "run",
          join(dir, "rt"),
        ],
        { HOME: dir },
        {
          input: JSON.stringify([
            ...DESTRUCTIVE,
            "iptables -S INPUT | head -1; sysctl -n net.ipv4.ip_forward; id -u",
          ]),
        },
      );
      expect(r.stderr).toBe("");
      const out = JSON.parse(r.stdout) as {
        description: string;
        results: Array<{ exitCode: number; stdout: string; stderr: string }>;
      };
      expect(out.description).toMatch(/unprivileged, user namespace with subordinate ids/);
      for (const [i, res] of out.results.entries()) {
        expect({ i, exitCode: res.exitCode, stderr: res.stderr }).toMatchObject({ i, exitCode: 0 });
      }
      expect(out.results.at(-1)?.stdout).toBe("-P INPUT DROP\n1\n0\n");
      expect(snapshotHost()).toEqual(before);
    });
  });
});
