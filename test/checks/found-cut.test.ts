// A verdict's "found", when it must be shortened, keeps the part that differs in sight: the
// `dstport` of a VXLAN link that `ip -d link show` prints far past the first 200 characters.
import { describe, expect, it } from "vitest";
import { clipFound, whereItDiffers } from "../../src/checks/clip-found.js";
import { evaluateChecks } from "../../src/checks/evaluate-checks.js";
import { checks, destroyLabsAfterEach, labWith } from "./helpers.js";

destroyLabsAfterEach();

describe("found, shortened", () => {
  it("keeps short text whole, on one line", () => {
    expect(clipFound("a\nb\n")).toBe("a⏎b");
  });

  it("cuts around the focus, with … on each cut side, within the limit", () => {
    const text = `${"x".repeat(300)}dstport 8472${"y".repeat(300)}`;
    const cut = clipFound(text, whereItDiffers(text, { regex: "dstport 4789", flags: "" }));
    expect(cut).toContain("dstport 8472");
    expect(cut.startsWith("…")).toBe(true);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(202);
  });

  it("finds where a text or a regular expression stops matching", () => {
    expect(whereItDiffers("abc dstport 8472", { text: "dstport 4789" })).toBe(4);
    expect(whereItDiffers("abc dstport 8472", { regex: "dstport\\s+4789", flags: "" })).toBe(4);
    expect(whereItDiffers("abc", { regex: "zzz(", flags: "" })).toBe(0);
  });

  it("a real `run` check on a VXLAN link shows the dstport that differs", async () => {
    const lab = await labWith(
      "ip link add eth0 type dummy 2>/dev/null || ip link add eth0 type veth peer name eth1\nip addr add 10.0.0.1/24 dev eth0\nip link add vxlan10 type vxlan id 10 local 10.0.0.1 remote 10.0.0.2 dstport 8472 dev eth0",
    );
    const [r] = await evaluateChecks(
      lab,
      checks('run "ip -d link show vxlan10" stdout ~ /dstport\\s4789/'),
      { timeout: 5 },
    );
    expect(r?.passed).toBe(false);
    const shown = await lab.exec("ip -d link show vxlan10");
    // The output is longer than the limit and dstport is beyond it: the cut must move.
    expect(shown.stdout.trim().indexOf("dstport")).toBeGreaterThan(200);
    expect(r?.found).toContain("dstport 8472");
  });
});
