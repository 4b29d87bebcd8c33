import { describe, expect, test } from "vitest";
import { isReadOnlyCommand } from "../../src/flows/shell-analysis.js";

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
    // Read wrongly as changing state by the hand-written tokenizer (no backquotes, no `<<<`, no
    // `>&-`); the syntax tree follows them.
    "echo `ip -br link`",
    'grep UP <<< "$(ip -br link)"',
    "ip -br link 2>&-",
    "LC_ALL=C ip -br link",
    "cat < /etc/hosts",
  ])("shows only: %s", async (cmd) => {
    expect(await isReadOnlyCommand(cmd)).toBe(true);
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
    "echo `ip link add v0 type veth`",
    // The file is the redirect's first word; the words after it are the command's arguments.
    "echo > /tmp/x /dev/null",
    "echo hi >&/tmp/x",
    "cat <<< hi > /tmp/x",
    "X=$(ip link add v0 type veth) ip -br link",
  ])("changes state (or may): %s", async (cmd) => {
    expect(await isReadOnlyCommand(cmd)).toBe(false);
  });
});
