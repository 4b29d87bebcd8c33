import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { displayPath } from "../../src/display-path.js";
import { LessonError, UsageError } from "../../src/errors.js";
import {
  defaultLessonsDir,
  findLesson,
  loadCourse,
  requireCourse,
  shippedLessonsDir,
} from "../../src/load-course.js";
import { testContext } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");
const good = join(root, "test/fixtures/lint/good");
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "course-load-"));
  // The parse cache goes to the test's own directory, never the user's.
  process.env.XDG_CACHE_HOME = join(tmp, "cache");
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("defaultLessonsDir", () => {
  test("./lessons when the current directory has one", () => {
    const cwd = join(tmp, "with");
    mkdirSync(join(cwd, "lessons"), { recursive: true });
    expect(defaultLessonsDir(cwd)).toBe(join(cwd, "lessons"));
  });
  test("else the course shipped in the package", () => {
    const cwd = join(tmp, "without");
    mkdirSync(cwd, { recursive: true });
    expect(defaultLessonsDir(cwd)).toBe(shippedLessonsDir());
    expect(shippedLessonsDir()).toBe(join(root, "lessons"));
  });
});

describe("loadCourse", () => {
  test("loads a directory with course.yaml", async () => {
    const { course, problems } = await loadCourse({ cwd: root, lessons: good });
    expect(problems).toEqual([]);
    expect(course.title).toBe("Fixture course");
    expect(course.lessons.map((l) => l.id)).toEqual(["two-namespaces", "bridge"]);
  });

  test("a file is parsed in its directory's course, only it is returned", async () => {
    const { course, problems } = await loadCourse({
      cwd: root,
      paths: ["test/fixtures/lint/good/02-bridge.md"],
    });
    expect(problems).toEqual([]);
    expect(course.lessons.map((l) => [l.position, l.id, l.requires])).toEqual([
      [2, "bridge", ["two-namespaces"]],
    ]);
  });

  test("lesson names are resolved in the course", async () => {
    const { course } = await loadCourse({
      cwd: root,
      lessons: good,
      paths: ["bridge", "lesson-1"],
    });
    expect(course.lessons.map((l) => l.id)).toEqual(["two-namespaces", "bridge"]);
  });

  test("a missing path or a non-Markdown file is a usage error", async () => {
    await expect(loadCourse({ cwd: root, paths: ["nope/x.md"] })).rejects.toThrow(UsageError);
    await expect(loadCourse({ cwd: root, paths: ["package.json"] })).rejects.toThrow(
      "package.json is not a lesson: lessons are Markdown files ending in .md",
    );
    await expect(loadCourse({ cwd: root, lessons: join(tmp, "absent") })).rejects.toThrow(
      /cannot read the lessons directory .*absent: no such file or directory/,
    );
  });

  test("a file that cannot be read is a problem with its path; an empty course is one too", async () => {
    const dir = join(tmp, "unreadable");
    mkdirSync(join(dir, "01-a-directory.md"), { recursive: true });
    const { problems } = await loadCourse({ cwd: tmp, lessons: dir });
    expect(problems.map((p) => [p.file, p.line, p.message])).toEqual([
      [
        join(dir, "01-a-directory.md"),
        1,
        `cannot read ${join(dir, "01-a-directory.md")}: it is a directory, not a regular file: keep only Markdown files (and course.yaml) in the lessons directory`,
      ],
    ]);
    const empty = join(tmp, "empty");
    mkdirSync(empty);
    const none = await loadCourse({ cwd: tmp, lessons: empty });
    expect(none.problems.map((p) => p.rule)).toEqual(["no-lessons"]);
  });
});

