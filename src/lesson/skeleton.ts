/**
 * A lesson's block skeleton: the same lines, with the tail of plain prose and code lines cut
 * off, so that micromark (about a microsecond a character here) reads a fraction of the text
 * while finding exactly the same blocks. Pure.
 *
 * Why this is safe: a line's role in CommonMark block structure depends on its container
 * prefix (spaces, `>`) and its first character, except for a few constructs that look further
 * along a line — tables (`|`), HTML blocks (`<` … `>`), setext underlines (the line after) and
 * tabs (columns). Lines that involve any of those, blockquote lines (hints are read from
 * them), and the front matter are kept whole. Everything the parser reads from a truncated line
 * (code, check lines, titles, Markdown slices) is taken from the original text by line and
 * column; a property test checks that both parses agree.
 */

/** A line that starts with one of these (after indentation) may open a block: keep it. */
const BLOCK_START = /^[#`~<>|=\-*_+[\]:0-9\\!]/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
/** A front matter fence: `---` alone on a line (trailing blanks allowed). */
export const FRONT_MATTER_FENCE = /^---[ \t]*$/;

/** Lines this short are not worth cutting. */
const KEEP_SHORTER_THAN = 12;

export interface Skeleton {
  /** The text to hand to micromark: same lines and line endings, prose tails cut. */
  text: string;
  /** The skeleton's lines (without line endings). */
  lines: string[];
}

/** Build the skeleton of `text` split into `lines` (and the `endings` between them). */
export function skeleton(lines: readonly string[], endings: readonly string[]): Skeleton {
  const out: string[] = [];
  let frontMatterEnd = -1;
  if (lines.length > 0 && FRONT_MATTER_FENCE.test(lines[0] ?? "")) {
    for (let i = 1; i < lines.length; i++) {
      if (FRONT_MATTER_FENCE.test(lines[i] ?? "")) {
        frontMatterEnd = i;
        break;
      }
    }
    // Unclosed: no front matter, but keep everything whole rather than guess.
    if (frontMatterEnd === -1) frontMatterEnd = lines.length;
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    out.push(i <= frontMatterEnd ? line : cut(line, lines[i + 1]));
  }
  let text = "";
  for (let i = 0; i < out.length; i++) text += (out[i] ?? "") + (endings[i] ?? "");
  return { text, lines: out };
}

function cut(line: string, next: string | undefined): string {
  if (line.length < KEEP_SHORTER_THAN) return line;
  let indent = 0;
  while (line.charCodeAt(indent) === 32) indent++;
  const rest = line.slice(indent);
  if (rest === "" || BLOCK_START.test(rest)) return line;
  if (/[\t<>|]/.test(line)) return line;
  if (next !== undefined && (next.includes("|") || SETEXT_UNDERLINE.test(next))) return line;
  return line.slice(0, indent + 1);
}

/**
 * The 0-based column in the `original` line of a 0-based `column` in its `parsed` (skeleton)
 * line: at or past the end of a cut line means the end of the original line.
 */
export function uncutColumn(parsed: string, original: string, column: number): number {
  return column >= parsed.length ? original.length : column;
}

/**
 * A fence's content line as written, from the `value` micromark gave for the `parsed` line: the
 * value is the line minus its container prefix, and the prefix is never cut.
 */
export function uncutValue(parsed: string, original: string, value: string): string {
  return parsed.endsWith(value) ? original.slice(parsed.length - value.length) : value;
}
