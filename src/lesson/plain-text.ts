import type { Nodes } from "mdast";
import { toString as mdastToString } from "mdast-util-to-string";

/**
 * The plain text of a Markdown node (a heading's title, a hint's first words, a table cell):
 * its text and code values joined, images' alt text left out.
 */
export function plainText(node: Nodes): string {
  return mdastToString(node, { includeImageAlt: false });
}
