/**
 * Evaluating a list of checks against a lab in ONE round trip, whatever their number:
 * - every independent probe (ping, tcp, run) concurrently;
 * - then the captures, one after the other (tcpdump would see the other probes' packets);
 * - and one snapshot of facts that answers every state check, taken after the probes when a
 *   state check is written after a probe, else alongside them.
 * A failed ping or tcp then gets a diagnosis (one more round trip, only on failure).
 */
import { randomBytes } from "node:crypto";
import type { Lab } from "../lab/types.js";
import type { Check, CheckSpec } from "../lesson/types.js";
import { diagnose } from "./diagnose.js";
import {
  type ExtraCommand,
  factsRequest,
  type GatherOptions,
  gatherFacts,
  type LabFacts,
  missingNamespace,
} from "./facts.js";
import { moduleOf, runsAlone } from "./kinds/registry.js";
import type { CheckResult, Outcome, ProbeKind, ProbeOutput, StateKind } from "./types.js";

/** Whether a check is answered from the snapshot (true) or by acting in the lab (false). */
export function isStateCheck(spec: CheckSpec): boolean {
  return !moduleOf(spec).probes;
}

export interface EvaluateOptions {
  /** Seconds per check (the lesson's `timeout`). @default 30 */
  timeout?: number;
  /** Diagnose a failed ping or tcp (one more round trip). @default true */
  diagnose?: boolean;
  /** Namespaces the lesson leaves as they are: the diagnosis proposes no change there. */
  leftAlone?: (ns: string | null) => boolean;
  /** Facts already gathered for these checks' needs (skips the snapshot round trip). */
  facts?: LabFacts;
}

function stateKind(spec: CheckSpec): StateKind<CheckSpec> | undefined {
  const module = moduleOf(spec);
  return module.probes ? undefined : module.state;
}
function probeKind(spec: CheckSpec): ProbeKind<CheckSpec> | undefined {
  const module = moduleOf(spec);
  return module.probes ? module.probe : undefined;
}

/** What the snapshot must contain for these state checks. */
export function factNeeds(checks: readonly { check: Check; index: number }[]): GatherOptions {
  const extras: ExtraCommand[] = [];
  let sockets = false;
  checks.forEach(({ check, index }) => {
    const kind = stateKind(check.spec);
    const needs = kind?.needs?.(check.spec, check.ns ?? null);
    if (needs === undefined) return;
    if (needs.sockets === true) sockets = true;
    for (const e of needs.extras ?? []) extras.push({ ...e, id: `${index}.${e.id}` });
  });
  const options: GatherOptions = { extras };
  if (sockets) options.sockets = true;
  return options;
}

/** Evaluate one state check against a snapshot (its extras are looked up by its index). */
export function evaluateState(check: Check, facts: LabFacts, index: number): Outcome {
  const kind = stateKind(check.spec);
  if (kind === undefined) throw new Error(`not a state check: ${check.spec.kind}`);
  return kind.evaluate(check.spec, {
    facts,
    ns: check.ns ?? null,
    extra: (id) => facts.extras[`${index}.${id}`],
  });
}

type ProbeResults = Map<number, { output: ProbeOutput; durationMs: number }>;

/** Probes as a script (concurrently with `&` … `wait`, or one after the other) and its parser. */
function probeRequest(
  probes: { check: Check; index: number }[],
  timeout: number,
  concurrent: boolean,
): { script: string; budget: number; parse(output: string, timedOut: boolean): ProbeResults } {
  const nonce = randomBytes(6).toString("hex");
  const mark = `@@probe-${nonce}`;
  const lines = ["set +e", "d=$(mktemp -d)"];
  for (const { check, index } of probes) {
    const kind = probeKind(check.spec);
    if (kind === undefined) continue;
    const body = kind.script(check.spec, check.ns ?? null, timeout);
    // Each probe in its own subshell, output to files: nothing interleaves.
    lines.push(
      `{ s=\${EPOCHREALTIME/./}; ( ${body}\n) >"$d/${index}.out" 2>"$d/${index}.err" </dev/null; echo "$? $(( (\${EPOCHREALTIME/./} - s) / 1000 ))" >"$d/${index}.rc"; }${concurrent ? " &" : ""}`,
    );
  }
  lines.push("wait");
  for (const { index } of probes) {
    for (const part of ["out", "err", "rc"]) {
      lines.push(`printf '\\n${mark} ${index} ${part}\\n'; cat "$d/${index}.${part}" 2>/dev/null`);
    }
  }
  lines.push(`printf '\\n${mark} end\\n'`, 'rm -rf "$d"');
  return {
    script: lines.join("\n"),
    // Concurrent probes share the clock; sequential ones add up.
    budget: concurrent ? timeout + 10 : probes.length * (timeout + 10),
    parse(output, timedOut) {
      const results: ProbeResults = new Map();
      const byKey = new Map<string, string>();
      for (const part of output.split(new RegExp(`\\n?${mark} `)).slice(1)) {
        const nl = part.indexOf("\n");
        byKey.set(part.slice(0, nl), part.slice(nl + 1));
      }
      for (const { index } of probes) {
        const rc = (byKey.get(`${index} rc`) ?? "").trim().split(" ");
        const exitCode = rc[0] === undefined || rc[0] === "" ? -1 : Number(rc[0]);
        results.set(index, {
          output: {
            exitCode: timedOut && exitCode === -1 ? 124 : exitCode,
            stdout: byKey.get(`${index} out`) ?? "",
            stderr: byKey.get(`${index} err`) ?? "",
          },
          durationMs: Number(rc[1] ?? 0),
        });
      }
      return results;
    },
  };
}

