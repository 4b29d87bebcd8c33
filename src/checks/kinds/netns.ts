/** `netns NAME`: the named network namespace exists in the lab (read from `ip netns list`). */
import { type Args, type LineContext, need } from "../../lesson/check-grammar.js";
import { parseNetnsName } from "../../lesson/check-values.js";
import type { CheckSpec } from "../../lesson/types.js";
import { nsLabel } from "../facts.js";
import type { StateKind } from "../types.js";
import type { CheckKindModule } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "netns" }>;

const state: StateKind<Spec> = {
  evaluate(spec, { facts }) {
    const names = facts.namespaces.filter((n) => n.name !== null && n.exists).map((n) => n.name);
    const held = names.includes(spec.name);
    return {
      held,
      expected: `a namespace "${spec.name}"`,
      found: held
        ? `namespace "${spec.name}"`
        : names.length === 0
          ? "no named namespace in the lab"
          : `no namespace "${spec.name}" (the lab has ${names.map(nsLabel).join(", ")})`,
    };
  },
};

export const netnsCheckKind: CheckKindModule<Spec> = {
  name: "netns",
  form: "netns NAME",
  probes: false,
  parse(args: Args, ctx: LineContext) {
    const w = need(args, ctx, "the namespace NAME");
    const name = w && ctx.value(w, parseNetnsName(w.text), "namespace name");
    return name === undefined ? undefined : { kind: "netns", name };
  },
  state,
};
