/**
 * `course test` on fixture lessons named by the outcome they cause, through the built binary and
 * real labs. Messages and exit codes are asserted exactly where course writes them.
 */
import { afterAll, describe, expect, test } from "vitest";
import { parseXml } from "../helpers/xml.js";
import { course, isolatedEnv, OUTCOMES } from "./run-course.js";

const { env, cleanup } = isolatedEnv();
afterAll(cleanup);

const f = (name: string) => `${OUTCOMES}/${name}.md`;

describe("course test", () => {
  test("passes: exit 0, one line for the lesson and a summary", async () => {
    const run = await course(["test", f("passes")], env);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^✓ passes \(test\/fixtures\/outcomes\/passes\.md\) \d+\.\d s\n/);
    expect(run.stdout).toMatch(/\n1 lesson: 1 passed, 0 failed \(\d+\.\d s\)\n$/);
    expect(run.code).toBe(0);
  });

  test("vacuous-step: a step whose checks pass before its commands fails the lesson", async () => {
    const run = await course(["test", f("vacuous-step")], env);
    expect(run.stdout).toContain(
      [
        "    test/fixtures/outcomes/vacuous-step.md:7: step 1: its checks already pass before its commands, so they cannot tell whether it was done",
        "      expected: at least one check fails before the step's commands run",
        "      found:    every check passes",
      ].join("\n"),
    );
    expect(run.stdout).toMatch(/^✗ vacuous-step /);
    expect(run.stdout).not.toContain("step 2");
    expect(run.code).toBe(1);
  });

  test("undone-later: a check that no longer holds at the end names its line", async () => {
    const run = await course(["test", f("undone-later")], env);
    expect(run.stdout).toContain(
      "    test/fixtures/outcomes/undone-later.md:14: step 1: line 14 no longer holds at the end of the lesson (`netns ns1`): a later step undid it\n",
    );
    expect(run.code).toBe(1);
  });

  test("fails-at-step-2: names lesson, step, line, expected and found; later steps are not run", async () => {
    const run = await course(["test", f("fails-at-step-2")], env);
    expect(run.stdout).toMatch(
      /^✗ fails-at-step-2 \(test\/fixtures\/outcomes\/fails-at-step-2\.md\)/,
    );
    expect(run.stdout).toContain(
      "    test/fixtures/outcomes/fails-at-step-2.md:24: step 2: line 24 `addr veth0 10.0.0.1/24` fails after the step's commands\n      expected: ",
    );
    expect(run.stdout).toMatch(/\n {6}found: {4}.*10\.0\.0\.2\/24/);
    expect(run.stdout).not.toContain("step 3");
    expect(run.stdout).toContain("1 lesson: 0 passed, 1 failed");
    expect(run.code).toBe(1);
  });

  test("command-fails: names the exact line of the failing command, its status and output", async () => {
    const run = await course(["test", f("command-fails")], env);
    expect(run.stdout).toContain(
      [
        "    test/fixtures/outcomes/command-fails.md:11: step 1: line 11 `ip link set veth0 up` exited with status 1",
        "      expected: exit status 0",
        '      found:    Cannot find device "veth0"',
      ].join("\n"),
    );
    expect(run.stdout).not.toContain("course-failed-at");
    expect(run.code).toBe(1);
  });

  test("needs-docker: skipped with the reason, which is not a failure", async () => {
    const run = await course(["test", f("needs-docker")], env);
    expect(run.stdout).toContain(
      "- needs-docker (test/fixtures/outcomes/needs-docker.md) skipped: needs docker: run it in the Vagrant VM (`course --lab vagrant …`), or inside a throwaway VM with Docker using `--lab host` (the sandbox lab has",
    );
    expect(run.stdout).toContain("1 lesson: 0 passed, 0 failed, 1 skipped");
    expect(run.code).toBe(0);
  });

  test("broken-format: lint errors are printed, nothing runs, exit 2", async () => {
    const run = await course(["test", f("broken-format"), f("passes")], env);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      "test/fixtures/outcomes/broken-format.md:3:1: error: unknown key `timout` in front matter",
    );
    expect(run.stderr).toContain(
      'test/fixtures/outcomes/broken-format.md:16:1: error: unknown check kind "pnig"',
    );
    expect(run.stderr).toContain("nothing was run");
    expect(run.code).toBe(2);
  });

  test("weak-check: passes plain test; --mutate warns, --strict fails", async () => {
    const plain = await course(["test", f("weak-check")], env);
    expect(plain.code).toBe(0);

    const warning =
      "    test/fixtures/outcomes/weak-check.md:11: warning: step 1: nothing checks that line 11 matters: without `ip -n ns1 link set lo up` every check of the step and of the lesson still passes\n";
    const mutate = await course(["test", "--mutate", f("weak-check")], env);
    expect(mutate.stdout).toContain(warning);
    // Line 10 is checked (netns ns1) and line 12 only shows state: neither is reported.
    expect(mutate.stdout).not.toContain("line 10 matters");
    expect(mutate.stdout).not.toContain("line 12");
    expect(mutate.stdout).toContain("2 mutants, 1 unchecked command (");
    expect(mutate.code).toBe(0);

    const strict = await course(["test", "--mutate", "--strict", f("weak-check")], env);
    expect(strict.stdout).toContain(
      "    test/fixtures/outcomes/weak-check.md:11: step 1: nothing checks that line 11 matters",
    );
    expect(strict.code).toBe(1);
  });

  test("--mutate --strict passes a lesson whose every command is checked", async () => {
    const run = await course(["test", "--mutate", "--strict", f("passes")], env);
    expect(run.stdout).toMatch(/✓ passes .* \d+\.\d s, 9 mutants in \d+\.\d s\n/);
    expect(run.code).toBe(0);
  });

  test("several lessons in parallel come out in course order; exit 1 when one fails", async () => {
    const run = await course(
      ["test", "--jobs", "3", f("passes"), f("undone-later"), f("needs-docker"), f("vacuous-step")],
      env,
    );
    const order = [...run.stdout.matchAll(/^[✓✗-] ([a-z0-9-]+) /gm)].map((m) => m[1]);
    expect(order).toEqual(["needs-docker", "passes", "undone-later", "vacuous-step"]);
    expect(run.stdout).toContain("4 lessons: 1 passed, 2 failed, 1 skipped");
    expect(run.code).toBe(1);
  });

  test("--bail stops starting lessons after the first failure", async () => {
    const run = await course(
      ["test", "--bail", "--jobs", "1", f("fails-at-step-2"), f("passes"), f("undone-later")],
      env,
    );
    expect(run.stdout).toContain("✗ fails-at-step-2");
    expect(run.stdout).not.toContain("undone-later");
    expect(run.stdout).toContain("3 lessons: 0 passed, 1 failed, 2 not run (--bail)");
    expect(run.code).toBe(1);
  });

  test("--reporter tap: TAP 14 with YAML diagnostics and the plan last", async () => {
    const run = await course(
      ["test", "--reporter", "tap", f("fails-at-step-2"), f("needs-docker"), f("passes")],
      env,
    );
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("TAP version 14");
    expect(lines[1]).toBe("not ok 1 - fails-at-step-2 (test/fixtures/outcomes/fails-at-step-2.md)");
    expect(lines[2]).toBe("  ---");
    expect(run.stdout).toContain(
      '    - message: "step 2: line 24 `addr veth0 10.0.0.1/24` fails after the step\'s commands"\n      rule: check-failed\n      at: test/fixtures/outcomes/fails-at-step-2.md:24\n      step: 2\n',
    );
    expect(run.stdout).toContain(
      "ok 2 - needs-docker (test/fixtures/outcomes/needs-docker.md) # SKIP needs docker: run it in the Vagrant VM",
    );
    expect(run.stdout).toContain("ok 3 - passes (test/fixtures/outcomes/passes.md)\n1..3\n");
    expect(run.code).toBe(1);
  });

  test("--reporter junit: well-formed XML a CI can read", async () => {
    const run = await course(
      ["test", "--reporter", "junit", f("fails-at-step-2"), f("needs-docker"), f("passes")],
      env,
    );
    const root = parseXml(run.stdout);
    expect(root.attributes).toMatchObject({ tests: "3", failures: "1", skipped: "1", errors: "0" });
    const cases = root.children[0]?.children ?? [];
    expect(cases.map((c) => c.attributes.file)).toEqual([
      "test/fixtures/outcomes/fails-at-step-2.md",
      "test/fixtures/outcomes/needs-docker.md",
      "test/fixtures/outcomes/passes.md",
    ]);
    expect(cases[0]?.children[0]?.attributes).toMatchObject({
      type: "check-failed",
      message:
        "test/fixtures/outcomes/fails-at-step-2.md:24: step 2: line 24 `addr veth0 10.0.0.1/24` fails after the step's commands",
    });
    expect(cases[1]?.children[0]?.name).toBe("skipped");
    expect(cases[2]?.children).toEqual([]);
    expect(run.code).toBe(1);
  });

  test("--reporter json: one document with every failure", async () => {
    const run = await course(["test", "--reporter", "json", f("undone-later"), f("passes")], env);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({
      formatVersion: 1,
      ok: false,
      summary: { lessons: 2, passed: 1, failed: 1, skipped: 0 },
    });
    expect(doc.lessons[1]).toMatchObject({
      id: "undone-later",
      status: "failed",
      failures: [
        {
          file: "test/fixtures/outcomes/undone-later.md",
          line: 14,
          step: 1,
          rule: "undone",
        },
      ],
    });
    expect(run.code).toBe(1);
  });

  test("no lab to be had: the reason under the lesson, exit 4", async () => {
    // Port 1 on loopback: nothing listens, so the ssh lab cannot be reached.
    const run = await course(["test", "--lab", "ssh://nobody@127.0.0.1:1", f("passes")], env);
    expect(run.stdout).toContain(
      "    test/fixtures/outcomes/passes.md:1: the lab could not be created: ssh lab nobody@127.0.0.1:1:",
    );
    expect(run.code).toBe(4);
  });

  test.each([
    [["--jobs", "0"], "--jobs 0: expected a whole number of 1 or more"],
    [["--strict"], "--strict only applies to --mutate"],
    [["--reporter", "xml"], "argument 'xml' is invalid"],
  ])("bad options are usage errors (exit 2): %s", async (args, message) => {
    const run = await course(["test", ...args, f("passes")], env);
    expect(run.stderr).toContain(message);
    expect(run.code).toBe(2);
  });
});
