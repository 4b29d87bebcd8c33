/**
 * Namespaces with odd names (a space, a newline, a control character) inside a real lab are
 * gathered under their exact names, drawn by `course graph` and listed by `course verify` (the
 * built binary), escaped, never dropped; and the diagnosis quotes them.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/checks/evaluate-checks.js";
import { gatherFacts } from "../../src/checks/facts.js";
import { checks, destroyLabsAfterEach, labWith } from "../checks/helpers.js";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";

destroyLabsAfterEach();

const bin = new CourseBin({
  prefix: "course-odd-netns-",
  args: ["--lessons", join(repoRoot, "lessons")],
  timeout: 60_000,
});
labsInTempHome(bin);
const course = (args: string[]) => bin.run(args, { HOME: bin.dir });

/** Three odd names and a veth between two of them (bash $'…' spells them). */
const ODD = `
ip netns add 'a b'
ip netns add $'new\\nline'
ip netns add $'bell\\a'
ip link add eth0 netns 'a b' type veth peer name eth0 netns $'new\\nline'
`;

describe("odd namespace names", () => {
  it("are gathered under their exact names, and a veth between two of them is resolved", async () => {
    const lab = await labWith(ODD);
    const facts = await gatherFacts(lab);
    const names = facts.namespaces.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(["a b", "new\nline", "bell\u0007"]));
    const ab = facts.namespaces.find((n) => n.name === "a b");
    expect(ab?.links.map((l) => l.ifname)).toContain("eth0");
  });

  it("are quoted in a diagnosis, command included", async () => {
    const lab = await labWith(`${ODD}
ip link add v0 type veth peer name eth1 netns 'a b'
ip addr add 10.7.0.1/24 dev v0
ip link set v0 up
ip -n 'a b' addr add 10.7.0.2/24 dev eth1`);
    const [r] = await evaluateChecks(lab, checks("ping 10.7.0.2"), { timeout: 2 });
    expect(r?.passed).toBe(false);
    expect(r?.diagnosis).toBe(
      "The other end of v0, 'a b':eth1, is down: ip -n 'a b' link set eth1 up.",
    );
  });

  it("are drawn by `course graph` and listed by `course verify`, escaped", () => {
    const made = course(["shell", "1", "-c", ODD]);
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    const graph = course(["graph", "1", "--format", "text"]);
    expect(graph.code).toBe(0);
    expect(graph.stdout).toContain("a b");
    expect(graph.stdout).toContain("new\\nline");
    expect(graph.stdout).toContain("bell\\x07");
    expect(graph.stdout).not.toContain("\u0007");
    const verify = course(["verify", "1"]);
    expect(verify.stdout).toContain("(the lab has 'a b', $'bell\\x07', $'new\\nline')");
  });
});
