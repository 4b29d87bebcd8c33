/**
 * The file-system side of lessons: which course to use, reading its files, and turning a
 * learner's lesson name into a `Lesson`. Parsing itself is pure (`src/lesson/`), and is imported
 * only when a course is actually loaded, so that `course --help` stays fast.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandContext } from "./context.js";
import { displayPath } from "./display-path.js";
import { LessonError, UsageError } from "./errors.js";
import { MAX_LESSON_BYTES, tooLargeMessage } from "./lesson/decode-lesson.js";
import { suggestion } from "./lesson/did-you-mean.js";
import type { CourseSource, LessonSource } from "./lesson/parse-course.js";
import type { Course, Lesson, Problem } from "./lesson/types.js";
import { cacheDir } from "./paths.js";
import { fileKind, readRegularFile } from "./read-regular-file.js";
import { writeAtomically } from "./write-atomically.js";

/** The course shipped inside the package: `lessons/` next to `dist/`. */
export function shippedLessonsDir(): string {
  return fileURLToPath(new URL("../lessons/", import.meta.url)).replace(/[\\/]$/, "");
}

/** `./lessons` when the current directory has one, else the course shipped with `course`. */
export function defaultLessonsDir(cwd: string): string {
  const local = join(cwd, "lessons");
  try {
    if (statSync(local).isDirectory()) return local;
  } catch {
    // No ./lessons: use the shipped course.
  }
  return shippedLessonsDir();
}

export interface LoadCourseOptions {
  /** `--lessons DIR`; default: `defaultLessonsDir(cwd)`. */
  lessons?: string;
  cwd: string;
  /**
   * Reuse the last parse of an unchanged directory, kept in this directory (the CLI passes
   * `cacheDir(env)`: `$XDG_CACHE_HOME/course`). `course lint` passes none so that it always
   * parses. @default none: always parse
   */
  cacheDir?: string;
  /**
   * Lesson files, directories, or lesson names (`lesson-3`, `3`, an id). Files are parsed in
   * the context of their directory's course (so `requires` resolves), but only the named
   * lessons are returned and only their problems reported. Default: the whole course.
   */
  paths?: string[];
}

function problemAt(file: string, rule: string, message: string): Problem {
  return { file, line: 1, column: 1, severity: "error", rule, message };
}

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}

function notRegular(file: string, kind: string): string {
  return `cannot read ${file}: it is ${kind}, not a regular file: keep only Markdown files (and course.yaml) in the lessons directory`;
}

/** Read a lessons directory: every `*.md` file and `course.yaml`. */
async function readCourseDir(dir: string): Promise<{ source: CourseSource; problems: Problem[] }> {
  const problems: Problem[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new UsageError(`cannot read the lessons directory ${dir}: ${reason(error)}`, {
      hint: "pass an existing directory with --lessons DIR",
    });
  }
  const mdNames = names.filter((n) => n.toLowerCase().endsWith(".md") && !/^readme\.md$/i.test(n));
  const lessons: LessonSource[] = await Promise.all(
    mdNames.map(async (name): Promise<LessonSource> => {
      const file = join(dir, name);
      try {
        const read = await readRegularFile(file, MAX_LESSON_BYTES);
        if ("bytes" in read) return { file, contents: read.bytes };
        return {
          file,
          problem:
            "kind" in read
              ? problemAt(file, "not-a-regular-file", notRegular(file, read.kind))
              : problemAt(file, "file-too-large", tooLargeMessage(read.tooLarge)),
        };
      } catch (error) {
        return {
          file,
          problem: problemAt(file, "unreadable-file", `cannot read ${file}: ${reason(error)}`),
        };
      }
    }),
  );
  const source: CourseSource = { dir, lessons };
  const yamlFile = join(dir, "course.yaml");
  try {
    const read = await readRegularFile(yamlFile, MAX_LESSON_BYTES);
    if ("bytes" in read) source.courseYaml = { file: yamlFile, text: read.bytes.toString("utf8") };
    else {
      problems.push(
        "kind" in read
          ? problemAt(yamlFile, "not-a-regular-file", notRegular(yamlFile, read.kind))
          : problemAt(
              yamlFile,
              "file-too-large",
              `course.yaml is ${(read.tooLarge / 1024 / 1024).toFixed(1)} MB; it may be at most ${MAX_LESSON_BYTES / 1024 / 1024} MB`,
            ),
      );
    }
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") {
      problems.push(
        problemAt(yamlFile, "unreadable-file", `cannot read ${yamlFile}: ${reason(error)}`),
      );
    }
  }
  return { source, problems };
}

/** A parsed course is far smaller than its lessons (at most 1 MB each); anything bigger is not ours. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** Bump when the cached shape changes. */
const CACHE_FORMAT = 1;

/**
 * What a parse of `dir` depends on: every lesson file and `course.yaml` (name, size, mtime,
 * ctime) and the parser's own files (so a new build never reads an old result).
 */
