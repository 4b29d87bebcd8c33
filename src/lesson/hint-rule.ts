/**
 * What a hint is, in one place: the parser (src/lesson/parse-lesson.ts, and the block scan
 * through it) offers these blockquotes as hints, and the terminal renderer
 * (src/render/render-markdown.ts) hides the same ones from the step's text.
 *
 * A hint is a blockquote whose first paragraph begins with `Hint:`, in any case (`hint:`,
 * `HINT:`), bare or emphasised (`**Hint:**`, `*Hint:*`, `_Hint:_`, `__Hint:__`, `**Hint**:`),
 * or a GitHub tip alert, `> [!TIP]`. Anything else in a quote (`> Note:`, `> [!NOTE]`) is prose.
 */
import type { Blockquote } from "mdast";
import { plainText } from "./plain-text.js";

/**
 * The marker as written in the Markdown source, or as the plain text of the parsed paragraph
 * (where the emphasis is gone): one pattern serves both. `\1` repeats the opening emphasis.
 */
const HINT_MARKER = /^[ \t]*(?:\[!tip\]|(\*\*|__|\*|_)?hint(?:\1:|:\1))[ \t]*/i;

/** Whether a blockquote is a hint. */
export function isHintQuote(node: Blockquote): boolean {
  const first = node.children[0];
  if (first?.type !== "paragraph") return false;
  const head = first.children[0];
  // `Hint:` must be the paragraph's own words, not inside code or a link.
  if (head?.type !== "text" && head?.type !== "strong" && head?.type !== "emphasis") return false;
  return HINT_MARKER.test(plainText(first));
}

/** A hint's Markdown without its marker (`> Hint: do X` → `do X`). */
export function stripHintMarker(markdown: string): string {
  return markdown.replace(HINT_MARKER, "");
}
