import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitCheckWords } from "../../src/lesson/check-words.js";
import { checkKinds, parseCheckLine } from "../../src/lesson/parse-check.js";
import type { Position } from "../../src/lesson/types.js";

const at: Position = { file: "lessons/03-bridge.md", line: 42, column: 1 };

/** The parsed spec (plus ns/negate) of a line that must parse without problems. */
function ok(line: string) {
  const r = parseCheckLine(line, at);
  expect(r.problems).toEqual([]);
  expect(r.check).toBeDefined();
  return r.check as NonNullable<typeof r.check>;
}

/** The single problem of a line that must not parse: "COL: message". */
function bad(line: string): string {
  const r = parseCheckLine(line, at);
  expect(r.check).toBeUndefined();
  expect(r.problems.length).toBeGreaterThan(0);
  const p = r.problems[0];
  if (p === undefined) throw new Error("no problem");
  expect(p.line).toBe(42);
  expect(p.file).toBe("lessons/03-bridge.md");
  expect(p.severity).toBe("error");
  return `${p.column}: ${p.message}`;
}

describe("splitCheckWords", () => {
  it('splits on spaces and tabs, groups quotes, resolves \\" and \\\\', () => {
    const s = splitCheckWords(' run  "echo \\"hi\\" \\\\n"\tstdout "a b" ');
    expect(s.words.map((w) => [w.text, w.offset, w.quoted])).toEqual([
      ["run", 1, false],
      ['echo "hi" \\n', 6, true],
      ["stdout", 24, false],
      ["a b", 31, true],
    ]);
    expect(s.source).toBe('run  "echo \\"hi\\" \\\\n"\tstdout "a b"');
    expect(s.sourceOffset).toBe(1);
  });

  it("strips a comment that starts a word, keeps # inside quotes and words", () => {
    const s = splitCheckWords('run "echo #1" stdout a#b  # the comment');
    expect(s.words.map((w) => w.text)).toEqual(["run", "echo #1", "stdout", "a#b"]);
    expect(s.source).toBe('run "echo #1" stdout a#b');
  });

  it("keeps a /REGEX/ as one word", () => {
    expect(splitCheckWords('stdout ~ /a\\s+b"c/i').words.map((w) => w.text)).toEqual([
      "stdout",
      "~",
      '/a\\s+b"c/i',
    ]);
  });

  it("reports an unterminated quote and text glued to a closing quote", () => {
    expect(splitCheckWords('run "echo').problems).toEqual([
      expect.objectContaining({
        offset: 4,
        message: expect.stringContaining("unterminated quote"),
      }),
    ]);
    expect(splitCheckWords('run "a"b').problems).toEqual([
      { offset: 7, message: 'expected a space after the closing quote, found "b"' },
    ]);
  });
});

describe("parseCheckLine: blank lines and comments", () => {
  it.each(["", "   ", "# just a comment", "   # indented comment"])("%j gives nothing", (line) => {
    expect(parseCheckLine(line, at)).toEqual({ problems: [] });
  });
});

describe("parseCheckLine: prefixes", () => {
  it("takes NS: and not, keeps source and the column of the first word", () => {
    const c = parseCheckLine("   ns1: not ping 10.0.0.9   # gone", { ...at, column: 3 }).check;
    expect(c).toEqual({
      file: "lessons/03-bridge.md",
      line: 42,
      column: 6,
      source: "ns1: not ping 10.0.0.9",
      ns: "ns1",
      negate: true,
      spec: { kind: "ping", ip: "10.0.0.9" },
    });
  });

  it("has no ns and negate false by default", () => {
    const c = ok("netns ns1");
    expect(c.ns).toBeUndefined();
    expect("ns" in c).toBe(false);
    expect(c.negate).toBe(false);
  });

  it("rejects a prefix glued to the kind, `not` before the prefix, a bad namespace", () => {
    expect(bad("ns1:ping 10.0.0.1")).toBe('5: put a space after the namespace prefix: "ns1: ping"');
    expect(bad("not ns1: ping 10.0.0.1")).toMatch(
      /^1: write the namespace first: "ns1: not \.\.\."/,
    );
    expect(bad("a/b: ping 10.0.0.1")).toMatch(/^1: .*namespace names contain no '\/'/);
  });

  it("reports a missing kind after the prefix", () => {
    expect(bad("ns1: not")).toMatch(
      /^6: a check kind is missing after "not"; expected one of netns, link,/,
    );
  });

  it("suggests the closest kind for an unknown one", () => {
    expect(bad("ns1: pnig 10.0.0.1")).toMatch(
      /^6: unknown check kind "pnig" \(did you mean "ping"\?\); expected one of netns, link, addr/,
    );
    expect(bad("nieghbour 10.0.0.1")).toMatch(
      /^1: unknown check kind "nieghbour"; expected one of/,
    );
    expect(bad("lnik veth0")).toContain('(did you mean "link"?)');
    expect(bad('"ping" 10.0.0.1')).toContain('unknown check kind "ping"');
  });
});

