/**
 * What evaluating a check produces. A failed check is data, not an error: it says what was
 * expected, what was found, and (for a failed ping or tcp) which layer broke first.
 */
import type { Check, CheckSpec } from "../lesson/types.js";
import type { ExtraCommand, ExtraResult, LabFacts } from "./facts.js";

/** What one check kind found, before `not` is applied. */
export interface Outcome {
  /** The check's condition holds (a ping got a reply, the link exists with every attribute…). */
  held: boolean;
  /** What the check wants, in words: `the MAC of c2:eth0 (6a:1f:…)`. */
  expected: string;
  /** What the lab shows, in words: `lladdr 02:42:ac:11:00:03`. */
  found: string;
  /** A probe that did not hold because its time ran out (not because it was answered no). */
  timedOut?: boolean;
}

/** The verdict on one check. */
export interface CheckResult {
  check: Check;
  /** The check passes (after `not`). */
  passed: boolean;
  /** The raw condition, before `not`. */
  held: boolean;
  expected: string;
  found: string;
  /** For a failed ping/tcp: the first broken layer, in one sentence. */
  diagnosis?: string;
  /** A probe that did not hold because its time ran out. */
  timedOut?: boolean;
  /** Milliseconds this check took (a state check: its share of the snapshot, 0). */
  durationMs: number;
}

/** What a state check reads from the snapshot, beyond links, addresses, routes, neighbours, fdb. */
export interface FactNeeds {
  sockets?: boolean;
  extras?: ExtraCommand[];
}

/** What a state check is evaluated against. */
export interface StateContext {
  facts: LabFacts;
  /** The check's namespace (`NS:`), null = the lab host. */
  ns: string | null;
  /** The results of this check's extra commands, by the id it chose (without its prefix). */
  extra(id: string): ExtraResult | undefined;
}

/** A check answered from one snapshot of facts. */
export interface StateKind<S extends CheckSpec> {
  /** Extra commands or facts it needs; extra ids are scoped to the check. */
  needs?(spec: S, ns: string | null): FactNeeds;
  evaluate(spec: S, ctx: StateContext): Outcome;
}

/** What a probe's script printed. */
export interface ProbeOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A check that acts (sends packets, runs a command): a script, then a verdict on its output. */
export interface ProbeKind<S extends CheckSpec> {
  /** A bash snippet run in the lab's host namespace; `ns` is the check's namespace. */
  script(spec: S, ns: string | null, timeoutSeconds: number): string;
  judge(spec: S, output: ProbeOutput, ns: string | null, timeoutSeconds: number): Outcome;
}
