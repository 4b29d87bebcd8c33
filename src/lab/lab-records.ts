import { DESTROY_SCRIPT, LIST_SCRIPT } from "./lab-scripts.js";
import { parseRecord, runLabScript } from "./run-lab-script.js";
import type { Transport } from "./transport.js";

/** What the lab machine remembers about one sandbox lab (see HOLDER_SCRIPT). */
export interface LabRecord {
  id: string;
  /** Host PID of the lab's PID 1. */
  pid: number;
  persistent: boolean;
  mode: "root" | "user";
  hostname: string;
  /** The lesson id. */
  label: string;
  /** Course directory + lesson id. */
  key: string;
}

/**
 * The sandbox labs recorded under `runtimeDir` on the lab machine whose holder is alive.
 * Records whose holder is gone are removed on the way.
 */
export async function listSandboxLabs(
  transport: Transport,
  runtimeDir: string,
): Promise<LabRecord[]> {
  const result = await runLabScript(transport, LIST_SCRIPT, [`${runtimeDir}/labs`]);
  const labs: LabRecord[] = [];
  let current: { id: string; lines: string[] } | undefined;
  for (const line of result.stdout.split("\n")) {
    const head = /^lab (\S+) (alive|dead)$/.exec(line);
    if (head) {
      current = head[2] === "alive" && head[1] ? { id: head[1], lines: [] } : undefined;
    } else if (line === "end") {
      if (current) {
        const r = parseRecord(current.lines);
        labs.push({
          id: current.id,
          pid: Number(r.pid),
          persistent: r.persistent === "1",
          mode: r.mode === "user" ? "user" : "root",
          hostname: r.hostname ?? "",
          label: r.label ?? "",
          key: r.key ?? "",
        });
      }
      current = undefined;
    } else {
      current?.lines.push(line);
    }
  }
  return labs;
}

/** End the given sandbox labs (every process in each) and remove their records. */
export async function destroySandboxLabs(
  transport: Transport,
  runtimeDir: string,
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  await runLabScript(transport, DESTROY_SCRIPT, [`${runtimeDir}/labs`, ...ids]);
}
