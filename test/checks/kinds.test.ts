// Every check kind on real sandbox labs: one case that passes and one that fails with the right
// message. The lab is built once per describe block (building costs more than checking).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/checks/evaluate-checks.js";
import type { CheckResult } from "../../src/checks/types.js";
import { formatVerdict } from "../../src/checks/verdict.js";
import { openLab } from "../../src/lab/open-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { BRIDGE, checks } from "./helpers.js";

let lab: Lab;
beforeAll(async () => {
  ({ lab } = await openLab({
    env: process.env,
    spec: { kind: "sandbox" },
    key: `checks-kinds-${process.pid}`,
    label: "checks-kinds",
    persistent: false,
  }));
  const r = await lab.exec(`${BRIDGE}
ip netns exec c1 ping -c1 -W1 172.18.0.3 >/dev/null
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
ip netns exec c2 python3 -m http.server 8080 --bind 0.0.0.0 >/dev/null 2>&1 &
for i in $(seq 100); do ip netns exec c2 ss -Hltn | grep -q :8080 && break; sleep 0.05; done
`);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
});
afterAll(async () => {
  await lab?.destroy();
});

/** Evaluate lines and return "PASS|FAIL verdict" lines, as the learner would read them. */
async function verdicts(...lines: string[]): Promise<string[]> {
  const results = await evaluateChecks(lab, checks(...lines), { timeout: 5 });
  return results.map(
    (r: CheckResult) => `${r.passed ? "PASS" : "FAIL"} ${formatVerdict(r, process.cwd())}`,
  );
}

