/** How a check's verdict reads: `lessons/03-bridge.md:42: c1: neigh 172.18.0.3: found …, expected …`. */
import { displayPath } from "../display-path.js";
import { splitCheckWords } from "../lesson/check-words.js";
import type { Check } from "../lesson/types.js";
import type { CheckResult } from "./types.js";

/** `FILE:LINE`, relative to `cwd` when the file is inside it. */
export function checkLocation(check: Check, cwd: string): string {
  return `${displayPath(check.file, cwd)}:${check.line}`;
}

/** The check's subject as written: `[NS:] [not] KIND FIRST-ARG` (`c1: neigh 172.18.0.3`). */
export function checkSubject(check: Check): string {
  const words = splitCheckWords(check.source).words;
  const kindAt = words.findIndex((w) => !w.quoted && w.text === check.spec.kind);
  const shown = words.slice(0, kindAt < 0 ? 2 : kindAt + 2);
  return shown.map((w) => (w.quoted ? `"${w.text}"` : w.text)).join(" ");
}

/**
 * One line: where, what, and for a failure what was found and expected; a diagnosis, when
 * there is one, follows on its own line.
 */
export function formatVerdict(result: CheckResult, cwd: string): string {
  const head = `${checkLocation(result.check, cwd)}: ${checkSubject(result.check)}`;
  if (result.passed) return `${head}: ok`;
  const line = `${head}: found ${result.found}, expected ${result.expected}`;
  return result.diagnosis === undefined ? line : `${line}\n  why: ${result.diagnosis}`;
}