describe("parseCheckLine: netns", () => {
  it("parses", () => expect(ok("netns ns1").spec).toEqual({ kind: "netns", name: "ns1" }));
  it("errors", () => {
    expect(bad("netns")).toBe('6: netns: the namespace NAME is missing; expected "netns NAME"');
    expect(bad("netns ns1 ns2")).toBe('11: netns: unexpected "ns2"; expected "netns NAME"');
    expect(bad("netns ..")).toMatch(/^7: netns: namespace name "\.\." is invalid/);
  });
});

describe("parseCheckLine: link", () => {
  it("parses every attribute, in any order, MAC normalized", () => {
    expect(
      ok("link veth0 up type veth master br0 mtu 1400 mac 02-42-AC-11-00-03 peer ns2:veth1").spec,
    ).toEqual({
      kind: "link",
      dev: { dev: "veth0" },
      state: "up",
      type: "veth",
      master: { dev: "br0" },
      mtu: 1400,
      mac: { mac: "02:42:ac:11:00:03" },
      peer: { ns: "ns2", dev: "veth1" },
    });
    expect(ok("c1: link eth0 mac c2:eth0 down").spec).toEqual({
      kind: "link",
      dev: { dev: "eth0" },
      state: "down",
      mac: { iface: { ns: "c2", dev: "eth0" } },
    });
  });

  it("errors with columns and did-you-mean", () => {
    expect(bad("link")).toMatch(
      /^5: link: the interface DEV is missing; expected "link DEV \[up\|down\]/,
    );
    expect(bad("link averyveryverylongname")).toMatch(
      /^6: link: interface "averyveryverylongname" is invalid: interface names are at most 15 characters/,
    );
    expect(bad("link veth0 mster br0")).toMatch(
      /^12: link: unknown attribute "mster" \(did you mean "master"\?\)/,
    );
    expect(bad("link veth0 up down")).toBe('15: link: "up/down" is given twice');
    expect(bad("link veth0 mtu 0")).toMatch(
      /^16: link: MTU "0" is invalid: expected a whole number/,
    );
    expect(bad("link veth0 mtu")).toMatch(/^15: link: the MTU after `mtu` is missing/);
    expect(bad("link veth0 mac 02:42:ac:11:00")).toMatch(
      /^16: link: "02:42:ac:11:00" is neither a MAC address .* nor an interface/,
    );
    expect(bad("link veth0 peer a/b")).toMatch(/^17: link: peer "a\/b" is invalid/);
    expect(bad("link ns1:")).toMatch(
      /^6: link: interface "ns1:" is invalid: in NS:DEV, the interface name is empty/,
    );
  });

  it("warns (and still parses) on an unknown link type", () => {
    const r = parseCheckLine("link veth0 type vteh", at);
    expect(r.check?.spec).toMatchObject({ type: "vteh" });
    expect(r.problems).toEqual([
      expect.objectContaining({
        severity: "warning",
        column: 17,
        rule: "unknown-link-type",
        message: expect.stringContaining('unknown link type "vteh" (did you mean "veth"?)'),
      }),
    ]);
  });
});

