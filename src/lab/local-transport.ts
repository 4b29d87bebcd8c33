import { type ChildProcess, spawn } from "node:child_process";
import type { Transport } from "./transport.js";

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
      });
    },
    async close() {
      // Nothing is held open.
    },
  };
}
