// The check forms of issue 15 (link KEY=VALUE, fdb of VXLAN devices and static entries, route
// tables and metrics, lookup, rule, addr … in NET, ping ADDR%DEV) on a real sandbox lab, built
// once. A form whose kernel feature this machine lacks (vlan) is evaluated against recorded
// `ip -j` facts in parse-new-kinds.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/checks/evaluate-checks.js";
import { formatVerdict } from "../../src/checks/verdict.js";
import { openLab } from "../../src/lab/open-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { checks } from "./helpers.js";

let lab: Lab;
beforeAll(async () => {
  ({ lab } = await openLab({
    env: process.env,
    spec: { kind: "sandbox" },
    key: `checks-new-kinds-${process.pid}`,
    label: "checks-new-kinds",
    persistent: false,
  }));
  const r = await lab.exec(`
echo "200 John" >> /etc/iproute2/rt_tables
ip netns add a; ip netns add b
ip link add va type veth peer name vb; ip link set va netns a; ip link set vb netns b
ip -n a addr add 10.0.0.1/24 dev va; ip -n b addr add 10.0.0.2/24 dev vb
ip -n a addr add fe80::a/64 dev va nodad; ip -n b addr add fe80::b/64 dev vb nodad
ip -n a link set va up; ip -n b link set vb up; ip -n a link set lo up; ip -n b link set lo up
ip -n a link add vxlan10 type vxlan id 10 local 10.0.0.1 dstport 4789 dev va nolearning
bridge -n a fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.0.0.2
ip -n a link add mv0 link va type macvlan mode bridge
ip -n a route add 192.168.5.0/24 via 10.0.0.2 table John metric 7
ip -n a route add 192.168.6.0/24 via 10.0.0.2
ip -n a rule add from 10.0.0.0/24 to 192.168.5.0/24 lookup John priority 100
ip -n a rule add fwmark 0x3 lookup 200 priority 101
ip link add br0 type bridge; ip link add p0 type veth peer name p1
ip link set p0 master br0; ip link set br0 up; ip link set p0 up
bridge fdb add 02:00:00:00:00:09 dev p0 master static
`);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
});
afterAll(async () => {
  await lab?.destroy();
});

/** "PASS|FAIL verdict" lines, as the learner reads them. */
async function verdicts(...lines: string[]): Promise<string[]> {
  const results = await evaluateChecks(lab, checks(...lines), { timeout: 5 });
  return results.map((r) => `${r.passed ? "PASS" : "FAIL"} ${formatVerdict(r, process.cwd())}`);
}

