import { UsageError } from "../errors.js";

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
