/**
 * Lesson and course files that are not what they seem (issue 13 item 7): a FIFO, links to
 * /dev/zero and /dev/urandom, a 381 MB file, a FIFO course.yaml, and 1 MB of pathological
 * nesting. Every command that reads the course answers at once with a located problem (exit 2),
 * never a hang, a stack trace or gigabytes of memory.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { tooDeeplyNested } from "../../src/lesson/nesting-depth.js";
import { parseLesson } from "../../src/lesson/parse-lesson.js";
import { runTool } from "../helpers/tool.js";

const repo = resolve(import.meta.dirname, "../..");
const bin = join(repo, "dist/bin.js");
const dir = mkdtempSync(join(tmpdir(), "course-bad-files-"));

function course(lessons: string, args: string[]) {
  const started = performance.now();
  const r = runTool(process.execPath, [bin, "--lessons", lessons, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      COURSE_STATE_DIR: join(dir, "state"),
      COURSE_RUNTIME_DIR: join(dir, "runtime"),
      XDG_CACHE_HOME: join(dir, "cache"),
      NO_COLOR: "1",
    },
    timeout: 30_000,
  });
  // Problems go to stdout (lint) or stderr (the others): look at both.
  return { status: r.code, stderr: `${r.stdout}${r.stderr}`, ms: performance.now() - started };
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("run `npm run build` first: these tests run dist/bin.js");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const head = "---\ntitle: Deep\n---\n\n## Step\n\n";

/** 1 MB of each shape of nesting, the staircase being the one the per-line check missed. */
function pathological(): Record<string, string> {
  let staircase = "";
  for (let i = 0; staircase.length < 1_000_000; i++) staircase += `${"  ".repeat(i)}- x\n`;
  return {
    staircase,
    "one line of list markers": `${"- ".repeat(500_000)}x\n`,
    "one line of quotes": `${"> ".repeat(500_000)}x\n`,
    "numbered staircase": Array.from({ length: 1400 }, (_, i) => `${"   ".repeat(i)}1. x\n`).join(
      "",
    ),
  };
}

test("lint, list, status, verify and test refuse a FIFO, /dev/zero, /dev/urandom and a 381 MB lesson at once", () => {
  const lessons = join(dir, "course");
  mkdirSync(lessons);
  copyFileSync(join(repo, "lessons/01-namespaces.md"), join(lessons, "01-namespaces.md"));
  expect(runTool("mkfifo", [join(lessons, "02-fifo.md")]).code).toBe(0);
  symlinkSync("/dev/zero", join(lessons, "03-zero.md"));
  symlinkSync("/dev/urandom", join(lessons, "04-random.md"));
  writeFileSync(join(lessons, "05-huge.md"), "");
  truncateSync(join(lessons, "05-huge.md"), 381 * 1024 * 1024); // sparse: no disk used
  for (const args of [["lint"], ["list"], ["status"], ["verify", "1"], ["test"]]) {
    const r = course(lessons, args);
    expect(r.status, args[0]).toBe(2);
    expect(r.stderr, args[0]).not.toMatch(/bug in course|\n\s+at /);
    if (args[0] !== "list") {
      expect(r.stderr).toContain(
        `${lessons}/02-fifo.md:1:1: error: cannot read ${lessons}/02-fifo.md: it is a FIFO (named pipe), not a regular file`,
      );
      expect(r.stderr).toContain(`03-zero.md: it is a character device, not a regular file`);
      expect(r.stderr).toContain(`04-random.md: it is a character device, not a regular file`);
      expect(r.stderr).toContain(
        `05-huge.md:1:1: error: the file is 381.0 MB; a lesson may be at most 1 MB`,
      );
    }
  }
  // Named on the command line, they are refused as arguments.
  const named = course(lessons, ["lint", join(lessons, "02-fifo.md")]);
  expect(named.status).toBe(2);
  expect(named.stderr).toMatch(/02-fifo\.md is a FIFO \(named pipe\), not a lesson file/);
});

test("a FIFO course.yaml is a located problem, not a hang", () => {
  const lessons = join(dir, "yaml");
  mkdirSync(lessons);
  copyFileSync(join(repo, "lessons/01-namespaces.md"), join(lessons, "01-namespaces.md"));
  expect(runTool("mkfifo", [join(lessons, "course.yaml")]).code).toBe(0);
  const r = course(lessons, ["lint"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/course\.yaml:1:1: error: cannot read .*course\.yaml: it is a FIFO/);
});

test("1 MB of pathological nesting is refused at its line in well under a second", () => {
  for (const [shape, body] of Object.entries(pathological())) {
    const started = performance.now();
    const { lesson, problems } = parseLesson(`${head}${body}`, { file: "deep.md" });
    const ms = performance.now() - started;
    expect(lesson, shape).toBeUndefined();
    expect(
      problems.map((p) => p.rule),
      shape,
    ).toEqual(["too-deeply-nested"]);
    // The parser took minutes on the staircase; the pre-scan stops at depth 33.
    expect(ms, shape).toBeLessThan(1000);
  }
  const lessons = join(dir, "deep");
  mkdirSync(lessons);
  writeFileSync(join(lessons, "01-deep.md"), `${head}${pathological().staircase}`);
  const r = course(lessons, ["lint"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(
    /01-deep\.md:39:\d+: error: blockquotes and lists are nested more than 32 deep/,
  );
});

test("the nesting pre-scan leaves real documents alone: fences, blank lines, lazy lines, siblings", () => {
  const fine = [
    "- a\n  - b\n    - c\n\n    more of c\n- d\n",
    `${Array.from({ length: 2000 }, (_, i) => `- item ${i}`).join("\n")}\n`,
    `- a\nlazy line\n  - b\n\n${"```yaml\n"}${Array.from({ length: 100 }, (_, i) => `${" ".repeat(i * 2)}- k${i}:`).join("\n")}\n${"```"}\n`,
    `${Array.from({ length: 30 }, (_, i) => `${"  ".repeat(i)}- level ${i}`).join("\n")}\n`,
    "> - a\n>   - b\n> > quoted\n",
  ];
  for (const text of fine) expect(tooDeeplyNested(text.split("\n")), text).toBeUndefined();
  const deep = `${Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}- level ${i}`).join("\n")}\n`;
  expect(tooDeeplyNested(deep.split("\n"))).toEqual({ line: 33, column: 67 });
});