describe("the parse cache", () => {
  test("an unchanged course is read from the cache; any change to a lesson is parsed again", async () => {
    const dir = join(tmp, "cached");
    mkdirSync(dir);
    const file = join(dir, "01-a.md");
    writeFileSync(file, "---\ntitle: First\n---\n\n## S\n\n```check\nnetns a\n```\n");
    const cacheDir = join(tmp, "cache", "course");
    const first = await loadCourse({ cwd: tmp, lessons: dir, cacheDir });
    expect(first.course.lessons[0]?.title).toBe("First");
    const again = await loadCourse({ cwd: tmp, lessons: dir, cacheDir });
    expect(again).toEqual(first);
    writeFileSync(file, "---\ntitle: Second, longer\n---\n\n## S\n\n```check\nnetns a\n```\n");
    const changed = await loadCourse({ cwd: tmp, lessons: dir, cacheDir });
    expect(changed.course.lessons[0]?.title).toBe("Second, longer");
    writeFileSync(join(dir, "02-b.md"), "---\ntitle: B\n---\n");
    const added = await loadCourse({ cwd: tmp, lessons: dir, cacheDir });
    expect(added.course.lessons.map((l) => l.id)).toEqual(["a", "b"]);
    expect(added.problems.map((p) => p.rule)).toEqual(["no-steps"]);
    const uncached = await loadCourse({ cwd: tmp, lessons: dir });
    expect(uncached).toEqual(added);
  });

  test("a parse is kept in memory for this process (`course serve` loads on every request) and on disk for the next", async () => {
    const dir = join(tmp, "remembered");
    mkdirSync(dir);
    const file = join(dir, "01-a.md");
    writeFileSync(file, "---\ntitle: First\n---\n\n## S\n\n```check\nnetns a\n```\n");
    const cacheDir = join(tmp, "cache-remembered", "course");
    const first = await loadCourse({ cwd: tmp, lessons: dir, cacheDir });
    // Unchanged: the very same result, neither parsed nor read again.
    expect((await loadCourse({ cwd: tmp, lessons: dir, cacheDir })).course).toBe(first.course);
    // Another process finds it on disk: a copy of the cache file, altered, is what it reads.
    const [name] = readdirSync(cacheDir);
    const cached = JSON.parse(readFileSync(join(cacheDir, name ?? ""), "utf8"));
    cached.course.lessons[0].title = "Read from the disk cache";
    const otherDir = join(tmp, "cache-other", "course");
    mkdirSync(otherDir, { recursive: true });
    writeFileSync(join(otherDir, name ?? ""), JSON.stringify(cached));
    const fromDisk = await loadCourse({ cwd: tmp, lessons: dir, cacheDir: otherDir });
    expect(fromDisk.course.lessons[0]?.title).toBe("Read from the disk cache");
    // A changed lesson is parsed again, in memory as on disk.
    writeFileSync(file, "---\ntitle: Changed\n---\n\n## S\n\n```check\nnetns a\n```\n");
    const changed = await loadCourse({ cwd: tmp, lessons: dir, cacheDir });
    expect(changed.course.lessons[0]?.title).toBe("Changed");
  });
});

describe("requireCourse", () => {
  test("returns the course when it has no errors (warnings are fine)", async () => {
    const dir = join(tmp, "warn");
    mkdirSync(dir);
    writeFileSync(join(dir, "01-a.md"), "---\ntitle: A\n---\n\n## No check\n\n```sh\ntrue\n```\n");
    const course = await requireCourse(testContext(tmp, dir));
    expect(course.lessons).toHaveLength(1);
  });

  test("COURSE_TIMEOUT_SCALE multiplies lesson and fence timeouts (a slow lab); else as written", async () => {
    const dir = join(tmp, "timeouts");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "01-a.md"),
      "---\ntitle: A\ntimeout: 20\n---\n\n## One\n\n```sh timeout=5\nip netns add a\n```\n\n```check\nnetns a\n```\n",
    );
    const read = async (scale?: string) => {
      const ctx = testContext(tmp, dir);
      if (scale !== undefined) ctx.env.COURSE_TIMEOUT_SCALE = scale;
      const lesson = (await requireCourse(ctx)).lessons[0];
      return [lesson?.timeout, lesson?.steps[0]?.commands[0]?.options.timeout];
    };
    expect(await read()).toEqual([20, 5]);
    expect(await read("4")).toEqual([80, 20]);
    expect(await read("nonsense")).toEqual([20, 5]);
    expect(await read("0.5")).toEqual([20, 5]);
  });

  test("throws a LessonError with every error, paths relative to cwd", async () => {
    const ctx = testContext(root, "test/fixtures/lint/bad");
    const error = await requireCourse(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LessonError);
    const problems = (error as LessonError).problems;
    expect(problems.every((p) => p.severity === "error")).toBe(true);
    expect(problems).toHaveLength(22);
    expect(problems[0]?.file.startsWith("test/fixtures/lint/bad/")).toBe(true);
    expect((error as LessonError).message).toBe(
      "the course has 22 errors; nothing was run (see `course lint`)",
    );
  });
});

describe("findLesson", () => {
  test("by position, lesson-N, id, file name and path", async () => {
    const { course } = await loadCourse({ cwd: root, lessons: good });
    const id = (name: string) => findLesson(course, name).id;
    expect(id("2")).toBe("bridge");
    expect(id("lesson-1")).toBe("two-namespaces");
    expect(id("bridge")).toBe("bridge");
    expect(id("02-bridge.md")).toBe("bridge");
    expect(id("02-bridge")).toBe("bridge");
    expect(id(join(good, "01-two-namespaces.md"))).toBe("two-namespaces");
  });

  test("an unknown name is a usage error with did-you-mean and the valid names", async () => {
    const { course } = await loadCourse({ cwd: root, lessons: good });
    const error = (() => {
      try {
        findLesson(course, "brigde");
      } catch (e) {
        return e;
      }
    })() as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('no lesson named `brigde` (did you mean "bridge"?)');
    expect(error.hint).toBe(
      "name a lesson by position, id or path: lesson-1 (two-namespaces), lesson-2 (bridge)",
    );
    expect(() => findLesson(course, "lesson-9")).toThrow(UsageError);
  });
});

test("displayPath is relative inside cwd only", () => {
  expect(displayPath("/a/b/c.md", "/a")).toBe("b/c.md");
  expect(displayPath("/x/c.md", "/a")).toBe("/x/c.md");
});
