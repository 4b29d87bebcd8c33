import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { join } from "node:path";

/** Write `file` so that readers see the old or the new content, never a mix or a truncation. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const handle = await fs.open(temp, "w", 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    // A full disk: leave nothing half-written behind.
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  const dir = await fs.open(join(file, ".."), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
