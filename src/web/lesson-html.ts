/**
 * A lesson's Markdown as HTML for the page: the same remark parse the lesson model comes from,
 * through rehype, sanitized (GitHub's schema: a lesson file cannot script the page). Check
 * fences and hint quotes are left out of the prose: the page shows check marks, and hints one at
 * a time on request. `<details>` (a folded solution) survives sanitizing and stays folded.
 */
import type { Blockquote, Code, Root, RootContent } from "mdast";
import rehypeRaw from "rehype-raw";
import rehypeSanitize from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import type { Hint } from "../lesson/types.js";

/** Letters and digits only: how a hint quote is recognised whatever its markup. */
function bare(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function plain(node: RootContent): string {
  if ("value" in node && typeof node.value === "string") return node.value;
  if ("children" in node) return (node.children as RootContent[]).map(plain).join("");
  return "";
}

/** Removes check fences and the quotes that hold `hints` (shown separately, one at a time). */
function withoutChecksAndHints(hints: Hint[]) {
  const hintTexts = hints.map((h) => bare(h.markdown)).filter((t) => t !== "");
  const isHint = (node: Blockquote) => {
    const text = bare(plain(node));
    return hintTexts.some((h) => text.includes(h));
  };
  return () => (tree: Root) => {
    tree.children = tree.children.filter((node) => {
      if (node.type === "code") return (node as Code).lang !== "check";
      if (node.type === "blockquote") return !isHint(node);
      return true;
    });
  };
}

/** `markdown` (a lesson's intro or step, or a hint) as sanitized HTML. */
export async function markdownToHtml(markdown: string, hints: Hint[] = []): Promise<string> {
  const file = await unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(withoutChecksAndHints(hints))
    .use(remarkRehype, { allowDangerousHtml: true })
    .use(rehypeRaw)
    .use(rehypeSanitize)
    .use(rehypeStringify)
    .process(markdown);
  return String(file);
}
