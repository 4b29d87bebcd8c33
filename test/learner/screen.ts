import { PassThrough, Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";

/**
 * A fake terminal for driving a flow's real prompts: `input` is what the learner types, `output`
 * collects what the flow draws. `waitFor` reads the screen (escapes stripped) as a person would.
 */
export class Screen {
  readonly input = new PassThrough();
  readonly output: Writable & { columns: number; isTTY: boolean };
  #text = "";
  /** Where the last `waitFor` matched: later waits look after it. */
  #mark = 0;

  constructor(columns = 100) {
    const self = this;
    const out = new Writable({
      write(chunk, _enc, cb) {
        self.#text += chunk.toString();
        cb();
      },
    });
    // Each prompt pipes into the output and ends it when done, as it may with a terminal's
    // stdout (which never really ends); so must this one.
    const end = (() => out) as typeof out.end;
    this.output = Object.assign(out, { columns, isTTY: true, end });
  }

  /** Everything drawn so far, escapes stripped. */
  get text(): string {
    return stripVTControlCharacters(this.#text);
  }

  /** Wait until `pattern` appears after the previous match, then remember where. */
  async waitFor(pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(this.#mark);
      const index =
        typeof pattern === "string" ? rest.indexOf(pattern) : (pattern.exec(rest)?.index ?? -1);
      if (index >= 0) {
        this.#mark += index + 1;
        return rest;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${String(pattern)}; the screen after the last match:\n${rest}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Type keys: `\r` is Enter, `\x1b[B` is Down, `\x03` is Ctrl-C. */
  type(keys: string): void {
    this.input.write(keys);
  }

  /** Choose the Nth item of the select prompt on screen (numbers, as a person could type). */
  async choose(label: string): Promise<void> {
    const screen = await this.waitFor("what next?");
    const m = new RegExp(`(\\d+)\\. ${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).exec(screen);
    if (m === null) throw new Error(`no choice "${label}" on screen:\n${screen}`);
    this.type(`${m[1]}`);
    await new Promise((r) => setTimeout(r, 30));
    this.type("\r");
  }
}
