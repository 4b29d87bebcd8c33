/**
 * The one rule for shortening a verdict's "found": one line, at most `max` characters, and the
 * window kept is the one around the part that differs (where the expectation stops matching),
 * not the start. `ip -d link show vxlan10` prints `dstport` past 200 characters: a cut at the
 * start would hide the very number that is wrong.
 */

/** `text` on one line (newlines as ⏎), cut to `max` characters around index `focus`. */
export function clipFound(text: string, focus = 0, max = 200): string {
  const lead = text.length - text.trimStart().length;
  const one = text.trim().replaceAll("\n", "⏎");
  if (one.length <= max) return one;
  const at = Math.min(Math.max(0, focus - lead), one.length);
  // The differing part starts a little after the window's start: some context before it.
  const start = Math.max(0, Math.min(at - Math.floor(max / 4), one.length - max));
  const end = start + max;
  return `${start > 0 ? "…" : ""}${one.slice(start, end)}${end < one.length ? "…" : ""}`;
}

/**
 * Where `text` stops matching what was expected: the position of the longest leading part of
 * the expected text (or of the regular expression, as long as it still compiles) found in it.
 * 0 when not even its first character is.
 */
export function whereItDiffers(
  text: string,
  expected: { text: string } | { regex: string; flags: string },
): number {
  if ("text" in expected) {
    for (let n = expected.text.length; n > 0; n--) {
      const at = text.indexOf(expected.text.slice(0, n));
      if (at >= 0) return at;
    }
    return 0;
  }
  for (let n = expected.regex.length; n > 0; n--) {
    let re: RegExp;
    try {
      re = new RegExp(expected.regex.slice(0, n), expected.flags.replace("g", ""));
    } catch {
      continue;
    }
    const m = re.exec(text);
    if (m !== null && m[0] !== "") return m.index;
  }
  return 0;
}
