/** `course new`: a lesson that passes lint and test (with --mutate --strict) as created. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { course, isolatedEnv } from "./run-course.js";

const { env, cleanup } = isolatedEnv();
const dir = mkdtempSync(join(tmpdir(), "course-new-"));
afterAll(() => {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("course new", () => {
  test("creates the next numbered lesson, which lints and tests clean", async () => {
    const lessons = join(dir, "lessons");
    const first = await course(["new", "port-mapping"], env, { cwd: dir });
    expect(first.stdout).toContain("created lessons/01-port-mapping.md\n");
    expect(first.code).toBe(0);
    const text = readFileSync(join(lessons, "01-port-mapping.md"), "utf8");
    expect(text).toMatch(/^---\ntitle: Port mapping\n---\n/);
    expect(text).toContain("```sh\nip netns add port-mapping\n```");
    expect(text).toContain("> Hint: ");
    expect(text).toContain("```check\nnetns port-mapping\n```");

    const second = await course(["new", "nat", "--lessons", lessons], env, { cwd: dir });
    expect(second.code).toBe(0);
    expect(readdirSync(lessons).sort()).toEqual(["01-port-mapping.md", "02-nat.md"]);

    const lint = await course(["lint", "--lessons", lessons], env, { cwd: dir });
    expect(lint.stdout).toContain("no problems (2 lessons checked)");
    expect(lint.code).toBe(0);

    const run = await course(["test", "--mutate", "--strict", "--lessons", lessons], env, {
      cwd: dir,
    });
    expect(run.stdout).toContain("2 lessons: 2 passed, 0 failed, 2 mutants, 0 unchecked commands");
    expect(run.code).toBe(0);
  });

  test("numbers after the highest existing prefix, keeping its width", async () => {
    const lessons = join(dir, "wide");
    await course(["new", "a", "--lessons", lessons], env, { cwd: dir });
    writeFileSync(join(lessons, "007-seven.md"), "---\ntitle: Seven\n---\n");
    const run = await course(["new", "eight", "--lessons", lessons], env, { cwd: dir });
    expect(run.code).toBe(0);
    expect(readdirSync(lessons).sort()).toEqual(["007-seven.md", "008-eight.md", "01-a.md"]);
  });

  test("refuses to overwrite a lesson of the same name (exit 2)", async () => {
    const lessons = join(dir, "again");
    await course(["new", "bridge", "--lessons", lessons], env, { cwd: dir });
    const before = readFileSync(join(lessons, "01-bridge.md"), "utf8");
    const run = await course(["new", "bridge", "--lessons", lessons], env, { cwd: dir });
    expect(run.stderr).toContain(
      "course: a lesson named `bridge` already exists: again/01-bridge.md",
    );
    expect(run.code).toBe(2);
    expect(readFileSync(join(lessons, "01-bridge.md"), "utf8")).toBe(before);
  });

  test.each(["Bad_Name", "9lives", "a--b", "-x", "x".repeat(41)])(
    "rejects the name %s with a usage error (exit 2)",
    async (name) => {
      const run = await course(["new", "--lessons", join(dir, "bad"), "--", name], env, {
        cwd: dir,
      });
      expect(run.stderr).toContain(`\`${name}\` is not a lesson name`);
      expect(run.code).toBe(2);
    },
  );
});
