// drawLab / readLabGraph on real sandbox labs: each test builds a small topology the way a
// lesson's solution does, reads it back in one round trip and compares the graph's structure.
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

const VETH_PAIR = `
ip netns add ns1
ip netns add ns2
ip link add veth0 type veth peer name veth1
ip link set veth0 netns ns1
ip link set veth1 netns ns2
ip -n ns1 addr add 192.168.10.200/24 dev veth0
ip -n ns2 addr add 192.168.10.201/24 dev veth1
ip -n ns1 link set veth0 up
ip -n ns2 link set veth1 up
`;

// Two "containers" whose ends are both called eth0 with ifindex 2, as Docker makes them: only
// the namespace ids tell which host end is whose.
const BRIDGE = `
ip link add br0 type bridge
ip addr add 10.0.0.1/24 dev br0
ip link set br0 up
for i in 1 2; do
  ip netns add c$i
  ip link add veth$i type veth peer name eth0 netns c$i
  ip link set veth$i master br0 up
  ip -n c$i addr add 10.0.0.1$i/24 dev eth0
  ip -n c$i link set eth0 up
  ip -n c$i route add default via 10.0.0.1
done
`;

const NAT = `
ip link add br0 type bridge
ip addr add 172.18.0.1/24 dev br0
ip link set br0 up
ip netns add c1
ip link add veth-c1 type veth peer name eth0 netns c1
ip link set veth-c1 master br0 up
ip -n c1 addr add 172.18.0.2/24 dev eth0
ip -n c1 link set eth0 up
ip -n c1 route add default via 172.18.0.1
ip netns add internet
ip link add uplink type veth peer name wan0 netns internet
ip addr add 203.0.113.1/24 dev uplink
ip link set uplink up
ip -n internet addr add 203.0.113.100/24 dev wan0
ip -n internet link set wan0 up
sysctl -qw net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s 172.18.0.0/24 ! -o br0 -j MASQUERADE
iptables -t nat -A PREROUTING -d 203.0.113.1/32 -p tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80
`;

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
      nodes: ["host: lo br0 veth1 veth2", "c1: lo eth0", "c2: lo eth0"],
      edges: [
        "gateway c1/eth0 host/br0",
        "gateway c2/eth0 host/br0",
        "port host/veth1 host/br0",
        "port host/veth2 host/br0",
        "veth c1/eth0 host/veth1",
        "veth c2/eth0 host/veth2",
      ],
    });
    const text = await drawLab(lab, "text");
    expect(text).toMatch(/│ ├─ veth1 veth UP [0-9a-f:]{17} ⇄ c1:eth0 +│/);
    expect(text).toMatch(/│ default via 10\.0\.0\.1 dev eth0 → lab host:br0 +│/);
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
    // ip_forward is on (the NAT script set it); a FORWARD policy of DROP is worth a warning.
    expect(g.namespaces.map((n) => [n.id, n.forwarding, n.forwardPolicy])).toEqual([
      ["host", true, undefined],
      ["c1", false, undefined],
      ["internet", false, undefined],
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
