/**
 * What a lesson's design leaves alone: the namespaces its setup builds and its solution never
 * touches (lesson 5's `internet`, which "never gets such a route"). The diagnosis of a failed
 * check must not advise changing them: the fix the lesson wants is elsewhere.
 */
import type { Lesson } from "./types.js";

/** Words of shell code, as a namespace name would appear in it (`ip -n internet …`, `"c1"`). */
function words(code: string): Set<string> {
  return new Set(code.split(/[^A-Za-z0-9_.@:+-]+/).filter((w) => w !== ""));
}

/**
 * A predicate over namespace names (null = the lab host): true for a namespace that the
 * lesson's setup names and that no command of its solution (every non-`show` command of every
 * step) names. Conservative: a name built at run time (`"c$n"`) is never seen in the setup, so
 * it is never called left alone; the lab host is never left alone, since solutions run there.
 */
export function leftAloneByLesson(lesson: Lesson): (ns: string | null) => boolean {
  const setup = words(lesson.setup.map((c) => c.code).join("\n"));
  const solution = words(
    lesson.steps
      .flatMap((s) => s.commands.filter((c) => !c.options.setup && !c.options.show))
      .map((c) => c.code)
      .join("\n"),
  );
  return (ns) => ns !== null && setup.has(ns) && !solution.has(ns);
}
