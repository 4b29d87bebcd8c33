/**
 * `course test` also runs the solution straight through, as `course run` does: a lesson that
 * passes step by step only thanks to what happens between steps (here a check's side effect;
 * in the wild, the seconds the checks take, which hid an IPv6 DAD race) fails.
 */
import { afterAll, expect, test } from "vitest";
import { course, isolatedEnv, OUTCOMES } from "./run-course.js";

const { env, cleanup } = isolatedEnv();
afterAll(cleanup);

test("a lesson that needs the checks between its steps fails straight through", async () => {
  const run = await course(["test", "test/fixtures/straight/relies-on-a-check.md"], env);
  expect(run.stdout).toContain(
    "relies-on-a-check.md:19: step 2: line 19 `test -e /tmp/left-by-a-check` exited with status 1 when the solution runs straight through, as `course run` does",
  );
  expect(run.code).toBe(1);
  const passes = await course(["test", `${OUTCOMES}/passes.md`], env);
  expect(passes.code).toBe(0);
}, 120_000);