describe("parseCheckLine: addr", () => {
  it("parses IPv4 and IPv6", () => {
    expect(ok("ns1: addr veth0 192.168.10.200/24").spec).toEqual({
      kind: "addr",
      dev: { dev: "veth0" },
      cidr: "192.168.10.200/24",
    });
    expect(ok("addr ns2:veth1 FD00::1/64").spec).toEqual({
      kind: "addr",
      dev: { ns: "ns2", dev: "veth1" },
      cidr: "fd00::1/64",
    });
  });
  it("errors", () => {
    expect(bad("addr veth0 10.0.0.1")).toMatch(
      /^12: addr: address "10.0.0.1" is invalid: a prefix length is missing/,
    );
    expect(bad("addr veth0 10.0.0.1/33")).toMatch(
      /prefix length "33" must be a number from 0 to 32/,
    );
    expect(bad("addr veth0 10.0.0.256/24")).toMatch(/256 is above 255/);
    expect(bad("addr veth0 10.0.01.1/24")).toMatch(/leading zero/);
    expect(bad("addr veth0 10.0.0/24")).toMatch(/4 numbers separated by dots/);
    expect(bad("addr veth0 fd00:::1/64")).toMatch(/not a valid IPv6 address/);
    expect(bad("addr veth0")).toMatch(
      /^11: addr: the address CIDR .* is missing; expected "addr DEV CIDR \| addr DEV in NET"/,
    );
  });
});

describe("parseCheckLine: route", () => {
  it("parses default, CIDRs, host routes, via and dev", () => {
    expect(ok("c1: route default via 172.18.0.1 dev eth0").spec).toEqual({
      kind: "route",
      dest: "default",
      via: "172.18.0.1",
      dev: { dev: "eth0" },
    });
    expect(ok("route 10.0.0.0/8").spec).toEqual({ kind: "route", dest: "10.0.0.0/8" });
    expect(ok("route 10.0.0.7").spec).toEqual({ kind: "route", dest: "10.0.0.7/32" });
  });
  it("errors", () => {
    expect(bad("route 10.0.0.5/24")).toBe(
      '7: route: "10.0.0.5/24" has host bits set; a route\'s destination is a network: did you mean "10.0.0.0/24"?',
    );
    expect(bad("route defualt")).toMatch(
      /^7: route: destination "defualt" is invalid: expected "default" or a CIDR like 10.0.0.0\/24 \(did you mean "default"\?\)/,
    );
    expect(bad("route default vai 10.0.0.1")).toMatch(
      /^15: route: unknown attribute "vai" \(did you mean "via"\?\)/,
    );
    expect(bad("route default via eth0")).toMatch(/^19: route: gateway "eth0" is invalid/);
    expect(bad("route default via 10.0.0.1 via 10.0.0.2")).toBe('28: route: "via" is given twice');
    expect(bad("route")).toMatch(/^6: route: the destination \(default or a CIDR\) is missing/);
  });
});

describe("parseCheckLine: ping", () => {
  it("parses", () => {
    expect(ok("ns1: ping 192.168.10.201").spec).toEqual({ kind: "ping", ip: "192.168.10.201" });
    expect(ok("ping ::1").spec).toEqual({ kind: "ping", ip: "::1" });
  });
  it("errors", () => {
    expect(bad("ping")).toBe(
      '5: ping: the IP to ping is missing; expected "ping IP | ping ADDR%DEV"',
    );
    expect(bad("ping example.com")).toMatch(/^6: ping: address "example.com" is invalid/);
    expect(bad("ping 10.0.0.1 10.0.0.2")).toBe(
      '15: ping: unexpected "10.0.0.2"; expected "ping IP | ping ADDR%DEV"',
    );
  });
});

