import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { detectFeatures, featuresScript, parseFeatures } from "../../src/lab/lab-features.js";
import { openLab } from "../../src/lab/open-lab.js";
import type { Lab } from "../../src/lab/types.js";
import { KERNEL_FEATURES } from "../../src/lesson/needs.js";
import { CourseBin } from "../helpers/course-bin.js";

const runtimeDir = mkdtempSync(join(tmpdir(), "course-features-"));
let lab: Lab;
beforeAll(async () => {
  ({ lab } = await openLab({
    env: process.env,
    spec: { kind: "sandbox" },
    key: `features-${process.pid}`,
    label: "features",
    persistent: false,
    runtimeDir,
  }));
});
afterAll(async () => {
  await lab?.destroy().catch(() => {});
  rmSync(runtimeDir, { recursive: true, force: true });
});

describe("parseFeatures", () => {
  test("reads one line per feature; a feature without a line could not be tried", () => {
    const out = [
      "@@course-feature vxlan 0 ",
      "@@course-feature vlan 2 Error: Unknown device type.",
    ].join("\n");
    expect(parseFeatures(out, ["vxlan", "vlan", "ipv6"])).toEqual([
      { need: "vxlan", available: true, detail: expect.stringContaining("type vxlan") },
      {
        need: "vlan",
        available: false,
        detail: expect.stringMatching(/type vlan id 10` fails: Error: Unknown device type\.$/),
      },
      { need: "ipv6", available: false, detail: expect.stringMatching(/^could not try it/) },
    ]);
  });

  test("the script tries features in a scratch namespace of its own", () => {
    expect(featuresScript(["vxlan"])).toMatch(/^unshare --net bash -c /m);
  });
});

describe("detectFeatures in a real sandbox lab", () => {
  test("agrees with what a lesson's own commands can do in the lab, and leaves nothing behind", async () => {
    const found = await detectFeatures(lab, KERNEL_FEATURES);
    expect(found.map((f) => f.need)).toEqual([...KERNEL_FEATURES]);
    // The same kinds of links a lesson would make, in a namespace of the lab.
    const tries: Record<string, string> = {
      vxlan: "ip -n t link add vxlan10 type vxlan id 10 dstport 4789 local 10.0.0.1",
      vlan: "ip -n t link add link v0 name v0.10 type vlan id 10",
      macvlan: "ip -n t link add mv1 link v0 type macvlan mode bridge",
    };
    for (const [need, command] of Object.entries(tries)) {
      const r = await lab.exec(
        `set +e; ip netns add t; ip -n t link add v0 type veth peer name v1; ${command}; rc=$?; ip netns del t; exit $rc`,
      );
      expect({ need, ok: found.find((f) => f.need === need)?.available }).toEqual({
        need,
        ok: r.exitCode === 0,
      });
    }
    const after = await lab.exec("ip -br link; ip netns list");
    expect(after.stdout.trim()).toBe(
      "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP>",
    );
  });
});

describe("a lesson's needs", () => {
  const bin = new CourseBin({ prefix: "course-needs-", timeout: 120_000 });
  let missing: string | undefined;
  let dir: string;
  beforeAll(async () => {
    bin.open();
    missing = (await detectFeatures(lab, KERNEL_FEATURES)).find((f) => !f.available)?.need;
    dir = join(bin.dir, "lessons");
    mkdirSync(dir);
    // Needs a feature this machine lacks when there is one; else every feature (all present).
    const needs = missing ?? KERNEL_FEATURES.join(", ");
    writeFileSync(
      join(dir, "01-needy.md"),
      `---\ntitle: Needy\nneeds: [${needs}]\n---\n\n## One\n\n\`\`\`sh\nip netns add a\n\`\`\`\n\n\`\`\`check\nnetns a\n\`\`\`\n`,
    );
  });
  afterAll(() => {
    bin.run(["--lessons", dir, "reset", "--all"]);
    bin.remove();
  });

  test("course test skips a lesson whose need is missing, with the reason (exit 0); runs it otherwise", () => {
    const r = bin.run(["--lessons", dir, "test"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    if (missing === undefined) {
      expect(r.stdout).not.toMatch(/skipped/i);
    } else {
      expect(r.stdout).toMatch(new RegExp(`skip.*needs ${missing}, which this kernel lacks`, "i"));
      expect(r.stdout).toContain("Vagrant VM");
    }
  });

  test("course verify refuses it with the fix (exit 4) when the need is missing", () => {
    const r = bin.run(["--lessons", dir, "verify", "1"]);
    if (missing === undefined) {
      expect(r.code, r.stdout + r.stderr).toBe(1);
    } else {
      expect(r.code, r.stdout + r.stderr).toBe(4);
      expect(r.stderr).toContain(`needs ${missing}`);
      expect(r.stderr).toContain("course --lab vagrant");
    }
  });
});