describe("state checks", () => {
  it("netns", async () => {
    expect(await verdicts("netns c1", "netns c3")).toEqual([
      "PASS lessons/test.md:10: netns c1: ok",
      'FAIL lessons/test.md:11: netns c3: found no namespace "c3" (the lab has c1, c2), expected a namespace "c3"',
    ]);
  });

  it("link: state, type, master, mtu, mac", async () => {
    const v = await verdicts(
      "link veth-c1 up type veth master br0 mtu 1500 mac c1:eth0 peer c1:eth0",
      "c1: link eth0 down",
      "link veth-c1 type bridge master br1 mtu 9000",
      "c1: link eth1",
      "c1: link eth0 mac 02:00:00:00:00:01",
    );
    // veth-c1's own MAC is not c1:eth0's: only the peer is.
    expect(v[0]).toMatch(
      /^FAIL lessons\/test\.md:10: link veth-c1: found mac [0-9a-f:]+, expected interface veth-c1 with UP, type veth, master br0, mtu 1500, mac the MAC of c1:eth0 \([0-9a-f:]+\), peer c1:eth0$/,
    );
    expect(v[1]).toBe(
      "FAIL lessons/test.md:11: c1: link eth0: found eth0 is UP, expected interface eth0 with DOWN",
    );
    expect(v[2]).toBe(
      "FAIL lessons/test.md:12: link veth-c1: found type veth, master br0, mtu 1500, expected interface veth-c1 with type bridge, master br1, mtu 9000",
    );
    expect(v[3]).toBe(
      'FAIL lessons/test.md:13: c1: link eth1: found no interface "eth1" in c1 (it has lo, eth0), expected interface eth1',
    );
    expect(v[4]).toMatch(
      /^FAIL .*: found mac [0-9a-f:]{17}, expected interface eth0 with mac 02:00:00:00:00:01$/,
    );
    expect(
      await verdicts(
        "link veth-c1 up type veth master br0 mtu 1500 peer c1:eth0",
        "c1: link lo up",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: link veth-c1: ok",
      "PASS lessons/test.md:11: c1: link lo: ok",
    ]);
  });

  it("link peer: tells c1:eth0 from c2:eth0 though both are ifindex 2 and both host ends print @if2", async () => {
    const indexes = await lab.exec(
      "ip -n c1 -j link show eth0; ip -n c2 -j link show eth0; ip -j link show veth-c1; ip -j link show veth-c2",
    );
    const [c1, c2, h1, h2] = indexes.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)[0]);
    expect([c1.ifindex, c2.ifindex]).toEqual([2, 2]);
    expect([h1.link_index, h2.link_index]).toEqual([2, 2]);
    expect(
      await verdicts(
        "link veth-c1 peer c1:eth0",
        "link veth-c2 peer c2:eth0",
        "link veth-c1 peer c2:eth0",
        "link veth-c2 peer c1:eth0",
        "c2: link eth0 peer c1:eth0",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: link veth-c1: ok",
      "PASS lessons/test.md:11: link veth-c2: ok",
      "FAIL lessons/test.md:12: link veth-c1: found peer c1:eth0, expected interface veth-c1 with peer c2:eth0",
      "FAIL lessons/test.md:13: link veth-c2: found peer c2:eth0, expected interface veth-c2 with peer c1:eth0",
      "FAIL lessons/test.md:14: c2: link eth0: found peer veth-c2 in the lab host, expected interface eth0 with peer c1:eth0",
    ]);
  });

  it("link peer: both ends in one namespace (iproute2 prints the peer by name, not index)", async () => {
    const { lab: same } = await openLab({
      env: process.env,
      spec: { kind: "sandbox" },
      key: `checks-same-ns-peer-${process.pid}`,
      label: "same-ns-peer",
      persistent: false,
    });
    try {
      await same.exec(
        "ip link add v0 type veth peer name v1; ip link add v2 type veth peer name v3",
      );
      const results = await evaluateChecks(
        same,
        checks("link v0 peer v1", "link v1 peer v0", "link v0 peer v3"),
        { timeout: 5 },
      );
      expect(
        results.map((r) => `${r.passed ? "PASS" : "FAIL"} ${formatVerdict(r, process.cwd())}`),
      ).toEqual([
        "PASS lessons/test.md:10: link v0: ok",
        "PASS lessons/test.md:11: link v1: ok",
        "FAIL lessons/test.md:12: link v0: found peer v1 in the lab host, expected interface v0 with peer v3",
      ]);
    } finally {
      await same.destroy();
    }
  });

  it("addr", async () => {
    expect(
      await verdicts(
        "c1: addr eth0 172.18.0.2/16",
        "c1: addr eth0 172.18.0.2/24",
        "addr c2:eth0 10.0.0.1/8",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: c1: addr eth0: ok",
      "FAIL lessons/test.md:11: c1: addr eth0: found eth0 has 172.18.0.2/16, expected 172.18.0.2/24 on eth0",
      "FAIL lessons/test.md:12: addr c2:eth0: found c2:eth0 has 172.18.0.3/16, expected 10.0.0.1/8 on c2:eth0",
    ]);
  });

  it("route", async () => {
    expect(
      await verdicts(
        "c1: route default via 172.18.0.1 dev eth0",
        "route 172.18.0.0/16 dev br0",
        "c1: route default via 172.18.0.254",
        "route 10.0.0.0/8",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: c1: route default: ok",
      "PASS lessons/test.md:11: route 172.18.0.0/16: ok",
      "FAIL lessons/test.md:12: c1: route default: found default via 172.18.0.1 dev eth0, expected a route to default via 172.18.0.254",
      "FAIL lessons/test.md:13: route 10.0.0.0/8: found no route to 10.0.0.0/8 in the lab host (its routes: 172.18.0.0/16 dev br0), expected a route to 10.0.0.0/8",
    ]);
  });

  it("neigh: lladdr as an interface's MAC; FAILED and INCOMPLETE entries do not count", async () => {
    await lab.exec(
      "ip -n c1 neigh replace 172.18.0.50 dev eth0 nud failed 2>/dev/null || true; ip netns exec c1 ping -c1 -W1 172.18.0.77 >/dev/null || true",
    );
    const macs = await lab.exec("ip -n c2 -j link show eth0; ip -n c1 -j link show eth0");
    const [c2mac, c1mac] = macs.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)[0].address);
    const v = await verdicts(
      "c1: neigh 172.18.0.3 lladdr c2:eth0",
      "c1: neigh 172.18.0.3 lladdr c1:eth0",
      "c1: neigh 172.18.0.77",
      "c1: not neigh 172.18.0.77",
    );
    expect(v[0]).toBe("PASS lessons/test.md:10: c1: neigh 172.18.0.3: ok");
    expect(v[1]).toBe(
      `FAIL lessons/test.md:11: c1: neigh 172.18.0.3: found lladdr ${c2mac}, expected the MAC of c1:eth0 (${c1mac})`,
    );
    expect(v[2]).toMatch(
      /^FAIL lessons\/test\.md:12: c1: neigh 172\.18\.0\.77: found only (INCOMPLETE|FAILED) entries for 172\.18\.0\.77 \(no ARP answer\), expected a usable neighbour entry for 172\.18\.0\.77$/,
    );
    expect(v[3]).toBe("PASS lessons/test.md:13: c1: not neigh 172.18.0.77: ok");
  });

  it("fdb: learned entries only (not permanent, not self)", async () => {
    const v = await verdicts(
      "fdb br0 c1:eth0 port veth-c1",
      "fdb br0 c1:eth0 port veth-c2",
      "fdb br0 veth-c1",
      "fdb br0 33:33:00:00:00:01",
    );
    expect(v[0]).toBe("PASS lessons/test.md:10: fdb br0: ok");
    expect(v[1]).toMatch(
      /^FAIL lessons\/test\.md:11: fdb br0: found [0-9a-f:]{17} learned on port veth-c1, expected bridge br0 has learned the MAC of c1:eth0 \([0-9a-f:]{17}\) on port veth-c2$/,
    );
    // veth-c1's own MAC is a permanent entry: the bridge did not learn it.
    expect(v[2]).toMatch(
      /^FAIL lessons\/test\.md:12: fdb br0: found br0 has not learned [0-9a-f:]{17} \(it knows /,
    );
    expect(v[3]).toMatch(
      /^FAIL lessons\/test\.md:13: fdb br0: found br0 has not learned 33:33:00:00:00:01/,
    );
  });

  it("sysctl, in the check's namespace", async () => {
    // c1 is set apart explicitly: a namespace made inside a lab copies the real host's IPv4
    // settings (docs/labs.md), and this test must not depend on this machine's ip_forward.
    await lab.exec(
      "sysctl -qw net.ipv4.ip_forward=1 && ip netns exec c1 sysctl -qw net.ipv4.ip_forward=0",
    );
    expect(
      await verdicts(
        "sysctl net.ipv4.ip_forward 1",
        "c1: sysctl net.ipv4.ip_forward 1",
        "sysctl net.ipv4.nope 1",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: sysctl net.ipv4.ip_forward: ok",
      "FAIL lessons/test.md:11: c1: sysctl net.ipv4.ip_forward: found net.ipv4.ip_forward = 0, expected net.ipv4.ip_forward = 1",
      "FAIL lessons/test.md:12: sysctl net.ipv4.nope: found no such key (sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory), expected net.ipv4.nope = 1",
    ]);
  });

  it("iptables: rules as iptables -C decides (MASQUERADE included), policies from -S", async () => {
    expect(
      await verdicts(
        "iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
        "iptables -t nat -A POSTROUTING -s 172.18.0.0/16 -j MASQUERADE",
        "iptables -P FORWARD ACCEPT",
        "iptables -P FORWARD DROP",
        "c1: iptables -t nat -A POSTROUTING -j MASQUERADE",
        "iptables -A FORWARD -j NOSUCHTARGET",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: iptables -t: ok",
      "FAIL lessons/test.md:11: iptables -t: found no such rule in nat POSTROUTING (its rules: -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE), expected the rule -A POSTROUTING -s 172.18.0.0/16 -j MASQUERADE in the nat table",
      "PASS lessons/test.md:12: iptables -P: ok",
      "FAIL lessons/test.md:13: iptables -P: found policy ACCEPT in filter FORWARD, expected policy DROP in filter FORWARD",
      "FAIL lessons/test.md:14: c1: iptables -t: found no rule in nat POSTROUTING (it is empty), expected the rule -A POSTROUTING -j MASQUERADE in the nat table",
      expect.stringMatching(
        /^FAIL lessons\/test\.md:15: iptables -A: found iptables rejected the rule: .*NOSUCHTARGET/,
      ),
    ]);
  });

  it("listen", async () => {
    expect(
      await verdicts("c2: listen tcp 8080", "c2: listen tcp 80", "c1: listen tcp 8080"),
    ).toEqual([
      "PASS lessons/test.md:10: c2: listen tcp: ok",
      "FAIL lessons/test.md:11: c2: listen tcp: found nothing listens on tcp port 80 in c2 (tcp ports in use: 8080), expected something listening on tcp port 80",
      "FAIL lessons/test.md:12: c1: listen tcp: found nothing listens on tcp port 8080 in c1, expected something listening on tcp port 8080",
    ]);
  });
});

