/**
 * `course serve` as the built binary in a test's temp home (see course-bin.ts), and Debian's
 * Chromium driven by playwright-core (no browser download), launched so that it never reaches
 * for the network.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { type Browser, chromium } from "playwright-core";
import { type CourseBin, courseBin, repoRoot } from "./course-bin.js";

/** A running `course serve`. */
export interface RunningServer {
  /** The printed address, token included. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  token: string;
  child: ChildProcess;
  /** Everything it wrote to standard error. */
  stderr: () => string;
  /** SIGTERM, and wait for it to end. */
  stop(): Promise<number | null>;
}

export interface StartCourseServerOptions {
  /** An argv prefix the server runs under (e.g. a network box's `enter()`). @default none */
  wrap?: string[];
  /** The arguments of `serve` itself. @default ["--port", "0", "--no-open"] */
  serveArgs?: string[];
}

/**
 * Start `course ARGS serve --port 0 --no-open` (ARGS: global options such as `--lab`) with `env`
 * on top of the temp home's, and wait for its one line.
 */
export async function startCourseServer(
  bin: CourseBin,
  args: string[] = [],
  env: Record<string, string> = {},
  options: StartCourseServerOptions = {},
): Promise<RunningServer> {
  const [command = process.execPath, ...prefix] = [...(options.wrap ?? []), process.execPath];
  const serveArgs = options.serveArgs ?? ["--port", "0", "--no-open"];
  const child = spawn(command, [...prefix, courseBin, ...args, "serve", ...serveArgs], {
    cwd: repoRoot,
    env: bin.env(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => {
    err += String(d);
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`course serve printed no address: ${err}`)),
      20_000,
    );
    child.stdout.on("data", (d) => {
      out += String(d);
      const m = /course: serving (\S+)\n/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`course serve exited ${code}: ${err}`));
    });
  });
  const url = new URL(line);
  return {
    url: line,
    origin: url.origin,
    token: url.searchParams.get("token") ?? "",
    child,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      return code;
    },
  };
}

/** The Chromium the tests drive: Debian's package (install.sh installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Debian's chromium, headless, sandboxless as root, with every network-reaching feature off.
 * `executablePath`: a wrapper that runs CHROMIUM elsewhere (e.g. in a network box).
 */
export function launchChromium(options: { executablePath?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}
