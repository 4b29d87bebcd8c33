/**
 * `course start --split`: the guided flow in one tmux pane, the step in sight in a pane beside it
 * (`course step-view FILE`, src/cli/step-view.ts), redrawn as steps pass. Inside tmux the current
 * window is split; outside, a new tmux session runs this same command (and so splits itself).
 */
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type CommandContext, inputIsTerminal } from "../context.js";
import { UsageError } from "../errors.js";
import { type SplitState, writeSplitState } from "../flows/split-pane.js";
import { ensurePrivateDir } from "../lab/private-dir.js";
import { runProcess } from "../lab/run-process.js";
import { shellJoin } from "../lab/shell-quote.js";
import { runtimeDir } from "../paths.js";

/** The step pane beside the guided flow. */
export interface StepPane {
  /** Show this state (written behind the caller; the latest one wins). */
  update(state: Omit<SplitState, "pid">): void;
  /** Close the pane and remove its state file. */
  close(): Promise<void>;
}

/** Refuse `--split` where it cannot work: no tmux (exit 2, with how to get it), no terminal. */
export async function assertSplitPossible(ctx: CommandContext): Promise<void> {
  const probe = await runProcess("tmux", ["-V"], { env: ctx.env, timeoutMs: 10_000 }).catch(
    () => undefined,
  );
  if (probe === undefined || probe.exitCode !== 0) {
    throw new UsageError("--split needs tmux, which is not installed here", {
      hint: "Install it (apt-get install tmux), or run `course start` without --split.",
    });
  }
  const terminal = inputIsTerminal(ctx) && ctx.stdout.isTTY === true;
  if (!terminal) {
    throw new UsageError("--split needs a terminal", {
      hint: "Run it in a terminal, or leave out --split.",
    });
  }
}

/** Whether this process runs inside tmux (then `--split` splits its window). */
export function insideTmux(ctx: CommandContext): boolean {
  return (ctx.env.TMUX ?? "") !== "";
}

/**
 * Outside tmux: run this very command (`argv`, with --split) in a new tmux session attached to
 * this terminal; resolves to the guided flow's exit status once the session ends.
 */
export async function runInNewTmuxSession(ctx: CommandContext, argv: string[]): Promise<number> {
  const dir = ensurePrivateDir(runtimeDir(ctx.env));
  const statusFile = join(dir, `split-status-${process.pid}`);
  const session = `course-${process.pid}`;
  const inner = `${shellJoin(argv)}; echo $? > ${shellJoin([statusFile])}`;
  // The session's panes get the environment of the tmux server, which may have started long ago:
  // pass ours on (the course's own variables above all).
  const env = Object.entries(ctx.env)
    .filter(([k, v]) => v !== undefined && (k.startsWith("COURSE_") || PASSED_ON.has(k)))
    .flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const child = spawn("tmux", ["new-session", "-s", session, ...env, inner], {
    stdio: "inherit",
    env: ctx.env,
  });
  const tmuxStatus = await new Promise<number>((resolve) => {
    child.on("error", () => resolve(1));
    child.on("exit", (code) => resolve(code ?? 1));
  });
  try {
    const text = await readFile(statusFile, "utf8").catch(() => undefined);
    const status = text === undefined ? Number.NaN : Number(text.trim());
    // No status: the session was detached or killed before the flow ended; say so.
    if (Number.isInteger(status)) return status;
    ctx.stderr.write(
      `course: the tmux session ${session} ended before the guided flow did (detached? \`tmux attach -t ${session}\` returns to it)\n`,
    );
    return tmuxStatus === 0 ? 0 : tmuxStatus;
  } finally {
    await rm(statusFile, { force: true });
  }
}

/** Variables besides COURSE_* that the guided flow's session must see as this process does. */
const PASSED_ON = new Set([
  "PATH",
  "NO_COLOR",
  "FORCE_COLOR",
  "XDG_STATE_HOME",
  "XDG_RUNTIME_DIR",
  "XDG_CACHE_HOME",
]);

/**
 * Inside tmux: split this pane, running the step viewer beside it (focus stays here). `courseDir`
 * is the course the viewer loads (the same as ours).
 */
export async function openStepPane(
  ctx: CommandContext,
  courseDir: string,
  color: boolean,
): Promise<StepPane> {
  const dir = ensurePrivateDir(runtimeDir(ctx.env));
  const file = join(dir, `split-${process.pid}.json`);
  const viewer = [
    process.execPath,
    process.argv[1] ?? "course",
    "--lessons",
    courseDir,
    color ? "--color" : "--no-color",
    "step-view",
    file,
  ];
  const target = ctx.env.TMUX_PANE;
  const split = await runProcess(
    "tmux",
    [
      "split-window",
      "-h",
      "-d",
      "-l",
      "45%",
      "-P",
      "-F",
      "#{pane_id}",
      ...(target === undefined || target === "" ? [] : ["-t", target]),
      shellJoin(viewer),
    ],
    { env: ctx.env, timeoutMs: 10_000 },
  );
  if (split.exitCode !== 0) {
    throw new UsageError(`tmux could not split this window: ${split.stderr.trim()}`, {
      hint: "Run `course start` without --split.",
    });
  }
  const pane = split.stdout.trim();
  let writing = Promise.resolve();
  let closed = false;
  return {
    update: (state) => {
      writing = writing
        .then(() => (closed ? undefined : writeSplitState(file, { ...state, pid: process.pid })))
        .catch(() => {
          // The pane is a convenience: a state that cannot be written leaves it as it was.
        });
    },
    close: async () => {
      closed = true;
      await writing;
      await rm(file, { force: true });
      await runProcess("tmux", ["kill-pane", "-t", pane], {
        env: ctx.env,
        timeoutMs: 10_000,
      }).catch(() => {});
    },
  };
}
