// The diagnosis on real labs built from the real lessons and fixtures: lesson 5 before any work
// (the lab host's missing route, never a change to `internet`, which the lesson leaves alone),
// lesson 1 with lo down, VXLAN tunnels, duplicate addresses and an address on a bridge port.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/checks/evaluate-checks.js";
import { verifyLesson } from "../../src/flows/verify.js";
import { leftAloneByLesson } from "../../src/lesson/lesson-design.js";
import { parseLesson } from "../../src/lesson/parse-lesson.js";
import type { Lesson } from "../../src/lesson/types.js";
import { checks, destroyLabsAfterEach, labWith } from "./helpers.js";

destroyLabsAfterEach();

const root = join(import.meta.dirname, "../..");

function lessonAt(path: string): Lesson {
  const file = join(root, path);
  const { lesson } = parseLesson(readFileSync(file, "utf8"), { file });
  if (lesson === undefined) throw new Error(`${path} does not parse`);
  return lesson;
}

/** The `why:` of the first failing check of step `index` of a verify report. */
async function whyOfStep(
  lab: Awaited<ReturnType<typeof labWith>>,
  lesson: Lesson,
  index: number,
  source: string,
) {
  const report = await verifyLesson(lab, lesson, { timeout: 3 });
  const step = report.steps.find((s) => s.index === index);
  const result = step?.results.find((r) => r.check.source === source);
  expect(result?.passed).toBe(false);
  return result?.diagnosis;
}

describe("diagnosis follows the lesson's design", () => {
  const lesson5 = lessonAt("lessons/05-routing.md");
  const setup5 = lesson5.setup.map((b) => b.code).join("\n");
  const WANT5 =
    "172.18.0.2 is on c1:eth0, which br0 reaches directly, but the lab host has no route to 172.18.0.0/24 over br0 (br0 has no address yet), so it goes via 192.0.2.1 instead: ip addr add 172.18.0.1/24 dev br0.";

  it("lesson 5 names internet as left alone, and the containers and the host as not", () => {
    const leftAlone = leftAloneByLesson(lesson5);
    expect(leftAlone("internet")).toBe(true);
    expect(leftAlone("c1")).toBe(false);
    expect(leftAlone("c2")).toBe(false);
    expect(leftAlone(null)).toBe(false);
  });

  it("lesson 5 before any work, internet not forwarding: the lab host's missing route", async () => {
    const lab = await labWith(setup5);
    expect(await whyOfStep(lab, lesson5, 1, "ping 172.18.0.2")).toBe(WANT5);
  });

  it("lesson 5 before any work, internet forwarding (a host with ip_forward=1): the same", async () => {
    const lab = await labWith(`${setup5}\nip netns exec internet sysctl -qw net.ipv4.ip_forward=1`);
    expect(await whyOfStep(lab, lesson5, 1, "ping 172.18.0.2")).toBe(WANT5);
  });

  it("lesson 5 when the walk reaches internet: never a change there, the lesson leaves it alone", async () => {
    // c2's address is on a link no wire joins to the host: the lab host's default route
    // takes the ping to internet, which must stay as it is; the sentence points back.
    // internet forwards (as on a host with ip_forward=1), so the walk gets past that.
    const lab = await labWith(
      `${setup5}\nip netns exec internet sysctl -qw net.ipv4.ip_forward=1\nip link del veth-c2\nip -n c2 link add side0 type veth peer name side1\nip -n c2 addr add 172.18.0.3/24 dev side0\nip -n c2 link set side0 up\nip -n c2 link set side1 up`,
    );
    expect(await whyOfStep(lab, lesson5, 1, "ping 172.18.0.3")).toBe(
      "The lab host sends 172.18.0.3 via 192.0.2.1, to internet, which this lesson leaves as it is (it has no route to 172.18.0.3): the lab host needs a route to 172.18.0.3 that does not go there.",
    );
  });

  it("a fix in a namespace the lesson leaves alone is never proposed", async () => {
    const lab = await labWith(`${setup5}\nip addr add 172.18.0.1/24 dev br0`);
    const [r] = await evaluateChecks(lab, checks("c1: ping 192.0.2.10"), {
      timeout: 3,
      leftAlone: (ns) => ns === "c1",
    });
    expect(r?.diagnosis).toBe(
      "Namespace c1 has no route to 192.0.2.10 (no default route); this lesson leaves c1 as it is, so the fix is on the way there, not in c1.",
    );
  });

  it("lesson 1 with lo down: lo is down, not 'no interface besides lo'", async () => {
    const lesson1 = lessonAt("lessons/01-namespaces.md");
    const lab = await labWith("ip netns add c1");
    expect(await whyOfStep(lab, lesson1, 2, "c1: ping 127.0.0.1")).toBe(
      "lo is down in c1: ip -n c1 link set lo up.",
    );
  });
});

