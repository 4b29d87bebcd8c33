import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";

test("the built binary prints its help with the exit codes", () => {
  const out = execFileSync(process.execPath, ["dist/bin.js", "--help"], { encoding: "utf8" });
  expect(out).toContain("Exit codes:");
  expect(out).toContain("3  lesson locked");
});
