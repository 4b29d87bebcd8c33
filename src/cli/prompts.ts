/**
 * The only import of @inquirer/prompts: the guided flow's prompts on given streams, with
 * Ctrl-C turned into InterruptedError (so the flow can say how to resume and exit 130).
 */
import { PassThrough, type Readable, type Writable } from "node:stream";
import { confirm, select } from "@inquirer/prompts";
import { type Choice, InterruptedError, type Prompts } from "../flows/learner-types.js";

/** Prompts reading `input` and drawing on `output` (a terminal, or a test's streams). */
export function inquirerPrompts(io: { input: Readable; output: Writable }): Prompts {
  const context = { input: io.input, output: io.output, clearPromptOnDone: false };
  return {
    async select<T extends string>(message: string, choices: Choice<T>[], defaultValue?: T) {
      // Letters must not act at the menu: select() jumps to the first choice starting with a
      // typed letter, so a command typed here by mistake (`ip link show` + Enter) would open
      // the lab shell. The menu reads numbers, arrows and Enter only.
      const menu = menuInput(io.input);
      return interruptible(
        select<T>(
          {
            message,
            choices,
            pageSize: Math.max(choices.length, 7),
            loop: false,
            ...(defaultValue === undefined ? {} : { default: defaultValue }),
            theme: { indexMode: "number" },
          },
          { ...context, input: menu.stream },
        ),
      ).finally(menu.close);
    },
    async confirm(message: string, defaultValue: boolean) {
      return interruptible(confirm({ message, default: defaultValue }, context));
    },
  };
}

async function interruptible<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof Error && error.name === "ExitPromptError") throw new InterruptedError();
    throw error;
  }
}

type TerminalInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** `input` as the menu reads it (menuKeys), for the time of one prompt. */
function menuInput(input: TerminalInput): { stream: Readable; close: () => void } {
  const stream = new PassThrough() as PassThrough & TerminalInput;
  // readline puts its input in raw mode: pass that on to the terminal itself.
  if (input.isTTY === true) stream.isTTY = true;
  if (typeof input.setRawMode === "function") {
    stream.setRawMode = (raw: boolean) => input.setRawMode?.(raw);
  }
  const state: MenuKeyState = { junk: false };
  const onData = (chunk: Buffer | string) => {
    const kept = menuKeys(chunk.toString(), state);
    if (kept !== "") stream.write(kept);
  };
  input.on("data", onData);
  input.resume();
  return {
    stream,
    close: () => {
      input.off("data", onData);
      input.pause();
      stream.end();
    },
  };
}

/** Whether text was typed at the menu since the last key it acts on. */
export interface MenuKeyState {
  junk: boolean;
}

/**
 * The keys the menu acts on, from what the terminal sent: digits, escape sequences (arrows),
 * control keys (Enter, Backspace, Ctrl-C). Other printable characters are dropped, and so is
 * the Enter that ends them: a command typed at the menu by mistake does nothing.
 */
export function menuKeys(text: string, state: MenuKeyState): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (ch === "\u001b") {
      // ESC [ params final, ESC O x, or a lone ESC: passed on whole.
      const m = /^(?:\[[0-?]*[ -/]*[@-~]|O.)?/.exec(text.slice(i + 1));
      const seq = ch + (m?.[0] ?? "");
      out += seq;
      i += seq.length - 1;
      state.junk = false;
    } else if (ch === "\r" || ch === "\n") {
      if (!state.junk) out += ch;
      state.junk = false;
    } else if (/[0-9]/.test(ch) || ch < " " || ch === "\u007f") {
      out += ch;
    } else {
      state.junk = true;
    }
  }
  return out;
}
