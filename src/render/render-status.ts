/** `course status` for people: a headline, one line a lesson, and what to do next. */
import pc from "picocolors";
import type { StatusLesson, StatusReport } from "../progress/status-report.js";

/** The state word as shown (coloured on a terminal): `done`, `open`, `locked`. */
export function stateWord(lesson: StatusLesson, color: boolean): string {
  const c = pc.createColors(color);
  if (lesson.state === "done") return c.green("done");
  if (lesson.state === "locked") return c.dim("locked");
  return c.yellow(lesson.solvedByRunner ? "open (run)" : "open");
}

/** Steps passed out of the lesson's steps: `1/3`. */
export function stepProgress(lesson: Pick<StatusLesson, "stepsPassed" | "stepCount">): string {
  return `${lesson.stepsPassed}/${lesson.stepCount}`;
}

/** The whole report as text (no trailing newline). */
export function renderStatus(report: StatusReport, color: boolean): string {
  const c = pc.createColors(color);
  const title = report.course.title ?? report.course.dir;
  const lines = [`${c.bold(title)}: ${report.done} of ${report.total} lessons done`, ""];
  const idWidth = Math.max(2, ...report.lessons.map((l) => l.id.length));
  const posWidth = String(report.total).length;
  for (const l of report.lessons) {
    const mark =
      l.state === "done" ? c.green("✓") : l.state === "open" ? c.yellow("▸") : c.dim("·");
    const state = stateWord(l, color);
    // Pad on the visible word, not the escapes.
    const statePad = " ".repeat(Math.max(0, 10 - (l.solvedByRunner ? 10 : l.state.length)));
    const why =
      l.state === "locked"
        ? c.dim(`needs ${l.missing.join(", ")}`)
        : l.solvedByRunner
          ? c.dim("solved by `course run`, not counted")
          : "";
    lines.push(
      `${mark} ${String(l.position).padStart(posWidth)}  ${l.id.padEnd(idWidth)}  ${state}${statePad} ${stepProgress(l).padStart(5)} steps  ${l.title}${why === "" ? "" : `  ${why}`}`,
    );
  }
  lines.push("");
  lines.push(
    report.next === null
      ? c.green("Every lesson is done. Well done!")
      : `Next: ${c.bold(`course start ${report.next.position}`)} (${report.next.title})`,
  );
  return lines.join("\n");
}