describe("parseCheckLine: neigh", () => {
  it("parses lladdr as a MAC or an interface, and dev", () => {
    expect(ok("c1: neigh 172.18.0.3 lladdr c2:eth0 dev eth0").spec).toEqual({
      kind: "neigh",
      ip: "172.18.0.3",
      lladdr: { iface: { ns: "c2", dev: "eth0" } },
      dev: { dev: "eth0" },
    });
    expect(ok("neigh 10.0.0.2 lladdr 6A:1F:00:00:00:01").spec).toEqual({
      kind: "neigh",
      ip: "10.0.0.2",
      lladdr: { mac: "6a:1f:00:00:00:01" },
    });
  });
  it("errors", () => {
    expect(bad("neigh 10.0.0.2 lladr aa:bb:cc:dd:ee:ff")).toMatch(
      /^16: neigh: unknown attribute "lladr" \(did you mean "lladdr"\?\)/,
    );
    expect(bad("neigh 10.0.0.2 lladdr")).toMatch(
      /^22: neigh: the MAC \(or an interface\) after `lladdr` is missing/,
    );
    expect(bad("neigh 10.0.0.300")).toMatch(
      /^7: neigh: address "10.0.0.300" is invalid: 300 is above 255/,
    );
  });
});

describe("parseCheckLine: fdb", () => {
  it("parses", () => {
    expect(ok("fdb br0 c1:eth0 port veth-c1").spec).toEqual({
      kind: "fdb",
      bridge: { dev: "br0" },
      mac: { iface: { ns: "c1", dev: "eth0" } },
      port: { dev: "veth-c1" },
    });
    expect(ok("fdb br0 02:42:AC:11:00:02").spec).toEqual({
      kind: "fdb",
      bridge: { dev: "br0" },
      mac: { mac: "02:42:ac:11:00:02" },
    });
  });
  it("errors", () => {
    expect(bad("fdb br0")).toMatch(
      /^8: fdb: the MAC \(or an interface standing for its MAC\) is missing; expected "fdb DEV MAC\|IFACE \[port DEV\] \[dst IP\] \[vlan N\] \[permanent\]"/,
    );
    expect(bad("fdb br0 aa:bb:cc:dd:ee:ff prot veth0")).toMatch(
      /^27: fdb: unknown attribute "prot" \(did you mean "port"\?\)/,
    );
  });
});

describe("parseCheckLine: sysctl", () => {
  it("parses dotted and slashed keys, quoted values", () => {
    expect(ok("sysctl net.ipv4.ip_forward 1").spec).toEqual({
      kind: "sysctl",
      key: "net.ipv4.ip_forward",
      value: "1",
    });
    expect(ok('sysctl net/ipv4/ip_local_port_range "32768 60999"').spec).toEqual({
      kind: "sysctl",
      key: "net/ipv4/ip_local_port_range",
      value: "32768 60999",
    });
  });
  it("errors", () => {
    expect(bad("sysctl net.ipv4.ip_forward")).toMatch(
      /^27: sysctl: the VALUE is missing; expected "sysctl KEY VALUE"/,
    );
    expect(bad("sysctl net..ipv4. 1")).toMatch(/^8: sysctl: key "net..ipv4." is invalid/);
    expect(bad("sysctl a 1 2")).toMatch(/^12: sysctl: unexpected "2"/);
  });
});

