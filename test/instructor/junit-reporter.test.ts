import { describe, expect, test } from "vitest";
import type { LessonTestResult, TestProblem } from "../../src/flows/test-lesson.js";
import type { Lesson } from "../../src/lesson/types.js";
import { junitReporter, xmlEscape } from "../../src/render/reporters/junit-reporter.js";
import { parseXml } from "../helpers/xml.js";

const lesson = (id: string, position: number): Lesson => ({
  file: `/course/0${position}-${id}.md`,
  id,
  position,
  title: `Title of <${id}> & "friends"`,
  requires: [],
  needs: [],
  timeout: 30,
  intro: "",
  setup: [],
  steps: [],
  position0: { file: `/course/0${position}-${id}.md`, line: 1, column: 1 },
});

describe("the strict XML checker itself", () => {
  test.each([
    ["<a>&</a>", /unclosed tag|unexpected end/],
    ["<a><b></a></b>", /unexpected close tag/],
    ['<a x="1" x="2"/>', /duplicate attribute/],
    ["<a>\u001b[31m</a>", /disallowed character/],
    ["<a/><b/>", /only one root/],
    ["<a>&nbsp;</a>", /undefined entity/],
    ["<a x=1/>", /unquoted attribute value/],
    ["<a>", /unclosed tag/],
  ])("rejects %s", (xml, error) => {
    expect(() => parseXml(xml)).toThrow(error);
  });
});

describe("junitReporter", () => {
  test("escapes every special and forbidden character so that the report parses", () => {
    const nasty = "a<b>&c\"d'e\u001b[31mred\u0000\uFFFF]]>";
    expect(parseXml(`<x y="${xmlEscape(nasty)}">${xmlEscape(nasty)}</x>`).text).toBe(
      "a<b>&c\"d'e\uFFFD[31mred\uFFFD\uFFFD]]>",
    );
  });

  test("one testcase a lesson, with failure, skipped and warnings, all counted", () => {
    const problem: TestProblem = {
      file: "/course/01-bridge.md",
      line: 12,
      step: 2,
      rule: "check-failed",
      message: "step 2: line 12 `ns1: ping 10.0.0.2` fails after the step's commands",
      expected: "a reply from 10.0.0.2",
      found: "no reply\n\u001b[31m<timeout>\u001b[0m",
    };
    const failed: LessonTestResult = {
      lesson: lesson("bridge", 1),
      status: "failed",
      failures: [problem],
      warnings: [],
      durationMs: 1234,
      checksRun: 4,
      mutants: 0,
      mutantMs: 0,
      settleMs: {},
    };
    const skipped: LessonTestResult = {
      ...failed,
      lesson: lesson("docker", 2),
      status: "skipped",
      skipReason: "it needs docker & this lab has none",
      failures: [],
    };
    const warned: LessonTestResult = {
      ...failed,
      lesson: lesson("veth", 3),
      status: "passed",
      failures: [],
      warnings: [
        {
          ...problem,
          rule: "unchecked-command",
          message: "step 1: nothing checks that line 9 matters",
        },
      ],
    };
    const reporter = junitReporter({ cwd: "/course", color: false, mutate: true });
    const xml = reporter.end({ results: [failed, skipped, warned], notRun: [], durationMs: 2500 });
    const root = parseXml(xml);
    expect(root.name).toBe("testsuites");
    expect(root.attributes).toMatchObject({
      tests: "3",
      failures: "1",
      skipped: "1",
      errors: "0",
      time: "2.500",
    });
    const cases = root.children[0]?.children ?? [];
    expect(cases.map((c) => c.attributes.name)).toEqual([
      '1 bridge: Title of <bridge> & "friends"',
      '2 docker: Title of <docker> & "friends"',
      '3 veth: Title of <veth> & "friends"',
    ]);
    const failure = cases[0]?.children[0];
    expect(failure?.name).toBe("failure");
    expect(failure?.attributes.message).toBe(
      "01-bridge.md:12: step 2: line 12 `ns1: ping 10.0.0.2` fails after the step's commands",
    );
    expect(failure?.text).toContain("found:    no reply\n");
    expect(failure?.text).toContain("\uFFFD[31m<timeout>");
    expect(cases[1]?.children[0]?.attributes.message).toBe("it needs docker & this lab has none");
    expect(cases[2]?.children[0]?.name).toBe("system-out");
    expect(cases[2]?.children[0]?.text).toContain(
      "warning: step 1: nothing checks that line 9 matters",
    );
  });
});
