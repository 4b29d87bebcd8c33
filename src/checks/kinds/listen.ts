/** `listen tcp|udp PORT`: a socket listens on that port (TCP LISTEN / bound UDP, /proc/net). */
import { type Args, type LineContext, need } from "../../lesson/check-grammar.js";
import { parsePort } from "../../lesson/check-values.js";
import { suggestion } from "../../lesson/did-you-mean.js";
import type { CheckSpec } from "../../lesson/types.js";
import { namespaceFacts, nsLabel } from "../facts.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "listen" }>;

const state: StateKind<Spec> = {
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

export const listenCheckKind: CheckKindModule<Spec> = {
  name: "listen",
  form: "listen tcp|udp PORT",
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const protoWord = need(args, ctx, "the protocol (tcp or udp)");
    if (protoWord === undefined) return undefined;
    if (protoWord.text !== "tcp" && protoWord.text !== "udp") {
      return ctx.error(
        protoWord,
        `listen: expected tcp or udp, found "${protoWord.text}"${suggestion(protoWord.text, ["tcp", "udp"])}${ctx.form}`,
      );
    }
    const portWord = need(args, ctx, "the PORT");
    const port = portWord && ctx.value(portWord, parsePort(portWord.text), "port");
    return port === undefined ? undefined : { kind: "listen", proto: protoWord.text, port };
  },
  state,
};
