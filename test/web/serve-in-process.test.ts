/**
 * `course serve` checks in its own process: the live checks after a command typed in the
 * terminal and the API's verify start no Node process (issue 18: "no Node start-up per verify").
 * The server runs with test/helpers/import-trace.mjs in NODE_OPTIONS, which every Node process
 * it started would inherit and which appends each module it loads to one file: the CLI's entry
 * (dist/bin.js) is in it once, the server's own start-up, while the checks' code is in it too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";
import { type RunningServer, startCourseServer } from "../helpers/course-server.js";

const bin = new CourseBin({ prefix: "course-serve-in-process-", timeout: 60_000 });
labsInTempHome(bin);

let server: RunningServer | undefined;
const trace = () => join(bin.dir, "imports.txt");

beforeAll(async () => {
  server = await startCourseServer(bin, [], {
    NODE_OPTIONS: `--import=${join(repoRoot, "test/helpers/import-trace.mjs")}`,
    COURSE_IMPORT_TRACE: trace(),
  });
});
afterAll(async () => {
  await server?.stop();
});

describe("course serve checks in process", () => {
  test("a step turned green by a command in the terminal, then the API's verify: no second Node process", async () => {
    if (server === undefined) throw new Error("no server");
    const s = server;
    const ws = new WebSocket(`${s.origin.replace("http", "ws")}/api/lessons/1/terminal`, {
      headers: { authorization: `Bearer ${s.token}`, origin: s.origin },
    });
    let screen = "";
    const events: { type: string; steps?: { index: number; passed?: boolean }[] }[] = [];
    ws.on("message", (data, binary) => {
      if (binary) screen += data.toString();
      else events.push(JSON.parse(data.toString()));
    });
    await new Promise((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
    });
    try {
      await expect.poll(() => screen, { timeout: 60_000 }).toContain("[lesson 1 ·");
      ws.send(JSON.stringify({ type: "input", data: "ip netns add c1\r" }));
      // The live checks ran after the command: step 1 passed.
      await expect
        .poll(
          () =>
            events.some(
              (e) => e.type === "live" && e.steps?.some((x) => x.index === 1 && x.passed),
            ),
          { timeout: 30_000 },
        )
        .toBe(true);
      const verify = await fetch(`${s.origin}/api/lessons/1/verify`, {
        method: "POST",
        headers: { authorization: `Bearer ${s.token}` },
      });
      expect(verify.status).toBe(200);
      expect(((await verify.json()) as { steps: { passed: boolean }[] }).steps[0]?.passed).toBe(
        true,
      );
    } finally {
      ws.close();
    }
    const modules = readFileSync(trace(), "utf8").split("\n");
    // The trace works: the checks' code was loaded (in this process, the only one traced).
    expect(modules.some((url) => url.endsWith("/dist/flows/live-check.js"))).toBe(true);
    expect(modules.some((url) => url.endsWith("/dist/flows/verify.js"))).toBe(true);
    expect(modules.filter((url) => url.endsWith("/dist/bin.js"))).toHaveLength(1);
  });
});
