/**
 * Routing table names, as the lab's `/etc/iproute2/rt_tables` gives them (a lesson may write
 * `200 John` there, as LARTC does): `ip -j` prints a table by its name when it has one, a check
 * may name it either way, so both sides become numbers before they are compared.
 */
import type { TableRef } from "../lesson/types.js";
import type { ExtraCommand } from "./facts.js";

/** The tables every kernel knows, whatever rt_tables says. */
const BUILTIN: Record<string, number> = { unspec: 0, default: 253, main: 254, local: 255 };

/** Reads the lab's table names (in its host namespace; files are not per network namespace). */
export const RT_TABLES_EXTRA: ExtraCommand = {
  id: "rt_tables",
  script:
    "cat /usr/share/iproute2/rt_tables /etc/iproute2/rt_tables /etc/iproute2/rt_tables.d/*.conf 2>/dev/null; true",
};

/** Table name → number, from rt_tables text (`200 John` lines; `#` comments). */
export function parseRtTables(text: string | undefined): Map<string, number> {
  const names = new Map(Object.entries(BUILTIN));
  for (const line of (text ?? "").split("\n")) {
    const m = /^\s*(\d+|0x[0-9a-f]+)\s+([^\s#]+)/i.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) names.set(m[2], Number(m[1]));
  }
  return names;
}

/** The number of a table as a check or `ip -j` names it; undefined for an unknown name. */
export function tableNumber(
  table: TableRef | undefined,
  names: Map<string, number>,
): number | undefined {
  if (table === undefined) return BUILTIN.main;
  if (typeof table === "number") return table;
  if (/^\d+$/.test(table)) return Number(table);
  return names.get(table);
}

/** How a table reads in a message: `John (200)`, `main`, `100`. */
export function tableLabel(table: TableRef | undefined): string {
  return table === undefined ? "main" : String(table);
}

/**
 * A check's table against the lab's names (the `RT_TABLES_EXTRA` output): its number and the
 * names, or what a check that names a table the lab does not know found (route and rule).
 */
export function labTable(
  table: TableRef | undefined,
  rtTables: string | undefined,
): { number: number; names: Map<string, number> } | { found: string } {
  const names = parseRtTables(rtTables);
  const number = tableNumber(table, names);
  if (number === undefined) {
    return { found: `no table named "${table}" in the lab's /etc/iproute2/rt_tables` };
  }
  return { number, names };
}
