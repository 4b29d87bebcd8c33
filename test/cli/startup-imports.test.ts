import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";

const bin = new CourseBin({ prefix: "course-startup-imports-" });
labsInTempHome(bin);

/** The module URLs `course ARGS` loads, in order (through test/helpers/import-trace.mjs). */
function modulesLoadedBy(args: string[]): string[] {
  const trace = join(bin.dir, `trace-${args.join("-")}.txt`);
  rmSync(trace, { force: true });
  const result = bin.run(args, {
    NODE_OPTIONS: `--import=${join(repoRoot, "test/helpers/import-trace.mjs")}`,
    COURSE_IMPORT_TRACE: trace,
  });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return readFileSync(trace, "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

const loads = (modules: string[], pkg: string) =>
  modules.some((url) => url.includes(`/node_modules/${pkg}/`));

describe("the start-up path stays light", () => {
  test.each([["--help"], ["list"], ["status"]])("course %s does not load execa", (command) => {
    const modules = modulesLoadedBy([command]);
    // The trace works: the CLI's own entry and commander are in it.
    expect(modules.some((url) => url.endsWith("/dist/bin.js"))).toBe(true);
    expect(loads(modules, "commander")).toBe(true);
    expect(loads(modules, "execa")).toBe(false);
  });

  test("a command that runs a lab script does load execa (the trace sees it)", () => {
    // `reset --all` lists this home's sandbox labs with a one-shot script: through execa.
    expect(loads(modulesLoadedBy(["reset", "--all"]), "execa")).toBe(true);
  });
});
