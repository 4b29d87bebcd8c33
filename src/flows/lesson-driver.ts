/**
 * The real parts behind `course test`: fresh ephemeral labs, fences run as `course run` runs
 * them, and the check evaluator.
 */
import type { CommandContext } from "../cli/context.js";
import { LabError } from "../errors.js";
import type { LessonDriver } from "./test-lesson.js";

/** The driver for the lab chosen by `--lab` / `COURSE_LAB`. */
export async function defaultDriver(_ctx: CommandContext): Promise<LessonDriver> {
  // Wired to src/lab/open-lab.ts and src/flows/verify.ts as soon as they land.
  throw new LabError("labs are not available in this build yet");
}
