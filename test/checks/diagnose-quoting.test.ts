// Diagnosis commands are shell-quoted: a lab object named like a command substitution comes
// back as one quoted word, and running the suggested command as printed fixes the lab without
// running the payload.
import { describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/checks/evaluate-checks.js";
import { checks, destroyLabsAfterEach, labWith } from "./helpers.js";

destroyLabsAfterEach();

// 15 characters: the longest interface name Linux allows.
// biome-ignore lint/suspicious/noTemplateCurlyInString: the payload is a shell expansion
const PAYLOAD = "$(touch${IFS}q)";

describe("diagnosis quoting", () => {
  it(`an interface named ${PAYLOAD}: the suggestion is quoted and running it is safe`, async () => {
    const lab = await labWith(`
ip netns add c1
ip -n c1 link add '${PAYLOAD}' type veth peer name other
ip -n c1 addr add 10.9.0.1/24 dev '${PAYLOAD}'
ip -n c1 link set other up`);
    const [r] = await evaluateChecks(lab, checks("c1: ping 10.9.0.2"), { timeout: 2 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      `c1:${PAYLOAD} is down, so c1 has no route to 10.9.0.2: ip -n c1 link set '${PAYLOAD}' up.`,
    );
    const command = (r?.diagnosis ?? "").replace(/^.*: /, "").replace(/\.$/, "");
    // Run exactly what the learner would paste, in an empty directory of its own.
    const ran = await lab.exec(`d=$(mktemp -d) && cd "$d" && ${command} && ls -A "$d"`);
    expect(ran.exitCode).toBe(0);
    expect(ran.stdout).toBe("");
    const state = await lab.exec(`ip -n c1 -j link show dev '${PAYLOAD}'`);
    expect(JSON.parse(state.stdout)[0].flags).toContain("UP");
  });
});
