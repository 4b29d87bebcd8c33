/** `course lint` and `course test` accept a bare file name of the course, as `verify` does. */
import { afterAll, expect, test } from "vitest";
import { course, isolatedEnv } from "./run-course.js";

const { env, cleanup } = isolatedEnv();
afterAll(cleanup);

test("lint and test take 01-namespaces.md (no directory) as the course's lesson", async () => {
  const lint = await course(["lint", "01-namespaces.md"], env);
  expect(lint.stdout).toContain("no problems (1 lesson checked)");
  expect(lint.code).toBe(0);
  const run = await course(["test", "01-namespaces.md"], env);
  expect(run.stdout).toMatch(/^✓ namespaces /);
  expect(run.code).toBe(0);
  const missing = await course(["lint", "99-nope.md"], env);
  expect(missing.stderr).toContain("no lesson named `99-nope.md`");
  expect(missing.code).toBe(2);
}, 120_000);
