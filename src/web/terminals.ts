/**
 * The browser's terminals: one pty per lesson, running the lab's own interactive shell (the
 * lab `course shell` opens), shared by every tab on that lesson. Output goes to every socket;
 * a tab that joins late gets the recent screen first. After each command (the prompt's mark),
 * `onCommandDone` runs once; commands that finish while it runs trigger one more run.
 */
import type { IPty } from "@lydell/node-pty";
import type { Lab } from "../lab/types.js";
import { PROMPT_MARK } from "./live-check.js";

/** What the server sends a socket besides the pty's bytes (those go as binary frames). */
export type TerminalEvent =
  | { type: "verify"; report: unknown }
  | { type: "error"; message: string }
  | { type: "exit"; code: number };

/** A socket as the terminal needs it (ws's WebSocket fits). */
export interface TerminalSocket {
  send(data: string | Buffer): void;
  close(code?: number, reason?: string): void;
}

/** The recent output replayed to a tab that joins. */
const SCROLLBACK_BYTES = 64 * 1024;

/** One lesson's shared terminal. */
export class SharedTerminal {
  private readonly sockets = new Set<TerminalSocket>();
  private recent = "";
  private tail = "";
  private checking: Promise<void> | undefined;
  private again = false;
  private exited = false;

  constructor(
    private readonly pty: IPty,
    private readonly lab: Lab,
    private readonly onCommandDone: () => Promise<unknown>,
    private readonly onExit: () => void,
  ) {
    pty.onData((data) => {
      this.recent = (this.recent + data).slice(-SCROLLBACK_BYTES);
      const frame = Buffer.from(data);
      for (const s of this.sockets) s.send(frame);
      // The mark can be split across two reads: look at the end of the last one too.
      const seen = this.tail + data;
      this.tail = data.slice(-PROMPT_MARK.length);
      if (seen.includes(PROMPT_MARK)) this.commandDone();
    });
    pty.onExit(({ exitCode }) => {
      this.exited = true;
      this.broadcast({ type: "exit", code: exitCode });
      for (const s of this.sockets) s.close(1000, "the shell ended");
      this.sockets.clear();
      void this.lab.close();
      this.onExit();
    });
  }

  /** A tab joins: it sees the recent screen, then everything live. */
  join(socket: TerminalSocket): void {
    if (this.recent !== "") socket.send(Buffer.from(this.recent));
    this.sockets.add(socket);
  }

  leave(socket: TerminalSocket): void {
    this.sockets.delete(socket);
  }

  write(data: string): void {
    if (!this.exited) this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.exited) return;
    if (Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0) {
      this.pty.resize(Math.min(cols, 500), Math.min(rows, 200));
    }
  }

  broadcast(event: TerminalEvent): void {
    const text = JSON.stringify(event);
    for (const s of this.sockets) s.send(text);
  }

  /** The live check, never two at once, never a finished command left unchecked. */
  private commandDone(): void {
    if (this.checking !== undefined) {
      this.again = true;
      return;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        try {
          await this.onCommandDone();
        } catch (error) {
          this.broadcast({ type: "error", message: (error as Error).message });
        }
      } while (this.again && !this.exited);
      this.checking = undefined;
    })();
  }

  /** End the shell (the lab itself stays, as after `course shell`). */
  kill(): void {
    if (!this.exited) this.pty.kill("SIGHUP");
  }

  /** Resolves when a running live check has finished. */
  async settled(): Promise<void> {
    await this.checking;
  }
}
