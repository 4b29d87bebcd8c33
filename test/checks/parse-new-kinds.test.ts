// The grammar of the check forms added for tunnels, tables and kernel needs, and the forms whose
// kernel feature this machine lacks (802.1Q VLANs, a bridge's vlan_filtering) judged against
// recorded `ip -d -j link` facts: the evaluation is the same code a real lab's facts go through.
import { describe, expect, it } from "vitest";
import { evaluateState } from "../../src/checks/evaluate-checks.js";
import type { LabFacts, NamespaceFacts } from "../../src/checks/facts.js";
import { parseCheckLine } from "../../src/lesson/parse-check.js";
import { checks } from "./helpers.js";

function problems(line: string): string[] {
  return parseCheckLine(line, { file: "l.md", line: 1, column: 1 }).problems.map(
    (p) => `${p.column}: ${p.message}`,
  );
}

describe("lint messages for what used to pass or mislead", () => {
  it("a namespace without its colon, ~/REGEX/ without a space, a regex with a space", () => {
    expect(problems("blue link lo up")).toEqual([
      '1: unknown check kind "blue"; did you mean "blue: link …" (a namespace prefix ends with a colon)?',
    ]);
    expect(problems('run "ip a" stdout ~/abc/')).toEqual([
      '19: run: "~/abc/" needs a space after ~: write stdout ~ /abc/ for a regular expression, or stdout "~/abc/" for that text',
    ]);
    expect(problems('run "ip a" stdout ~ /a b/')).toEqual([
      "21: run: a /REGEX/ is one word: write \\s for a space (/a\\sb/, or [ ] for exactly one space)",
    ]);
  });
});

describe("parsing the new forms", () => {
  it("reads every attribute into the spec", () => {
    const [link, route, lookup, rule, addr, ping, fdb] = checks(
      "link vxlan10 type vxlan id=10 local=10.0.0.1 port=4789 learning=false",
      "route 10.1.0.0/16 via 10.0.0.2 dev eth0 table John metric 5",
      "lookup 192.0.2.1 from 10.0.0.1 iif eth1 mark 3 via 10.0.0.2 dev eth0 src 10.0.0.1 table 200",
      "rule from 10.0.0.0/24 to 192.0.2.0/24 iif eth1 fwmark 0x10 lookup John priority 100",
      "addr eth0 in fe80::/64",
      "ping fe80::1%eth0",
      "fdb vxlan10 00:00:00:00:00:00 dst 10.0.0.2 vlan 10 permanent",
    ).map((c) => c.spec);
    expect(link).toMatchObject({
      info: [
        { key: "id", value: "10" },
        { key: "local", value: "10.0.0.1" },
        { key: "port", value: "4789" },
        { key: "learning", value: "false" },
      ],
    });
    expect(route).toMatchObject({ dest: "10.1.0.0/16", table: "John", metric: 5 });
    expect(lookup).toEqual({
      kind: "lookup",
      dest: "192.0.2.1",
      from: "10.0.0.1",
      iif: "eth1",
      mark: 3,
      via: "10.0.0.2",
      dev: "eth0",
      src: "10.0.0.1",
      table: 200,
    });
    expect(rule).toEqual({
      kind: "rule",
      from: "10.0.0.0/24",
      to: "192.0.2.0/24",
      iif: "eth1",
      fwmark: 16,
      table: "John",
      priority: 100,
    });
    expect(addr).toEqual({ kind: "addr", dev: { dev: "eth0" }, cidr: "fe80::/64", within: true });
    expect(ping).toEqual({ kind: "ping", ip: "fe80::1", dev: "eth0" });
    expect(fdb).toMatchObject({ dst: "10.0.0.2", vlan: 10, permanent: true });
  });

  it("says what is wrong, where, and how to fix it", () => {
    expect(problems("route fd00::11/64")).toEqual([
      '7: route: "fd00::11/64" has host bits set; a route\'s destination is a network: did you mean "fd00::/64"?',
    ]);
    expect(problems("addr eth0 in 10.0.0.1/24")).toEqual([
      '14: addr: "10.0.0.1/24" has host bits set; after `in` comes a network: did you mean "10.0.0.0/24"?',
    ]);
    expect(problems("rule from 10.0.0.0/24 priority 5")).toEqual([
      '33: rule: `lookup T` is missing (the table the rule sends to); expected "rule [from CIDR|all] [to CIDR] [iif DEV] [fwmark N] lookup T [priority N]"',
    ]);
    expect(problems("lookup 192.0.2.1 iif eth1")[0]).toMatch(/^26: lookup: `iif` needs `from`/);
    expect(problems("link vx0 ID=10")[0]).toMatch(/^10: link: "ID" is not a detail name/);
    expect(problems("link vx0 id=")[0]).toMatch(/^10: link: id= has no value/);
    expect(problems("link vx0 id=1 id=2")).toEqual(['15: link: "id" is given twice']);
    expect(problems("ping 10.0.0.1%eth0")[0]).toMatch(/^6: ping: ADDR%DEV is for IPv6/);
    expect(problems("fdb br0 02:00:00:00:00:01 vlan 5000")[0]).toMatch(
      /^32: fdb: VLAN id "5000" is invalid/,
    );
    expect(problems("route default table -1")[0]).toMatch(/^21: route: table "-1" is invalid/);
    expect(problems("route default tabel 5")[0]).toMatch(
      /unknown attribute "tabel".*did you mean "table"/,
    );
  });
});

/** One namespace's facts, as `ip -d -j link` printed them on a kernel with 802.1Q. */
function hostWith(links: NamespaceFacts["links"]): LabFacts {
  return {
    namespaces: [
      {
        name: null,
        exists: true,
        links,
        addrs: [],
        routes: [],
        neighbours: [],
        fdb: [],
        netnsIds: [],
        sysctls: {},
      },
    ],
    extras: {},
    warnings: [],
  };
}

describe("forms whose kernel feature this machine lacks, against recorded facts", () => {
  // Recorded in the Vagrant VM (Debian 12, 6.1): `ip -d -j link show eth0.10` and `br0`.
  const facts = hostWith([
    {
      ifindex: 4,
      ifname: "eth0.10",
      flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
      link: "eth0",
      linkinfo: {
        info_kind: "vlan",
        info_data: { protocol: "802.1Q", id: 10, flags: ["REORDER_HDR"] },
      },
    },
    {
      ifindex: 5,
      ifname: "br0",
      flags: ["BROADCAST", "MULTICAST"],
      linkinfo: { info_kind: "bridge", info_data: { vlan_filtering: 1, vlan_protocol: "802.1Q" } },
    },
  ]);
  const judge = (line: string) => {
    const [check] = checks(line);
    if (check === undefined) throw new Error("no check");
    const o = evaluateState(check, facts, 0);
    return `${o.held ? "held" : "not held"}: found ${o.found}`;
  };

  it("a VLAN's id and protocol, a bridge's vlan_filtering", () => {
    expect(judge("link eth0.10 up type vlan id=10 protocol=802.1Q")).toBe(
      "held: found interface eth0.10 with UP, type vlan, id=10, protocol=802.1Q",
    );
    expect(judge("link eth0.10 type vlan id=20 protocol=802.1ad")).toBe(
      "not held: found id=10, protocol=802.1Q",
    );
    expect(judge("link br0 type bridge vlan_filtering=1")).toMatch(/^held/);
    expect(judge("link br0 vlan_filtering=0")).toBe("not held: found vlan_filtering=1");
  });
});
