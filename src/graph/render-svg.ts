import { renderDot } from "./render-dot.js";
import type { LabGraph } from "./types.js";

type Viz = Awaited<ReturnType<typeof import("@viz-js/viz").instance>>;
let viz: Promise<Viz> | undefined;

/**
 * Draws the lab as SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`): no system binary.
 * The module (about 1.5 MB of wasm) is imported on first use only, so the other formats and the
 * rest of the CLI never pay for it.
 */
export async function renderSvg(
  graph: LabGraph,
  options: { title?: string } = {},
): Promise<string> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  const result = (await viz).render(renderDot(graph, options), { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    const why = result.errors.map((e) => e.message).join("; ");
    // The DOT is generated here, so a failure is a bug in course: a plain Error says so.
    throw new Error(`Graphviz could not draw the lab graph: ${why}`);
  }
  return result.output;
}