describe("probes", () => {
  it("ping, with not", async () => {
    const v = await verdicts(
      "c1: ping 172.18.0.3",
      "c1: ping 172.18.0.99",
      "c1: not ping 172.18.0.99",
      "c1: not ping 172.18.0.3",
    );
    expect(v[0]).toBe("PASS lessons/test.md:10: c1: ping 172.18.0.3: ok");
    expect(v[1]).toMatch(
      /^FAIL lessons\/test\.md:11: c1: ping 172\.18\.0\.99: found no reply \(.*\), expected a reply from 172\.18\.0\.99\n {2}why: No interface in the lab has 172\.18\.0\.99, so nothing answers ARP for it from c1:eth0\.$/,
    );
    expect(v[2]).toBe("PASS lessons/test.md:12: c1: not ping 172.18.0.99: ok");
    expect(v[3]).toBe(
      "FAIL lessons/test.md:13: c1: not ping 172.18.0.3: found a reply from 172.18.0.3, expected not: a reply from 172.18.0.3",
    );
  });

  it("a probe in a namespace the lab does not have", async () => {
    expect(
      await verdicts("c9: ping 172.18.0.3", 'c9: run "true"', "c9: not tcp 172.18.0.3:8080"),
    ).toEqual([
      'FAIL lessons/test.md:10: c9: ping 172.18.0.3: found no namespace "c9" in the lab, expected a reply from 172.18.0.3\n  why: There is no namespace "c9" in the lab.',
      'FAIL lessons/test.md:11: c9: run "true": found no namespace "c9" in the lab, expected exit 0',
      "PASS lessons/test.md:12: c9: not tcp 172.18.0.3:8080: ok",
    ]);
  });

  it("tcp", async () => {
    expect(await verdicts("c1: tcp 172.18.0.3:8080", "c1: tcp 172.18.0.3:81")).toEqual([
      "PASS lessons/test.md:10: c1: tcp 172.18.0.3:8080: ok",
      "FAIL lessons/test.md:11: c1: tcp 172.18.0.3:81: found connection refused (nothing listens there), expected a TCP connection to 172.18.0.3:81\n  why: Nothing listens on tcp port 81 in c2.",
    ]);
  });

  it("run: exit status, stdout text and regex", async () => {
    expect(
      await verdicts(
        'c1: run "ip -br addr show eth0" stdout "172.18.0.2/16" stdout ~ /^eth0\\S*\\s+UP/',
        'run "exit 3" exit 3',
        'c1: run "ip -br addr show eth0" stdout "10.0.0.1"',
        'run "echo oops >&2; exit 2"',
      ),
    ).toEqual([
      'PASS lessons/test.md:10: c1: run "ip -br addr show eth0": ok',
      'PASS lessons/test.md:11: run "exit 3": ok',
      expect.stringMatching(
        /^FAIL lessons\/test\.md:12: c1: run "ip -br addr show eth0": found stdout "eth0\S* +UP +172\.18\.0\.2\/16 .*", expected exit 0, stdout "10\.0\.0\.1"$/,
      ),
      'FAIL lessons/test.md:13: run "echo oops >&2; exit 2": found exit 2 (stderr: oops), expected exit 0',
    ]);
  });

  it("capture: sees the text, or says what it saw", async () => {
    const v = await verdicts(
      'c2: capture eth0 while "ip netns exec c1 ping -c1 172.18.0.3" sees "ICMP echo request"',
      'c2: capture eth0 while "ip netns exec c1 ping -c1 172.18.0.3" sees "UDP"',
      'capture nope0 while "true" sees "x"',
    );
    expect(v[0]).toBe("PASS lessons/test.md:10: c2: capture eth0: ok");
    // The first line is the ping's, or an IPv6 router solicitation that c2:eth0 sent meanwhile.
    expect(v[1]).toMatch(
      /^FAIL lessons\/test\.md:11: c2: capture eth0: found \d+ packet line\(s\), none containing "UDP" \(first: .+\)/,
    );
    expect(v[2]).toMatch(
      /^FAIL lessons\/test\.md:12: capture nope0: found tcpdump could not capture on nope0: .*nope0/,
    );
  });
});

