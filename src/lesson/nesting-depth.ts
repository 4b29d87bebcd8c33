/**
 * Quotes and lists nested deeper than this are refused: no lesson needs them, and the Markdown
 * parser's time and stack grow with depth (100,000 `>` overflow the stack; a 1 MB staircase of
 * indented list items took minutes).
 */
export const MAX_NESTING = 32;

/** A blockquote marker, or a list marker with the spaces after it (its content starts there). */
const MARKER = /(>)[ \t]?|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*/y;
const FENCE = /(`{3,}|~{3,})/y;

/** The column after `text`'s leading whitespace (a tab goes to the next multiple of 4). */
function indentOf(line: string): { index: number; column: number } {
  let index = 0;
  let column = 0;
  for (; index < line.length; index++) {
    const c = line[index];
    if (c === " ") column++;
    else if (c === "\t") column += 4 - (column % 4);
    else break;
  }
  return { index, column };
}

/**
 * The first place where blockquotes and lists nest deeper than `MAX_NESTING`: on one line
 * (`> > > …`, `- - - …`) or down a staircase of ever more indented list items. A linear pre-scan
 * in front of the Markdown parser, so that a pathological file is refused in milliseconds. It
 * follows CommonMark's containers roughly (an item's content column, blank lines, fenced code
 * skipped): an estimate that no sane lesson comes near, not a parse.
 */
export function tooDeeplyNested(
  lines: readonly string[],
): { line: number; column: number } | undefined {
  /** Content columns of the list items open at the current line. */
  const items: number[] = [];
  let fence: string | undefined;
  let afterBlank = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const { index: start, column: indent } = indentOf(line);
    if (fence !== undefined) {
      if (
        line.startsWith(fence, start) &&
        line
          .slice(start)
          .trim()
          .replace(/^[`~]+/, "") === ""
      ) {
        fence = undefined;
      }
      continue;
    }
    if (start === line.length) {
      afterBlank = true;
      continue;
    }
    MARKER.lastIndex = start;
    const startsItem = MARKER.test(line) && line[start] !== ">";
    // An item closes when a line starts left of its content: a new item there, or any line
    // after a blank one (without a blank, a line further left is a lazy continuation).
    if (startsItem || afterBlank) {
      while (items.length > 0 && (items[items.length - 1] ?? 0) > indent) items.pop();
    }
    afterBlank = false;
    let quotes = 0;
    let index = start;
    let column = indent;
    MARKER.lastIndex = index;
    for (let m = MARKER.exec(line); m !== null; m = MARKER.exec(line)) {
      column += m[0].length;
      index = MARKER.lastIndex;
      if (m[1] === ">") quotes++;
      else items.push(column);
      if (items.length + quotes > MAX_NESTING) return { line: i + 1, column: index + 1 };
      const more = indentOf(line.slice(index));
      index += more.index;
      column += more.column;
      MARKER.lastIndex = index;
    }
    FENCE.lastIndex = index;
    const open = FENCE.exec(line);
    if (open?.[1] !== undefined) fence = open[1];
  }
  return undefined;
}
