/**
 * Every check kind, in the order of the lesson format's table: the one place a kind is found.
 * The parser reads its grammar from here, the evaluator its facts and evaluation or its probe,
 * `course test` whether it probes. A new kind is a module in this directory, one line here and
 * its spec in `lesson/types.ts`. Nothing here loads the evaluator or the diagnosis.
 */
import type { CheckKind, CheckSpec } from "../../lesson/types.js";
import { addrCheckKind } from "./addr.js";
import { captureCheckKind } from "./capture.js";
import { fdbCheckKind } from "./fdb.js";
import { iptablesCheckKind } from "./iptables.js";
import { linkCheckKind } from "./link.js";
import { listenCheckKind } from "./listen.js";
import { lookupCheckKind } from "./lookup.js";
import { neighCheckKind } from "./neigh.js";
import { netnsCheckKind } from "./netns.js";
import { pingCheckKind } from "./ping.js";
import { routeCheckKind } from "./route.js";
import { ruleCheckKind } from "./rule.js";
import { runCheckKind } from "./run.js";
import { sysctlCheckKind } from "./sysctl.js";
import { tcpCheckKind } from "./tcp.js";
import type { CheckKindModule } from "./types.js";

const registry: { [K in CheckKind]: CheckKindModule<Extract<CheckSpec, { kind: K }>> } = {
  netns: netnsCheckKind,
  link: linkCheckKind,
  addr: addrCheckKind,
  route: routeCheckKind,
  lookup: lookupCheckKind,
  rule: ruleCheckKind,
  ping: pingCheckKind,
  neigh: neighCheckKind,
  fdb: fdbCheckKind,
  sysctl: sysctlCheckKind,
  iptables: iptablesCheckKind,
  listen: listenCheckKind,
  tcp: tcpCheckKind,
  capture: captureCheckKind,
  run: runCheckKind,
};

/** Every check kind's name, in the order of the lesson format's table. */
export const checkKindNames = Object.keys(registry) as CheckKind[];

/** The module of a kind. */
export function kindModule<K extends CheckKind>(
  kind: K,
): CheckKindModule<Extract<CheckSpec, { kind: K }>> {
  return registry[kind];
}

/** The module of the kind of `spec`, typed for that spec. */
export function moduleOf(spec: CheckSpec): CheckKindModule<CheckSpec> {
  return registry[spec.kind] as unknown as CheckKindModule<CheckSpec>;
}

/** A probe answered at once or never (ping, tcp in a lab): a second is plenty to decide. */
export function answersAtOnce(spec: CheckSpec): boolean {
  const module = moduleOf(spec);
  return module.probes && module.instant === true;
}

/** A probe that runs alone, after the others (capture: tcpdump would see their packets). */
export function runsAlone(spec: CheckSpec): boolean {
  const module = moduleOf(spec);
  return module.probes && module.alone === true;
}

/** Whether a check acts in the lab (ping, tcp, capture, run) rather than reading its state. */
export function isProbe(spec: CheckSpec): boolean {
  return moduleOf(spec).probes;
}
