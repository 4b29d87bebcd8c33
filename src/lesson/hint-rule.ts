/**
 * What a hint is, in one place: the parser (src/lesson/parse-lesson.ts, and the block scan
 * through it) offers these blockquotes as hints, and the terminal renderer
 * (src/render/render-markdown.ts) hides the same ones from the step's text.
 *
 * A hint is a blockquote whose first paragraph begins with `Hint:`, in any case (`hint:`,
 * `HINT:`), bare or emphasised (`**Hint:**`, `*Hint:*`, `_Hint:_`, `__Hint:__`, `**Hint**:`),
 * or a GitHub tip alert, `> [!TIP]`. Anything else in a quote (`> Note:`, `> [!NOTE]`) is prose.
 *
 * A hint may name the checks it answers, each by the first words of its check line in
 * backticks: `> Hint for \`link veth0\`: …`, `> Hint for \`ns1: link veth0\` and \`ping 10.0.0.2\`: …`,
 * or after a tip alert, `> [!TIP]` then `> For \`link veth0\`: …`. Without backticks
 * (`Hint for beginners:`) the quote stays prose, as it always was.
 */
import type { Blockquote, Nodes } from "mdast";
import { plainText } from "./plain-text.js";
import type { Check } from "./types.js";

/** One check named in backticks; a list of them joined by `,`, `and` or `, and`. */
const TARGET = "`[^`\\n]+`";
const TARGETS = `${TARGET}(?:[ \\t]*(?:,[ \\t]*(?:and[ \\t]+)?|[ \\t]+and[ \\t]+)${TARGET})*`;

/**
 * The marker as written in the Markdown source, or as the marked text of the parsed paragraph
 * (where the emphasis is gone, inline code kept in backticks): one pattern serves both. `\2`
 * repeats the opening emphasis, closed after `Hint` (`**Hint** for …:`) or by the colon
 * (`**Hint:**`, `**Hint**:`); groups 1 and 3 hold the named checks, if any.
 */
const HINT_MARKER = new RegExp(
  `^[ \\t]*(?:\\[!tip\\][ \\t]*(?:(?:\\r?\\n[ \\t]*)?for[ \\t]+(${TARGETS})[ \\t]*:)?|(\\*\\*|__|\\*|_)?hint(?:\\2(?=[ \\t]+for[ \\t]))?(?:[ \\t]+for[ \\t]+(${TARGETS}))?(?:\\2:|:\\2|:))[ \\t]*`,
  "i",
);

/** A paragraph's text with emphasis dropped and inline code kept in backticks. */
function markedText(node: Nodes): string {
  if (node.type === "text") return node.value;
  if (node.type === "inlineCode") return `\`${node.value}\``;
  if ("children" in node) return node.children.map((c) => markedText(c as Nodes)).join("");
  return plainText(node);
}

/** Whether a blockquote is a hint. */
export function isHintQuote(node: Blockquote): boolean {
  const first = node.children[0];
  if (first?.type !== "paragraph") return false;
  const head = first.children[0];
  // `Hint:` must be the paragraph's own words, not inside code or a link.
  if (head?.type !== "text" && head?.type !== "strong" && head?.type !== "emphasis") return false;
  return HINT_MARKER.test(markedText(first));
}

/** A hint's Markdown split into its marker's named checks and the text the learner reads. */
export function readHintMarker(markdown: string): { markdown: string; targets: string[] } {
  const m = HINT_MARKER.exec(markdown);
  if (m === null) return { markdown, targets: [] };
  const list = m[1] ?? m[3] ?? "";
  const targets = [...list.matchAll(/`([^`\n]+)`/g)].map((t) => t[1]?.trim() ?? "");
  return { markdown: markdown.slice(m[0].length), targets: targets.filter((t) => t !== "") };
}

/** A hint's Markdown without its marker (`> Hint: do X` → `do X`). */
export function stripHintMarker(markdown: string): string {
  return readHintMarker(markdown).markdown;
}

/** Words with single spaces, and the `NS:` prefix apart (kinds never hold a colon). */
function words(line: string): { ns?: string; rest: string } {
  const text = line.trim().replace(/\s+/g, " ");
  const m = /^([^\s:"]+):\s?/.exec(text);
  return m?.[1] !== undefined ? { ns: m[1], rest: text.slice(m[0].length) } : { rest: text };
}

/**
 * Whether a hint's named check (`link veth0`, `ns1: ping 10.0.0.2`) names `check`: the
 * check's line, `NS:` aside, begins with the name's words. A name without `NS:` names the check
 * in any namespace; one with it, only there.
 */
export function namesCheck(target: string, check: Pick<Check, "source" | "ns">): boolean {
  const want = words(target);
  if (want.ns !== undefined && want.ns !== check.ns) return false;
  const line = words(check.source).rest;
  return want.rest !== "" && (line === want.rest || line.startsWith(`${want.rest} `));
}

/**
 * What a name that matches no check could have meant: each check's first words, as many as
 * the name has, with and without its `NS:`.
 */
export function checkNames(target: string, checks: readonly Pick<Check, "source">[]): string[] {
  const want = words(target);
  const count = want.rest.split(" ").length;
  const head = (text: string) => text.split(" ").slice(0, count).join(" ");
  return checks.flatMap((c) => {
    const line = words(c.source);
    const bare = head(line.rest);
    return line.ns === undefined ? [bare] : [`${line.ns}: ${bare}`, bare];
  });
}
