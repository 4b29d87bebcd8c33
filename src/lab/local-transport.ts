import { type ChildProcess, spawn } from "node:child_process";
import { LabError } from "../errors.js";
import { runProcess, StartError } from "./run-process.js";
import type { Transport } from "./transport.js";

/**
 * Runs lab commands on this machine. Nothing is added: as root the sandbox runs as root, and
 * as another user it runs unprivileged (in a user namespace).
 */
export function localTransport(env: NodeJS.ProcessEnv): Transport {
  const labProcessEnv = {
    PATH: `${env.PATH ?? "/usr/bin:/bin"}:/usr/local/sbin:/usr/sbin:/sbin`,
    LANG: "C",
  };
  return {
    name: "local",
    env,
    spawn(argv, options): ChildProcess {
      const [command, ...args] = argv;
      if (command === undefined) throw new TypeError("localTransport.spawn: empty argv");
      return spawn(command, args, {
        stdio: options.stdio === "inherit" ? "inherit" : ["pipe", "pipe", "pipe"],
        detached: options.detached === true,
        // Lab commands get a fixed environment of their own; only interactive shells keep
        // the user's (their terminal settings), and they set the rest with env -i.
        env: options.stdio === "inherit" ? env : labProcessEnv,
      });
    },
    async run(argv, options = {}) {
      const [command, ...args] = argv;
      if (command === undefined) throw new TypeError("localTransport.run: empty argv");
      try {
        return await runProcess(command, args, { ...options, env: labProcessEnv });
      } catch (error) {
        if (!(error instanceof StartError)) throw error;
        throw new LabError(`cannot run ${command} on local: ${error.code ?? error.message}`, {
          cause: error,
        });
      }
    },
    command(argv) {
      const [file, ...args] = argv;
      if (file === undefined) throw new TypeError("localTransport.command: empty argv");
      return { file, args, env };
    },
    async close() {
      // Nothing is held open.
    },
  };
}
