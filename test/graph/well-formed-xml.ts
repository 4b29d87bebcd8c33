/**
 * A strict little XML well-formedness check for the SVG that Graphviz writes (no dependency for
 * one assertion): every tag is closed in order, attributes are quoted, text has no bare `<` or
 * `&`, and there is exactly one root. Returns the problems found; empty means well formed.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const token =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/?([A-Za-z_][\w:.-]*)([^>]*)>|([^<]+)/g;
  const attribute = /\s+([A-Za-z_][\w:.-]*)\s*=\s*("[^"<]*"|'[^'<]*')/y;
  let last = 0;
  for (let m = token.exec(xml); m !== null; m = token.exec(xml)) {
    if (m.index !== last) problems.push(`stray markup at offset ${last}`);
    last = token.lastIndex;
    const [whole, name, rest, text] = m;
    if (text !== undefined) {
      if (/&(?!(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);)/.test(text)) problems.push(`bare & in ${text}`);
      if (stack.length === 0 && text.trim() !== "") problems.push(`text outside the root: ${text}`);
      continue;
    }
    if (name === undefined) continue; // comment, declaration, doctype
    if (whole.startsWith("</")) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
      continue;
    }
    const selfClosing = (rest ?? "").endsWith("/");
    const attrs = selfClosing ? (rest ?? "").slice(0, -1) : (rest ?? "");
    attribute.lastIndex = 0;
    let at = 0;
    const seen = new Set<string>();
    while (at < attrs.length) {
      attribute.lastIndex = at;
      const a = attribute.exec(attrs);
      if (a === null) {
        if (attrs.slice(at).trim() !== "") problems.push(`bad attributes in <${name}${attrs}>`);
        break;
      }
      if (seen.has(a[1] ?? "")) problems.push(`duplicate attribute ${a[1]} in <${name}>`);
      seen.add(a[1] ?? "");
      at = attribute.lastIndex;
    }
    if (stack.length === 0) roots += 1;
    if (!selfClosing) stack.push(name);
  }
  if (last !== xml.length) problems.push(`stray markup at offset ${last}`);
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(" > ")}`);
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  return problems;
}
