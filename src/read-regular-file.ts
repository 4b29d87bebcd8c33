import { constants, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";

/** What a file is, when it is not a regular file: "a FIFO (named pipe)", "a directory"… */
export function fileKind(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}

/** A file read whole, or why it was not read. */
export type RegularFileRead =
  | { bytes: Buffer }
  /** Not a regular file: `kind` says what it is (`fileKind`). */
  | { kind: string }
  /** Larger than allowed: not read (`size` in bytes, at least). */
  | { tooLarge: number };

/**
 * Read `path` (symlinks followed) only if it is a regular file of at most `maxBytes`: what it
 * is and its size are checked before anything is read (and again with fstat on the open file),
 * so a FIFO cannot hang the reader, a link to /dev/zero or /dev/urandom cannot fill memory, and
 * a huge file is refused without being read. Errors of stat and open (ENOENT, EACCES…) are
 * thrown as they are.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<RegularFileRead> {
  const before = await stat(path);
  if (!before.isFile()) return { kind: fileKind(before) };
  if (before.size > maxBytes) return { tooLarge: before.size };
  // O_NONBLOCK: should it have become a FIFO since, opening it does not wait for a writer.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: fileKind(info) };
    if (info.size > maxBytes) return { tooLarge: info.size };
    // Read until the end, which may lie past the size fstat saw (a file still being written),
    // but never past `maxBytes` + 1: a file that grew too large is caught, not read on and on.
    let buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) return { tooLarge: length };
        const bigger = Buffer.alloc(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(bigger);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { bytes: buffer.subarray(0, length) };
  } finally {
    await handle.close();
  }
}
