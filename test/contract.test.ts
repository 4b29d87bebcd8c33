// The lesson format is a contract: its own example must lint cleanly and pass `course test`
// unchanged (fixture copied verbatim from LESSON-FORMAT.md's "Example" section), and so must
// lessons written with the check forms it added for tunnels, tables and kernel needs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { tool } from "./helpers/tool.js";

const scratch = mkdtempSync(join(tmpdir(), "course-contract-"));
const env = {
  ...process.env,
  COURSE_STATE_DIR: join(scratch, "state"),
  COURSE_RUNTIME_DIR: join(scratch, "run"),
  XDG_CACHE_HOME: join(scratch, "cache"),
  NO_COLOR: "1",
};
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("the format's own example lints cleanly and passes course test", () => {
  const dir = "test/fixtures/contract";
  const lint = tool(process.execPath, ["dist/bin.js", "lint", dir], { env, timeout: 60_000 });
  expect(lint).not.toMatch(/error|warning/);
  const result = tool(process.execPath, ["dist/bin.js", "test", dir], { env, timeout: 60_000 });
  // A lesson whose kernel feature this machine lacks (vlan here) is skipped with its reason.
  expect(result).toMatch(/4 lessons: (4 passed, 0 failed|3 passed, 0 failed, 1 skipped)/);
  expect(result).toMatch(
    /✓ policy-routing-over-vxlan |- policy-routing-over-vxlan .*skipped: needs/,
  );
});
