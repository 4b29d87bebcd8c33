/**
 * Text from the lab (names a learner chose: `ip netns add "$(printf '\e[2J')"`) is shown, never
 * obeyed: control characters become visible escapes before anything reaches a terminal, a pipe
 * or a file. One home for the rule; renderers call it on what they are given.
 */

// Control characters (C0, DEL, C1) and the bidirectional overrides that reorder what a reader
// sees. Tab stays as it is; newline too when asked.
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

function escapeChar(c: string, keepNewlines: boolean): string {
  if (c === "\t" || (c === "\n" && keepNewlines)) return c;
  if (c === "\u001b") return "\\e";
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
}

/** `text` with control characters escaped (`\e`, `\r`, `\x07`…); newlines too unless `keepNewlines`. */
export function visibleText(text: string, options: { keepNewlines?: boolean } = {}): string {
  const keep = options.keepNewlines === true;
  return text.replace(CONTROL, (c) => escapeChar(c, keep));
}

/** A copy of `value` (plain data: objects, arrays, strings) with `visibleText` applied to every string. */
export function visibleData<T>(value: T, options: { keepNewlines?: boolean } = {}): T {
  if (typeof value === "string") return visibleText(value, options) as T;
  if (Array.isArray(value)) return value.map((v) => visibleData(v, options)) as T;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = visibleData(v, options);
    return out as T;
  }
  return value;
}