describe("new check forms on a real lab", () => {
  it("link KEY=VALUE compares the link's details as values", async () => {
    expect(
      await verdicts(
        "a: link vxlan10 type vxlan id=10 local=10.0.0.1 port=4789 learning=false",
        "a: link mv0 type macvlan mode=bridge",
        "a: link vxlan10 id=10 port=4790 learning=true",
        "a: link va vni=3",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: a: link vxlan10: ok",
      "PASS lessons/test.md:11: a: link mv0: ok",
      "FAIL lessons/test.md:12: a: link vxlan10: found port=4789, learning=false, expected interface vxlan10 with id=10, port=4790, learning=true",
      "FAIL lessons/test.md:13: a: link va: found no vni (veth details: none), expected interface va with vni=3",
    ]);
  });

  it("route: table by name or number, metric; a route in main does not pass for another table", async () => {
    expect(
      await verdicts(
        "a: route 192.168.5.0/24 via 10.0.0.2 table John metric 7",
        "a: route 192.168.5.0/24 table 200",
        "a: route 192.168.6.0/24 via 10.0.0.2",
        "a: route 192.168.6.0/24 table John",
        "a: route 192.168.5.0/24",
        "a: route 192.168.5.0/24 table Jane",
        "a: route 192.168.5.0/24 table John metric 8",
      ),
    ).toEqual([
      "PASS lessons/test.md:10: a: route 192.168.5.0/24: ok",
      "PASS lessons/test.md:11: a: route 192.168.5.0/24: ok",
      "PASS lessons/test.md:12: a: route 192.168.6.0/24: ok",
      "FAIL lessons/test.md:13: a: route 192.168.6.0/24: found 192.168.6.0/24 via 10.0.0.2 dev va in table main, expected a route to 192.168.6.0/24 in table John",
      "FAIL lessons/test.md:14: a: route 192.168.5.0/24: found 192.168.5.0/24 via 10.0.0.2 dev va in table John, expected a route to 192.168.5.0/24",
      'FAIL lessons/test.md:15: a: route 192.168.5.0/24: found no table named "Jane" in the lab\'s /etc/iproute2/rt_tables, expected a route to 192.168.5.0/24 in table Jane',
      "FAIL lessons/test.md:16: a: route 192.168.5.0/24: found 192.168.5.0/24 via 10.0.0.2 dev va metric 7 in table John, expected a route to 192.168.5.0/24 metric 8 in table John",
    ]);
  });

  it("rule and lookup: the policy and the kernel's decision", async () => {
    const v = await verdicts(
      "a: rule from 10.0.0.0/24 to 192.168.5.0/24 lookup John priority 100",
      "a: rule fwmark 0x3 lookup John",
      "a: rule from all lookup 300",
      "a: lookup 192.168.5.9 from 10.0.0.1 via 10.0.0.2 dev va table John",
      "a: lookup 192.168.6.9 via 10.0.0.2 src 10.0.0.1 table main",
      "a: lookup 192.168.5.9",
      "a: lookup 192.168.5.9 from 10.0.0.1 table main",
    );
    expect(v.slice(0, 2)).toEqual([
      "PASS lessons/test.md:10: a: rule from: ok",
      "PASS lessons/test.md:11: a: rule fwmark: ok",
    ]);
    expect(v[2]).toBe(
      "FAIL lessons/test.md:12: a: rule from: found the rules are 100: from 10.0.0.0/24 to 192.168.5.0/24 lookup John; 101: from all fwmark 0x3 lookup John, expected a rule from all lookup 300",
    );
    expect(v.slice(3, 5)).toEqual([
      "PASS lessons/test.md:13: a: lookup 192.168.5.9: ok",
      "PASS lessons/test.md:14: a: lookup 192.168.6.9: ok",
    ]);
    expect(v[5]).toBe(
      "FAIL lessons/test.md:15: a: lookup 192.168.5.9: found no route: RTNETLINK answers: Network is unreachable, expected the kernel routes 192.168.5.9",
    );
    expect(v[6]).toBe(
      "FAIL lessons/test.md:16: a: lookup 192.168.5.9: found the kernel routes 192.168.5.9 from 10.0.0.1 via 10.0.0.2 dev va table John, expected the kernel routes 192.168.5.9 from 10.0.0.1 table main",
    );
  });

  it("addr DEV in NET and ping ADDR%DEV", async () => {
    const v = await verdicts(
      "a: addr va in 10.0.0.0/24",
      "a: addr va in fe80::/64",
      "a: addr va in 10.1.0.0/16",
      "a: ping fe80::b%va",
      "a: not ping fe80::99%va",
    );
    expect(v).toEqual([
      "PASS lessons/test.md:10: a: addr va: ok",
      "PASS lessons/test.md:11: a: addr va: ok",
      "FAIL lessons/test.md:12: a: addr va: found va has 10.0.0.1/24, expected an address in 10.1.0.0/16 on va",
      "PASS lessons/test.md:13: a: ping fe80::b%va: ok",
      "PASS lessons/test.md:14: a: not ping fe80::99%va: ok",
    ]);
  });

  it("fdb: static entries of a VXLAN device and a bridge with `permanent`; learned ones without", async () => {
    const v = await verdicts(
      "a: fdb vxlan10 00:00:00:00:00:00 dst 10.0.0.2 permanent",
      "a: fdb vxlan10 00:00:00:00:00:00 dst 10.0.0.3 permanent",
      "fdb br0 02:00:00:00:00:09 port p0 permanent",
      "fdb br0 02:00:00:00:00:09",
    );
    expect(v[0]).toBe("PASS lessons/test.md:10: a: fdb vxlan10: ok");
    expect(v[1]).toBe(
      "FAIL lessons/test.md:11: a: fdb vxlan10: found 00:00:00:00:00:00 port vxlan10 dst 10.0.0.2 permanent, expected vxlan10 has a static entry for 00:00:00:00:00:00 dst 10.0.0.3",
    );
    expect(v[2]).toBe("PASS lessons/test.md:12: fdb br0: ok");
    // A static entry replaces a learned one and is forwarded by the same way: it counts.
    expect(v[3]).toBe("PASS lessons/test.md:13: fdb br0: ok");
  });
});
