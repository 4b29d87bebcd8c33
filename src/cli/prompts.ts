/**
 * The only import of @inquirer/prompts: the guided flow's prompts on given streams, with
 * Ctrl-C turned into InterruptedError (so the flow can say how to resume and exit 130).
 */
import type { Readable, Writable } from "node:stream";
import { confirm, select } from "@inquirer/prompts";
import { type Choice, InterruptedError, type Prompts } from "../flows/learner-types.js";

/** Prompts reading `input` and drawing on `output` (a terminal, or a test's streams). */
export function inquirerPrompts(io: { input: Readable; output: Writable }): Prompts {
  const context = { input: io.input, output: io.output, clearPromptOnDone: false };
  return {
    async select<T extends string>(message: string, choices: Choice<T>[], defaultValue?: T) {
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
          context,
        ),
      );
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
