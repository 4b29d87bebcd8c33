// The diagnosis of a failed ping/tcp names the first broken layer, on real sandbox labs: a
// working "container → host router → internet" setup, broken in one way per case.
import { describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/checks/evaluate-checks.js";
import { BRIDGE, checks, destroyLabsAfterEach, labWith } from "./helpers.js";

destroyLabsAfterEach();

/** c1 on br0 (172.18.0.0/16) behind the lab host, which routes and masquerades to `inet`. */
const ROUTED = `
ip link set lo up
ip netns add c1
ip netns add inet
ip link add br0 type bridge
ip link set br0 up
ip addr add 172.18.0.1/16 dev br0
ip link add veth-c1 type veth peer name eth0 netns c1
ip link set veth-c1 master br0 up
ip -n c1 link set lo up
ip -n c1 link set eth0 up
ip -n c1 addr add 172.18.0.2/16 dev eth0
ip -n c1 route add default via 172.18.0.1
ip link add veth-inet type veth peer name eth0 netns inet
ip addr add 203.0.113.1/24 dev veth-inet
ip link set veth-inet up
ip -n inet link set lo up
ip -n inet link set eth0 up
ip -n inet addr add 203.0.113.2/24 dev eth0
sysctl -qw net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 -o veth-inet -j MASQUERADE
`;

async function diagnosisAfter(breakIt: string, check = "c1: ping 203.0.113.2") {
  const lab = await labWith(`${ROUTED}\n${breakIt}`);
  const [result] = await evaluateChecks(lab, checks(check), { timeout: 3 });
  expect(result?.passed).toBe(false);
  return result?.diagnosis;
}

describe("diagnose", () => {
  it("the working setup passes (the cases below each break one thing)", async () => {
    const lab = await labWith(ROUTED);
    const results = await evaluateChecks(
      lab,
      checks("c1: ping 203.0.113.2", "c1: ping 172.18.0.1"),
      {
        timeout: 3,
      },
    );
    expect(results.map((r) => r.passed)).toEqual([true, true]);
  });

  it("link down (the container's end)", async () => {
    expect(await diagnosisAfter("ip -n c1 link set eth0 down")).toBe(
      "c1:eth0 is down, so c1 has no route to 203.0.113.2: ip -n c1 link set eth0 up.",
    );
  });

  it("link down (the host's end: no carrier in the container)", async () => {
    expect(await diagnosisAfter("ip link set veth-c1 down")).toBe(
      "The other end of c1:eth0, veth-c1, is down: ip link set veth-c1 up.",
    );
  });

  it("missing address", async () => {
    expect(await diagnosisAfter("ip -n c1 addr flush dev eth0")).toBe(
      "c1:eth0 has no IPv4 address, so c1 has no route to 203.0.113.2: ip -n c1 addr add ADDRESS/LEN dev eth0.",
    );
  });

  it("missing default route", async () => {
    expect(await diagnosisAfter("ip -n c1 route del default")).toBe(
      "Namespace c1 has no route to 203.0.113.2 (no default route): ip -n c1 route add default via GATEWAY.",
    );
  });

  it("ip_forward off", async () => {
    expect(await diagnosisAfter("sysctl -qw net.ipv4.ip_forward=0")).toBe(
      "Forwarding is off in the lab host, the gateway 172.18.0.1: sysctl -w net.ipv4.ip_forward=1.",
    );
  });

  it("FORWARD policy DROP", async () => {
    expect(await diagnosisAfter("iptables -P FORWARD DROP")).toBe(
      "The iptables FORWARD policy in the lab host is DROP and no rule accepts the traffic (iptables -P FORWARD ACCEPT, or add an ACCEPT rule).",
    );
  });

  it("a FORWARD rule dropping", async () => {
    expect(await diagnosisAfter("iptables -A FORWARD -s 172.18.0.0/16 -j DROP")).toBe(
      'An iptables rule in the lab host drops the traffic: "-A FORWARD -s 172.18.0.0/16 -j DROP" (remove it with iptables -D FORWARD -s 172.18.0.0/16 -j DROP).',
    );
  });

  it("missing MASQUERADE", async () => {
    expect(await diagnosisAfter("iptables -t nat -F POSTROUTING")).toBe(
      "NAT is missing: inet has no route back to 172.18.0.2, so the lab host must masquerade it: iptables -t nat -A POSTROUTING -s 172.18.0.0/16 -o veth-inet -j MASQUERADE.",
    );
  });

  it("a gateway nobody has (no ARP answer)", async () => {
    expect(await diagnosisAfter("ip -n c1 route replace default via 172.18.0.254")).toBe(
      "The gateway 172.18.0.254 of c1 is on no interface in the lab, so nothing answers ARP for it: check the address in ip -n c1 route.",
    );
  });

  it("nothing listening (tcp)", async () => {
    expect(await diagnosisAfter("", "c1: tcp 203.0.113.2:80")).toBe(
      "Nothing listens on tcp port 80 in inet.",
    );
  });

  it("FORWARD policy DROP between two containers on one bridge, when br_netfilter filters it", async () => {
    const lab = await labWith(`${BRIDGE}\niptables -P FORWARD DROP`);
    const bnf = await lab.exec(
      "cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent",
    );
    const [result] = await evaluateChecks(lab, checks("c1: ping 172.18.0.3"), { timeout: 3 });
    if (bnf.stdout.trim() === "1") {
      expect(result?.passed).toBe(false);
      expect(result?.diagnosis).toBe(
        "The iptables FORWARD policy in the lab host is DROP and no rule accepts the traffic (iptables -P FORWARD ACCEPT, or add an ACCEPT rule); with br_netfilter on, that chain also filters what br0 bridges.",
      );
    } else {
      // Without br_netfilter a bridge does not consult iptables: the ping goes through.
      expect(result?.passed).toBe(true);
    }
  });

  const DNAT = `iptables -t nat -A PREROUTING -i veth-inet -p tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80`;
  const SERVE = `ip netns exec c1 python3 -m http.server 80 --bind 0.0.0.0 >/dev/null 2>&1 &
for i in $(seq 100); do ip netns exec c1 ss -Hltn | grep -q ':80 ' && break; sleep 0.05; done`;

  it("DNAT: the published port works, and the walk follows the DNAT rule when it does not", async () => {
    const lab = await labWith(`${ROUTED}\n${DNAT}\n${SERVE}`);
    const [ok] = await evaluateChecks(lab, checks("inet: tcp 203.0.113.1:8080"), { timeout: 3 });
    expect(ok?.passed).toBe(true);
    await lab.exec("sysctl -qw net.ipv4.ip_forward=0");
    const [off] = await evaluateChecks(lab, checks("inet: tcp 203.0.113.1:8080"), { timeout: 3 });
    expect(off?.passed).toBe(false);
    expect(off?.diagnosis).toBe(
      "Forwarding is off in the lab host, which DNATs to 172.18.0.2: sysctl -w net.ipv4.ip_forward=1.",
    );
  });

  it("DNAT to a container where nothing listens", async () => {
    expect(await diagnosisAfter(DNAT, "inet: tcp 203.0.113.1:8080")).toBe(
      "Nothing listens on tcp port 80 in c1.",
    );
  });
});
