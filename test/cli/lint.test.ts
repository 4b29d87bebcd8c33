/**
 * `course lint` and `course list` through the built binary (`npm test` builds first; run
 * `npm run build` before running this file alone).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CourseBin, repoRoot } from "../helpers/course-bin.js";

const bin = new CourseBin({ prefix: "course-cli-lint-" });
const course = (args: string[], cwd = repoRoot) => bin.run(args, {}, cwd);

beforeAll(() => {
  bin.open();
});
afterAll(() => {
  bin.remove();
});

describe("course lint", () => {
  test("a good course: exit 0 and a summary", () => {
    const r = course(["lint", "test/fixtures/lint/good"]);
    expect(r).toEqual({ code: 0, stdout: "no problems (2 lessons checked)\n", stderr: "" });
  });

  test("a bad lesson: FILE:LINE:COL lines relative to cwd, exit 2", () => {
    const r = course(["lint", "test/fixtures/lint/bad/bad-fence-options.md"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")).toEqual([
      'test/fixtures/lint/bad/bad-fence-options.md:7:7: error: unknown fence option `no-rnu` (did you mean "no-run"?); known: setup, no-run, background, allow-fail, show, no-mutate="REASON", timeout=N',
      "test/fixtures/lint/bad/bad-fence-options.md:7:14: error: `timeout=0`: expected `timeout=N` with N a positive number of seconds (e.g. `timeout=60`)",
      "test/fixtures/lint/bad/bad-fence-options.md:11:7: error: `setup` fences belong in the introduction (before the first `##` step): move this fence there, or drop `setup` to make it one of the step's commands",
      "3 errors, 0 warnings (1 lesson checked)",
      "",
    ]);
  });

  test("warnings alone exit 0", () => {
    const r = course(["lint", "test/fixtures/lint/bad/step-without-check.md"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "test/fixtures/lint/bad/step-without-check.md:11:1: warning: step 2 cannot be verified",
    );
    expect(r.stdout).toContain("0 errors, 1 warning (1 lesson checked)");
  });

  test("--format json: problems and summary", () => {
    const r = course(["lint", "--format", "json", "test/fixtures/lint/bad/unknown-key.md"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      problems: [
        {
          file: "test/fixtures/lint/bad/unknown-key.md",
          line: 3,
          column: 1,
          severity: "error",
          rule: "unknown-key",
          message:
            'unknown key `requries` in front matter (did you mean "requires"?); known keys: title, id, requires, needs, timeout',
        },
      ],
      summary: { errors: 1, warnings: 0, lessons: 1 },
    });
  });

  test("the whole bad course at once, via --lessons, with binary and non-UTF-8 files", () => {
    const r = course(["--lessons", "test/fixtures/lint/bad", "lint"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("test/fixtures/lint/bad/binary.md:4:1: error: the file is binary");
    expect(r.stdout).toContain(
      "test/fixtures/lint/bad/latin1.md:2:11: error: the file is not valid UTF-8",
    );
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(
      "22 errors, 3 warnings (14 lessons checked)",
    );
    expect(r.stderr).toBe("");
  });

  test("./lessons of the current directory is the default course; a 5 MB lesson is refused", () => {
    const dir = join(bin.dir, "big", "lessons");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "01-big.md"),
      `---\ntitle: Big\n---\n\n## S\n\n${"x".repeat(5_000_000)}\n`,
    );
    const r = course(["lint"], join(bin.dir, "big"));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      "lessons/01-big.md:1:1: error: the file is 4.8 MB; a lesson may be at most 1 MB: split it into several lessons, or move large output out of the lesson\n1 error, 0 warnings (0 lessons checked)\n",
    );
  });

  test("a missing path is a usage error without a stack trace", () => {
    const r = course(["lint", "no/such/lesson.md"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "course: no/such/lesson.md: no such lesson file or directory\npass lesson files, directories, or names (lesson-3, 3, an id)\n",
    );
  });
});

describe("course list", () => {
  test("a table of position, id, title and steps (progress columns follow)", () => {
    const r = course(["--lessons", "test/fixtures/lint/good", "list"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Fixture course", ""]);
    expect(lines[2]).toMatch(/^# {2}ID {14}TITLE {22}STEPS\b/);
    expect(lines[3]).toMatch(/^1 {2}two-namespaces {2}Two namespaces, one cable {6}2\b/);
    expect(lines[4]).toMatch(/^2 {2}bridge {10}A bridge {23}1\b/);
  });

  test("--json", () => {
    const r = course(["--lessons", "test/fixtures/lint/good", "list", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([
      { position: 1, id: "two-namespaces", title: "Two namespaces, one cable", steps: 2 },
      { position: 2, id: "bridge", title: "A bridge", steps: 1 },
    ]);
  });

  test("a course with errors is listed, with a note and exit 2", () => {
    const r = course(["--lessons", "test/fixtures/lint/bad", "list", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toHaveLength(14);
    expect(r.stderr).toBe("course: the course has 22 errors; run `course lint` to see them\n");
  });
});
