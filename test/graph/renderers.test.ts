import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/build-graph.js";
import { renderDot } from "../../src/graph/render-dot.js";
import { renderMermaid } from "../../src/graph/render-mermaid.js";
import { renderSvg } from "../../src/graph/render-svg.js";
import { renderText } from "../../src/graph/render-text.js";
import type { GraphFacts, LabGraph } from "../../src/graph/types.js";
import { xmlProblems } from "../helpers/xml.js";

function recorded(name: string): LabGraph {
  const facts: GraphFacts = JSON.parse(
    readFileSync(join(import.meta.dirname, "fixtures", `${name}.json`), "utf8"),
  );
  return buildGraph(facts);
}
const FIXTURES = ["veth-pair", "two-containers-on-a-bridge", "nat"];
const ESC = String.fromCharCode(27);
const width = (line: string) =>
  [...line.replaceAll(new RegExp(`${ESC}\\[[0-9;]*m`, "g"), "")].length;

describe("renderText", () => {
  it.each(FIXTURES)("%s fits an 80-column terminal, in colour too", (name) => {
    for (const color of [false, true]) {
      const text = renderText(recorded(name), { color, title: `Lab of ${name}` });
      const lines = text.trimEnd().split("\n");
      expect(lines.filter((l) => width(l) > 80)).toEqual([]);
      // Boxes are closed: every body line ends at the right border, at column 80.
      for (const l of lines.filter((l) => l.startsWith("│"))) expect(width(l)).toBe(80);
    }
  });

  it("wraps long NAT rules instead of overflowing a narrow terminal", () => {
    const text = renderText(recorded("nat"), { width: 50 });
    const lines = text.trimEnd().split("\n");
    expect(lines.filter((l) => width(l) > 50)).toEqual([]);
    expect(text.replace(/[│\s]+/g, " ")).toContain("--to-destination 172.18.0.2:80");
  });

  it("keeps a very long namespace name inside the box", () => {
    const graph = recorded("veth-pair");
    const ns = graph.namespaces[1];
    if (ns === undefined) throw new Error("fixture changed");
    ns.label = "n".repeat(200);
    for (const w of [80, 40]) {
      const lines = renderText(graph, { width: w }).trimEnd().split("\n");
      expect(lines.filter((l) => width(l) !== w)).toEqual([]);
      expect(lines).toContain(`┌─ ${"n".repeat(w - 7)}… ─┐`);
    }
  });

  it("shows each end's peer, the bridge's ports and the gateway", () => {
    const text = renderText(recorded("two-containers-on-a-bridge"));
    expect(text).toContain("┌─ lab host ─");
    expect(text).toMatch(/│ br0 bridge UP ([0-9a-f:]{17}) 172\.18\.0\.1\/16 +│/);
    expect(text).toMatch(/│ ├─ veth-c1 veth UP [0-9a-f:]{17} ⇄ c1:eth0 +│/);
    expect(text).toMatch(/│ └─ veth-c2 veth UP [0-9a-f:]{17} ⇄ c2:eth0 +│/);
    expect(text).toMatch(/│ default via 172\.18\.0\.1 dev eth0 → lab host:br0 +│/);
    expect(text).not.toContain(ESC);
  });
});

describe("renderMermaid", () => {
  it.each(FIXTURES)("%s is a well-formed flowchart", (name) => {
    const graph = recorded(name);
    const text = renderMermaid(graph);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    expect(lines.filter((l) => /^\s*subgraph /.test(l))).toHaveLength(graph.namespaces.length);
    expect(lines.filter((l) => l.trim() === "end")).toHaveLength(graph.namespaces.length);
    const declared = new Set(
      lines.map((l) => /^ {4}(\w+)(\[|>)/.exec(l)?.[1]).filter((id) => id !== undefined),
    );
    const edges = lines.filter((l) => /^ {2}\w+ (<==|-\.)/.test(l));
    expect(edges).toHaveLength(graph.edges.length);
    for (const e of edges) {
      const [, a, b] = /^ {2}(\w+) .* (\w+)$/.exec(e) ?? [];
      expect(declared.has(a ?? "")).toBe(true);
      expect(declared.has(b ?? "")).toBe(true);
    }
    // Labels are quoted once: inside them quotes and angle brackets are entity codes.
    for (const l of lines.filter((l) => /^ {4}\w+[[>]/.test(l))) {
      expect(l).toMatch(/^ {4}\w+(\["[^"]*"\]|\[\["[^"]*"\]\]|>"[^"]*"\])$/);
    }
  });
});

describe("renderDot and renderSvg", () => {
  it.each(FIXTURES)("%s: Graphviz reads the DOT and draws an SVG that parses", async (name) => {
    const graph = recorded(name);
    const dot = renderDot(graph);
    expect(dot.startsWith("graph lab {")).toBe(true);
    const svg = await renderSvg(graph, { title: `Lab of ${name}` });
    // Graphviz writes some characters as numeric entities (`-` as `&#45;`).
    const svgText = svg.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain("<svg");
    for (const ns of graph.namespaces) expect(svgText).toContain(`>${ns.label}</text>`);
    for (const i of graph.namespaces.flatMap((n) => n.interfaces)) {
      if (i.kind === "loopback") continue;
      expect(svgText).toContain(`>${i.name} (${i.kind})</text>`);
      if (i.mac) expect(svgText).toContain(`>${i.mac}</text>`);
    }
    // One drawn line per edge: Graphviz writes each as <g class="edge">.
    expect(svg.match(/<g id="edge\d+" class="edge">/g)).toHaveLength(graph.edges.length);
  });

  it("leaves lo out of pictures, unless it holds an address of its own", () => {
    const graph = recorded("veth-pair");
    // Only the lab host's: it is all that namespace has, and a box is never empty.
    expect(renderDot(graph).match(/lo \(loopback\)/g)).toHaveLength(1);
    const lo = graph.namespaces[2]?.interfaces.find((i) => i.name === "lo");
    if (lo === undefined) throw new Error("fixture changed");
    lo.addresses.push("198.51.100.10/32");
    const dot = renderDot(graph);
    expect(dot.match(/lo \(loopback\)/g)).toHaveLength(2);
    expect(dot).toContain("198.51.100.10/32");
  });

  it("escapes quotes and backslashes in names", async () => {
    const graph = recorded("veth-pair");
    const ns = graph.namespaces[1];
    if (ns === undefined) throw new Error("fixture changed");
    ns.label = 'a "quoted" \\ <name> & co';
    const svg = await renderSvg(graph);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain("a &quot;quoted&quot; \\ &lt;name&gt; &amp; co");
    expect(renderMermaid(graph)).toContain('["a #quot;quoted#quot; \\ #lt;name#gt; & co"]');
  });

  it("reports a broken well-formedness check as broken (the checker itself works)", () => {
    expect(xmlProblems("<svg><g></svg>")).not.toEqual([]);
    expect(xmlProblems('<svg a="1" a="2"/>')).not.toEqual([]);
    expect(xmlProblems("<svg>a & b</svg>")).not.toEqual([]);
    expect(xmlProblems('<?xml version="1.0"?><svg><g a="x"/>t</svg>')).toEqual([]);
  });
});