describe("parseCheckLine: iptables", () => {
  it("parses rules with a table anywhere and quoted words", () => {
    expect(ok("iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE").spec).toEqual({
      kind: "iptables",
      table: "nat",
      mode: "rule",
      chain: "POSTROUTING",
      rule: ["-s", "10.0.0.0/24", "-o", "eth0", "-j", "MASQUERADE"],
    });
    expect(ok('iptables -A FORWARD -m comment --comment "let c1 out" -j ACCEPT').spec).toEqual({
      kind: "iptables",
      table: "filter",
      mode: "rule",
      chain: "FORWARD",
      rule: ["-m", "comment", "--comment", "let c1 out", "-j", "ACCEPT"],
    });
    expect(
      ok("iptables -A PREROUTING -t nat -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80")
        .spec,
    ).toMatchObject({ table: "nat", chain: "PREROUTING" });
  });
  it("parses policies", () => {
    expect(ok("iptables -P FORWARD DROP").spec).toEqual({
      kind: "iptables",
      table: "filter",
      mode: "policy",
      chain: "FORWARD",
      target: "DROP",
    });
  });
  it("errors", () => {
    expect(bad("iptables -I FORWARD -j ACCEPT")).toMatch(
      /^10: iptables: write the rule with -A, not -I/,
    );
    expect(bad("iptables -t nta -A POSTROUTING -j MASQUERADE")).toMatch(
      /^13: iptables: unknown table "nta" \(did you mean "nat"\?\)/,
    );
    expect(bad("iptables -A FORWARD")).toMatch(
      /^20: iptables: the RULE after -A FORWARD is missing/,
    );
    expect(bad("iptables -P FORWARD ACCPET")).toMatch(
      /^21: iptables: a policy is ACCEPT or DROP, found "ACCPET" \(did you mean "ACCEPT"\?\)/,
    );
    expect(bad("iptables -t nat -P FORWARD ACCEPT")).toMatch(
      /^20: iptables: only built-in chains have a policy; the nat table's are PREROUTING, INPUT, OUTPUT, POSTROUTING/,
    );
    expect(bad("iptables -P FORWARD DROP now")).toMatch(
      /^26: iptables: unexpected "now" after the policy/,
    );
    expect(bad("iptables FORWARD")).toMatch(/^10: iptables: expected -A or -P/);
    expect(bad("iptables")).toMatch(/^9: iptables: -A CHAIN RULE... or -P CHAIN TARGET is missing/);
    expect(bad("iptables -A -j ACCEPT")).toMatch(
      /^13: iptables: expected a chain name, found "-j"/,
    );
    // Found by the property test below: a quoted (here unterminated, empty) chain.
    expect(bad('iptables -P "')).toMatch(/^13: unterminated quote/);
    expect(bad('iptables -P "" DROP')).toMatch(/^13: iptables: the chain name is empty/);
  });
});

describe("parseCheckLine: listen and tcp", () => {
  it("parses", () => {
    expect(ok("c2: listen tcp 80").spec).toEqual({ kind: "listen", proto: "tcp", port: 80 });
    expect(ok("listen udp 65535").spec).toEqual({ kind: "listen", proto: "udp", port: 65535 });
    expect(ok("tcp 10.0.0.2:8080").spec).toEqual({ kind: "tcp", host: "10.0.0.2", port: 8080 });
    expect(ok("tcp [FD00::2]:80").spec).toEqual({ kind: "tcp", host: "fd00::2", port: 80 });
    expect(ok("tcp localhost:22").spec).toEqual({ kind: "tcp", host: "localhost", port: 22 });
  });
  it("errors", () => {
    expect(bad("listen tpc 80")).toMatch(
      /^8: listen: expected tcp or udp, found "tpc" \(did you mean "tcp"\?\)/,
    );
    expect(bad("listen tcp 0")).toMatch(
      /^12: listen: port "0" is invalid: a port is a number from 1 to 65535/,
    );
    expect(bad("listen tcp 65536")).toMatch(/a port is a number from 1 to 65535/);
    expect(bad("tcp 10.0.0.2")).toMatch(
      /^5: tcp: target "10.0.0.2" is invalid: the port is missing/,
    );
    expect(bad("tcp 10.0.0.2:http")).toMatch(/a port is a number/);
    expect(bad("tcp fd00::1:80")).toMatch(/write an IPv6 host as \[ADDRESS\]:PORT/);
  });
});

