/**
 * `course serve --lab ssh://…` against a real loopback sshd (test/helpers/sshd.ts): the
 * browser's terminal is the live lab shell over ssh, in the same remote lab as `course shell`.
 * Driven at the API and socket level (the page itself is tested on the sandbox lab).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { CourseBin } from "../helpers/course-bin.js";
import { type RunningServer, startCourseServer } from "../helpers/course-server.js";
import {
  makeRemoteRecordsDir,
  removeRemoteRecordsDir,
  startSshd,
  type TestSshd,
} from "../helpers/sshd.js";

const FIXTURE = join(import.meta.dirname, "../remote/fixtures/course");
const bin = new CourseBin({ prefix: "course-serve-ssh-", timeout: 120_000 });

describe("course serve with an ssh lab (real sshd)", { timeout: 240_000 }, () => {
  let sshd: TestSshd;
  let remote: string;
  let server: RunningServer | undefined;
  let args: string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    bin.open();
    remote = makeRemoteRecordsDir();
    sshd = await startSshd({ users: true });
    args = ["--lessons", FIXTURE, "--lab", `ssh://root@127.0.0.1:${sshd.port}`];
    env = { COURSE_SSH_OPTS: sshd.sshOpts, COURSE_REMOTE_RUNTIME_DIR: remote };
    server = await startCourseServer(bin, args, env);
  });
  afterAll(async () => {
    await server?.stop();
    if (sshd !== undefined) bin.run([...args, "reset", "--all"], env);
    await sshd?.stop();
    removeRemoteRecordsDir(remote);
    bin.remove();
  });

  test("the terminal is a live lab shell in the remote lab; the CLI sees what it did", {
    timeout: 240_000,
  }, async () => {
    if (server === undefined) throw new Error("no server");
    const s = server;
    const ws = new WebSocket(`${s.origin.replace("http", "ws")}/api/lessons/1/terminal`, {
      headers: { authorization: `Bearer ${s.token}`, origin: s.origin },
    });
    let screen = "";
    ws.on("message", (data, binary) => {
      if (binary) screen += data.toString();
    });
    await new Promise((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
    });
    await expect.poll(() => screen, { timeout: 60_000 }).toContain("[lesson 1 ·");
    ws.send(
      JSON.stringify({ type: "input", data: "ip netns add made-in-browser; echo ok-$((40+2))\r" }),
    );
    await expect.poll(() => screen, { timeout: 30_000 }).toContain("ok-42");
    ws.close();
    const cli = bin.run([...args, "shell", "1", "-c", "ip netns list"], env);
    expect(cli.stdout).toContain("made-in-browser");
    const verify = await fetch(`${s.origin}/api/lessons/1/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ lesson: { id: "two-namespaces" } });
  });
});
