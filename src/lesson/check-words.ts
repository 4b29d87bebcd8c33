/**
 * Splitting one check line into words, as the lesson format says: words are split on spaces,
 * `"double quotes"` group words (with `\"` for a quote and `\\` for a backslash inside), and
 * `#` at the start of a word starts a comment. A `/REGEX/` needs no special case: it holds no
 * space (the format asks for `\s`), so it is already one word. Pure.
 */

/** One word of a check line. */
export interface Word {
  /** The word's value: quotes removed and escapes resolved for a quoted word. */
  text: string;
  /** 0-based offset of the word's first character (the opening quote, if quoted) in the line. */
  offset: number;
  /** Written in double quotes: never a keyword, a namespace prefix or `not`. */
  quoted: boolean;
}

/** A problem found while splitting, at an offset in the line. */
export interface WordProblem {
  offset: number;
  message: string;
}

export interface SplitLine {
  words: Word[];
  /** The line without its comment, trimmed: what `Check.source` keeps. */
  source: string;
  /** 0-based offset of `source` in the line. */
  sourceOffset: number;
  problems: WordProblem[];
}

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t";

/** Split one check line into words; never throws. */
export function splitCheckWords(line: string): SplitLine {
  const words: Word[] = [];
  const problems: WordProblem[] = [];
  let end = line.length;
  let i = 0;
  while (i < line.length) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) break;
    const start = i;
    if (line[i] === "#") {
      end = i;
      break;
    }
    if (line[i] === '"') {
      let text = "";
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i];
        if (c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
          text += line[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        text += c;
        i++;
      }
      if (!closed) {
        problems.push({
          offset: start,
          message:
            'unterminated quote: a `"` opens here and is never closed (write \\" for a quote inside)',
        });
        words.push({ text, offset: start, quoted: true });
        break;
      }
      words.push({ text, offset: start, quoted: true });
      if (i < line.length && !isSpace(line[i])) {
        problems.push({
          offset: i,
          message: `expected a space after the closing quote, found "${line[i]}"`,
        });
        // Skip the glued rest so that one mistake gives one problem.
        while (i < line.length && !isSpace(line[i])) i++;
      }
      continue;
    }
    while (i < line.length && !isSpace(line[i])) i++;
    words.push({ text: line.slice(start, i), offset: start, quoted: false });
  }
  const kept = line.slice(0, end);
  const sourceOffset = kept.length - kept.trimStart().length;
  return { words, source: kept.trim(), sourceOffset, problems };
}
