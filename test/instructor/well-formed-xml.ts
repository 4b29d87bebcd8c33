/**
 * A small strict XML 1.0 well-formedness parser for the JUnit report: one root, matching tags,
 * quoted unique attributes, only the five predefined entities and character references, no raw
 * `<` or `&` in text, no characters XML forbids. Throws with the offset on the first violation.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  return raw.replace(/&([^;]*);|&/g, (match, body: string | undefined, offset: number) => {
    if (body === undefined) throw new Error(`bare & at ${at + offset}`);
    const named = ENTITIES[body];
    if (named !== undefined) return named;
    const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
    if (num === null) throw new Error(`unknown entity ${match} at ${at + offset}`);
    const code = num[1] !== undefined ? Number.parseInt(num[1], 16) : Number(num[2]);
    const ch = String.fromCodePoint(code);
    if (FORBIDDEN.test(ch))
      throw new Error(`character reference to a forbidden character at ${at}`);
    return ch;
  });
}

/** Parse `xml` or throw. Returns the root element. */
export function parseXml(xml: string): XmlElement {
  const bad = FORBIDDEN.exec(xml);
  if (bad !== null)
    throw new Error(`forbidden character U+${bad[0].codePointAt(0)?.toString(16)} at ${bad.index}`);
  let i = 0;
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(xml);
    if (m === null) throw new Error(`expected a name at ${i}`);
    i += m[0].length;
    return m[0];
  };
  const spaces = () => {
    while (/\s/.test(xml[i] ?? "")) i++;
  };
  if (xml.startsWith("<?xml", i)) {
    const end = xml.indexOf("?>", i);
    if (end < 0) throw new Error("unterminated XML declaration");
    i = end + 2;
  }
  spaces();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    if (xml[i] === "<") {
      if (xml.startsWith("</", i)) {
        i += 2;
        const closing = name();
        spaces();
        if (xml[i] !== ">") throw new Error(`expected > at ${i}`);
        i++;
        const open = stack.pop();
        if (open?.name !== closing)
          throw new Error(`</${closing}> does not close <${open?.name}> at ${i}`);
        if (stack.length === 0) {
          spaces();
          if (i < xml.length) throw new Error(`content after the root element at ${i}`);
        }
        continue;
      }
      if (xml.startsWith("<!--", i)) {
        const end = xml.indexOf("-->", i);
        if (end < 0) throw new Error("unterminated comment");
        i = end + 3;
        continue;
      }
      i++;
      const element: XmlElement = { name: name(), attributes: {}, children: [], text: "" };
      if (stack.length === 0 && root !== undefined) throw new Error(`second root element at ${i}`);
      for (;;) {
        const before = i;
        spaces();
        if (xml.startsWith("/>", i) || xml[i] === ">") break;
        if (i === before) throw new Error(`expected a space before an attribute at ${i}`);
        const attr = name();
        spaces();
        if (xml[i] !== "=") throw new Error(`expected = at ${i}`);
        i++;
        spaces();
        const quote = xml[i];
        if (quote !== '"' && quote !== "'") throw new Error(`expected a quoted value at ${i}`);
        const end = xml.indexOf(quote, i + 1);
        if (end < 0) throw new Error(`unterminated attribute at ${i}`);
        const raw = xml.slice(i + 1, end);
        if (raw.includes("<")) throw new Error(`< in an attribute value at ${i}`);
        if (attr in element.attributes) throw new Error(`duplicate attribute ${attr} at ${i}`);
        element.attributes[attr] = decode(raw, i + 1);
        i = end + 1;
      }
      const parent = stack.at(-1);
      if (parent !== undefined) parent.children.push(element);
      else root = element;
      if (xml.startsWith("/>", i)) {
        i += 2;
        if (stack.length === 0) {
          spaces();
          if (i < xml.length) throw new Error(`content after the root element at ${i}`);
        }
      } else {
        i++;
        stack.push(element);
      }
      continue;
    }
    const next = xml.indexOf("<", i);
    const end = next < 0 ? xml.length : next;
    const top = stack.at(-1);
    if (top === undefined) throw new Error(`text outside the root element at ${i}`);
    const raw = xml.slice(i, end);
    if (raw.includes("]]>")) throw new Error(`]]> in text at ${i}`);
    top.text += decode(raw, i);
    i = end;
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (root === undefined) throw new Error("no root element");
  return root;
}
