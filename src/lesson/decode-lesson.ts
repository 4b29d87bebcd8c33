/**
 * Bytes → text for a lesson file, refusing what is not a Markdown lesson (binary, not UTF-8,
 * too large) with a located problem instead of feeding garbage to the parser. Pure.
 */
import type { Problem } from "./types.js";

/** Lessons are prose plus short scripts; anything larger is a mistake (a log, an image). */
export const MAX_LESSON_BYTES = 1024 * 1024;

/** Why a lesson of `size` bytes is refused (also by the loader, which does not read it). */
export function tooLargeMessage(size: number): string {
  const mb = (size / 1024 / 1024).toFixed(1);
  return `the file is ${mb} MB; a lesson may be at most ${MAX_LESSON_BYTES / 1024 / 1024} MB: split it into several lessons, or move large output out of the lesson`;
}

/** Line and column (from 1) of byte `offset`, counting columns in characters. */
function locate(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Columns count characters: skip UTF-8 continuation bytes.
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    const b = bytes[i] ?? 0;
    if ((b & 0xc0) !== 0x80) column++;
  }
  return { line, column };
}

/** Byte offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return undefined;
}

/**
 * Decode a lesson file's bytes. Returns the text (BOM removed), or no text and one problem
 * saying why the file cannot be a lesson.
 */
export function decodeLesson(
  bytes: Uint8Array,
  file: string,
): { text?: string; problems: Problem[] } {
  const fail = (line: number, column: number, rule: string, message: string) => ({
    problems: [{ file, line, column, severity: "error" as const, rule, message }],
  });
  if (bytes.length === 0) {
    return fail(
      1,
      1,
      "empty-file",
      "the file is empty: a lesson needs front matter with a `title` and at least one `##` step",
    );
  }
  if (bytes.length > MAX_LESSON_BYTES) {
    return fail(1, 1, "file-too-large", tooLargeMessage(bytes.length));
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const { line, column } = locate(bytes, nul);
    return fail(
      line,
      column,
      "binary-file",
      "the file is binary (it contains a NUL byte here), not a Markdown lesson: keep only `.md` text files in the lessons directory",
    );
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad !== undefined) {
    const { line, column } = locate(bytes, bad);
    const hex = (bytes[bad] ?? 0).toString(16).padStart(2, "0");
    return fail(
      line,
      column,
      "invalid-utf8",
      `the file is not valid UTF-8 (byte 0x${hex} here): save it as UTF-8`,
    );
  }
  let text = new TextDecoder("utf-8").decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, problems: [] };
}
