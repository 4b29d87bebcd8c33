// Parsing facts from real output recorded on this machine (test/fixtures/facts/record-bridge.sh):
// two "containers" c1 and c2 on bridge br0, both ends eth0 with ifindex 2, host ends @if2.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagnose, lookupRoute } from "../../src/checks/diagnose.js";
import { evaluateState } from "../../src/checks/evaluate-checks.js";
import {
  buildFactsScript,
  findLink,
  namespaceFacts,
  parseFactsOutput,
  parseProcNetSockets,
  vethPeer,
} from "../../src/checks/facts.js";
import { checks } from "./helpers.js";

const output = readFileSync(
  new URL("../fixtures/facts/bridge-two-containers.txt", import.meta.url),
  "utf8",
);
const facts = parseFactsOutput(output, "fixture");

describe("parseFactsOutput on recorded output", () => {
  it("has the host first, then every named namespace, with no warnings", () => {
    expect(facts.namespaces.map((n) => n.name)).toEqual([null, "c1", "c2"]);
    expect(facts.warnings).toEqual([]);
    expect(facts.namespaces.every((n) => n.exists)).toBe(true);
  });

  it("reads links, addresses, routes, neighbours, fdb, ids, sysctls, iptables, sockets, extras", () => {
    const host = namespaceFacts(facts, null);
    const c1 = namespaceFacts(facts, "c1");
    const c2 = namespaceFacts(facts, "c2");
    expect(host?.links.map((l) => l.ifname)).toEqual(["lo", "br0", "veth-c1", "veth-c2"]);
    expect(findLink(host, "veth-c1")).toMatchObject({
      master: "br0",
      link_index: 2,
      link_netnsid: 0,
    });
    expect(findLink(host, "veth-c2")).toMatchObject({
      master: "br0",
      link_index: 2,
      link_netnsid: 1,
    });
    expect(findLink(c1, "eth0")?.ifindex).toBe(2);
    expect(findLink(c2, "eth0")?.ifindex).toBe(2);
    expect(host?.netnsIds).toEqual(
      expect.arrayContaining([
        { name: "c1", id: 0 },
        { name: "c2", id: 1 },
      ]),
    );
    expect(c1?.addrs.find((a) => a.ifname === "eth0")?.addr_info?.[0]).toMatchObject({
      family: "inet",
      local: "172.18.0.2",
      prefixlen: 16,
    });
    expect(c1?.routes[0]).toMatchObject({ dst: "default", gateway: "172.18.0.1", dev: "eth0" });
    expect(c1?.neighbours.map((n) => n.state?.[0])).toEqual(
      expect.arrayContaining(["INCOMPLETE", "REACHABLE"]),
    );
    expect(host?.fdb.some((e) => e.state === "permanent")).toBe(true);
    expect(host?.sysctls).toEqual({ "net.ipv4.ip_forward": "1" });
    expect(c1?.sysctls).toEqual({ "net.ipv4.ip_forward": "0" });
    expect(host?.nat).toContain("-A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE");
    expect(host?.filter).toContain("-P FORWARD DROP");
    expect(c2?.listening).toEqual([{ proto: "tcp", port: 8080, address: "0.0.0.0" }]);
    expect(facts.extras.c1).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });

  it("resolves veth peers by namespace id and back pointer, never by ifindex alone", () => {
    const host = namespaceFacts(facts, null);
    const c1 = namespaceFacts(facts, "c1");
    const c2 = namespaceFacts(facts, "c2");
    if (!host || !c1 || !c2) throw new Error("missing namespace");
    const peerOf = (ns: typeof host, dev: string) => {
      const link = findLink(ns, dev);
      if (!link) throw new Error(dev);
      const p = vethPeer(facts, ns, link);
      return p && `${p.ns.name ?? "host"}:${p.link.ifname}`;
    };
    expect(peerOf(host, "veth-c1")).toBe("c1:eth0");
    expect(peerOf(host, "veth-c2")).toBe("c2:eth0");
    expect(peerOf(c1, "eth0")).toBe("host:veth-c1");
    expect(peerOf(c2, "eth0")).toBe("host:veth-c2");
    expect(peerOf(host, "br0")).toBeUndefined();
  });

  it("answers state checks from the snapshot", () => {
    const cs = checks(
      "link veth-c1 peer c1:eth0 master br0 up",
      "link veth-c2 peer c1:eth0",
      "c1: neigh 172.18.0.3 lladdr c2:eth0",
      "c1: neigh 172.18.0.77",
      "neigh 172.18.0.99",
      "fdb br0 c1:eth0 port veth-c1",
      "c2: listen tcp 8080",
    );
    const verdicts = cs.map((c, i) => {
      const o = evaluateState(c, facts, i);
      return `${o.held} ${o.found}`;
    });
    expect(verdicts[0]).toBe("true interface veth-c1 with UP, master br0, peer c1:eth0");
    expect(verdicts[1]).toBe("false peer c2:eth0");
    expect(verdicts[2]).toMatch(/^true lladdr [0-9a-f:]{17} \(REACHABLE\)$/);
    expect(verdicts[3]).toBe("false only INCOMPLETE entries for 172.18.0.77 (no ARP answer)");
    expect(verdicts[4]).toBe("false only FAILED entries for 172.18.0.99 (no ARP answer)");
    expect(verdicts[5]).toMatch(/^true /);
    expect(verdicts[6]).toBe("true tcp 0.0.0.0:8080 listening");
  });

  it("ignores a missing namespace's sections and marks it missing", () => {
    const out = "\n@@facts-n x missing\n\n@@facts-n-rc 0\n";
    const f = parseFactsOutput(out, "n");
    expect(f.namespaces.map((n) => [n.name, n.exists])).toEqual([
      [null, true],
      ["x", false],
    ]);
  });

  it("warns (for --debug) instead of throwing on output that is not JSON", () => {
    const f = parseFactsOutput(
      '\n@@facts-n - link\nObject "link" is unknown\n@@facts-n-rc 255\n',
      "n",
    );
    expect(f.warnings).toEqual(['host: link: not JSON: Object "link" is unknown']);
    expect(f.namespaces[0]?.links).toEqual([]);
  });
});

