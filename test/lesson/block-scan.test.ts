/**
 * The block scan (src/lesson/block-scan.ts) must give exactly what remark gives wherever it
 * answers: the same top-level fences, headings, front matter and blockquotes at the same
 * positions, and so the same lesson and problems. Random documents are built from lines chosen
 * to sit on both sides of every rule the scan relies on; a share of them must be answered by
 * the scan, or the test would prove nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import type { Blockquote, Nodes, RootContent } from "mdast";
import { expect, test } from "vitest";
import { plainStart, scanBlocks } from "../../src/lesson/block-scan.js";
import { isHintQuote as isHint } from "../../src/lesson/hint-rule.js";
import { markdownTree, scannedTree } from "../../src/lesson/markdown-source.js";
import { parseLesson } from "../../src/lesson/parse-lesson.js";

// Thousands of random documents: ~20 s on a quiet machine, minutes on a loaded 2-core one.
const PROPERTY_TIMEOUT = 300_000;

const root = resolve(import.meta.dirname, "../..");

/**
 * What the lesson parser reads of a top-level node, positions included. Indented code is left
 * out: it has no language, so the parser never looks at it, and the scan does not build it.
 */
function essence(node: Nodes, lines: string[]): unknown {
  const at = node.position
    ? `${node.position.start.line}:${node.position.start.column}-${node.position.end.line}:${node.position.end.column}`
    : "";
  switch (node.type) {
    case "yaml":
      return { type: node.type, at, value: node.value };
    case "code":
      if (!/^ {0,3}(?:```|~~~)/.test(lines[(node.position?.start.line ?? 1) - 1] ?? "")) {
        return undefined;
      }
      return { type: node.type, at, lang: node.lang, meta: node.meta, value: node.value };
    case "heading": {
      const first = node.children[0];
      const last = node.children[node.children.length - 1];
      const text =
        first && last
          ? `${first.position?.start.line}:${first.position?.start.column}-${last.position?.end.line}:${last.position?.end.column}`
          : "";
      return { type: node.type, at, depth: node.depth, text };
    }
    case "blockquote":
      return {
        type: node.type,
        at,
        hint: isHint(node),
        // A blockquote the scan builds holds only paragraphs: nothing in it for the parser.
        inner: innerCount(node),
      };
    default:
      return undefined;
  }
}

/** Fences and blockquotes inside a node (the parser walks into containers for them). */
function innerCount(node: Blockquote): number {
  let count = 0;
  const visit = (n: Nodes) => {
    if (n !== node && (n.type === "code" || n.type === "blockquote")) count++;
    if ("children" in n) for (const child of n.children as Nodes[]) visit(child);
  };
  visit(node);
  return count;
}

/** Documents the scan answered only with remark's help for some region. */
let regionsAnswered = 0;

const essentials = (nodes: RootContent[], text: string) => {
  const lines = text.split("\n");
  return nodes.map((node) => essence(node, lines)).filter((e) => e !== undefined);
};

/**
 * Whether the scan answered on its own (no region left to remark); wherever it answered, with
 * or without remark for some regions, it agrees with remark, node by node and lesson-wise.
 */
function agrees(text: string): boolean {
  const alone = /[\r\0]/.test(text) ? undefined : scanBlocks(text.split("\n"));
  const withRegions = scannedTree(text);
  const full = essentials(markdownTree(text).children, text);
  if (alone) expect(essentials(alone, text)).toEqual(full);
  if (withRegions) expect(essentials(withRegions, text)).toEqual(full);
  if (alone) expect(withRegions).toBeDefined();
  regionsAnswered += withRegions && !alone ? 1 : 0;
  const file = "/scan/01-scan.md";
  expect(parseLesson(text, { file })).toEqual(parseLesson(text, { file, fast: false }));
  return alone !== undefined;
}

const frontMatter = fc.constantFrom(
  "---\ntitle: A lesson\n---",
  "---\ntitle: A lesson\nrequires: []\ntimeout: 5\n---",
  "--- \ntitle: x\n---  ",
  "---\n---",
  "---\ntitle: [\n---",
  "---\ntitle: never closed",
  "",
);

/** Lines on both sides of the scan's rules. */
const lineOf = fc.constantFrom(
  "",
  "   ",
  "Plain prose, with `code` and **bold**.",
  "  indented prose",
  "    four-space indented",
  "     | indented pipe",
  "\tTabbed",
  "text\twith a tab",
  "\u00a0non-breaking space first",
  "\ufeff",
  "\ufeffbyte order mark first",
  "**Hint:** in bold",
  "_emphasis_ first",
  "*emphasis* first",
  "-v is a flag",
  "--- | ---",
  "a | b",
  "| a | b |",
  ":-- | --:",
  "1 thing",
  "1. a list",
  "2) another",
  "- item",
  "* item",
  "+ item",
  "-",
  "*",
  "***",
  "* * *",
  "---",
  "___",
  "===",
  "=x",
  "``two backticks``",
  "```",
  "```sh",
  "```sh setup",
  "```  sh  timeout=5  ",
  "```check",
  "```check extra",
  "```sh\tsetup",
  "```\tsh",
  "```\t",
  "```sh\u00a0x",
  "```sh \u2028x",
  "## Title\u2028x",
  "> Hint:\u2028x",
  "```   ",
  "``` a`b",
  "````",
  "~~~",
  "~~~ sh `ok`",
  "~~~~~",
  " ```",
  "   ```sh",
  "    ```",
  "#",
  "# Title",
  "## A step",
  "## A step ##",
  "## A step #  ",
  "## #",
  "##  ",
  "###### Six",
  "####### Seven",
  "#hashtag",
  " ## indented",
  "##\tTab",
  "> Hint: try `ip link`.",
  "> **Hint:** bold",
  "> [!TIP]",
  "> [!TIP]: not a tip",
  "> [!NOTE] x",
  "> Hint:",
  "> Hint: two trailing spaces  ",
  "> Hint:\t",
  ">Hint: no space",
  ">",
  ">   ",
  ">     indented in a quote",
  "> - a list in a quote",
  "> > nested",
  "> ```sh",
  "> ## heading in a quote",
  "lazy continuation",
  "[x]: /url",
  "[!TIP]",
  "[^1]: footnote",
  "<div>",
  "  <!-- comment -->",
  "</details>",
  "\\## escaped",
  "&amp; entity",
  "netns a",
  "ns1: ping 10.0.0.2",
  "link veth0 up",
  "ip link add veth0 type veth peer name veth1",
);

const block = fc.array(lineOf, { minLength: 1, maxLength: 5 }).map((lines) => lines.join("\n"));

const documents = fc
  .tuple(
    frontMatter,
    fc.array(fc.tuple(block, fc.constantFrom("\n", "\n\n", "\n\n\n")), { maxLength: 14 }),
    fc.constantFrom("", "\n", "\n\n"),
  )
  .map(([front, blocks, end]) => {
    let text = front === "" ? "" : `${front}\n\n`;
    for (const [b, sep] of blocks) text += b + sep;
    return text.replace(/\n+$/, "") + end;
  });

test(
  "wherever the scan answers, it agrees with remark (random documents)",
  () => {
    let answered = 0;
    let total = 0;
    fc.assert(
      fc.property(documents, (text) => {
        total++;
        if (agrees(text)) answered++;
      }),
      { numRuns: Number(process.env.SCAN_RUNS ?? 6000) },
    );
    // Not a vacuous test: a good share of the documents are read by the scan.
    expect(answered / total).toBeGreaterThan(0.1);
    // and a good share more with remark reading some of their regions.
    expect(regionsAnswered / total).toBeGreaterThan(0.1);
  },
  PROPERTY_TIMEOUT,
);

/** Documents of only what the scan knows, so that nearly every one is answered. */
const scanFriendly = fc.constantFrom(
  "",
  "Prose line.",
  "  more prose",
  "    indented",
  "```sh",
  "```check",
  "```",
  "~~~~",
  "```sh\nip link\n   ```  ",
  "## Step",
  "## Step ##",
  "#",
  "> Hint: x",
  "> [!TIP]",
  ">",
  "> more",
  "netns a",
  "link v up",
);

test(
  "documents made only of what the scan knows: answered, and the same as remark",
  () => {
    let answered = 0;
    let total = 0;
    fc.assert(
      fc.property(
        fc.array(scanFriendly, { maxLength: 40 }),
        fc.boolean(),
        (lines, trailingNewline) => {
          total++;
          const body = lines.join("\n") + (trailingNewline ? "\n" : "");
          if (agrees(`---\ntitle: t\n---\n${body}`)) answered++;
        },
      ),
      { numRuns: 4000 },
    );
    expect(answered).toBe(total);
  },
  PROPERTY_TIMEOUT,
);

test("the shipped lessons and fixtures: the same with and without the scan", () => {
  const dirs = [
    "lessons",
    "test/fixtures/lint/good",
    "test/fixtures/lint/bad",
    "test/fixtures/contract",
  ];
  let answered = 0;
  for (const dir of dirs) {
    for (const f of readdirSync(join(root, dir)).filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(join(root, dir, f), "utf8");
      if (agrees(text)) answered++;
    }
  }
  // Most shipped lessons are read by the scan (lists, tables and HTML go to remark).
  expect(answered).toBeGreaterThanOrEqual(20);
});

test("plain line starts: what can only be paragraph text", () => {
  for (const s of ["Text", "**Hint:**", "_x_", "-v", "1 thing", "``x``", "\\#", "[!TIP]", "#x"]) {
    expect(plainStart(s), s).toBe(true);
  }
  for (const s of [
    "# x",
    "```",
    "~~~",
    "- x",
    "1. x",
    "2) x",
    "***",
    "---",
    "===",
    "<div>",
    ">",
    "[x]: y",
    "[!TIP]: y",
    "--- | ---",
    "| a |",
  ]) {
    expect(plainStart(s), s).toBe(false);
  }
});
