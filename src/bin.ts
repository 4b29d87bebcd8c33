#!/usr/bin/env node
/**
 * The only place that parses argv, turns errors into messages and sets the exit code.
 * Command modules are imported lazily so that `course --help` stays close to `node -e 0`.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import type { CommandContext, GlobalOptions } from "./context.js";
import { CourseError, ExitCode, LessonError } from "./errors.js";

const EXIT_CODES = `
Exit codes:
  0  ok
  1  checks failed (or a lesson test failed)
  2  usage error or lesson format error
  3  lesson locked: finish the lessons it requires first
  4  lab unavailable (namespaces, ssh or vagrant)
  5  progress cannot be read or saved (state dir: permissions, read-only, full)
  130 interrupted (Ctrl-C); lab and progress are kept

Environment:
  COURSE_LAB          default for --lab
  COURSE_STATE_DIR    where progress is kept
  COURSE_RUNTIME_DIR  where lab records are kept
  COURSE_SSH_OPTS     extra options for ssh labs
  COURSE_VAGRANT_DIR  where the Vagrantfile of the vagrant lab is
  COURSE_TIMEOUT_SCALE  multiply lesson timeouts (a slow lab, e.g. a VM under emulation)
  NO_COLOR, FORCE_COLOR`;

function context(program: Command): CommandContext {
  const g = program.opts<{ lessons?: string; lab?: string; debug?: boolean; color?: boolean }>();
  const global: GlobalOptions = { debug: g.debug === true };
  if (g.lessons !== undefined) global.lessons = g.lessons;
  const lab = g.lab ?? process.env.COURSE_LAB;
  if (lab !== undefined && lab !== "") global.lab = lab;
  if (g.color !== undefined) global.color = g.color;
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    global,
  };
}

function build(): Command {
  const program = new Command("course")
    .description("Tutorial runner with verifiable steps: Markdown lessons, disposable Linux labs.")
    .version(VERSION, "-V, --version")
    .option(
      "--lessons <dir>",
      "the course directory (default: ./lessons if present, else the shipped course)",
    )
    .option(
      "--lab <lab>",
      "sandbox | host | vagrant | ssh://USER@HOST[:PORT] (default: $COURSE_LAB or sandbox)",
    )
    .option("--debug", "print every lab round trip")
    .option("--color", "force colour")
    .option("--no-color", "no colour")
    .showHelpAfterError("(run `course --help` for usage)")
    .addHelpText("after", EXIT_CODES)
    .exitOverride();

  const exit = (code: number) => {
    process.exitCode = code;
  };

  program
    .command("lint")
    .description("check lessons against the lesson format; report every problem at once")
    .argument("[paths...]", "lesson files or directories (default: the course)")
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json"]).default("text"),
    )
    .action(async (paths: string[], opts: { format: "text" | "json" }) => {
      const { lintCommand } = await import("./cli/lint.js");
      exit(await lintCommand(context(program), paths, opts));
    });

  program
    .command("list")
    .description("list the lessons: position, id, title, steps, progress")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const { listCommand } = await import("./cli/list.js");
      exit(await listCommand(context(program), { json: opts.json === true }));
    });

  program
    .command("status")
    .description("show progress: done, open and locked lessons, with step progress")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const { statusCommand } = await import("./cli/status.js");
      exit(await statusCommand(context(program), { json: opts.json === true }));
    });

  program
    .command("start")
    .description("the guided flow: resume the first unfinished lesson, or start LESSON")
    .argument("[lesson]", "lesson-3, 3, an id or a path")
    .option("--split", "tmux: the step's text in a pane beside the flow, updated as steps pass")
    .action(async (lesson: string | undefined, opts: { split?: boolean }) => {
      const { startCommand } = await import("./cli/start.js");
      exit(await startCommand(context(program), lesson, { split: opts.split === true }));
    });

  program
    .command("step-view", { hidden: true })
    .description("the step pane of `course start --split` (follows FILE)")
    .argument("<file>", "the state file the guided flow writes")
    .action(async (file: string) => {
      const { stepViewCommand } = await import("./cli/step-view.js");
      exit(await stepViewCommand(context(program), file));
    });

  program
    .command("verify")
    .description("check your work in a lesson's lab; exits 0 when every check passes")
    .argument("[lesson]", "lesson-3, 3, an id or a path (default: the current lesson)")
    .option("--json", "machine-readable output")
    .action(async (lesson: string | undefined, opts: { json?: boolean }) => {
      const { verifyCommand } = await import("./cli/verify.js");
      exit(await verifyCommand(context(program), lesson, { json: opts.json === true }));
    });

  program
    .command("hint")
    .description("show the next hint of a step")
    .argument("<lesson>", "lesson-3, 3, an id or a path")
    .argument("[step]", "step number (default: the first step not yet passed)")
    .action(async (lesson: string, step: string | undefined) => {
      const { hintCommand } = await import("./cli/hint.js");
      exit(await hintCommand(context(program), lesson, step));
    });

  program
    .command("run")
    .description("run every command of a lesson in its lab, then verify")
    .argument("<lesson>", "lesson-3, 3, an id or a path")
    .option("--count", "count the lesson as complete when it passes")
    .option("--graph", "draw the lab after each step")
    .action(async (lesson: string, opts: { count?: boolean; graph?: boolean }) => {
      const { runCommand } = await import("./cli/run.js");
      exit(
        await runCommand(context(program), lesson, {
          count: opts.count === true,
          graph: opts.graph === true,
        }),
      );
    });

  program
    .command("reset")
    .description("destroy a lesson's lab (or all labs); --progress also forgets progress")
    .argument("[lesson]", "lesson-3, 3, an id or a path")
    .option("--all", "every lab of this user")
    .option("--progress", "also forget the lesson's progress")
    .action(async (lesson: string | undefined, opts: { all?: boolean; progress?: boolean }) => {
      const { resetCommand } = await import("./cli/reset.js");
      exit(
        await resetCommand(context(program), lesson, {
          all: opts.all === true,
          progress: opts.progress === true,
        }),
      );
    });

  program
    .command("shell")
    .description("open a shell in a lesson's lab (created on demand), or run -c COMMAND")
    .argument("[lesson]", "lesson-3, 3, an id or a path (default: the current lesson)")
    .option("-c, --command <command>", "run COMMAND and exit with its status")
    .action(async (lesson: string | undefined, opts: { command?: string }) => {
      const { shellCommand } = await import("./cli/shell.js");
      exit(await shellCommand(context(program), lesson, opts.command));
    });

  program
    .command("doctor")
    .description("check that this machine can run labs, and print the fix for each problem")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const { doctorCommand } = await import("./cli/doctor.js");
      exit(await doctorCommand(context(program), { json: opts.json === true }));
    });

  program
    .command("test")
    .description("prove lessons: each step's checks fail before and pass after its commands")
    .argument("[paths...]", "lesson files, directories or names (default: the course)")
    .option("-j, --jobs <n>", "lessons in parallel (default: number of CPUs)")
    .addOption(
      new Option("--reporter <reporter>", "output format")
        .choices(["pretty", "tap", "junit", "json"])
        .default("pretty"),
    )
    .option("--bail", "stop at the first failing lesson")
    .option("--mutate", "leave out each command in turn; report commands no check depends on")
    .option("--strict", "with --mutate: unchecked commands are errors")
    .option("--watch", "rerun a lesson when its file changes")
    .option(
      "--fallback-lab <lab>",
      "run lessons whose needs the lab lacks (vlan, docker…) in this lab instead, e.g. vagrant",
    )
    .action(
      async (
        paths: string[],
        opts: {
          fallbackLab?: string;
          jobs?: string;
          reporter: "pretty" | "tap" | "junit" | "json";
          bail?: boolean;
          mutate?: boolean;
          strict?: boolean;
          watch?: boolean;
        },
      ) => {
        const { testCommand } = await import("./cli/test.js");
        exit(await testCommand(context(program), paths, opts));
      },
    );

  program
    .command("new")
    .description("start a new lesson that passes lint and test as created")
    .argument("<name>", "the lesson's id, e.g. port-mapping")
    .action(async (name: string) => {
      const { newCommand } = await import("./cli/new.js");
      exit(await newCommand(context(program), name));
    });

  program
    .command("graph")
    .description("draw a lesson's lab as it is now")
    .argument("[lesson]", "lesson-3, 3, an id or a path (default: the current lesson)")
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["text", "mermaid", "dot", "svg"])
        .default("text"),
    )
    .option("-o, --output <file>", "write to FILE instead of standard output")
    .action(async (lesson: string | undefined, opts: { format: string; output?: string }) => {
      const { graphCommand } = await import("./cli/graph.js");
      exit(await graphCommand(context(program), lesson, opts));
    });

  program
    .command("serve")
    .description("the course in a browser: lessons beside a terminal into their labs")
    .option("--port <n>", "port to listen on; 0 picks a free one", "8765")
    .option(
      "--host <addr>",
      "address to listen on (anything but loopback prints a warning)",
      "127.0.0.1",
    )
    .option("--no-open", "do not open the browser")
    .action(async (opts: { port: string; host: string; open: boolean }) => {
      const { serveCommand } = await import("./cli/serve.js");
      exit(await serveCommand(context(program), opts));
    });

  return program;
}

/** The version in package.json (next to `dist/`): written in one place. */
const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help / version).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof LessonError) {
    for (const p of error.problems) {
      process.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}\n`);
    }
    process.stderr.write(`course: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof CourseError) {
    process.stderr.write(`course: ${error.message}\n`);
    if (error.hint) process.stderr.write(`${error.hint}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    `course: this is a bug in course, not in your work. Please report it with the lines below.\n${detail}\n`,
  );
  return ExitCode.internal;
}

// A reader that went away (`course test | head -1`) ends the command quietly, as it ends `cat`:
// no EPIPE stack trace, and no work on for output nobody reads.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE")
      process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw error;
  });
}

try {
  await build().parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}