describe("buildFactsScript", () => {
  it("reads only what is asked for, quoting namespace names and extras", () => {
    const plain = buildFactsScript("n");
    expect(plain).not.toContain("iptables");
    expect(plain).not.toContain("/proc/net/tcp");
    expect(plain).toContain("for f in /run/netns/*;");
    const some = buildFactsScript("n", {
      namespaces: ["a b"],
      iptables: true,
      extras: [{ id: "x", ns: "c1", script: "echo 'hi'" }],
    });
    expect(some).toContain("dump 'a b'");
    expect(some).toContain("iptables -w -t nat -S");
    expect(some).toContain(
      `bg sec - extra:x ip netns exec c1 bash -c '{ echo '\\''hi'\\''\n} 2>&1'`,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion
    expect(some).toContain('ip "${n[@]}" -j -d -batch - <<<"$b"');
  });
});

describe("parseProcNetSockets", () => {
  it("reads TCP LISTEN and bound UDP sockets, IPv4 little-endian", () => {
    const text = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
      "   1: 0200A8C0:0050 0300A8C0:C350 01 00000000:00000000 00:00000000 00000000     0        0 1 1",
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
      "  5: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0",
    ].join("\n");
    expect(parseProcNetSockets(text)).toEqual([
      { proto: "tcp", port: 22, address: "127.0.0.1" },
      { proto: "udp", port: 53, address: "0.0.0.0" },
    ]);
  });
});

describe("diagnose on the recorded snapshot (pure)", () => {
  it("routes by longest prefix", () => {
    const c1 = namespaceFacts(facts, "c1");
    if (!c1) throw new Error("c1");
    expect(lookupRoute(c1, "172.18.0.3")).toMatchObject({ dst: "172.18.0.0/16", dev: "eth0" });
    expect(lookupRoute(c1, "8.8.8.8")).toMatchObject({ dst: "default", gateway: "172.18.0.1" });
  });

  it("names the first broken layer", () => {
    // The recording has FORWARD DROP on the host, which routes c1 out.
    expect(diagnose(facts, { from: "c1", ip: "8.8.8.8" })?.layer).toBe("firewall");
    expect(diagnose(facts, { from: "c1", ip: "172.18.0.99" })).toEqual({
      layer: "arp",
      sentence:
        "No interface in the lab has 172.18.0.99, so nothing answers ARP for it from c1:eth0.",
    });
    expect(diagnose(facts, { from: "c2", ip: "172.18.0.3", port: 80 })).toEqual({
      layer: "listen",
      sentence: "Nothing listens on tcp port 80 in c2.",
    });
    expect(diagnose(facts, { from: "c7", ip: "172.18.0.3" })?.layer).toBe("namespace");
  });
});
