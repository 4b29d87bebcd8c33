import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";

const bin = new CourseBin({ prefix: "course-startup-imports-" });
labsInTempHome(bin);

/**
 * The module URLs `course ARGS` loads, in order (through test/helpers/import-trace.mjs), after
 * it exited with `exitCode` and said `stderr`.
 */
function modulesLoadedBy(args: string[], exitCode = 0, stderr: RegExp = /^$/): string[] {
  const trace = join(bin.dir, `trace-${args.join("-")}.txt`);
  rmSync(trace, { force: true });
  const result = bin.run(args, {
    NODE_OPTIONS: `--import=${join(repoRoot, "test/helpers/import-trace.mjs")}`,
    COURSE_IMPORT_TRACE: trace,
  });
  expect(result.stderr).toMatch(stderr);
  expect(result.code).toBe(exitCode);
  return readFileSync(trace, "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

const loads = (modules: string[], pkg: string) =>
  modules.some((url) => url.includes(`/node_modules/${pkg}/`));

describe("the start-up path stays light", () => {
  test.each([["--help"], ["list"], ["status"]])(
    "course %s loads neither execa nor the shell parser nor serve's web server",
    (command) => {
      const modules = modulesLoadedBy([command]);
      // The trace works: the CLI's own entry and commander are in it.
      expect(modules.some((url) => url.endsWith("/dist/bin.js"))).toBe(true);
      expect(loads(modules, "commander")).toBe(true);
      expect(loads(modules, "execa")).toBe(false);
      expect(loads(modules, "web-tree-sitter")).toBe(false);
      expect(loads(modules, "fastify")).toBe(false);
      expect(modules.some((url) => url.includes("/dist/web/"))).toBe(false);
    },
  );

  test("course verify does not load the shell parser", () => {
    // Nothing done yet in this home: the checks fail (exit 1), after running in a lab.
    const modules = modulesLoadedBy(["verify"], 1);
    expect(modules.some((url) => url.endsWith("/dist/flows/verify.js"))).toBe(true);
    expect(loads(modules, "web-tree-sitter")).toBe(false);
  });

  test("course verify of a locked lesson loads neither: it is refused before any lab", () => {
    // Lesson 3 of the shipped course is locked in this fresh home: exit 3, no process run.
    const modules = modulesLoadedBy(["verify", "3"], 3, /^course: lesson-3 .* is locked/);
    expect(modules.some((url) => url.endsWith("/dist/flows/verify.js"))).toBe(true);
    expect(loads(modules, "execa")).toBe(false);
    expect(loads(modules, "web-tree-sitter")).toBe(false);
  });

  test("a command that runs a lab script does load execa (the trace sees it)", () => {
    // `reset --all` lists this home's sandbox labs with a one-shot script: through execa.
    expect(loads(modulesLoadedBy(["reset", "--all"]), "execa")).toBe(true);
  });
});
