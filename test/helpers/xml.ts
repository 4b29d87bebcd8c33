/**
 * XML in tests, through saxes (a strict XML 1.0 parser): the JUnit report and Graphviz's SVG
 * must be well formed for any consumer, so a forbidden character, an unknown entity, a bare `&`,
 * a second root or a duplicate attribute is an error here, with its line and column.
 */
import { SaxesParser } from "saxes";

/** An element of a parsed document: its attributes, child elements and text (CDATA included). */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** The well-formedness errors in `xml` ("1:4: disallowed character."); empty when well formed. */
export function xmlProblems(xml: string): string[] {
  return read(xml).problems;
}

/**
 * The document's root element.
 * @throws Error naming the first well-formedness error.
 */
export function parseXml(xml: string): XmlElement {
  const { root, problems } = read(xml);
  if (problems.length > 0) throw new Error(`not well-formed XML: ${problems.join("; ")}`);
  if (root === undefined) throw new Error("not well-formed XML: no root element");
  return root;
}

function read(xml: string): { root: XmlElement | undefined; problems: string[] } {
  const parser = new SaxesParser();
  const problems: string[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on("error", (error) => problems.push(error.message));
  parser.on("opentag", (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(tag.attributes)) attributes[name] = String(value);
    const element: XmlElement = { name: tag.name, attributes, children: [], text: "" };
    const parent = stack.at(-1);
    if (parent === undefined) root ??= element;
    else parent.children.push(element);
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const addText = (text: string) => {
    const top = stack.at(-1);
    if (top !== undefined) top.text += text;
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.write(xml).close();
  return { root, problems };
}
