/**
 * `course test --mutate` on what it used to get wrong: a probe that only ran out of quick time
 * "caught" every mutant, `--strict` counted 0 unchecked commands while listing them, and a
 * command no check can observe had no way to be left alone with a reason.
 */
import { afterAll, describe, expect, test } from "vitest";
import { course, isolatedEnv } from "./run-course.js";

const { env, cleanup } = isolatedEnv();
afterAll(cleanup);

const f = (name: string) => `test/fixtures/mutate/${name}.md`;

describe("course test --mutate", () => {
  test("a probe that runs out of its quick time does not catch a mutant", async () => {
    const run = await course(["test", "--mutate", f("slow-check")], env);
    // Without `ip link set va up` every check still passes: `run "sleep 2.1"` only takes time.
    expect(run.stdout).toContain(
      "slow-check.md:9: warning: step 1: nothing checks that line 9 matters: without `ip link set va up`",
    );
    expect(run.stdout).not.toContain("line 8 matters");
    expect(run.stdout).toContain("2 mutants, 1 unchecked command (");
    expect(run.code).toBe(0);
  }, 120_000);

  test("--strict counts the unchecked commands it fails on", async () => {
    const run = await course(["test", "--mutate", "--strict", f("slow-check")], env);
    expect(run.stdout).toContain("nothing checks that line 9 matters");
    expect(run.stdout).toContain("2 mutants, 1 unchecked command (");
    expect(run.code).toBe(1);
  }, 120_000);

  test('no-mutate="REASON" leaves a fence alone and the report says why', async () => {
    const run = await course(["test", "--mutate", "--strict", f("left-alone")], env);
    expect(run.stdout).toContain(
      "left-alone.md:7: step 1: left alone by --mutate: no IPv4 route cache since Linux 3.6",
    );
    expect(run.stdout).toContain("0 mutants, 0 unchecked commands (");
    expect(run.code).toBe(0);
  }, 120_000);

  test("no-mutate without a reason is a format error", async () => {
    const lint = await course(["lint", f("no-mutate-without-reason")], env);
    expect(lint.stdout).toContain(
      'no-mutate-without-reason.md:7:7: error: `no-mutate`: say why `course test --mutate` must leave these commands alone: `no-mutate="REASON"`',
    );
    expect(lint.code).toBe(2);
  });
});
