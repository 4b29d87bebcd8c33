/**
 * Splits a command fence into the units `course test --mutate` leaves out one at a time: each
 * top-level command line, where a compound command (`if … fi`, `for/while/until … done`,
 * `case … esac`, `{ … }`, `( … )`, a function), a backslash continuation, a line ending in `|`,
 * `&&` or `||`, an open quote or `$( … )`, and a here-document all count as part of one unit.
 * Commands joined by `;` on one line stay one unit: the report names lines, and a line is what an
 * author reads. Pure: a scanner, not a shell.
 */

/** One unit of a script: lines `line`..`endLine` (1-based, absolute in the lesson file). */
export interface ShellCommand {
  /** First line in the lesson file. */
  line: number;
  /** Last line in the lesson file (inclusive). */
  endLine: number;
  /** The unit's source text, comments included, as written. */
  text: string;
}

/** Keywords that open a compound command, and the word that closes it. */
const OPENERS: Record<string, string> = {
  if: "fi",
  case: "esac",
  for: "done",
  while: "done",
  until: "done",
  select: "done",
  "{": "}",
};

/** After these words the next word is again in command position (so `if then fi` nest). */
const LEADS_COMMAND = new Set([
  "if",
  "then",
  "else",
  "elif",
  "do",
  "while",
  "until",
  "{",
  "!",
  "time",
  "fi",
  "done",
  "esac",
  "}",
]);

/** The quotes a word may open; inside them the scanner only looks for the close. */
type Quote = "'" | '"' | "`";

const META = new Set([";", "&", "|", "(", ")", "<", ">", " ", "\t", "\n"]);

/**
 * Units of `code`, whose first line is line `firstLine` of the lesson file. Blank and
 * comment-only lines belong to no unit. A script that ends inside an open construct (an
 * unterminated quote or `if`) yields the rest as one unit rather than failing: lint and the shell
 * report such scripts, this only decides what to leave out.
 */
