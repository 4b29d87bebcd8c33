/**
 * `course serve [--port N] [--host ADDR] [--no-open]`: the course in a browser (src/web). Prints
 * one line with the address and its token, opens the browser when there is a display, and runs
 * until interrupted (Ctrl-C or SIGTERM): then the terminals' shells end and the labs stay.
 */
import { spawn } from "node:child_process";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { isLoopback, newToken } from "../web/guard.js";
import { startServer } from "../web/server.js";

export interface ServeCommandOptions {
  /** @default "8765" */
  port?: string;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default true */
  open?: boolean;
}

/** Parse `--port`: 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new UsageError(`--port ${value}: expected a port number from 0 to 65535`, {
      hint: "e.g. --port 8765, or --port 0 for any free port",
    });
  }
  return port;
}

/** Open `url` in the desktop's browser, when there is a desktop; failures are not errors. */
function openBrowser(url: string, env: NodeJS.ProcessEnv): boolean {
  const opener =
    process.platform === "darwin"
      ? "open"
      : process.platform === "win32"
        ? undefined
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? "xdg-open"
          : undefined;
  if (opener === undefined) return false;
  const child = spawn(opener, [url], { detached: true, stdio: "ignore" });
  child.on("error", () => {});
  child.unref();
  return true;
}

/** The command: resolves (exit 0) when interrupted. */
export async function serveCommand(
  ctx: CommandContext,
  options: ServeCommandOptions = {},
): Promise<number> {
  const port = parsePort(options.port ?? "8765");
  const host = options.host ?? "127.0.0.1";
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ ctx, host, port, token: newToken() });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new UsageError(`cannot listen on ${host}:${port}: the port is in use`, {
        hint: "pass another --port N (0 picks a free one), or end the other server",
      });
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES") {
      throw new UsageError(`cannot listen on ${host}:${port} (${code})`, {
        hint: "pass --host with an address of this machine (default 127.0.0.1)",
      });
    }
    throw error;
  }
  if (!isLoopback(host)) {
    ctx.stderr.write(
      `course: warning: listening on ${host}, not only this machine: anyone who can reach it and has the token runs commands as root in your labs\n`,
    );
  }
  ctx.stdout.write(`course: serving ${server.url}\n`);
  if (options.open !== false) openBrowser(server.url, ctx.env);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
  return 0;
}
