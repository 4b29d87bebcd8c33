/**
 * What a check kind is: its grammar (the words after the kind), and either how it is answered
 * from one snapshot of facts (a state check) or the probe it runs in the lab. One module per
 * kind under `checks/kinds/`, found through `registry.ts`.
 */
import type { Args, LineContext } from "../../lesson/check-grammar.js";
import type { CheckSpec } from "../../lesson/types.js";
import type { ProbeKind, StateKind } from "../types.js";

/** Where a failed probe went: what the diagnosis of its path starts from. */
export interface ProbeTarget {
  /** The namespace it was sent from (null = the lab host). */
  from: string | null;
  ip: string;
  port?: number;
}

interface KindGrammar<S extends CheckSpec> {
  name: S["kind"];
  /** The form as the lesson format writes it (quoted in error messages). */
  form: string;
  /** Words that open an optional attribute (for "did you mean" on an unknown word). */
  keywords?: readonly string[];
  /** Read the words after the kind; undefined when a problem was recorded in `ctx`. */
  parse(args: Args, ctx: LineContext): S | undefined;
}

/** A kind answered from the snapshot of facts: it never acts in the lab. */
export interface StateCheckKind<S extends CheckSpec> extends KindGrammar<S> {
  probes: false;
  state: StateKind<S>;
}

/** A kind that acts (sends packets, runs a command): `course test` gives it a short timeout. */
export interface ProbeCheckKind<S extends CheckSpec> extends KindGrammar<S> {
  probes: true;
  probe: ProbeKind<S>;
  /** Runs alone, after the other probes (tcpdump would see their packets). */
  alone?: boolean;
  /** Answered at once or never in a lab (ping, tcp): `course test` gives it a second. */
  instant?: boolean;
  /** Where a failed probe was going, for the diagnosis of its path. */
  target?(spec: S, ns: string | null): ProbeTarget;
}

export type CheckKindModule<S extends CheckSpec> = StateCheckKind<S> | ProbeCheckKind<S>;
