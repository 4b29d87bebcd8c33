/**
 * `course new NAME [--lessons DIR]`: write the next numbered lesson, a small complete one (front
 * matter, introduction, one step with one command, one check and a hint) that passes `course
 * lint` and `course test --mutate --strict` as created, so an author starts from green.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { CommandContext } from "../context.js";
import { displayPath } from "../display-path.js";
import { UsageError } from "../errors.js";

/** Ids an author may choose: lowercase words joined by `-`, the form lesson files use. */
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Network namespace names are at most 255 bytes, but a short one reads better in a lesson. */
const MAX_NAME = 40;

/** The lesson text `course new` writes for `name`. */
export function newLessonText(name: string): string {
  const words = name.replace(/-/g, " ");
  const title = words.charAt(0).toUpperCase() + words.slice(1);
  return `---
title: ${title}
---

Say here what this lesson builds and why it matters. Everything before the first \`##\`
heading is the introduction.

## Create the ${name} namespace

Each \`##\` heading starts a step. The \`sh\` fence is the step's solution: the learner types
it, \`course run\` runs it, and \`course test\` proves it.

\`\`\`sh
ip netns add ${name}
\`\`\`

> Hint: \`ip netns add NAME\` creates a network namespace; \`ip netns list\` shows them.

The \`check\` fence says what is true once the step is done. It must fail before the step's
commands and pass after them; \`course test\` proves both.

\`\`\`check
netns ${name}
\`\`\`
`;
}

/** `course new`: see the module comment. Returns the exit code. */
export async function newCommand(ctx: CommandContext, name: string): Promise<number> {
  if (!NAME.test(name) || name.length > MAX_NAME) {
    throw new UsageError(
      `\`${name}\` is not a lesson name: expected lowercase letters and digits in words joined by \`-\`, starting with a letter, at most ${MAX_NAME} characters`,
      { hint: "e.g. `course new port-mapping`" },
    );
  }
  // Without --lessons: ./lessons (created when missing), never the course shipped inside course.
  const dir = resolve(ctx.cwd, ctx.global.lessons ?? "lessons");
  await mkdir(dir, { recursive: true });
  const names = await readdir(dir);
  const taken = names.find((n) => n.replace(/^\d+-/, "").replace(/\.md$/i, "") === name);
  if (taken !== undefined) {
    throw new UsageError(
      `a lesson named \`${name}\` already exists: ${displayPath(join(dir, taken), ctx.cwd)}`,
      { hint: "choose another name, or edit that lesson" },
    );
  }
  let last = 0;
  let width = 2;
  for (const n of names) {
    const m = /^(\d+)-.*\.md$/i.exec(n);
    if (m?.[1] === undefined) continue;
    last = Math.max(last, Number(m[1]));
    width = Math.max(width, m[1].length);
  }
  const file = join(dir, `${String(last + 1).padStart(width, "0")}-${name}.md`);
  try {
    await writeFile(file, newLessonText(name), { flag: "wx" });
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") {
      throw new UsageError(`${displayPath(file, ctx.cwd)} already exists; not overwriting it`);
    }
    throw error;
  }
  const shown = displayPath(file, ctx.cwd);
  ctx.stdout.write(
    `created ${shown}\nnext: edit it, then \`course lint ${shown}\` and \`course test ${shown}\` (add --mutate to test the checks)\n`,
  );
  return 0;
}