export function splitCommands(code: string, firstLine: number): ShellCommand[] {
  const lines = code.split("\n");
  const units: ShellCommand[] = [];
  const closers: string[] = [];
  let parens = 0;
  let quote: Quote | undefined;
  let heredocs: { word: string; strip: boolean }[] = [];
  let inHeredoc: { word: string; strip: boolean } | undefined;
  let pendingHeredocs: { word: string; strip: boolean }[] = [];
  let start: number | undefined;
  let hasContent = false;
  // Whether the next word is a command name (where `if`, `done` … are keywords).
  let commandPosition = true;

  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li] ?? "";
    if (inHeredoc !== undefined) {
      const candidate = inHeredoc.strip ? raw.replace(/^\t+/, "") : raw;
      if (candidate === inHeredoc.word) inHeredoc = pendingHeredocs.shift();
      if (inHeredoc === undefined && pendingHeredocs.length === 0) {
        // The unit may end with its here-document.
        if (closers.length === 0 && parens === 0 && quote === undefined) {
          pushUnit(li);
        }
      }
      continue;
    }
    let continued = false;
    let lastOperator = "";
    let i = 0;
    while (i < raw.length) {
      const c = raw[i] ?? "";
      if (quote !== undefined) {
        // `continued` is still false here: it is set only just before leaving the line.
        ({ end: i, quote, continued } = scanQuoted(raw, i, quote));
        if (continued) break;
        continue;
      }
      if (c === " " || c === "\t") {
        i++;
        continue;
      }
      if (c === "#") break; // a comment: `#` at the start of a word
      if (c === "\\" && i === raw.length - 1) {
        continued = true;
        i++;
        break;
      }
      if (start === undefined) start = li;
      hasContent = true;
      if (c === ";" || c === "&" || c === "|") {
        let op = c;
        while (i + op.length < raw.length && /[;&|]/.test(raw[i + op.length] ?? "")) {
          op += raw[i + op.length];
        }
        i += op.length;
        lastOperator = op;
        commandPosition = true;
        continue;
      }
      lastOperator = "";
      if (c === "(") {
        if (closers.at(-1) !== "esac") parens++;
        i++;
        commandPosition = true;
        continue;
      }
      if (c === ")") {
        if (closers.at(-1) !== "esac" && parens > 0) parens--;
        i++;
        // After `f()` a body follows; after a case pattern `a)` a command does.
        commandPosition = true;
        continue;
      }
      if (raw.startsWith("<<<", i)) {
        i += 3; // a here-string: one word on this line
        continue;
      }
      if (raw.startsWith("<<", i)) {
        let j = i + 2;
        const strip = raw[j] === "-";
        if (strip) j++;
        while (raw[j] === " " || raw[j] === "\t") j++;
        const word = readWord(raw, j);
        const delimiter = word.text.replace(/['"\\]/g, "");
        if (delimiter !== "") heredocs.push({ word: delimiter, strip });
        i = word.end;
        commandPosition = false;
        continue;
      }
      if (c === "<" || c === ">") {
        i++;
        if (raw[i] === ">" || raw[i] === "&" || raw[i] === "|") i++;
        continue;
      }
      // A word: read it, tracking quotes and `$(`, which may leave the line open.
      const wordStart = i;
      let plain = "";
      while (i < raw.length) {
        const w = raw[i] ?? "";
        if (quote !== undefined) {
          // `continued` is still false here: it is set only just before leaving the line.
          ({ end: i, quote, continued } = scanQuoted(raw, i, quote));
          if (continued) break;
          continue;
        }
        if (w === "\\") {
          if (i === raw.length - 1) {
            continued = true;
            i++;
            break;
          }
          plain += raw[i + 1] ?? "";
          i += 2;
          continue;
        }
        if (w === "'" || w === '"' || w === "`") {
          quote = w;
          i++;
          continue;
        }
        if (w === "$" && raw[i + 1] === "(") {
          parens++;
          i += 2;
          continue;
        }
        if (META.has(w)) break;
        plain += w;
        i++;
      }
      const isPlain = plain === raw.slice(wordStart, i);
      if (commandPosition && isPlain) {
        const closer = OPENERS[plain];
        if (closer !== undefined) closers.push(closer);
        else if (closers.at(-1) === plain) closers.pop();
      } else if (isPlain && closers.at(-1) === "esac" && plain === "esac") {
        closers.pop();
      }
      if (plain === "function") {
        // `function NAME {`: the brace after the name opens the body.
        const name = readWord(raw, skipBlanks(raw, i));
        i = name.end;
        commandPosition = true;
        continue;
      }
      commandPosition = commandPosition && isPlain && LEADS_COMMAND.has(plain);
      if (closers.at(-1) === "esac") commandPosition = true;
    }
    // A newline separates commands; a continued line's next word is still an argument.
    if (!continued) commandPosition = true;
    if (heredocs.length > 0) {
      pendingHeredocs = heredocs;
      heredocs = [];
      inHeredoc = pendingHeredocs.shift();
      continue;
    }
    const open =
      continued ||
      quote !== undefined ||
      closers.length > 0 ||
      parens > 0 ||
      lastOperator === "|" ||
      lastOperator === "&&" ||
      lastOperator === "||";
    if (!open && start !== undefined) pushUnit(li);
  }
  if (start !== undefined && hasContent) pushUnit(lines.length - 1);
  return units;

  function pushUnit(endIndex: number): void {
    if (start === undefined) return;
    // Trim trailing blank lines inside the unit (a here-document body may have none).
    let end = endIndex;
    while (end > start && (lines[end] ?? "").trim() === "") end--;
    units.push({
      line: firstLine + start,
      endLine: firstLine + end,
      text: lines.slice(start, end + 1).join("\n"),
    });
    start = undefined;
    hasContent = false;
  }
}

/**
 * Scan on from `from` inside an open `quote`: to just past its closing quote (`quote` is then
 * undefined), or to the line's end, where a last backslash outside single quotes continues the
 * line (`continued`).
 */
function scanQuoted(
  raw: string,
  from: number,
  quote: Quote,
): { end: number; quote: Quote | undefined; continued: boolean } {
  let i = from;
  while (i < raw.length) {
    const c = raw[i] ?? "";
    if (c === "\\" && quote !== "'") {
      if (i === raw.length - 1) return { end: i + 1, quote, continued: true };
      i += 2;
      continue;
    }
    i++;
    if (c === quote) return { end: i, quote: undefined, continued: false };
  }
  return { end: i, quote, continued: false };
}

function skipBlanks(text: string, i: number): number {
  let j = i;
  while (text[j] === " " || text[j] === "\t") j++;
  return j;
}

function readWord(text: string, from: number): { text: string; end: number } {
  let j = from;
  let q: string | undefined;
  while (j < text.length) {
    const ch = text[j] ?? "";
    if (q !== undefined) {
      if (ch === q) q = undefined;
      j++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      q = ch;
      j++;
      continue;
    }
    if (META.has(ch)) break;
    j++;
  }
  return { text: text.slice(from, j), end: j };
}

/**
 * `code` with the lines of `unit` blanked out (so every other line keeps its number, and error
 * messages from the shell still point at the right line).
 */
export function withoutCommand(code: string, firstLine: number, unit: ShellCommand): string {
  return code
    .split("\n")
    .map((text, index) => {
      const line = firstLine + index;
      return line >= unit.line && line <= unit.endLine ? "" : text;
    })
    .join("\n");
}
