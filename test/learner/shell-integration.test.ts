/**
 * The pure parts of the live lab shell: reading the shell's marks out of its output, the tick's
 * input, and the guided menu's key filter. The shell itself is tested end to end in
 * test/e2e/live-shell.test.ts.
 */
import { describe, expect, it } from "vitest";
import { menuKeys } from "../../src/cli/prompts.js";
import {
  type ShellEvent,
  ShellMarkReader,
  TICK_KEYS,
  tickInput,
} from "../../src/lab/shell-integration.js";

function read(chunks: string[]): { out: string; events: ShellEvent[] } {
  let out = "";
  const events: ShellEvent[] = [];
  const reader = new ShellMarkReader(
    (t) => {
      out += t;
    },
    (e) => events.push(e),
  );
  for (const c of chunks) reader.push(c);
  return { out, events };
}

describe("ShellMarkReader", () => {
  it("reports the OSC 133 marks in order and passes them on", () => {
    const { out, events } = read([
      "hi\n\u001b]133;D;2\u0007\u001b]133;A\u0007$ \u001b]133;B\u0007",
    ]);
    expect(events).toEqual([{ type: "done", status: 2 }, { type: "prompt" }, { type: "input" }]);
    expect(out).toBe("hi\n\u001b]133;D;2\u0007\u001b]133;A\u0007$ \u001b]133;B\u0007");
  });

  it("passes what one read brings in one write, and reports its marks after that write", () => {
    const calls: string[] = [];
    const reader = new ShellMarkReader(
      (t) => calls.push(`out:${t}`),
      (e) => calls.push(`event:${e.type}`),
    );
    reader.push("x\u001b]133;D;0\u0007\u001b]133;A\u0007[l]\n/tmp# \u001b]133;B\u0007");
    expect(calls).toEqual([
      "out:x\u001b]133;D;0\u0007\u001b]133;A\u0007[l]\n/tmp# \u001b]133;B\u0007",
      "event:done",
      "event:prompt",
      "event:input",
    ]);
  });

  it("drops course's own requests, also split across reads", () => {
    const { out, events } = read(["a\u001b]6973;cou", "rse;step\u0007b"]);
    expect(events).toEqual([{ type: "request", name: "step" }]);
    expect(out).toBe("ab");
  });

  it("passes other OSC sequences (window titles) through untouched", () => {
    const { out, events } = read(["\u001b]0;title\u0007x"]);
    expect(events).toEqual([]);
    expect(out).toBe("\u001b]0;title\u0007x");
  });
});

describe("tickInput", () => {
  it("is the bound key sequence, the label and the line, without the separators they carry", () => {
    expect(tickInput("[a\u0007]", "b\u001fc")).toBe(`${TICK_KEYS}[a]\u001fbc\u0007`);
  });
});

describe("menuKeys", () => {
  it("drops a command typed at the menu, and the Enter that ends it", () => {
    const state = { junk: false };
    expect(menuKeys("ip link show\r", state)).toBe("");
    expect(menuKeys("2\r", state)).toBe("2\r");
  });

  it("passes arrows, Ctrl-C and Backspace", () => {
    const state = { junk: false };
    expect(menuKeys("\u001b[A\u001b[B\u0003\u007f", state)).toBe("\u001b[A\u001b[B\u0003\u007f");
    expect(menuKeys("x", state)).toBe("");
    // An arrow after stray letters makes Enter act again.
    expect(menuKeys("\u001b[B\r", state)).toBe("\u001b[B\r");
  });
});
