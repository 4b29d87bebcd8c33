/**
 * The fixture course: good lessons lint clean; each bad lesson gives exactly the problems
 * listed here, at exactly these lines and columns.
 */
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { lint } from "../../src/flows/lint-course.js";
import { testContext } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");
const ctx = testContext(root);
const bad = "test/fixtures/lint/bad";

async function problemsOf(file: string): Promise<string[]> {
  const report = await lint(ctx, [`${bad}/${file}`]);
  return report.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`);
}

test("the good course has no problems at all", async () => {
  const report = await lint(ctx, ["test/fixtures/lint/good"]);
  expect(report.problems).toEqual([]);
  expect(report.summary).toEqual({ errors: 0, warnings: 0, lessons: 2 });
});

describe("each bad lesson is reported at its line and column", () => {
  const cases: Record<string, string[]> = {
    "unknown-key.md": [
      '3:1: error: unknown key `requries` in front matter (did you mean "requires"?); known keys: title, id, requires, needs, timeout',
    ],
    "missing-title.md": [
      "1:1: error: front matter has no `title`: add a line `title: ...` (a non-empty string)",
    ],
    "bad-values.md": [
      "3:1: error: `timeout` must be a positive number of seconds, found number -5",
      '4:9: error: unknown need `dokcer` (did you mean "docker"?); known: docker, vlan, vxlan, macvlan, ipvlan, wireguard, netem, nftables, ipv6',
      '5:1: error: `id` must be a word of letters, digits, `-`, `_` or `.` (e.g. `bridge`), found "has space"',
    ],
    "unknown-require.md": [
      '3:20: error: `requires` names `brigde`, which is no lesson of this course (did you mean "bridge"?); lesson ids: bridge, bad-checks, bad-fence-options, bad-hint-target, bad-values, intro-misuse, missing-title, no-front-matter, no-steps, step-without-check, unknown-key, unknown-require, yaml-syntax',
    ],
    "bad-fence-options.md": [
      '7:7: error: unknown fence option `no-rnu` (did you mean "no-run"?); known: setup, no-run, background, allow-fail, show, no-mutate="REASON", timeout=N',
      "7:14: error: `timeout=0`: expected `timeout=N` with N a positive number of seconds (e.g. `timeout=60`)",
      "11:7: error: `setup` fences belong in the introduction (before the first `##` step): move this fence there, or drop `setup` to make it one of the step's commands",
    ],
    "bad-checks.md": [
      '13:1: error: unknown check kind "pign" (did you mean "ping"?); expected one of netns, link, addr, route, lookup, rule, ping, neigh, fdb, sysctl, iptables, listen, tcp, capture, run',
      '14:6: error: ping: address "300.1.1.1" is invalid: 300 is above 255',
      // Inside a list item: the fence is indented by two, so is the column.
      '20:18: error: link: MTU "0" is invalid: expected a whole number from 1 to 2147483647',
    ],
    "no-steps.md": [
      "1:1: error: the lesson has no step: start each step with a `## ` heading followed by its commands and a `check` fence",
    ],
    "step-without-check.md": [
      '11:1: warning: step 2 cannot be verified: "Not verified" has no `check` fence; add one with at least one check that fails before the step\'s commands run',
    ],
    "no-front-matter.md": [
      "1:1: error: the lesson has no front matter: start the file with a `---` line, then `title: ...`, then `---`",
    ],
    "yaml-syntax.md": [
      "3:18: error: front matter is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
    "duplicate-id.md": [
      "3:1: error: lesson id `bridge` is already used by 00-bridge.md: ids must be unique; change this `id:`",
    ],
    "bad-hint-target.md": [
      '14:28: error: this hint names `ping 10.0.0.9`, but no check of step 1 ("Plug in the cable") begins with it: name one by its first words, e.g. `link veth0 up`',
      '23:12: error: this hint names `netns ns1`, but no check of step 2 ("Another step") begins with it: did you mean `netns ns2`?',
    ],
    "intro-misuse.md": [
      "5:1: error: a `check` fence before the first `##` step belongs to no step: move it into the step it verifies",
      "9:1: warning: a hint before the first `##` step belongs to no step and is never offered: move it into a step",
      "11:1: warning: this `sh` fence is before the first `##` step, so it never runs: add `setup` to run it when the lab is created, or `no-run` if it is only shown",
    ],
    "empty.md": [
      "1:1: error: the file is empty: a lesson needs front matter with a `title` and at least one `##` step",
    ],
    "binary.md": [
      "4:1: error: the file is binary (it contains a NUL byte here), not a Markdown lesson: keep only `.md` text files in the lessons directory",
    ],
    "latin1.md": ["2:11: error: the file is not valid UTF-8 (byte 0xe9 here): save it as UTF-8"],
  };
  for (const [file, expected] of Object.entries(cases)) {
    test(file, async () => {
      expect(await problemsOf(file)).toEqual(expected.map((e) => `${bad}/${file}:${e}`));
    });
  }

  test("every bad fixture has a case", async () => {
    const { readdirSync } = await import("node:fs");
    const files = readdirSync(resolve(root, bad)).filter((f) => f !== "00-bridge.md");
    expect(files.sort()).toEqual(Object.keys(cases).sort());
  });
});

test("linting the whole bad directory reports every problem at once", async () => {
  const report = await lint(ctx, [bad]);
  expect(report.summary).toEqual({ errors: 22, warnings: 3, lessons: 14 });
});
