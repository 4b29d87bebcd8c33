/** Plain text tables (`course list`). */
import pc from "picocolors";

export interface ListColumn<Row> {
  header: string;
  value: (row: Row) => string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** A plain text table: a header line, then one line a row, columns padded to fit. */
export function renderTable<Row>(rows: Row[], columns: ListColumn<Row>[], color = false): string {
  const c = color ? pc : pc.createColors(false);
  const cells = rows.map((row) => columns.map((col) => col.value(row)));
  const widths = columns.map((col, i) =>
    Math.max(col.header.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.right ? v.padStart(width) : v.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [c.bold(line(columns.map((col) => col.header))), ...cells.map(line)].join("\n");
}
