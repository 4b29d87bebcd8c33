// Shared by the check tests: real sandbox labs (destroyed after each test) and check lines.
import { afterEach, expect } from "vitest";
import { openLab } from "../../src/lab/open-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { parseCheckLine } from "../../src/lesson/parse-check.js";
import type { Check } from "../../src/lesson/types.js";

const labs: Lab[] = [];

/** Register the cleanup hook in the calling test file. */
export function destroyLabsAfterEach(): void {
  afterEach(async () => {
    await Promise.all(labs.splice(0).map((lab) => lab.destroy()));
  });
}

let counter = 0;

/** A fresh sandbox lab where `script` has run (as a lesson's setup would). */
export async function labWith(script: string): Promise<Lab> {
  const { lab } = await openLab({
    spec: { kind: "sandbox" },
    key: `checks-test-${process.pid}-${counter++}`,
    label: "checks-test",
    persistent: false,
  });
  labs.push(lab);
  if (script.trim() !== "") {
    const r = await lab.exec(script);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  }
  return lab;
}

/** Parse check lines (as lines 10, 11, … of lessons/test.md); each must parse cleanly. */
export function checks(...lines: string[]): Check[] {
  return lines.map((line, i) => {
    const r = parseCheckLine(line, { file: "lessons/test.md", line: 10 + i, column: 1 });
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    if (r.check === undefined) throw new Error(`no check from ${line}`);
    return r.check;
  });
}

/** Two "containers" on a bridge: both ends are eth0 with ifindex 2; host ends print @if2. */
export const BRIDGE = `
ip link set lo up
ip netns add c1
ip netns add c2
ip link add br0 type bridge
ip link set br0 up
ip addr add 172.18.0.1/16 dev br0
for c in c1 c2; do
  ip link add veth-$c type veth peer name eth0 netns $c
  ip link set veth-$c master br0 up
  ip -n $c link set lo up
  ip -n $c link set eth0 up
done
ip -n c1 addr add 172.18.0.2/16 dev eth0
ip -n c2 addr add 172.18.0.3/16 dev eth0
ip -n c1 route add default via 172.18.0.1
ip -n c2 route add default via 172.18.0.1
`;
