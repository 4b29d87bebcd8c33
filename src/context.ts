import type { Readable, Writable } from "node:stream";

/** Options every command accepts (before or after the command name). */
export interface GlobalOptions {
  /** `--lessons DIR`: the course to use. */
  lessons?: string;
  /** `--lab sandbox|host|vagrant|ssh://USER@HOST[:PORT]`, else `COURSE_LAB`. */
  lab?: string;
  /** `--debug`: print every lab round trip. */
  debug: boolean;
  /** `--color` / `--no-color`; undefined = decide from the terminal, NO_COLOR and FORCE_COLOR. */
  color?: boolean;
}

/** What a command reads and writes. Tests pass their own streams; `bin.ts` passes `process.*`. */
export interface CommandContext {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  global: GlobalOptions;
}

/**
 * With `--debug`, `{ debug }` writing each line (a lab round trip) to stderr; otherwise `{}`.
 * Spread into the options of whatever opens a lab: exactOptionalPropertyTypes forbids
 * `debug: undefined`.
 */
export function debugOption(ctx: CommandContext): { debug?: (line: string) => void } {
  if (!ctx.global.debug) return {};
  return {
    debug: (line: string) => {
      ctx.stderr.write(`${line}\n`);
    },
  };
}

/** `{ onWarning }` writing `course: warning: MESSAGE` to stderr: what a lab says the user must know. */
export function warnOption(ctx: CommandContext): { onWarning: (message: string) => void } {
  return {
    onWarning: (message: string) => {
      ctx.stderr.write(`course: warning: ${message}\n`);
    },
  };
}

/**
 * `{ env, stderr }` for opening a lab: the user's environment (`COURSE_*` settings, PATH, TERM)
 * and where a slow lab reports progress (`vagrant up`).
 */
export function labIo(ctx: CommandContext): {
  env: NodeJS.ProcessEnv;
  stderr: CommandContext["stderr"];
} {
  return { env: ctx.env, stderr: ctx.stderr };
}

/** Whether the user's standard input is a terminal (a lab shell started on it is interactive). */
export function inputIsTerminal(ctx: CommandContext): boolean {
  return (ctx.stdin as { isTTY?: boolean }).isTTY === true;
}

/** Whether to colour output written to `stream`: NO_COLOR and FORCE_COLOR win, then `--[no-]color`, then TTY. */
export function useColor(ctx: CommandContext, stream: { isTTY?: boolean } = ctx.stdout): boolean {
  if (ctx.global.color !== undefined) return ctx.global.color;
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== "") return false;
  if (ctx.env.FORCE_COLOR !== undefined) return ctx.env.FORCE_COLOR !== "0";
  return stream.isTTY === true;
}
