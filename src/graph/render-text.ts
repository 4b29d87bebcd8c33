import pc from "picocolors";
import { unusualMtu } from "./picture-interfaces.js";
import type { GraphEdge, GraphInterface, GraphNamespace, LabGraph } from "./types.js";

export interface RenderTextOptions {
  /** Columns the picture may use; narrower terminals get narrower boxes. @default 80 */
  width?: number;
  /** Bold names and dim details with ANSI colours. @default false */
  color?: boolean;
  /** A first line above the boxes, e.g. `Lab of lesson 3 (bridge)`. */
  title?: string;
}

// Built from a string: a literal ESC in a regex literal trips the linter for a good reason elsewhere.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** Printed width of a string (ANSI colours take no room). */
function visible(text: string): number {
  return [...text.replace(ANSI, "")].length;
}

/**
 * Draws the lab for a terminal: one box per namespace, each interface on its own line with
 * its state, MAC and addresses, bridge ports as a tree under their bridge, the other end of each
 * veth cable (`⇄ ns2:veth1`), default gateways and NAT rules. Every line fits in `width` columns.
 */
export function renderText(graph: LabGraph, options: RenderTextOptions = {}): string {
  const width = Math.max(40, options.width ?? 80);
  const c = pc.createColors(options.color === true);
  const out: string[] = [];
  if (options.title !== undefined) {
    out.push(...wrap(options.title.split(" "), width, "").map((l) => c.bold(l)));
  }
  const labels = new Map<string, string>();
  for (const ns of graph.namespaces) {
    for (const i of ns.interfaces) labels.set(i.id, `${ns.label}:${i.name}`);
  }
  for (const ns of graph.namespaces) out.push(...box(ns, graph.edges, labels, width, c));
  for (const w of graph.warnings) out.push(...wrap(`note: ${w}`.split(" "), width, "  "));
  if (graph.namespaces.length === 0) out.push("(the lab has no namespaces to draw)");
  return `${out.join("\n")}\n`;
}

type Colors = ReturnType<typeof pc.createColors>;

function box(
  ns: GraphNamespace,
  edges: GraphEdge[],
  labels: Map<string, string>,
  width: number,
  c: Colors,
): string[] {
  const inner = width - 4;
  const body: string[] = [];
  const ports = (bridge: string) => ns.interfaces.filter((i) => i.master === bridge);
  const top = ns.interfaces.filter(
    (i) => i.master === undefined || !ns.interfaces.some((b) => b.id === i.master),
  );
  for (const i of top) {
    body.push(...wrap(interfaceWords(i, edges, labels, c), inner, "    "));
    const children = ports(i.id);
    children.forEach((p, n) => {
      const last = n === children.length - 1;
      const words = interfaceWords(p, edges, labels, c);
      words[0] = `${last ? "└─" : "├─"} ${words[0] ?? ""}`;
      body.push(...wrap(words, inner, last ? "       " : "│      "));
    });
  }
  for (const gw of ns.gateways) {
    const words = [c.dim("default"), "via", gw.via ?? "(none)"];
    if (gw.dev !== undefined) words.push("dev", gw.dev.slice(gw.dev.indexOf("/") + 1));
    const target = gw.target === undefined ? undefined : labels.get(gw.target);
    if (target !== undefined && gw.target !== gw.dev) words.push("→", target);
    body.push(...wrap(words, inner, "    "));
  }
  if (ns.forwarding === true) body.push(`${c.dim("routes")} between its interfaces (ip_forward=1)`);
  if (ns.forwardPolicy !== undefined) {
    body.push(...wrap([c.dim("FORWARD"), "policy", c.red(ns.forwardPolicy)], inner, "    "));
  }
  for (const rule of ns.nat) body.push(...wrap([c.dim("NAT"), ...rule.split(" ")], inner, "    "));
  if (body.length === 0) body.push(c.dim("(no interfaces)"));

  // A namespace name may be longer than the box (`ip netns` allows 255 bytes): cut it with an ellipsis.
  const name =
    [...ns.label].length > width - 6 ? `${[...ns.label].slice(0, width - 7).join("")}…` : ns.label;
  const label = ` ${c.bold(name)} `;
  const head = `┌─${label}${"─".repeat(Math.max(0, width - 3 - visible(label)))}┐`;
  const lines = [head];
  for (const line of body)
    lines.push(`│ ${line}${" ".repeat(Math.max(0, inner - visible(line)))} │`);
  lines.push(`└${"─".repeat(width - 2)}┘`);
  return lines;
}

function interfaceWords(
  i: GraphInterface,
  edges: GraphEdge[],
  labels: Map<string, string>,
  c: Colors,
): string[] {
  const state = i.unseen
    ? c.dim("(not visible)")
    : !i.up
      ? c.red("DOWN")
      : i.lowerUp
        ? c.green("UP")
        : c.yellow("UP,no-carrier");
  // `lo loopback` says the same thing twice.
  const words =
    i.kind === "loopback" ? [c.bold(i.name), state] : [c.bold(i.name), c.dim(i.kind), state];
  if (i.mac !== undefined) words.push(c.dim(i.mac));
  if (unusualMtu(i)) words.push(`mtu ${i.mtu}`);
  words.push(...i.addresses);
  for (const e of edges) {
    if (e.kind !== "veth") continue;
    const other = e.from === i.id ? e.to : e.to === i.id ? e.from : undefined;
    // One word, so that a wrap never leaves the arrow without its other end.
    if (other !== undefined) words.push(`⇄ ${c.cyan(labels.get(other) ?? other)}`);
  }
  return words;
}

/** Fills lines of at most `width` columns with `words`; continuation lines start with `indent`. */
function wrap(words: string[], width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (word === "") continue;
    const candidate = line === "" ? word : `${line} ${word}`;
    if (visible(candidate) <= width || line === "" || visible(line) <= visible(indent)) {
      line = candidate;
    } else {
      lines.push(line);
      line = `${indent}${word}`;
    }
    // A single word wider than the line (a long NAT match) is cut, never allowed to overflow.
    while (visible(line) > width) {
      const plain = line.replace(ANSI, "");
      lines.push(plain.slice(0, width));
      line = `${indent}${plain.slice(width)}`;
    }
  }
  if (line !== "" && line !== indent) lines.push(line);
  return lines;
}
