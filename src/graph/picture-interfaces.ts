/** What the pictures (mermaid, dot, svg) share: which interfaces they draw and how each is labelled. */
import type { GraphInterface, GraphNamespace, LabGraph } from "./types.js";

/**
 * What the pictures (mermaid, dot, svg) draw of a namespace: every interface but `lo`, which
 * is in every namespace and only crowds a picture; it stays when it is all the namespace has
 * (so that a bare namespace is not an empty box) or holds an address beyond 127.0.0.1.
 * The text form keeps `lo`.
 */
export function pictureInterfaces(ns: GraphNamespace): GraphInterface[] {
  // A loopback with an address of its own (a simulated internet host's 198.51.100.10/32) stays.
  const drawn = ns.interfaces.filter(
    (i) => i.kind !== "loopback" || i.addresses.some((a) => !LOOPBACK_ADDRESSES.has(a)),
  );
  return drawn.length > 0 ? drawn : ns.interfaces;
}

const LOOPBACK_ADDRESSES = new Set(["127.0.0.1/8", "::1/128"]);

/**
 * The lines of an interface's label: name and kind, state, MAC, addresses, and the default
 * routes that leave through it (the arrow to the gateway then needs no label of its own).
 */
export function interfaceLines(i: GraphInterface, ns: GraphNamespace): string[] {
  const state = i.unseen ? "(not visible)" : !i.up ? "DOWN" : i.lowerUp ? "UP" : "UP, no carrier";
  const lines = [`${i.name} (${i.kind})`, state];
  if (i.mac !== undefined) lines.push(i.mac);
  if (unusualMtu(i)) lines.push(`mtu ${i.mtu}`);
  lines.push(...i.addresses);
  for (const gw of ns.gateways) {
    if (gw.dev === i.id)
      lines.push(gw.via === undefined ? "default route" : `default via ${gw.via}`);
  }
  return lines;
}

/** Short, syntax-safe node ids (`n0`, `n1`, …) for every interface drawn, and `ns0`… for boxes. */
export function pictureIds(graph: LabGraph): {
  node: Map<string, string>;
  box: Map<string, string>;
} {
  const node = new Map<string, string>();
  const box = new Map<string, string>();
  graph.namespaces.forEach((ns, k) => {
    box.set(ns.id, `ns${k}`);
    for (const i of pictureInterfaces(ns)) node.set(i.id, `n${node.size}`);
  });
  return { node, box };
}

/** A box's title: the namespace, and whether it routes (ip_forward) or drops routed traffic. */
export function boxLabel(ns: GraphNamespace): string {
  const parts = [ns.label];
  if (ns.forwarding === true) parts.push("ip_forward=1");
  if (ns.forwardPolicy !== undefined) parts.push(`FORWARD policy ${ns.forwardPolicy}`);
  return parts.join(" · ");
}

/** An MTU worth showing: not Ethernet's 1500, on an interface that is not loopback. */
export function unusualMtu(i: GraphInterface): boolean {
  return i.mtu !== undefined && i.mtu !== 1500 && i.kind !== "loopback";
}