async function cacheKey(dir: string): Promise<string | undefined> {
  try {
    const hash = createHash("sha256").update(`${CACHE_FORMAT}\0${dir}\0`);
    // The check kinds' grammar is part of the parser too.
    const parserDir = fileURLToPath(new URL("./lesson/", import.meta.url));
    const kindsDir = fileURLToPath(new URL("./checks/kinds/", import.meta.url));
    for (const [base, names] of [
      [dir, (await readdir(dir)).sort()],
      [parserDir, (await readdir(parserDir)).sort()],
      [kindsDir, (await readdir(kindsDir)).sort()],
    ] as const) {
      for (const name of names) {
        if (base === dir && !/\.md$/i.test(name) && name !== "course.yaml") continue;
        const info = await stat(join(base, name));
        hash.update(`${base}/${name}\0${info.size}\0${info.mtimeMs}\0${info.ctimeMs}\0`);
      }
    }
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

/**
 * The last parse of each directory, by cache file, in this process: a long-lived `course serve`
 * loads the course on every request, and an unchanged directory (same key) is not read again.
 * Shared, so never changed by its users.
 */
const lastParse = new Map<
  string,
  { key: string; parsed: { course: Course; problems: Problem[] } }
>();

async function parseDir(
  dir: string,
  cacheDir: string | undefined,
): Promise<{ course: Course; problems: Problem[] }> {
  // The parser (unified, micromark, yaml) is most of `course list`'s start-up: when nothing
  // changed since the last run, reuse its result instead of loading it.
  const key = cacheDir !== undefined ? await cacheKey(dir) : undefined;
  const cacheFile = join(
    cacheDir ?? "",
    `parse-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.json`,
  );
  const remembered = key === undefined ? undefined : lastParse.get(cacheFile);
  if (remembered !== undefined && remembered.key === key) return remembered.parsed;
  const remember = (parsed: { course: Course; problems: Problem[] }) => {
    if (key !== undefined) lastParse.set(cacheFile, { key, parsed });
    return parsed;
  };
  if (key !== undefined) {
    try {
      const read = await readRegularFile(cacheFile, MAX_CACHE_BYTES);
      if (!("bytes" in read)) throw new Error("not a usable cache file");
      const cached = JSON.parse(read.bytes.toString("utf8")) as {
        key: string;
        course: Course;
        problems: Problem[];
      };
      if (cached.key === key) return remember({ course: cached.course, problems: cached.problems });
    } catch {
      // No cache yet, or unreadable: parse.
    }
  }
  const parsed = await parseDirUncached(dir);
  if (key !== undefined) {
    try {
      await mkdir(dirname(cacheFile), { recursive: true });
      await writeAtomically(cacheFile, JSON.stringify({ key, ...parsed }));
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }
  return remember(parsed);
}

async function parseDirUncached(dir: string): Promise<{ course: Course; problems: Problem[] }> {
  const { parseCourse } = await import("./lesson/parse-course.js");
  const read = await readCourseDir(dir);
  const parsed = parseCourse(read.source);
  const problems = [...read.problems, ...parsed.problems];
  if (read.source.lessons.length === 0) {
    problems.push(
      problemAt(
        dir,
        "no-lessons",
        `no lessons in ${dir}: a course is a directory of \`NN-name.md\` files`,
      ),
    );
  }
  return { course: parsed.course, problems };
}

const looksLikePath = (name: string) => /[\\/]/.test(name) || /\.md$/i.test(name);

/**
 * Load and parse a course. Returns every problem (errors and warnings); throws `UsageError`
 * only when there is no course to read (a missing directory, a path that is neither a lesson
 * file, a directory nor a lesson name).
 */
export async function loadCourse(
  options: LoadCourseOptions,
): Promise<{ course: Course; problems: Problem[] }> {
  const { cwd } = options;
  const lessonsDir =
    options.lessons !== undefined ? resolve(cwd, options.lessons) : defaultLessonsDir(cwd);
  const paths = options.paths ?? [];
  const cache = options.cacheDir;
  if (paths.length === 0) return parseDir(lessonsDir, cache);

  // Group the requested lessons by directory; each directory is parsed once as a course.
  const wanted = new Map<string, Set<string> | "all">();
  const want = (dir: string, file?: string) => {
    const current = wanted.get(dir);
    if (file === undefined) wanted.set(dir, "all");
    else if (current === undefined) wanted.set(dir, new Set([file]));
    else if (current !== "all") current.add(file);
  };
  const names: string[] = [];
  for (const path of paths) {
    const full = resolve(cwd, path);
    let info: Awaited<ReturnType<typeof stat>> | undefined;
    try {
      info = await stat(full);
    } catch {
      info = undefined;
    }
    if (info?.isDirectory()) want(full);
    else if (info !== undefined && !info.isFile()) {
      throw new UsageError(`${path} is ${fileKind(info)}, not a lesson file`, {
        hint: "pass lesson files (regular Markdown files), directories, or names (lesson-3, 3, an id)",
      });
    } else if (info?.isFile()) {
      if (!/\.md$/i.test(full)) {
        throw new UsageError(`${path} is not a lesson: lessons are Markdown files ending in .md`);
      }
      want(dirname(full), full);
    } else if (!/[\\/]/.test(path)) {
      // A name, or a bare file name of the course (`03-bridge.md`), as `verify` accepts them.
      names.push(path);
    } else {
      throw new UsageError(`${path}: no such lesson file or directory`, {
        hint: "pass lesson files, directories, or names (lesson-3, 3, an id)",
      });
    }
  }
  if (names.length > 0) {
    const { course } = await parseDir(lessonsDir, cache);
    for (const name of names) want(lessonsDir, findLesson(course, name).file);
  }

  const result: Course = { dir: [...wanted.keys()][0] ?? lessonsDir, lessons: [] };
  const problems: Problem[] = [];
  for (const [dir, files] of wanted) {
    const parsed = await parseDir(dir, cache);
    if (result.title === undefined && parsed.course.title !== undefined) {
      result.title = parsed.course.title;
    }
    if (result.summary === undefined && parsed.course.summary !== undefined) {
      result.summary = parsed.course.summary;
    }
    const keep = (file: string) => files === "all" || files.has(file);
    result.lessons.push(...parsed.course.lessons.filter((l) => keep(l.file)));
    problems.push(
      ...parsed.problems.filter(
        (p) =>
          keep(p.file) || (files === "all" && (p.file === dir || p.file.startsWith(dir + sep))),
      ),
    );
  }
  return { course: result, problems };
}

/**
 * The course for a command that runs lessons: refuses (throws `LessonError`, exit 2) when any
 * lesson in scope has an error, listing every error with paths relative to the current directory.
 * Warnings are ignored here; `course lint` shows them.
 */
export async function requireCourse(ctx: CommandContext, paths?: string[]): Promise<Course> {
  const options: LoadCourseOptions = { cwd: ctx.cwd, cacheDir: cacheDir(ctx.env) };
  if (ctx.global.lessons !== undefined) options.lessons = ctx.global.lessons;
  if (paths !== undefined) options.paths = paths;
  const { course, problems } = await loadCourse(options);
  const errors = problems
    .filter((p) => p.severity === "error")
    .map((p) => ({ ...p, file: displayPath(p.file, ctx.cwd) }));
  if (errors.length > 0) {
    throw new LessonError(
      errors,
      `the course has ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was run (see \`course lint\`)`,
    );
  }
  return scaleTimeouts(course, ctx.env.COURSE_TIMEOUT_SCALE);
}

/** `COURSE_TIMEOUT_SCALE` as a factor: 1 when unset, empty or not a number above 1. */
export function timeoutScale(scale: string | undefined): number {
  const k = Number(scale);
  return Number.isFinite(k) && k > 1 ? k : 1;
}

/**
 * `COURSE_TIMEOUT_SCALE=N`: every lesson's and fence's timeout times N, for a lab that runs
 * many times slower than the machines lessons are written on (the Vagrant VM under plain QEMU
 * emulation on a busy machine). Unset, empty or not a number above 1: unchanged.
 */
function scaleTimeouts(course: Course, scale: string | undefined): Course {
  const k = timeoutScale(scale);
  if (k === 1) return course;
  // A copy: loadCourse may hand out the same parsed lessons again (its cache).
  const scaled = structuredClone(course);
  for (const lesson of scaled.lessons) {
    lesson.timeout = Math.ceil(lesson.timeout * k);
    const blocks = [...lesson.setup, ...lesson.steps.flatMap((s) => s.commands)];
    for (const block of blocks) {
      if (block.options.timeout !== undefined) {
        block.options.timeout = Math.ceil(block.options.timeout * k);
      }
    }
  }
  return scaled;
}

/**
 * The lesson a learner names: `lesson-3` or `3` (position), its id, its file name, or its path.
 * Throws `UsageError` listing the valid names otherwise.
 */
export function findLesson(course: Course, name: string): Lesson {
  const trimmed = name.trim();
  const position = /^(?:lesson-?)?(\d+)$/i.exec(trimmed);
  if (position) {
    const n = Number(position[1]);
    const found = course.lessons.find((l) => l.position === n);
    if (found) return found;
  }
  const byId = course.lessons.find((l) => l.id === trimmed);
  if (byId) return byId;
  if (looksLikePath(trimmed) || existsSync(trimmed)) {
    const full = resolve(trimmed);
    const byPath = course.lessons.find((l) => l.file === full);
    if (byPath) return byPath;
  }
  const byFile = course.lessons.find(
    (l) => basename(l.file) === trimmed || basename(l.file).replace(/\.md$/i, "") === trimmed,
  );
  if (byFile) return byFile;
  const valid = course.lessons.map((l) => `lesson-${l.position} (${l.id})`);
  const ids = course.lessons.map((l) => l.id);
  throw new UsageError(`no lesson named \`${name}\`${suggestion(trimmed, ids)}`, {
    hint:
      course.lessons.length === 0
        ? `the course in ${course.dir} has no lessons`
        : `name a lesson by position, id or path: ${valid.join(", ")}`,
  });
}
