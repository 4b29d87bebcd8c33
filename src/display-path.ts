import { isAbsolute, relative } from "node:path";

/**
 * `file` relative to `cwd` when it is inside it, else unchanged: how every message, report and
 * verdict names a lesson file (`lessons/03-bridge.md:12`).
 */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