function verdict(check: Check, outcome: Outcome, durationMs: number): CheckResult {
  const result: CheckResult = {
    check,
    passed: check.negate ? !outcome.held : outcome.held,
    held: outcome.held,
    expected: check.negate ? `not: ${outcome.expected}` : outcome.expected,
    found: outcome.found,
    durationMs,
  };
  if (outcome.timedOut === true) result.timedOut = true;
  return result;
}

/**
 * Evaluate a list of checks (e.g. one step's) in the lab, in a constant number of round trips.
 * Results come back in the order of `checks`. A check that fails is a result, not an error;
 * this throws only when the lab itself is broken (LabError from `lab.exec`).
 */
export async function evaluateChecks(
  lab: Lab,
  checks: readonly Check[],
  options: EvaluateOptions = {},
): Promise<CheckResult[]> {
  const timeout = options.timeout ?? 30;
  const results: (CheckResult | undefined)[] = checks.map(() => undefined);
  const state = checks.flatMap((check, index) =>
    isStateCheck(check.spec) ? [{ check, index }] : [],
  );
  const probes = checks.flatMap((check, index) =>
    !isStateCheck(check.spec) && !runsAlone(check.spec) ? [{ check, index }] : [],
  );
  const captures = checks.flatMap((check, index) =>
    runsAlone(check.spec) ? [{ check, index }] : [],
  );

  // Everything in ONE round trip: probes (concurrently), then captures (one after the other:
  // tcpdump would see the other probes' packets), and the snapshot for the state checks.
  const probing = probes.length > 0 ? probeRequest(probes, timeout, true) : undefined;
  const capturing = captures.length > 0 ? probeRequest(captures, timeout, false) : undefined;
  const snapshot =
    state.length > 0 && options.facts === undefined
      ? factsRequest({ ...factNeeds(state), timeout })
      : undefined;
  const acting = [probing?.script, capturing?.script].filter((x) => x !== undefined).join("\n");
  // Checks read in order: a state check written after a probe sees what the probe left (the
  // lesson format's own example checks `neigh` after the `ping` that fills the ARP table). So
  // the snapshot follows the probes when some state check comes after one; otherwise both run
  // at the same time.
  const firstProbe = Math.min(...[...probes, ...captures].map((p) => p.index));
  const ordered = state.some((s) => s.index > firstProbe);
  let script: string;
  if (snapshot === undefined || acting === "") script = snapshot?.script ?? acting;
  else if (ordered) script = `${acting}\n${snapshot.script}`;
  else {
    script = [
      "o=$(mktemp)",
      `( ${acting}\n) >"$o" 2>/dev/null &`,
      `( ${snapshot.script}\n)`,
      'wait; cat "$o"; rm -f "$o"',
    ].join("\n");
  }
  let facts = options.facts;
  if (script !== "") {
    const what = [
      probes.length > 0 ? `${probes.length} probes` : "",
      captures.length > 0 ? `${captures.length} captures` : "",
      snapshot !== undefined ? `facts for ${state.length} checks` : "",
    ].filter(Boolean);
    // The first line names the round trip in `--debug` output.
    const budget = (probing?.budget ?? 0) + (capturing?.budget ?? 0) + timeout;
    const result = await lab.exec(`# checks: ${what.join(", ")}\n${script}`, { timeout: budget });
    for (const request of [probing, capturing]) {
      const outputs = request?.parse(result.stdout, result.timedOut) ?? new Map();
      for (const [index, out] of outputs) {
        const check = checks[index] as Check;
        const kind = probeKind(check.spec);
        if (kind === undefined) continue;
        const text = out.output.stdout + out.output.stderr;
        const gone = missingNamespace(text);
        const outcome = kind.judge(check.spec, out.output, check.ns ?? null, timeout);
        if (gone !== undefined && !outcome.held)
          outcome.found = `no namespace "${gone}" in the lab`;
        // `timeout` (and a lab round trip cut short) exit 124: no answer yet, not a "no".
        if (!outcome.held && out.output.exitCode === 124) outcome.timedOut = true;
        results[index] = verdict(check, outcome, out.durationMs);
      }
    }
    if (snapshot !== undefined) facts = snapshot.parse(result.stdout);
  }
  for (const { check, index } of state) {
    if (facts !== undefined) results[index] = verdict(check, evaluateState(check, facts, index), 0);
  }

  const final = results.map((r, i) => {
    if (r !== undefined) return r;
    const check = checks[i] as Check;
    return verdict(
      check,
      { held: false, expected: check.source, found: "the check could not be run" },
      0,
    );
  });

  if (options.diagnose !== false) {
    // A failed probe that was going somewhere (ping, tcp) gets the diagnosis of its path.
    const targetOf = (check: Check) => {
      const module = moduleOf(check.spec);
      return module.probes ? module.target?.(check.spec, check.ns ?? null) : undefined;
    };
    const failed = final.filter(
      (r) => !r.passed && !r.check.negate && targetOf(r.check) !== undefined,
    );
    if (failed.length > 0) {
      const more = await gatherFacts(lab, {
        sysctls: ["net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables"],
        iptables: true,
        sockets: true,
        timeout,
      });
      for (const r of failed) {
        const target = targetOf(r.check);
        if (target === undefined) continue;
        const d = diagnose(
          more,
          target,
          options.leftAlone === undefined ? {} : { leftAlone: options.leftAlone },
        );
        if (d !== undefined) r.diagnosis = d.sentence;
      }
    }
  }
  return final;
}