describe("diagnosis knows VXLAN", () => {
  // Fixture 03's own commands for h1 (underlay and VXLAN device), the mirror for h2, and an
  // overlay network 192.168.10.0/24 on the two vxlan10 devices.
  const fixture = lessonAt("test/fixtures/contract/03-policy-routing-over-vxlan.md");
  const h1 = fixture.steps
    .slice(0, 2)
    .flatMap((s) => s.commands.map((c) => c.code))
    .join("\n");
  const h2 = (port = 4789) => `
ip -n h2 link add vxlan10 type vxlan id 10 local 10.0.0.2 dstport ${port} dev eth0 nolearning
bridge -n h2 fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.0.0.1
ip -n h2 addr add 192.168.10.2/24 dev vxlan10
ip -n h2 link set vxlan10 up`;
  const h1Overlay = `
ip -n h1 addr add 192.168.10.1/24 dev vxlan10
ip -n h1 link set vxlan10 up`;

  it("the tunnel works (each case below breaks one thing)", async () => {
    const lab = await labWith(`${h1}\n${h1Overlay}\n${h2()}`);
    const [r] = await evaluateChecks(lab, checks("h1: ping 192.168.10.2"), { timeout: 3 });
    expect(r?.passed).toBe(true);
  });

  it("a dstport mismatch", async () => {
    const lab = await labWith(`${h1}\n${h1Overlay}\n${h2(8472)}`);
    const [r] = await evaluateChecks(lab, checks("h1: ping 192.168.10.2"), { timeout: 3 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "h1:vxlan10 sends to UDP port 4789 but h2:vxlan10 listens on port 8472: both ends need the same dstport (it is set when the device is made: delete one and add it again with dstport 4789).",
    );
  });

  it("a wrong remote", async () => {
    const lab = await labWith(
      `${h1}\n${h1Overlay}\n${h2()}\nbridge -n h1 fdb del 00:00:00:00:00:00 dev vxlan10 dst 10.0.0.2\nbridge -n h1 fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.0.0.3`,
    );
    const [r] = await evaluateChecks(lab, checks("h1: ping 192.168.10.2"), { timeout: 3 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "h1:vxlan10 sends to 10.0.0.3, which is no address of h2 (its end is 10.0.0.2): bridge -n h1 fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.0.0.2.",
    );
  });

  it("a multicast group: said plainly to be beyond judging", async () => {
    const lab = await labWith(`${h1}\n${h1Overlay}
ip -n h2 link add vxlan10 type vxlan id 10 group 239.1.1.1 dstport 4789 dev eth0 nolearning
ip -n h2 addr add 192.168.10.2/24 dev vxlan10
ip -n h2 link set vxlan10 up`);
    const [r] = await evaluateChecks(lab, checks("h1: ping 192.168.10.2"), { timeout: 3 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "The diagnosis cannot judge the VXLAN tunnel between h1:vxlan10 and h2:vxlan10: it uses a multicast group.",
    );
  });

  it("a missing vxlan10 on the sending side: a tunnel, not a default route", async () => {
    const lab = await labWith(`${h1}\nip -n h1 link del vxlan10\n${h2()}`);
    const [r] = await evaluateChecks(lab, checks("h1: ping 192.168.10.2"), { timeout: 3 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "192.168.10.2 is on the VXLAN device h2:vxlan10 (id 10, dstport 4789), and h1 has no VXLAN device of its own to reach it: ip -n h1 link add vxlan10 type vxlan id 10 dstport 4789 remote 10.0.0.2, then give it an address and bring it up.",
    );
  });
});

describe("diagnosis of addresses in the wrong place", () => {
  const BRIDGED = `
ip link add br0 type bridge
ip link set br0 up
ip addr add 172.18.0.1/24 dev br0
for n in 1 2; do
  ip netns add "c$n"
  ip -n "c$n" link set lo up
  ip link add "veth-c$n" type veth peer name eth0 netns "c$n"
  ip link set "veth-c$n" master br0 up
  ip -n "c$n" link set eth0 up
done
ip -n c1 addr add 172.18.0.2/24 dev eth0
`;

  it("the same address on two hosts of one network", async () => {
    const lab = await labWith(`${BRIDGED}\nip -n c2 addr add 172.18.0.2/24 dev eth0`);
    const [r] = await evaluateChecks(lab, checks("ping 172.18.0.3"), { timeout: 3 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "No interface in the lab has 172.18.0.3, so nothing answers ARP for it from br0; 172.18.0.2 is on c1:eth0 and c2:eth0: was one of them meant to be 172.18.0.3?",
    );
  });

  it("the same address twice in one namespace", async () => {
    // The other link's address comes first, so c1 answers the host out of it: no reply.
    const lab = await labWith(
      `${BRIDGED}\nip -n c1 addr flush dev eth0\nip -n c1 link add side0 type veth peer name side1\nip -n c1 link set side0 up\nip -n c1 link set side1 up\nip -n c1 addr add 172.18.0.2/24 dev side0\nip -n c1 addr add 172.18.0.2/24 dev eth0`,
    );
    const [r] = await evaluateChecks(lab, checks("ping 172.18.0.2"), { timeout: 3 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "172.18.0.2 is on c1 twice (eth0 and side0); keep it in one place: ip -n c1 addr del 172.18.0.2/24 dev side0.",
    );
  });

  it("an address on a bridge port instead of the bridge", async () => {
    const lab = await labWith(
      `${BRIDGED}\nip addr del 172.18.0.1/24 dev br0\nip addr add 172.18.0.1/24 dev veth-c1`,
    );
    const [r] = await evaluateChecks(lab, checks("c1: ping 172.18.0.1"), { timeout: 3 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "172.18.0.1 is on veth-c1, a port of the bridge br0: a port hands every frame to its bridge, so the address belongs on br0: ip addr del 172.18.0.1/24 dev veth-c1 && ip addr add 172.18.0.1/24 dev br0.",
    );
  });
});