describe("parseCheckLine: capture", () => {
  it("parses", () => {
    expect(ok('c1: capture eth0 while "ping -c1 10.0.0.2" sees "ICMP echo request"').spec).toEqual({
      kind: "capture",
      dev: { dev: "eth0" },
      command: "ping -c1 10.0.0.2",
      text: "ICMP echo request",
    });
  });
  it("errors", () => {
    expect(bad('capture eth0 whiel "ping -c1 10.0.0.2" sees "ICMP"')).toMatch(
      /^14: capture: expected "while", found "whiel" \(did you mean "while"\?\)/,
    );
    expect(bad('capture eth0 while ping -c1 10.0.0.2 sees "ICMP"')).toMatch(
      /^25: capture: expected "sees", found "-c1" \(quote a COMMAND of several words/,
    );
    expect(bad('capture eth0 while "ping -c1 10.0.0.2"')).toMatch(
      /^39: capture: "sees" is missing/,
    );
    expect(bad('capture eth0 while "ping" sees ""')).toMatch(/^32: capture: the TEXT is empty/);
    expect(bad('capture eth0 while "ping" sees "x" extra')).toMatch(
      /^36: capture: unexpected "extra"/,
    );
  });
});

describe("parseCheckLine: run", () => {
  it("parses exit and several stdout matches", () => {
    expect(ok('run "ip -n ns1 -br link" exit 0 stdout "veth0" stdout ~ /UP\\s/i').spec).toEqual({
      kind: "run",
      command: "ip -n ns1 -br link",
      exit: 0,
      stdout: [{ text: "veth0" }, { regex: "UP\\s", flags: "i" }],
    });
    expect(ok("run true").spec).toEqual({ kind: "run", command: "true", exit: 0, stdout: [] });
    expect(ok('run "false" exit 1').spec).toMatchObject({ exit: 1 });
  });
  it("errors", () => {
    expect(bad('run "x" exit 256')).toMatch(
      /^14: run: exit status "256" is invalid: expected a whole number from 0 to 255/,
    );
    expect(bad('run "x" stdout ~ /a(/')).toMatch(
      /^18: run: regular expression "\/a\(\/" is invalid: .*Unterminated group/,
    );
    expect(bad('run "x" stdout ~ /a/q')).toMatch(/"q" are not regular-expression flags/);
    expect(bad('run "x" stdout ~ abc')).toMatch(/a regular expression is written \/PATTERN\//);
    expect(bad('run "x" stdot "y"')).toMatch(
      /^9: run: unexpected "stdot" \(did you mean "stdout"\?\)/,
    );
    expect(bad('run "x" exit 1 exit 2')).toBe('16: run: "exit" is given twice');
    expect(bad('run ""')).toMatch(/^5: run: the COMMAND is empty/);
    expect(bad('run "echo')).toMatch(/^5: unterminated quote/);
    expect(bad("run ip link")).toMatch(
      /^8: run: unexpected "link" \(quote a COMMAND of several words/,
    );
  });
  it("warns when a stdout text looks like a regex", () => {
    const r = parseCheckLine('run "x" stdout /a+/', at);
    expect(r.check).toBeDefined();
    expect(r.problems[0]).toMatchObject({ severity: "warning", column: 16, rule: "regex-as-text" });
  });
});

describe("parseCheckLine: never throws", () => {
  it("on odd input for every kind", () => {
    const odd = ["", ":", "::", '"', "\\", "/", "/(/", "-t", "~", "not", "999999999999999999"];
    for (const kind of checkKinds) {
      for (const a of odd) {
        for (const b of odd) {
          const r = parseCheckLine(`${kind} ${a} ${b}`, at);
          expect(r.check !== undefined || r.problems.length > 0).toBe(true);
        }
      }
    }
  });
});

describe("parseCheckLine: property", () => {
  it("never throws on random lines; gives a check or located problems", () => {
    const word = fc.oneof(
      fc.constantFrom(
        ...checkKinds,
        "not",
        "c1:",
        "ns2:veth1",
        "up",
        "peer",
        "via",
        "-t",
        "nat",
        "-A",
        "-P",
      ),
      fc.constantFrom(
        "10.0.0.1",
        "10.0.0.0/24",
        "02:42:ac:11:00:03",
        "/a+/i",
        '"x y"',
        "~",
        "#",
        '"',
        "\\",
      ),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 9 }), (words) => {
        const line = words.join(" ");
        const r = parseCheckLine(line, at);
        for (const p of r.problems) {
          expect(p.line).toBe(42);
          expect(p.column).toBeGreaterThanOrEqual(1);
          expect(p.column).toBeLessThanOrEqual(line.length + 2);
          expect(p.message.length).toBeGreaterThan(0);
        }
        if (r.check === undefined) {
          const blank = line.trim() === "" || line.trim().startsWith("#");
          expect(blank || r.problems.some((p) => p.severity === "error")).toBe(true);
        } else {
          expect(r.problems.every((p) => p.severity === "warning")).toBe(true);
        }
      }),
      { numRuns: 20000 },
    );
  });
});
