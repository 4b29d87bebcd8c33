/**
 * Records every module a Node process loads, one URL a line, into the file named by
 * $COURSE_IMPORT_TRACE: `NODE_OPTIONS=--import=THIS_FILE`. Used to prove that a command keeps
 * a heavy library (execa, the shell parser) off its start-up path. This file is both the
 * preload (main thread: registers the hooks) and the hooks module (loader thread).
 */
import { appendFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

if (isMainThread && process.env.COURSE_IMPORT_TRACE !== undefined) {
  const { register } = await import("node:module");
  register(import.meta.url);
}

/** The loader hook: note the module, then resolve it as Node would. */
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const trace = process.env.COURSE_IMPORT_TRACE;
  if (trace !== undefined) appendFileSync(trace, `${resolved.url}\n`);
  return resolved;
}
