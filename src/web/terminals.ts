/**
 * The browser's terminals: one live lab shell per lesson (src/flows/lab-shell.ts, the same one
 * `course shell` runs on a real terminal: same lab, live checks, `step`/`hint`/`check`), shared by
 * every tab on that lesson. Its output goes to every socket, and a tab that joins late gets the
 * recent screen first; every tab's keys go to the one shell.
 */
import type { EventEmitter } from "node:events";
import { PassThrough, Writable } from "node:stream";
import { runLabShell } from "../flows/lab-shell.js";
import type { LiveState } from "../flows/live-check.js";
import type { Lab } from "../lab/types.js";
import type { Course, Lesson } from "../lesson/types.js";
import type { ProgressStore } from "../progress/progress-store.js";

/** What the server sends a socket besides the shell's bytes (those go as binary frames). */
export type TerminalEvent =
  | { type: "live"; steps: { index: number; passed: boolean | undefined }[]; done: boolean }
  | { type: "prompt" }
  | { type: "verify"; report: unknown }
  | { type: "error"; message: string }
  | { type: "exit"; code: number };

/** A socket as the terminal needs it (ws's WebSocket fits). */
export interface TerminalSocket {
  send(data: string | Buffer): void;
  close(code?: number, reason?: string): void;
}

/** The recent output replayed to a tab that joins. */
const SCROLLBACK_CHARS = 64 * 1024;
/** A finished command's mark (OSC 133;D), which the shell's output keeps for terminals. */
const COMMAND_DONE = "\u001b]133;D";

export interface SharedTerminalOptions {
  course: Course;
  lesson: Lesson;
  /** The lesson's open lab; closed when the shell ends. */
  lab: Lab;
  store: ProgressStore;
  cwd: string;
  /** Called once the shell has ended. */
  onExit: () => void;
}

/** One lesson's shared terminal. */
export class SharedTerminal {
  private readonly sockets = new Set<TerminalSocket>();
  private readonly input = new PassThrough();
  private readonly output: Writable & EventEmitter & { columns: number; rows: number };
  private recent: string[] = [];
  private recentLength = 0;
  private tail = "";
  private exited = false;
  private readonly stop = new AbortController();
  private readonly openLab: Lab;
  /** Resolves with the shell's exit status. */
  readonly ended: Promise<number>;

  constructor(o: SharedTerminalOptions) {
    this.openLab = o.lab;
    const output = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.show(String(chunk));
        done();
      },
    }) as Writable & { columns: number; rows: number };
    output.columns = 80;
    output.rows = 24;
    this.output = output;
    this.ended = runLabShell({
      course: o.course,
      lesson: o.lesson,
      lab: o.lab,
      store: o.store,
      stdin: this.input,
      stdout: this.output,
      color: true,
      cwd: o.cwd,
      // The page shows the lesson beside the terminal.
      card: false,
      onState: (state) => this.broadcast(liveEvent(state)),
      signal: this.stop.signal,
    })
      .catch((error: unknown) => {
        this.broadcast({ type: "error", message: (error as Error).message });
        return 1;
      })
      .then(async (code) => {
        this.exited = true;
        this.broadcast({ type: "exit", code });
        for (const s of this.sockets) s.close(1000, "the shell ended");
        this.sockets.clear();
        await o.lab.close();
        o.onExit();
        return code;
      });
  }

  /**
   * The lesson's lab while the shell runs: the API's verify reuses it (no lab join per request).
   * It lives no longer than the shell, which a reset of the lab ends: never a stale lab.
   */
  get lab(): Lab | undefined {
    return this.exited ? undefined : this.openLab;
  }

  private show(text: string): void {
    // Chunks, trimmed now and then: copying the whole scrollback on every write would cost 64 KiB
    // a chunk, with 50 busy terminals a noticeable share of the event loop.
    this.recent.push(text);
    this.recentLength += text.length;
    if (this.recentLength > 2 * SCROLLBACK_CHARS) {
      const kept = this.recent.join("").slice(-SCROLLBACK_CHARS);
      this.recent = [kept];
      this.recentLength = kept.length;
    }
    const frame = Buffer.from(text);
    for (const s of this.sockets) s.send(frame);
    // After each command the page redraws the network picture. The mark can be split across writes.
    const seen = this.tail + text;
    this.tail = text.slice(-COMMAND_DONE.length);
    if (seen.includes(COMMAND_DONE)) this.broadcast({ type: "prompt" });
  }

  /** A tab joins: it sees the recent screen, then everything live. */
  join(socket: TerminalSocket): void {
    if (this.recentLength > 0)
      socket.send(Buffer.from(this.recent.join("").slice(-SCROLLBACK_CHARS)));
    this.sockets.add(socket);
  }

  leave(socket: TerminalSocket): void {
    this.sockets.delete(socket);
  }

  write(data: string): void {
    if (!this.exited) this.input.write(data);
  }

  /** The last tab to resize sets the size (all tabs show the one shell). */
  resize(cols: number, rows: number): void {
    if (this.exited || !Number.isInteger(cols) || !Number.isInteger(rows)) return;
    if (cols < 1 || rows < 1) return;
    this.output.columns = Math.min(cols, 500);
    this.output.rows = Math.min(rows, 200);
    this.output.emit("resize");
  }

  /** End the shell (the lab stays, as after `course shell`); resolves once it has ended. */
  async end(): Promise<void> {
    this.stop.abort();
    await this.ended;
  }

  broadcast(event: TerminalEvent): void {
    const text = JSON.stringify(event);
    for (const s of this.sockets) s.send(text);
  }
}

function liveEvent(state: LiveState): TerminalEvent {
  return {
    type: "live",
    steps: state.steps.map((s) => ({ index: s.index, passed: s.passed })),
    done: state.lessonPassed,
  };
}
