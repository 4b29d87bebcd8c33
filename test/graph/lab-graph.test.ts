// drawLab / readLabGraph on real sandbox labs: each test builds a small topology the way a
// lesson's solution does, reads it back in one round trip and compares the graph's structure.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { drawLab, readLabGraph } from "../../src/graph/draw-lab.js";
import type { LabGraph } from "../../src/graph/types.js";
import { openLab } from "../../src/lab/open-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { xmlProblems } from "../helpers/xml.js";

const labs: Lab[] = [];
afterEach(async () => {
  // Destroy every lab a test opened, even when the test failed.
  await Promise.all(labs.splice(0).map((lab) => lab.destroy()));
});

async function labWith(script: string): Promise<Lab> {
  const { lab } = await openLab({
    env: process.env,
    spec: { kind: "sandbox" },
    key: `graph-test-${process.pid}-${labs.length}`,
    label: "graph-test",
    persistent: false,
  });
  labs.push(lab);
  const r = await lab.exec(script);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return lab;
}

function structure(g: LabGraph) {
  return {
    nodes: g.namespaces.map((n) => `${n.id}: ${n.interfaces.map((i) => i.name).join(" ")}`),
    edges: g.edges.map((e) => `${e.kind} ${e.from} ${e.to}`),
  };
}

/** A topology of test/fixtures/topologies/ (record-all.sh recorded the JSON fixtures from them). */
const topology = (name: string) =>
  readFileSync(join(import.meta.dirname, "../fixtures/topologies", `${name}.sh`), "utf8");
const VETH_PAIR = topology("veth-pair");
const BRIDGE = topology("two-containers-on-a-bridge");
const NAT = topology("nat");

describe("the graph of a real lab", () => {
  it("an empty lab is one box with lo", async () => {
    const lab = await labWith("true");
    const g = await readLabGraph(lab);
    expect(structure(g)).toEqual({ nodes: ["host: lo"], edges: [] });
  });

  it("two namespaces and a veth pair: one cable between their ends", async () => {
    const lab = await labWith(VETH_PAIR);
    const before = lab.roundTrips;
    const g = await readLabGraph(lab);
    expect(lab.roundTrips - before).toBe(1);
    expect(structure(g)).toEqual({
      nodes: ["host: lo", "ns1: lo veth0", "ns2: lo veth1"],
      edges: ["veth ns1/veth0 ns2/veth1"],
    });
    const macs = await lab.exec(
      "ip -n ns1 -br link show veth0 | awk '{print $3}'; ip -n ns2 -br link show veth1 | awk '{print $3}'",
    );
    const [mac0, mac1] = macs.stdout.trim().split("\n");
    expect(g.namespaces[1]?.interfaces[1]).toMatchObject({
      name: "veth0",
      mac: mac0,
      up: true,
      lowerUp: true,
      addresses: ["192.168.10.200/24"],
    });
    expect(g.namespaces[2]?.interfaces[1]).toMatchObject({ mac: mac1 });
  });

  it("a bridge with two ports: ports on the bridge, cables to the right eth0, gateways", async () => {
    const lab = await labWith(BRIDGE);
    const g = await readLabGraph(lab);
    expect(structure(g)).toEqual({
      nodes: ["host: lo br0 veth-c1 veth-c2", "c1: lo eth0", "c2: lo eth0"],
      edges: [
        "gateway c1/eth0 host/br0",
        "gateway c2/eth0 host/br0",
        "port host/veth-c1 host/br0",
        "port host/veth-c2 host/br0",
        "veth c1/eth0 host/veth-c1",
        "veth c2/eth0 host/veth-c2",
      ],
    });
    const text = await drawLab(lab, "text");
    expect(text).toMatch(/│ ├─ veth-c1 veth UP [0-9a-f:]{17} ⇄ c1:eth0 +│/);
    expect(text).toMatch(/│ default via 172\.18\.0\.1 dev eth0 → lab host:br0 +│/);
  });

  it("NAT rules become notes of the namespace they are in; the SVG parses", async () => {
    const lab = await labWith(NAT);
    const g = await readLabGraph(lab);
    expect(g.namespaces.map((n) => [n.id, n.nat])).toEqual([
      [
        "host",
        [
          "PREROUTING -d 203.0.113.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80",
          "POSTROUTING -s 172.18.0.0/24 ! -o br0 -j MASQUERADE",
        ],
      ],
      ["c1", []],
      ["internet", []],
    ]);
    expect(structure(g).edges).toEqual([
      "gateway c1/eth0 host/br0",
      "port host/veth-c1 host/br0",
      "veth c1/eth0 host/veth-c1",
      "veth host/uplink internet/wan0",
    ]);
    const svg = await drawLab(lab, "svg", { title: "NAT lab" });
    expect(xmlProblems(svg)).toEqual([]);
    const svgText = svg.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    for (const label of ["lab host", "c1", "internet", "br0 (bridge)", "NAT", "MASQUERADE"]) {
      expect(svgText).toContain(label);
    }
    // ip_forward is on in the lab host (the NAT script set it); a FORWARD policy of DROP is
    // worth a warning. Namespaces made inside a lab copy the real host's IPv4 settings (the
    // kernel's net.core.devconf_inherit_init_net lives only in the host's namespace:
    // docs/labs.md), so c1 and internet forward exactly when this machine does.
    const hostForwards = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim() === "1";
    expect(g.namespaces.map((n) => [n.id, n.forwarding, n.forwardPolicy])).toEqual([
      ["host", true, undefined],
      ["c1", hostForwards, undefined],
      ["internet", hostForwards, undefined],
    ]);
    await lab.exec("iptables -P FORWARD DROP");
    const text = await drawLab(lab, "text");
    expect(text).toMatch(/│ routes between its interfaces \(ip_forward=1\) +│/);
    expect(text).toMatch(/│ FORWARD policy DROP +│/);
    const mermaid = await drawLab(lab, "mermaid");
    expect(mermaid).toContain('["lab host · ip_forward=1 · FORWARD policy DROP"]');
    expect(mermaid).toContain("<== veth ==>");
    const dot = await drawLab(lab, "dot");
    expect(dot).toContain("shape=note");
  });

  it("follows the lab as it changes: a cable deleted is gone from the next drawing", async () => {
    const lab = await labWith(VETH_PAIR);
    expect((await readLabGraph(lab)).edges).toHaveLength(1);
    await lab.exec("ip -n ns2 link set veth1 mtu 9000");
    const text = await drawLab(lab, "text");
    expect(text).toMatch(
      /│ veth1 veth UP [0-9a-f:]{17} mtu 9000 192\.168\.10\.201\/24 ⇄ ns1:veth0 +│/,
    );
    expect(text).toMatch(/│ lo UP 127\.0\.0\.1\/8 +│/);
    expect(text).toMatch(/│ lo DOWN +│/);
    await lab.exec("ip -n ns1 link del veth0");
    const g = await readLabGraph(lab);
    expect(structure(g)).toEqual({ nodes: ["host: lo", "ns1: lo", "ns2: lo"], edges: [] });
  });
});
