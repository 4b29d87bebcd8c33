/**
 * Output hygiene (issue 13 item 8), with the built binary and a real lab: a namespace named
 * with an escape sequence is shown, not obeyed, by `verify` and `graph` (in a pipe too);
 * suggested commands are shell-quoted; a closed stdout ends `course test` quietly.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { visibleText } from "../../src/render/visible-text.js";
import { CourseBin, courseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";

const bin = new CourseBin({
  prefix: "course-output-hygiene-",
  args: ["--lessons", join(repoRoot, "lessons")],
  timeout: 60_000,
});
labsInTempHome(bin);

/** `course ARGS` with HOME in the temp dir too: nothing of this machine's user is read. */
const course = (args: string[]) => bin.run(args, { HOME: bin.dir });

test("visibleText escapes control characters and bidi overrides, keeps text and tabs", () => {
  expect(visibleText("\u001b[2Jevil")).toBe("\\e[2Jevil");
  expect(visibleText("a\tb\r\u0007\u009b\u202e")).toBe("a\tb\\r\\x07\\x9b\\u202e");
  expect(visibleText("new\nline")).toBe("new\\nline");
  expect(visibleText("new\nline", { keepNewlines: true })).toBe("new\nline");
  expect(visibleText("ünïcode ok")).toBe("ünïcode ok");
});

test("a namespace named with an escape sequence reaches neither verify's nor graph's output raw", () => {
  const made = course(["shell", "1", "-c", 'ip netns add "$(printf "\\033[2Jevil")"']);
  expect(made.code).toBe(0);
  const verify = course(["verify", "1"]);
  expect(verify.code).toBe(1);
  expect(verify.stdout).toContain("(the lab has $'\\e[2Jevil')");
  expect(verify.stdout + verify.stderr).not.toContain("\u001b");
  for (const format of ["text", "dot", "mermaid", "svg"]) {
    const graph = course(["graph", "1", "--format", format]);
    expect(graph.code, format).toBe(0);
    expect(graph.stdout, format).toContain("\\e[2Jevil");
    expect(graph.stdout + graph.stderr, format).not.toContain("\u001b");
  }
});

test("a closed stdout ends `course test` quietly: no EPIPE stack trace", async () => {
  const child = spawn(
    process.execPath,
    [
      courseBin,
      "test",
      join(repoRoot, "test/lab/fixtures/course/02-plain.md"),
      "--reporter",
      "tap",
    ],
    { env: bin.env({ HOME: bin.dir }), stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  // Like `| head -1`: read the first chunk, then close the pipe.
  await new Promise<void>((r) => child.stdout.once("data", () => r()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  expect(stderr).toBe("");
  expect(code).toBe(0);
});
