import { describe, expect, test } from "vitest";
import type { Hint } from "../../src/lesson/types.js";
import { markdownToHtml } from "../../src/web/lesson-html.js";

const hint = (markdown: string): Hint => ({ file: "l.md", line: 1, column: 1, markdown });

describe("a lesson's Markdown as the page's HTML", () => {
  test("check fences and hint quotes are left out; other quotes and commands stay", async () => {
    const html = await markdownToHtml(
      [
        "Make `c1`:",
        "```sh",
        "ip netns add c1",
        "```",
        "```check",
        "netns c1",
        "```",
        "> Note: a namespace is a room.",
        "",
        "> Hint: the command is `ip netns add c1`.",
      ].join("\n"),
      [hint("the command is `ip netns add c1`.")],
    );
    expect(html).toContain('<code class="language-sh">ip netns add c1\n</code>');
    expect(html).not.toContain("netns c1\n</code>");
    expect(html).toContain("a namespace is a room");
    expect(html).not.toContain("the command is");
  });

  test("a folded solution stays folded; scripts and handlers are removed", async () => {
    const html = await markdownToHtml(
      "<details>\n<summary>Solution</summary>\n\n```sh\nip link add br0 type bridge\n```\n\n</details>\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>",
    );
    expect(html).toMatch(/<details>\s*<summary>Solution<\/summary>[\s\S]*br0[\s\S]*<\/details>/);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("onerror");
  });
});
