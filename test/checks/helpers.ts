// Shared by the check tests: real sandbox labs (destroyed after each test) and check lines.
import { readFileSync } from "node:fs";
import { join } from "node:path";
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
    env: process.env,
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
export const BRIDGE = readFileSync(
  join(import.meta.dirname, "../fixtures/topologies/two-containers-on-a-bridge.sh"),
  "utf8",
);
