/**
 * Output hygiene (issue 13 item 8), with the built binary and a real lab: a namespace named
 * with an escape sequence is shown, not obeyed, by `verify` and `graph` (in a pipe too);
 * suggested commands are shell-quoted; a closed stdout ends `course test` quietly.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { visibleText } from "../../src/render/visible-text.js";

const repo = resolve(import.meta.dirname, "../..");
const bin = join(repo, "dist/bin.js");
const dir = mkdtempSync(join(tmpdir(), "course-output-hygiene-"));
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dir,
  COURSE_STATE_DIR: join(dir, "state"),
  COURSE_RUNTIME_DIR: join(dir, "runtime"),
  XDG_CACHE_HOME: join(dir, "cache"),
  NO_COLOR: "1",
};

function course(args: string[]) {
  const r = spawnSync(process.execPath, [bin, "--lessons", join(repo, "lessons"), ...args], {
    encoding: "utf8",
    env,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("run `npm run build` first: these tests run dist/bin.js");
});
afterAll(() => {
  course(["reset", "--all"]);
  rmSync(dir, { recursive: true, force: true });
});

test("visibleText escapes control characters and bidi overrides, keeps text and tabs", () => {
  expect(visibleText("\u001b[2Jevil")).toBe("\\e[2Jevil");
  expect(visibleText("a\tb\r\u0007\u009b\u202e")).toBe("a\tb\\r\\x07\\x9b\\u202e");
  expect(visibleText("new\nline")).toBe("new\\nline");
  expect(visibleText("new\nline", { keepNewlines: true })).toBe("new\nline");
  expect(visibleText("ünïcode ok")).toBe("ünïcode ok");
});

test("a namespace named with an escape sequence reaches neither verify's nor graph's output raw", () => {
  const made = course(["shell", "1", "-c", 'ip netns add "$(printf "\\033[2Jevil")"']);
  expect(made.status).toBe(0);
  const verify = course(["verify", "1"]);
  expect(verify.status).toBe(1);
  expect(verify.stdout).toContain("(the lab has $'\\e[2Jevil')");
  expect(verify.stdout + verify.stderr).not.toContain("\u001b");
  for (const format of ["text", "dot", "mermaid", "svg"]) {
    const graph = course(["graph", "1", "--format", format]);
    expect(graph.status, format).toBe(0);
    expect(graph.stdout, format).toContain("\\e[2Jevil");
    expect(graph.stdout + graph.stderr, format).not.toContain("\u001b");
  }
});

test("a closed stdout ends `course test` quietly: no EPIPE stack trace", async () => {
  const child = spawn(
    process.execPath,
    [bin, "test", join(repo, "test/lab/fixtures/course/02-plain.md"), "--reporter", "tap"],
    { env, stdio: ["ignore", "pipe", "pipe"] },
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
