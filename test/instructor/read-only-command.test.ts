import { describe, expect, test } from "vitest";
import { isReadOnlyCommand } from "../../src/flows/read-only-command.js";

describe("isReadOnlyCommand", () => {
  test.each([
    "ip netns list",
    "ip netns",
    "ip -n ns1 neigh show",
    "ip -n ns1 -br addr",
    "ip -j -d link show dev veth0",
    "ip route get 10.0.0.2",
    "ip netns exec ns1 ip route",
    "ip a",
    "bridge fdb show br br0",
    "brctl show",
    "ethtool -S veth0",
    "iptables -t nat -nvL",
    "iptables -S FORWARD",
    "iptables-save",
    "sysctl net.ipv4.ip_forward",
    "cat /sys/class/net/eth0/iflink",
    "echo hello",
    "echo done > /dev/null 2>&1",
    "ip -n ns1 link | grep veth",
    "ping -c 1 10.0.0.2",
    "cat /sys/class/net/$(ip -n c1 -br link | cut -d' ' -f1)/iflink",
    'echo "peer: $(ethtool -S veth0)"',
    "sleep 1   # give the server a moment",
    "nft list ruleset",
  ])("shows only: %s", (cmd) => {
    expect(isReadOnlyCommand(cmd)).toBe(true);
  });

  test.each([
    "ip netns add ns1",
    "ip -n ns1 link set lo up",
    "ip link add br0 type bridge",
    "ip netns exec ns1 ip link set lo up",
    "ip monitor",
    "echo 1 > /proc/sys/net/ipv4/ip_forward",
    "echo 1 | tee /proc/sys/net/ipv4/ip_forward",
    "sysctl -w net.ipv4.ip_forward=1",
    "sysctl net.ipv4.ip_forward=1",
    "iptables -A FORWARD -j ACCEPT",
    "iptables -t nat -L; iptables -P FORWARD DROP",
    "ethtool -K veth0 tx off",
    "bridge link set dev v0 hairpin on",
    "X=1",
    "for i in 1 2; do echo $i; done",
    "cat > /tmp/x <<EOF\nhi\nEOF",
    "echo $(ip link add v0 type veth)",
    "(ip netns add a)",
    "nft add table ip t",
    "python3 -m http.server 80 &",
    "sed -i s/a/b/ /etc/hosts",
  ])("changes state (or may): %s", (cmd) => {
    expect(isReadOnlyCommand(cmd)).toBe(false);
  });
});
