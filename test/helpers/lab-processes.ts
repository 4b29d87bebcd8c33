/**
 * Processes of one lab, found by the lab's PID namespace (not by command line: other tests may
 * run the same commands at the same time).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/** The PID namespace (`pid:[INODE]`) of the lab whose record is `RUNTIME/labs/ID.lab`. */
export function labPidNamespace(runtimeDir: string, labFilePrefix: string): string {
  const dir = join(runtimeDir, "labs");
  const file = readdirSync(dir).find((f) => f.startsWith(labFilePrefix) && f.endsWith(".lab"));
  if (file === undefined) throw new Error(`no lab record ${labFilePrefix}*.lab in ${dir}`);
  const pid = /^pid=(\d+)$/m.exec(readFileSync(join(dir, file), "utf8"))?.[1];
  return readlinkSync(`/proc/${pid}/ns/pid`);
}

/** Command lines of the processes living in PID namespace `ns`. */
export function processesIn(ns: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/pid`) !== ns) continue;
      found.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim());
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
