import { UsageError } from "../errors.js";

/** Characters that never need quoting for a POSIX shell. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quote one word for a POSIX shell. ssh joins the remote argv with spaces and hands the
 * result to the remote user's login shell, so every word must survive that shell unchanged.
 */
export function quoteShellWord(word: string): string {
  if (word === "") return "''";
  if (SAFE.test(word)) return word;
  // Inside single quotes nothing is special except the quote itself: end, escape, reopen.
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command line that makes the remote login shell run exactly `argv`. */
export function sshQuote(argv: readonly string[]): string {
  return argv.map(quoteShellWord).join(" ");
}

/**
 * Split `COURSE_SSH_OPTS` into words the way a POSIX shell would (without expansions):
 * blanks separate words, `'…'` is literal, `"…"` honours `\"`, `\\`, `\$` and `` \` ``,
 * and a backslash outside quotes escapes the next character.
 * @throws UsageError on an unterminated quote.
 */
export function splitSshOptions(text: string, what = "COURSE_SSH_OPTS"): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw unterminated(what, text, i, "'");
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw unterminated(what, text, text.lastIndexOf('"'), '"');
        const d = text[i] as string;
        if (d === '"') break;
        const next = text[i + 1];
        if (d === "\\" && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      i++;
    } else if (c === "\\") {
      word += text[i + 1] ?? "";
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function unterminated(what: string, text: string, at: number, quote: string): UsageError {
  return new UsageError(
    `${what}: unterminated ${quote} at character ${at + 1} of ${JSON.stringify(text)}`,
    {
      hint: `close the quote, e.g. ${what}="-i ~/.ssh/id_ed25519 -o StrictHostKeyChecking=accept-new"`,
    },
  );
}
