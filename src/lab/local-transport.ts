import { type ChildProcess, spawn } from "node:child_process";
import { LabError } from "../errors.js";
import { runProcess, StartError } from "./run-process.js";
import type { Transport } from "./transport.js";

const LAB_PROCESS_ENV = {
  PATH: `${process.env.PATH ?? "/usr/bin:/bin"}:/usr/local/sbin:/usr/sbin:/sbin`,
  LANG: "C",
};

/**
 * Runs lab commands on this machine. Nothing is added: as root the sandbox runs as root, and
 * as another user it runs unprivileged (in a user namespace).
 */
export function localTransport(): Transport {
  return {
    name: "local",
    spawn(argv, options): ChildProcess {
      const [command, ...args] = argv;
      if (command === undefined) throw new TypeError("localTransport.spawn: empty argv");
      return spawn(command, args, {
        stdio: options.stdio === "inherit" ? "inherit" : ["pipe", "pipe", "pipe"],
        detached: options.detached === true,
        // Lab commands get a fixed environment of their own; only interactive shells keep
        // the user's (their terminal settings), and they set the rest with env -i.
        env: options.stdio === "inherit" ? process.env : LAB_PROCESS_ENV,
      });
    },
    async run(argv, options = {}) {
      const [command, ...args] = argv;
      if (command === undefined) throw new TypeError("localTransport.run: empty argv");
      try {
        return await runProcess(command, args, { ...options, env: LAB_PROCESS_ENV });
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
      return { file, args, env: process.env };
    },
    async close() {
      // Nothing is held open.
    },
  };
}
