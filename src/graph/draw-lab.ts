import { gatherFacts } from "../checks/facts.js";
import type { Lab } from "../lab/types.js";
import { buildGraph, IP_FORWARD } from "./build-graph.js";
import { renderDot } from "./render-dot.js";
import { renderMermaid } from "./render-mermaid.js";
import { renderSvg } from "./render-svg.js";
import { renderText } from "./render-text.js";
import type { GraphFormat, LabGraph } from "./types.js";

export interface DrawOptions {
  /** A heading: the text form's first line, the picture's label. */
  title?: string;
  /** Text form: columns available. @default 80 */
  width?: number;
  /** Text form: ANSI colours. @default false */
  color?: boolean;
}

/**
 * Reads the lab as it is now, in one round trip: the shared facts, with iptables (NAT rules,
 * the FORWARD policy) and `ip_forward`.
 */
export async function readLabGraph(lab: Lab): Promise<LabGraph> {
  return buildGraph(await gatherFacts(lab, { iptables: true, sysctls: [IP_FORWARD] }));
}

/** Renders a graph in any format; SVG loads Graphviz (wasm) on first use only. */
export async function renderGraph(
  graph: LabGraph,
  format: GraphFormat,
  options: DrawOptions = {},
): Promise<string> {
  const titled = options.title === undefined ? {} : { title: options.title };
  switch (format) {
    case "text": {
      const text: Parameters<typeof renderText>[1] = { ...titled };
      if (options.width !== undefined) text.width = options.width;
      if (options.color !== undefined) text.color = options.color;
      return renderText(graph, text);
    }
    case "mermaid":
      return renderMermaid(graph);
    case "dot":
      return renderDot(graph, titled);
    case "svg":
      return renderSvg(graph, titled);
  }
}

/**
 * "Show me the network": the lab as it is now, drawn in `format` (default: text for a
 * terminal). One lab round trip. For `course start` and `course run --graph`.
 */
export async function drawLab(
  lab: Lab,
  format: GraphFormat = "text",
  options: DrawOptions = {},
): Promise<string> {
  return renderGraph(await readLabGraph(lab), format, options);
}
