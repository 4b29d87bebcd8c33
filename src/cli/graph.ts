/** `course graph [LESSON] [--format text|mermaid|dot|svg] [--output FILE]`: draw a lesson's lab. */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type CommandContext, debugOption, labIo, useColor, warnOption } from "../context.js";
import { ExitCode, UsageError } from "../errors.js";
import { openLessonLab } from "../flows/lesson-lab.js";
import { readLabGraph, renderGraph } from "../graph/draw-lab.js";
import type { GraphFormat, LabGraph } from "../graph/types.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import type { Course, Lesson } from "../lesson/types.js";
import { findLesson, requireCourse } from "../load-course.js";
import { firstOpenLesson } from "../progress/lesson-states.js";
import { openProgress } from "../progress/open-progress.js";
import { visibleData } from "../render/visible-text.js";

const FORMATS: readonly GraphFormat[] = ["text", "mermaid", "dot", "svg"];

export interface GraphOptions {
  /** @default "text" */
  format?: string;
  /** Write here instead of standard output. */
  output?: string;
}

/** What `graph()` found: the lesson, its lab's graph, and the drawing. */
export interface GraphReport {
  lesson: Lesson;
  graph: LabGraph;
  format: GraphFormat;
  drawing: string;
  /** True when the lab did not exist and was created (with its setup) to be drawn. */
  created: boolean;
}

/**
 * The lesson `course graph` draws: the one named, else the current one (the first open lesson
 * in progress order), else lesson 1.
 */
export async function graphLesson(
  ctx: CommandContext,
  course: Course,
  name: string | undefined,
): Promise<Lesson> {
  if (name !== undefined) return findLesson(course, name);
  const progress = await openProgress(ctx).read();
  const lesson = firstOpenLesson(course, progress) ?? course.lessons[0];
  if (lesson === undefined) {
    throw new UsageError(`the course in ${course.dir} has no lessons to draw`);
  }
  return lesson;
}

/** Reads the lesson's lab (created on demand, as `course shell` does) and draws it. */
export async function graph(
  ctx: CommandContext,
  name: string | undefined,
  options: GraphOptions = {},
): Promise<GraphReport> {
  const format = (options.format ?? "text") as GraphFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(
      `unknown graph format \`${options.format}\`: expected one of ${FORMATS.join(", ")}`,
    );
  }
  const course = await requireCourse(ctx);
  const lesson = await graphLesson(ctx, course, name);
  const opened = await openLessonLab({
    spec: labSpecFromOption(ctx.global.lab),
    course,
    lesson,
    persistent: true,
    cwd: ctx.cwd,
    ...labIo(ctx),
    ...warnOption(ctx),
    ...debugOption(ctx),
  });
  let graphed: LabGraph;
  try {
    graphed = await readLabGraph(opened.lab);
  } finally {
    await opened.lab.close();
  }
  const toTerminal = options.output === undefined && ctx.stdout.isTTY === true;
  // Names chosen in the lab are drawn as text, never sent as control sequences.
  const drawing = await renderGraph(visibleData(graphed), format, {
    title: `Lab of lesson ${lesson.position} (${lesson.id}): ${lesson.title}`,
    width: toTerminal ? Math.max(40, Math.min(ctx.stdout.columns ?? 80, 120)) : 80,
    color: options.output === undefined && useColor(ctx),
  });
  return { lesson, graph: graphed, format, drawing, created: opened.created };
}

/** The command: prints the drawing, or writes it to `--output`; exit 0. */
export async function graphCommand(
  ctx: CommandContext,
  name: string | undefined,
  options: GraphOptions = {},
): Promise<number> {
  const report = await graph(ctx, name, options);
  if (report.created) {
    ctx.stderr.write(
      `course: lesson ${report.lesson.position} (${report.lesson.id}) had no lab yet; created it with the lesson's starting state\n`,
    );
  }
  if (options.output === undefined) {
    ctx.stdout.write(report.drawing);
  } else {
    const file = resolve(ctx.cwd, options.output);
    try {
      await writeFile(file, report.drawing);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new UsageError(`cannot write the graph to ${options.output}: ${why}`, {
        hint: "check that the directory exists and is writable",
      });
    }
  }
  return ExitCode.ok;
}
