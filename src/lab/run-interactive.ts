import { spawnSync } from "node:child_process";
import { labEnvironment } from "./lab-executor.js";
import type { ProcessCommand, Transport } from "./transport.js";
import type { LabShellOptions, ShellCommandOptions } from "./types.js";

/**
 * The argv that starts the lab's bash through `prefix` (the argv that enters the lab): a fixed
 * environment plus the user's TERM, a prompt naming `label`, and `env` on top (shell integration).
 */
function shellArgv(
  term: string | undefined,
  prefix: string[],
  home: string,
  label: string,
  options: { command?: string; env?: string[] },
): string[] {
  const env = labEnvironment(home).map((e) =>
    e.startsWith("TERM=") ? `TERM=${term ?? "dumb"}` : e,
  );
  const bash =
    options.command === undefined
      ? ["bash", "--norc", "--noprofile", "-i"]
      : ["bash", "--norc", "--noprofile", "-c", options.command];
  // Not \w: it shows the lab's HOME (/tmp in the sandbox) as `~`, and the learner reads `cd ~`
  // as "the home directory" when it is /tmp; the prompt shows the directory as it is.
  const ps1 = `PS1=[lab ${label}] \${PWD}\\$ `;
  return [...prefix, "env", "-i", ...env, ps1, ...(options.env ?? []), ...bash];
}

/**
 * Run an interactive bash (or `command`) on the user's terminal, through `prefix` (the argv that
 * enters the lab). Its prompt names the lesson. Resolves to the exit status.
 */
export function runInteractive(
  transport: Transport,
  prefix: string[],
  options: { home: string; label: string; command?: string; env?: string[]; terminal?: boolean },
): Promise<number> {
  const terminal = options.terminal === true;
  const child = transport.spawn(
    shellArgv(transport.env.TERM, prefix, options.home, options.label, options),
    { stdio: "inherit", tty: terminal },
  );
  // The terminal sends Ctrl-C to the whole foreground group: the shell handles it, we must not die.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGQUIT", ignore);
  return new Promise<number>((resolve, reject) => {
    child.on("error", (e) => {
      process.off("SIGINT", ignore);
      process.off("SIGQUIT", ignore);
      reject(e);
    });
    child.on("exit", (code, signal) => {
      process.off("SIGINT", ignore);
      process.off("SIGQUIT", ignore);
      if (terminal) reclaimTerminal();
      resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 1));
    });
  });
}

/**
 * A lab's `shell()`: an interactive shell through `prefix` whose prompt names `label` unless the
 * caller names another (every lab kind shares this; only how it enters the lab differs).
 */
export function labShell(
  transport: Transport,
  prefix: string[],
  home: string,
  label: string,
  options: LabShellOptions & { env?: string[] },
): Promise<number> {
  return runInteractive(transport, prefix, {
    home,
    label: options.label ?? label,
    terminal: options.terminal === true,
    ...(options.command === undefined ? {} : { command: options.command }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}

/** A lab's `shellCommand()`: how to start its interactive shell under a pty of the caller's. */
export function labShellCommand(
  transport: Transport,
  prefix: string[],
  home: string,
  label: string,
  options: ShellCommandOptions,
): ProcessCommand {
  const argv = shellArgv(transport.env.TERM, prefix, home, options.label ?? label, {
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return transport.command(argv, { tty: true });
}

/**
 * Take the terminal back after an interactive shell. bash makes its own process group the
 * terminal's foreground group; inside the lab's PID namespace it cannot see ours to hand the
 * terminal back on exit, which would leave our next read failing with EIO. Node has no
 * tcsetpgrp, so ask perl (perl-base is on every Debian and Ubuntu); without perl this is a no-op.
 */
function reclaimTerminal(): void {
  spawnSync(
    "perl",
    ["-MPOSIX", "-e", '$SIG{TTOU} = "IGNORE"; POSIX::tcsetpgrp(0, getpgrp()) or exit 1'],
    { stdio: "inherit" },
  );
}
