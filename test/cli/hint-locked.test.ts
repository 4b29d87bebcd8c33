/** `course hint` of a locked lesson exits 3 (locked), like start and verify, and shows no hint. */
import { afterAll, expect, test } from "vitest";
import { course, isolatedEnv } from "../instructor/run-course.js";

const { env, cleanup } = isolatedEnv();
afterAll(cleanup);

test("course hint 3 before lesson 2 is done: exit 3, what to finish first", async () => {
  const r = await course(["hint", "3"], env);
  expect(r.code).toBe(3);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain("is locked: finish lesson-2 (veth-pair) first");
  const open = await course(["hint", "1"], env);
  expect(open.code).toBe(0);
  expect(open.stdout).toContain("Hint 1 of");
});
