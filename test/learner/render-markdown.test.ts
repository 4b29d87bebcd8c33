import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/render/render-markdown.js";

const lesson = `A **veth pair** is a _virtual_ cable: see [the docs](https://man7.org/veth) and \`ip link\`.

## Plug in the cable

\`\`\`sh
ip link add veth0 type veth peer name veth1 # the cable
\`\`\`

\`\`\`sh no-run
ping -c1 192.0.2.1
\`\`\`

> Hint: a veth end only carries traffic once it is \`up\` on both sides.

\`\`\`check
ns1: not ping 10.0.0.9
\`\`\`
`;

describe("renderMarkdown", () => {
  it("renders plain text for a pipe: no escapes, wrapped, headings underlined", () => {
    const out = renderMarkdown(lesson, { width: 40 });
    expect(out).not.toContain("\u001b");
    expect(out).toMatchInlineSnapshot(`
      "A veth pair is a virtual cable: see the
      docs (https://man7.org/veth) and
      \`ip link\`.

      Plug in the cable
      -----------------

        │ ip link add veth0 type veth peer name veth1 # the cable

        │ ping -c1 192.0.2.1

      │ Hint: a veth end only carries traffic
      │ once it is \`up\` on both sides.

        (checks)
        │ ns1: not ping 10.0.0.9"
    `);
    for (const line of out.split("\n").filter((l) => !l.startsWith("  │"))) {
      expect(line.length).toBeLessThanOrEqual(40);
    }
  });

  it("colours on a terminal: bold, italic, links, highlighted commands", () => {
    const out = renderMarkdown(lesson, { width: 60, color: true });
    expect(out).toContain("\u001b[1mveth\u001b[22m");
    expect(out).toContain("\u001b[3mvirtual\u001b[23m");
    expect(out).toContain("\u001b[4m\u001b[34mdocs\u001b[39m\u001b[24m");
    // The command word bold cyan, the comment dim.
    expect(out).toContain("\u001b[1m\u001b[36mip\u001b[39m\u001b[22m");
    expect(out).toContain("\u001b[2m# the cable\u001b[22m");
    // Wrapping counts visible characters only.
    for (const line of stripVTControlCharacters(out).split("\n")) {
      if (!line.startsWith("  │")) expect(line.length).toBeLessThanOrEqual(60);
    }
  });

  it("never breaks a command: a code span over a source line break is one line", () => {
    const hint =
      "> Hint: masquerade with `iptables -t nat -A\n> POSTROUTING -s 172.18.0.0/16 -j MASQUERADE`.";
    for (const width of [30, 80]) {
      const out = renderMarkdown(hint, { width });
      expect(out).toContain("`iptables -t nat -A POSTROUTING -s 172.18.0.0/16 -j MASQUERADE`");
    }
  });

  it("shows no authoring words of a command fence (no-run, background, allow-fail)", () => {
    const out = renderMarkdown(
      "```sh background\nnc -l 8080\n```\n\n```sh allow-fail\nping -c1 x\n```\n\n```sh no-run\nls\n```",
    );
    expect(out).not.toMatch(/background|allow-fail|no-run/);
    expect(out).toContain("nc -l 8080");
  });

  it("hides hints and checks when asked (the guided flow shows them on request)", () => {
    const out = renderMarkdown(lesson, { hideHints: true, hideChecks: true });
    expect(out).not.toContain("Hint:");
    expect(out).not.toContain("not ping");
    expect(out).toContain("ip link add veth0");
  });
});
