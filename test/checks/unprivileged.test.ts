// Every check kind in the unprivileged sandbox lab (a learner without root: user namespace with
// subordinate ids), through the built dist as the test user `coursetest`. `npm test` builds
// first; run `npm run build` before running this file alone.
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ensureLabUser, labUserDir, runAsLabUser } from "../helpers/lab-user.js";
import { BRIDGE } from "./helpers.js";

const ids = ensureLabUser();
const dir = labUserDir(ids, "course-checks-user-");
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("every kind passes and fails as in the privileged lab", () => {
  const setup = `${BRIDGE}
ip netns exec c1 ping -c1 -W1 172.18.0.3 >/dev/null
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
sysctl -qw net.ipv4.ip_forward=1
ip netns exec c2 python3 -m http.server 8080 --bind 0.0.0.0 >/dev/null 2>&1 &
for i in $(seq 100); do ip netns exec c2 ss -Hltn | grep -q :8080 && break; sleep 0.05; done
`;
  const lines = [
    "netns c1",
    "link veth-c1 up master br0 peer c1:eth0",
    "link veth-c2 peer c1:eth0",
    "c1: addr eth0 172.18.0.2/16",
    "c1: route default via 172.18.0.1",
    "c1: neigh 172.18.0.3 lladdr c2:eth0",
    "fdb br0 c1:eth0 port veth-c1",
    "sysctl net.ipv4.ip_forward 1",
    "iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
    "iptables -P FORWARD DROP",
    "c2: listen tcp 8080",
    "c1: ping 172.18.0.3",
    "c1: tcp 172.18.0.3:8080",
    'c1: run "ip -br link show eth0" stdout "eth0"',
    'c2: capture eth0 while "ip netns exec c1 ping -c1 172.18.0.3" sees "ICMP echo request"',
  ];
  const script = resolve(import.meta.dirname, "evaluate-as.mjs");
  const r = runAsLabUser([process.execPath, script, setup, JSON.stringify(lines)], {
    COURSE_RUNTIME_DIR: join(dir, "runtime"),
    HOME: dir,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout) as {
    kind: string;
    results: { source: string; passed: boolean; found: string }[];
  };
  expect(out.kind).toMatch(/unprivileged/);
  const failed = out.results.filter((x) => !x.passed).map((x) => `${x.source}: ${x.found}`);
  expect(failed).toEqual([
    "link veth-c2 peer c1:eth0: peer c2:eth0",
    "iptables -P FORWARD DROP: policy ACCEPT in filter FORWARD",
  ]);
});
