/** `netns NAME`: the named network namespace exists in the lab (read from `ip netns list`). */
import type { CheckSpec } from "../lesson/types.js";
import type { StateKind } from "./types.js";

type Spec = Extract<CheckSpec, { kind: "netns" }>;

export const netnsCheck: StateKind<Spec> = {
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
          : `no namespace "${spec.name}" (the lab has ${names.join(", ")})`,
    };
  },
};
