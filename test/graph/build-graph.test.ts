import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/build-graph.js";
import { renderText } from "../../src/graph/render-text.js";
import type { GraphFacts, LabGraph } from "../../src/graph/types.js";

// Fixtures are real outputs recorded in throwaway namespaces by fixtures/record-all.sh.
function recorded(name: string): GraphFacts {
  return JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", `${name}.json`), "utf8"));
}

function structure(g: LabGraph) {
  return {
    nodes: g.namespaces.map((n) => `${n.id}: ${n.interfaces.map((i) => i.name).join(" ")}`),
    edges: g.edges.map((e) => `${e.kind} ${e.from} ${e.to}`),
  };
}

describe("buildGraph on recorded labs", () => {
  it("joins the two ends of a veth pair across namespaces", () => {
    const g = buildGraph(recorded("veth-pair"));
    expect(structure(g)).toEqual({
      nodes: ["host: lo", "ns1: lo veth0", "ns2: lo veth1"],
      edges: ["veth ns1/veth0 ns2/veth1"],
    });
    expect(g.warnings).toEqual([]);
    const veth0 = g.namespaces[1]?.interfaces[1];
    expect(veth0).toMatchObject({ kind: "veth", up: true, addresses: ["192.168.10.200/24"] });
    expect(veth0?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it("puts bridge ports on their bridge and the gateway on the bridge's address", () => {
    const g = buildGraph(recorded("two-containers-on-a-bridge"));
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
    expect(g.namespaces[1]?.gateways).toEqual([
      { via: "172.18.0.1", dev: "c1/eth0", target: "host/br0" },
    ]);
  });

  it("keeps the NAT rules of each namespace as notes", () => {
    const g = buildGraph(recorded("nat"));
    expect(g.namespaces[0]?.nat).toEqual([
      "PREROUTING -d 203.0.113.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80",
      "POSTROUTING -s 172.18.0.0/24 ! -o br0 -j MASQUERADE",
    ]);
    expect(structure(g).edges).toContain("veth host/uplink internet/wan0");
    expect(g.namespaces[2]?.nat).toEqual([]);
  });

  it("does not join veths by ifindex alone when the peer does not point back", () => {
    const facts = recorded("veth-pair");
    const ns2 = facts.namespaces.find((n) => n.name === "ns2");
    const veth1 = ns2?.links.find((l) => l.ifname === "veth1");
    if (veth1 === undefined) throw new Error("fixture changed: no ns2 veth1");
    // Same ifindex the other end names, but a different back pointer: another pair's end.
    veth1.link_index = 99;
    const g = buildGraph(facts);
    expect(g.edges).toEqual([]);
    expect(g.warnings.join("\n")).toMatch(/ns1:veth0: its veth peer .* does not point back/);
  });

  it("draws a peer in a namespace with no name as an unnamed box", () => {
    const facts = recorded("two-containers-on-a-bridge");
    // As with Docker: the containers' namespaces are not in `ip netns`.
    const only = { ...facts, namespaces: facts.namespaces.filter((n) => n.name === null) };
    const host = only.namespaces[0];
    if (host) host.netnsIds = [];
    const g = buildGraph(only);
    expect(structure(g).edges).toEqual([
      "port host/veth-c1 host/br0",
      "port host/veth-c2 host/br0",
      "veth host/veth-c1 nsid:0/if2",
      "veth host/veth-c2 nsid:1/if2",
    ]);
    expect(g.namespaces[1]?.interfaces).toEqual([
      {
        id: "nsid:0/if2",
        namespace: "nsid:0",
        name: "if2",
        kind: "veth",
        up: false,
        lowerUp: false,
        addresses: [],
        unseen: true,
      },
    ]);
    expect(renderText(g)).toMatch(/│ if2 veth \(not visible\) ⇄ lab host:veth-c1 +│/);
    expect(g.namespaces.map((n) => n.label)).toEqual([
      "lab host",
      "unnamed netns (nsid 0)",
      "unnamed netns (nsid 1)",
    ]);
  });
});
