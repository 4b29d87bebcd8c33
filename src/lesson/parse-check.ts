/**
 * The check language: one line of a `check` fence → a typed `Check`, or located problems.
 * Grammar: `[NS:] [not] KIND ARGS...` (see LESSON-FORMAT.md, "Check language"). This module
 * reads the shared part (namespace prefix, `not`, the kind); each kind's own words are read by
 * its module under `checks/kinds/`, found through the registry. Pure.
 */
import { checkKindNames, kindModule } from "../checks/kinds/registry.js";
import { Args, LineContext } from "./check-grammar.js";
import { parseNetnsName } from "./check-values.js";
import { splitCheckWords, type Word } from "./check-words.js";
import { suggestion } from "./did-you-mean.js";
import type { Check, CheckKind, CheckSpec, Position, Problem } from "./types.js";

/** The form of each check kind, as the lesson format writes it (quoted in error messages). */
export const checkForms = Object.fromEntries(
  checkKindNames.map((k) => [k, kindModule(k).form]),
) as Record<CheckKind, string>;

/** Every check kind, in the order of the lesson format's table. */
export const checkKinds = checkKindNames;

/** The result of parsing one line: a check when there is no error, and every problem found. */
export interface ParsedCheckLine {
  check?: Check;
  problems: Problem[];
}

/**
 * Parse one line of a `check` fence. `at` is the position of the line's first character.
 * Blank lines and `#` comments give neither a check nor problems. Never throws.
 */
export function parseCheckLine(text: string, at: Position): ParsedCheckLine {
  const split = splitCheckWords(text);
  const kindWordIndex = findKindIndex(split.words);
  const kindText = split.words[kindWordIndex]?.text;
  const kind = checkKinds.find((k) => k === kindText);
  const ctx = new LineContext(at, kind, kind === undefined ? undefined : checkForms[kind]);
  for (const p of split.problems) ctx.error(p.offset, p.message, "check-syntax");
  const words = split.words;
  if (words.length === 0) return { problems: ctx.problems };

  let i = 0;
  let ns: string | undefined;
  let negate = false;
  const first = words[0];
  if (first && !first.quoted && first.text.endsWith(":") && first.text.length > 1) {
    ns = ctx.value(first, parseNetnsName(first.text.slice(0, -1)), "namespace");
    i++;
  } else if (first && !first.quoted && first.text.includes(":")) {
    const colon = first.text.indexOf(":");
    const rest = first.text.slice(colon + 1);
    if (checkKinds.includes(rest as CheckKind) || rest === "not") {
      ctx.error(
        first.offset + colon + 1,
        `put a space after the namespace prefix: "${first.text.slice(0, colon + 1)} ${rest}"`,
        "check-syntax",
      );
      return { problems: ctx.problems };
    }
  }
  if (words[i]?.text === "not" && !words[i]?.quoted) {
    negate = true;
    i++;
    const next = words[i];
    if (next && !next.quoted && next.text.endsWith(":") && ns === undefined) {
      ctx.error(
        words[i - 1] as Word,
        `write the namespace first: "${next.text} not ..." (the form is [NS:] [not] KIND ARGS...)`,
        "check-syntax",
      );
      return { problems: ctx.problems };
    }
  }
  const kindWord = words[i];
  if (kindWord === undefined) {
    ctx.error(
      words[i - 1] ?? 0,
      `a check kind is missing after "${words[i - 1]?.text}"; expected one of ${checkKinds.join(", ")}`,
      "check-syntax",
    );
    return { problems: ctx.problems };
  }
  if (kind === undefined || kindWord.quoted) {
    // `blue link lo up`: a namespace whose colon is missing, followed by a real kind.
    const next = words[i + 1];
    if (
      !kindWord.quoted &&
      ns === undefined &&
      i === 0 &&
      next !== undefined &&
      !next.quoted &&
      (checkKinds.includes(next.text as CheckKind) || next.text === "not") &&
      parseNetnsName(kindWord.text).ok
    ) {
      ctx.error(
        kindWord,
        `unknown check kind "${kindWord.text}"; did you mean "${kindWord.text}: ${next.text} …" (a namespace prefix ends with a colon)?`,
        "unknown-check-kind",
      );
      return { problems: ctx.problems };
    }
    ctx.error(
      kindWord,
      `unknown check kind "${kindWord.text}"${suggestion(kindWord.text, checkKinds)}; expected one of ${checkKinds.join(", ")}`,
      "unknown-check-kind",
    );
    return { problems: ctx.problems };
  }
  const args = words.slice(i + 1);
  const spec = parseSpec(kind, kindWord, args, ctx);
  if (spec === undefined || ctx.problems.some((p) => p.severity === "error")) {
    return { problems: ctx.problems };
  }
  const check: Check = {
    file: at.file,
    line: at.line,
    column: at.column + split.sourceOffset,
    source: split.source,
    negate,
    spec,
  };
  if (ns !== undefined) check.ns = ns;
  return { check, problems: ctx.problems };
}

/** Index of the word that should be the kind: after an optional `NS:` and an optional `not`. */
function findKindIndex(words: Word[]): number {
  let i = 0;
  const first = words[0];
  if (first && !first.quoted && first.text.endsWith(":") && first.text.length > 1) i++;
  if (words[i]?.text === "not" && !words[i]?.quoted) i++;
  return i;
}

function parseSpec(
  kind: CheckKind,
  kindWord: Word,
  words: Word[],
  ctx: LineContext,
): CheckSpec | undefined {
  const args = new Args(words, kindWord);
  const module = kindModule(kind);
  const spec = module.parse(args, ctx);
  if (spec !== undefined && !args.done) {
    const extra = args.peek() as Word;
    const known = module.keywords ?? [];
    ctx.error(
      extra,
      `${kind}: unexpected "${extra.text}"${suggestion(extra.text, known)}${ctx.form}`,
      known.length > 0 ? "unknown-keyword" : "bad-check",
    );
    return undefined;
  }
  return spec;
}
