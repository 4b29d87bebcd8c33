import { boxLabel, interfaceLines, pictureIds, pictureInterfaces } from "./picture-interfaces.js";
import type { LabGraph } from "./types.js";

/** A DOT double-quoted string. */
function quote(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
}

/** Left-aligned multi-line DOT label: each line ends in `\l`. */
function leftLines(lines: string[]): string {
  return `"${lines.map((l) => `${l.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}\\l`).join("")}"`;
}

/**
 * Draws the lab as a Graphviz DOT graph: a cluster per namespace, a box per interface (bridges
 * filled), bold lines for veth cables, dashed lines from ports to their bridge, dotted arrows
 * from a default route to its gateway, and NAT rules as a note in their namespace.
 */
export function renderDot(graph: LabGraph, options: { title?: string } = {}): string {
  const { node, box } = pictureIds(graph);
  const lines = [
    "graph lab {",
    '  graph [rankdir=TB, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.8, pad=0.3];',
    '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  if (options.title !== undefined) {
    lines.push(`  label=${quote(options.title)}; labelloc=t;`);
  }
  graph.namespaces.forEach((ns, k) => {
    lines.push(`  subgraph cluster_${box.get(ns.id)} {`);
    lines.push(`    label=${quote(boxLabel(ns))}; style="rounded"; color="#607d8b"; labeljust=l;`);
    for (const i of pictureInterfaces(ns)) {
      const fill = i.kind === "bridge" ? ', style="rounded,filled", fillcolor="#e3f2fd"' : "";
      const color = i.up ? "" : ', color="#b71c1c"';
      lines.push(
        `    ${node.get(i.id)} [label=${quote(interfaceLines(i, ns).join("\n"))}${fill}${color}];`,
      );
    }
    if (ns.nat.length > 0) {
      lines.push(`    nat${k} [shape=note, style="", label=${leftLines(["NAT", ...ns.nat])}];`);
      // Below every interface of its box: beside them, a wide note pushes the cables apart.
      for (const i of pictureInterfaces(ns))
        lines.push(`    ${node.get(i.id)} -- nat${k} [style=invis];`);
    }
    lines.push("  }");
  });
  for (const e of graph.edges) {
    const from = node.get(e.from);
    const to = node.get(e.to);
    if (from === undefined || to === undefined) continue;
    if (e.kind === "veth") {
      // Rank the lab host's end (or a bridge port) first, so that containers hang below it.
      const [a, b] = hostSide(graph, e.to) && !hostSide(graph, e.from) ? [to, from] : [from, to];
      lines.push(`  ${a} -- ${b} [penwidth=2, label="veth"];`);
    } else if (e.kind === "port") lines.push(`  ${to} -- ${from} [style=dashed, label="port"];`);
    // The route itself is written in the interface's label; the arrow shows where it leads.
    // The lab host's side is written first, as for cables, so that the arrow agrees with the
    // ranks the cables set and runs straight instead of around the boxes.
    else if (hostSide(graph, e.to) && !hostSide(graph, e.from)) {
      lines.push(`  ${to} -- ${from} [style=dotted, dir=back, label="gw"];`);
    } else lines.push(`  ${from} -- ${to} [style=dotted, dir=forward, label="gw"];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function hostSide(graph: LabGraph, id: string): boolean {
  const ns = graph.namespaces.find((n) => id.startsWith(`${n.id}/`));
  return ns?.name === null || ns?.interfaces.some((i) => i.id === id && i.master) === true;
}
