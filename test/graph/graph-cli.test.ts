/**
 * `course graph` through the built binary on real sandbox labs (`npm test` builds first; run
 * `npm run build` before running this file alone). Labs and progress live in a temp dir and are
 * destroyed with `course reset --all` afterwards, even when a test failed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CourseBin, labsInTempHome } from "../helpers/course-bin.js";
import { xmlProblems } from "../helpers/xml.js";

const lessons = join(import.meta.dirname, "fixtures/course");
const bin = new CourseBin({
  prefix: "course-graph-cli-",
  args: ["--lessons", lessons],
  timeout: 60_000,
});
const course = (args: string[], env: Record<string, string> = {}) => bin.run(args, env);

labsInTempHome(bin);

describe("course graph", () => {
  test("draws the current lesson's lab, created with its setup when it had none", () => {
    const r = course(["graph"]);
    expect(r.stderr).toMatch(/lesson 1 \(cable\) had no lab yet; created it/);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Lab of lesson 1 (cable): Two rooms, one cable");
    expect(lines.filter((l) => [...l].length > 80)).toEqual([]);
    expect(r.stdout).toContain("┌─ ns1 ─");
    expect(r.stdout).toContain("┌─ ns2 ─");
    expect(r.stdout).not.toContain("⇄");
  });

  test("after `course run`, the cable is there, in every format", () => {
    const run = course(["run", "1"]);
    expect(run.stderr + run.stdout).not.toMatch(/this is a bug/);
    expect(run.code).toBe(0);
    const text = course(["graph", "cable"]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe("");
    expect(text.stdout).toMatch(
      /│ veth0 veth UP [0-9a-f:]{17} 192\.168\.10\.200\/24 ⇄ ns2:veth1 +│/,
    );

    const svgFile = join(bin.dir, "cable.svg");
    const svg = course(["graph", "1", "--format", "svg", "-o", svgFile]);
    expect(svg).toEqual({ code: 0, stdout: "", stderr: "" });
    const written = readFileSync(svgFile, "utf8");
    expect(xmlProblems(written)).toEqual([]);
    expect(written).toContain("<svg");
    expect(written).toContain(">veth0 (veth)</text>");

    const mermaid = course(["graph", "1", "--format", "mermaid"]);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    expect(mermaid.stdout).toMatch(/n\d <== veth ==> n\d/);
    const dot = course(["graph", "1", "--format", "dot"]);
    expect(dot.stdout).toMatch(/^graph lab \{\n/);
    expect(dot.stdout).toContain('label="Lab of lesson 1 (cable): Two rooms, one cable"');
  });

  test("each lesson has its own lab: lesson 2 shows its bridge, not lesson 1's cable", () => {
    // Once lesson 1 counts as done, the current lesson (the default) is lesson 2.
    expect(course(["run", "1", "--count"]).code).toBe(0);
    const r = course(["graph"]);
    expect(r.stdout.split("\n")[0]).toBe("Lab of lesson 2 (bridge): A bridge with two ports");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ ├─ veth1 veth UP [0-9a-f:]{17} ⇄ c1:eth0 +│/);
    expect(r.stdout).not.toContain("ns1");
  });

  test("bad input is a usage error, not a stack trace", () => {
    const unknown = course(["graph", "9"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no lesson named `9`/);
    const format = course(["graph", "1", "--format", "png"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/png/);
    const unwritable = course(["graph", "1", "-o", join(bin.dir, "no/such/dir/x.txt")]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/cannot write the graph to .*no\/such\/dir\/x\.txt/);
  });
});
