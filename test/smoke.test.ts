import { expect, test } from "vitest";
import { tool } from "./helpers/tool.js";

test("the built binary prints its help with the exit codes", () => {
  const out = tool(process.execPath, ["dist/bin.js", "--help"]);
  expect(out).toContain("Exit codes:");
  expect(out).toContain("3  lesson locked");
});
