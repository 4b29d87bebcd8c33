import { boxLabel, interfaceLines, pictureIds, pictureInterfaces } from "./picture-interfaces.js";
import type { LabGraph } from "./types.js";

/** Mermaid escapes: entity codes, because a label cannot hold `"` and `<` starts HTML. */
function text(value: string): string {
  return value
    .replaceAll("#", "#35;")
    .replaceAll('"', "#quot;")
    .replaceAll("<", "#lt;")
    .replaceAll(">", "#gt;");
}

/**
 * Draws the lab as a Mermaid flowchart (GitHub renders it in Markdown): a subgraph per
 * namespace, a node per interface, `<==>` for a veth cable, a dotted line from a bridge port
 * to its bridge, a dotted arrow from a namespace's default route to the gateway it names, and
 * NAT rules as a note node in their namespace.
 */
export function renderMermaid(graph: LabGraph): string {
  const { node, box } = pictureIds(graph);
  const lines = ["flowchart LR"];
  graph.namespaces.forEach((ns, k) => {
    lines.push(`  subgraph ${box.get(ns.id)}["${text(boxLabel(ns))}"]`);
    for (const i of pictureInterfaces(ns)) {
      const label = interfaceLines(i, ns).map(text).join("<br/>");
      const shape = i.kind === "bridge" ? [`[["`, `"]]`] : [`["`, `"]`];
      lines.push(`    ${node.get(i.id)}${shape[0]}${label}${shape[1]}`);
    }
    if (ns.nat.length > 0) {
      lines.push(`    nat${k}>"${["NAT", ...ns.nat].map(text).join("<br/>")}"]`);
    }
    lines.push("  end");
  });
  for (const e of graph.edges) {
    const from = node.get(e.from);
    const to = node.get(e.to);
    if (from === undefined || to === undefined) continue;
    if (e.kind === "veth") lines.push(`  ${from} <== veth ==> ${to}`);
    else if (e.kind === "port") lines.push(`  ${from} -. port .- ${to}`);
    else lines.push(`  ${from} -. gw .-> ${to}`);
  }
  return `${lines.join("\n")}\n`;
}