describe("IPv6", () => {
  it("addr, route, ping and neigh with IPv6 addresses (any spelling)", async () => {
    await lab.exec(
      "ip -n c1 addr add fd00::2/64 dev eth0 nodad; ip -n c2 addr add fd00::3/64 dev eth0 nodad",
    );
    expect(
      await verdicts(
        "c1: addr eth0 fd00:0:0::2/64",
        "c1: route fd00::/64 dev eth0",
        "c1: ping fd00::3",
        "c1: neigh fd00::3 lladdr c2:eth0",
        "c1: addr eth0 fd00::9/64",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: c1: addr eth0: ok",
      "PASS lessons/test.md:11: c1: route fd00::/64: ok",
      "PASS lessons/test.md:12: c1: ping fd00::3: ok",
      "PASS lessons/test.md:13: c1: neigh fd00::3: ok",
      "FAIL lessons/test.md:14: c1: addr eth0: found eth0 has 172.18.0.2/16, fd00::2/64, expected fd00::9/64 on eth0",
    ]);
  });
});

describe("batching", () => {
  it("40 state checks cost one round trip; with probes too", async () => {
    const lines = Array.from(
      { length: 40 },
      (_, i) =>
        [
          "c1: link eth0 up",
          "c1: addr eth0 172.18.0.2/16",
          "c1: route default via 172.18.0.1",
          "netns c2",
          "iptables -P FORWARD ACCEPT",
        ][i % 5] as string,
    );
    const before = lab.roundTrips;
    const results = await evaluateChecks(lab, checks(...lines), { timeout: 5 });
    expect(results.every((r) => r.passed)).toBe(true);
    expect(lab.roundTrips - before).toBe(1);
    const before2 = lab.roundTrips;
    const mixed = await evaluateChecks(
      lab,
      checks(
        ...lines,
        "c1: ping 172.18.0.3",
        "c2: ping 172.18.0.2",
        "ping 172.18.0.2",
        "c1: tcp 172.18.0.3:8080",
      ),
      { timeout: 5 },
    );
    expect(mixed.every((r) => r.passed)).toBe(true);
    expect(lab.roundTrips - before2).toBe(1);
  });
});
