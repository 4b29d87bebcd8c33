/** `listen tcp|udp PORT`: a socket listens on that port (TCP LISTEN / bound UDP, /proc/net). */
import type { CheckSpec } from "../lesson/types.js";
import { namespaceFacts, nsLabel } from "./facts.js";
import type { StateKind } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "listen" }>;

export const listenCheck: StateKind<Spec> = {
  needs: () => ({ sockets: true }),
  evaluate(spec, { facts, ns }) {
    const expected = `something listening on ${spec.proto} port ${spec.port}`;
    const f = namespaceFacts(facts, ns);
    if (f === undefined || !f.exists) {
      return { held: false, expected, found: `no namespace "${ns}" in the lab` };
    }
    const sockets = (f.listening ?? []).filter((s) => s.proto === spec.proto);
    const match = sockets.find((s) => s.port === spec.port);
    if (match !== undefined) {
      return {
        held: true,
        expected,
        found: `${spec.proto} ${match.address}:${spec.port} listening`,
      };
    }
    const ports = [...new Set(sockets.map((s) => s.port))].sort((a, b) => a - b);
    return {
      held: false,
      expected,
      found: `nothing listens on ${spec.proto} port ${spec.port} in ${nsLabel(ns)}${
        ports.length > 0 ? ` (${spec.proto} ports in use: ${ports.join(", ")})` : ""
      }`,
    };
  },
};
