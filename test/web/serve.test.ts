/**
 * `course serve` end to end: the built binary, a real sandbox lab, Debian's Chromium. Tests run
 * in order and share one temp home: lesson 2 is locked until the learner test finishes lesson 1.
 */

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";
import { launchChromium, type RunningServer, startCourseServer } from "../helpers/course-server.js";

const bin = new CourseBin({ prefix: "course-serve-", timeout: 60_000 });
labsInTempHome(bin);

let server: RunningServer;
let browser: Browser;
const shots = mkdtempSync(join(tmpdir(), "course-serve-shots-"));

beforeAll(async () => {
  server = await startCourseServer(bin);
  browser = await launchChromium();
});

afterAll(async () => {
  try {
    await browser?.close();
    await server?.stop();
    // UPDATE_SCREENSHOTS=1 refreshes the pictures of docs/web.md from this run (those it took).
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      mkdirSync(join(repoRoot, "docs/web"), { recursive: true });
      for (const name of ["lesson-1-done.png", "two-tabs.png"]) {
        if (existsSync(join(shots, name))) {
          copyFileSync(join(shots, name), join(repoRoot, "docs/web", name));
        }
      }
    }
  } finally {
    rmSync(shots, { recursive: true, force: true });
  }
});

/** A WebSocket upgrade's answer: the HTTP status when refused, 101 when accepted. */
function upgrade(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}${path}`, { headers });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      resolve(101);
      ws.close();
    });
    ws.on("error", reject);
  });
}

/** GET /api/lessons with the token and this Host header (fetch would not send a foreign one). */
function statusWithHost(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.origin}/api/lessons`,
      { headers: { host, authorization: `Bearer ${server.token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const bearer = () => ({ authorization: `Bearer ${server.token}` });

/**
 * Wait for step `index` to turn green. As a learner does when a server takes a moment to start,
 * press Enter now and then: each prompt runs the live checks again.
 */
async function untilPassed(page: Page, index: number): Promise<void> {
  const green = page.locator(`.step[data-step="${index}"][data-passed="true"]`);
  for (let i = 0; i < 15; i++) {
    try {
      await green.waitFor({ timeout: 3000 });
      return;
    } catch {
      await page.keyboard.press("Enter");
    }
  }
  try {
    await green.waitFor({ timeout: 3000 });
  } catch (error) {
    // Say what the terminal showed: a failure under load is otherwise a bare timeout.
    throw new Error(`step ${index} did not pass; the terminal shows:\n${await screen(page)}`, {
      cause: error,
    });
  }
}

/** The text the page's terminal shows. */
const screen = (page: Page) => page.locator(".xterm-rows").innerText();

describe("course serve", () => {
  test("without the token: 401, for the page, the API and the terminal; a foreign Host: 403", async () => {
    expect((await fetch(`${server.origin}/`)).status).toBe(401);
    expect((await fetch(`${server.origin}/api/lessons`)).status).toBe(401);
    const wrong = await fetch(`${server.origin}/api/lessons`, {
      headers: { authorization: "Bearer not-the-token" },
    });
    expect(wrong.status).toBe(401);
    expect(await upgrade("/api/lessons/1/terminal", { origin: server.origin })).toBe(401);
    // A DNS-rebinding page reaches us under its own name, with no token: still refused first.
    expect(await statusWithHost("attacker.example")).toBe(403);
    expect(await statusWithHost(`attacker.example:${new URL(server.origin).port}`)).toBe(403);
    expect(await statusWithHost(new URL(server.origin).host)).toBe(200);
    const ok = await fetch(`${server.origin}/api/lessons`, { headers: bearer() });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[])[0]).toMatchObject({
      position: 1,
      id: "namespaces",
      state: "open",
    });
  });

  test("a terminal socket from a foreign Origin is refused (403), even with the token", async () => {
    expect(
      await upgrade("/api/lessons/1/terminal", { ...bearer(), origin: "http://evil.example" }),
    ).toBe(403);
    expect(await upgrade("/api/lessons/1/terminal", bearer())).toBe(403);
  });

  test("the token in the address becomes an HttpOnly SameSite=Strict cookie that alone opens the API; the page is the server's own, under a CSP", async () => {
    const first = await fetch(`${server.origin}/?token=${server.token}`);
    expect(first.status).toBe(200);
    const cookie = first.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^course_token=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
    expect(first.headers.get("content-security-policy")).toContain("default-src 'self'");
    const withCookie = await fetch(`${server.origin}/api/lessons`, {
      headers: { cookie: cookie.split(";")[0] ?? "" },
    });
    expect(withCookie.status).toBe(200);
    // Only the address with the token sets it.
    const again = await fetch(`${server.origin}/api/lessons`, { headers: bearer() });
    expect(again.headers.get("set-cookie")).toBeNull();
    // Offline: every request the page makes, scripts and sockets included, is to this server.
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(`${server.origin}/`) && !r.url().startsWith("data:"))
        elsewhere.push(r.url());
    });
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.goto(server.url);
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("[lesson 1 ·");
    await page.locator("#graph[src]").waitFor({ state: "attached" });
    expect(elsewhere).toEqual([]);
    expect(sockets).toEqual([
      `${server.origin.replace("http", "ws")}/api/lessons/namespaces/terminal`,
    ]);
    await page.close();
  });

  test("the API's list is `course list --json`; a lesson answers to `lesson-N`, `N`, its id and its path; an unknown name: 404 naming them", async () => {
    const list = await fetch(`${server.origin}/api/lessons`, { headers: bearer() });
    expect(await list.json()).toEqual(JSON.parse(bin.run(["list", "--json"]).stdout));
    for (const name of ["lesson-3", "3", "bridge", "lessons%2F03-bridge.md"]) {
      const r = await fetch(`${server.origin}/api/lessons/${name}`, { headers: bearer() });
      expect(r.status, name).toBe(200);
      expect(await r.json(), name).toMatchObject({
        id: "bridge",
        position: 3,
        state: "locked",
        missing: ["veth-pair"],
      });
    }
    const none = await fetch(`${server.origin}/api/lessons/no-such-lesson`, { headers: bearer() });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({
      error: "no lesson named `no-such-lesson`",
      hint: expect.stringContaining("lesson-3 (bridge)"),
    });
    // A locked lesson's hints are refused as `course hint` refuses them.
    const hint = await fetch(`${server.origin}/api/lessons/3/hint`, {
      method: "POST",
      headers: bearer(),
    });
    expect(hint.status).toBe(423);
    expect(bin.run(["hint", "3"]).code).toBe(3);
  });

  test("a locked lesson's terminal is refused (423) before any lab is made", async () => {
    expect(await upgrade("/api/lessons/2/terminal", { ...bearer(), origin: server.origin })).toBe(
      423,
    );
    const page = await browser.newPage();
    await page.goto(`${server.url}#veth-pair`);
    await expect
      .poll(() => page.locator("#terminal-status").innerText(), { timeout: 20_000 })
      .toContain("Locked: finish namespaces first");
    // Its text can be read, but no hint is offered (the API refuses them, as `course hint` does).
    expect(await page.locator(".step").count()).toBeGreaterThan(0);
    expect(await page.locator(".hint-button").count()).toBe(0);
    await page.close();
  });

  test("lesson 1 as a learner: commands typed in the terminal turn the steps green, lesson 2 unlocks, the graph shows c1", async () => {
    const lesson = (await (
      await fetch(`${server.origin}/api/lessons/1`, { headers: bearer() })
    ).json()) as { steps: { index: number; commands: { code: string; background: boolean }[] }[] };
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Every picture the page loads, in order: the lab before the commands, then redrawn.
    const pictures: Promise<string>[] = [];
    page.on("response", (r) => {
      // A picture still loading when the page closes has no body left to read: an empty one
      // (else its rejected read is an unhandled error of the whole run).
      if (new URL(r.url()).pathname.endsWith("/graph")) pictures.push(r.text().catch(() => ""));
    });
    await page.goto(server.url);
    // The token moved into the cookie and out of the address bar.
    expect(page.url()).not.toContain("token=");
    await page.waitForSelector('.step[data-step="1"][data-passed="false"]');
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("[lesson 1 ·");
    // c1's box title: `c1`, then ` · ip_forward=…` when it routes.
    const c1 = />c1[ <]/;
    // The picture of the lab before any command, loaded before the first is typed (else a slow
    // first picture is answered after `ip netns add c1`, or replaced by the redrawn one).
    await expect.poll(() => pictures.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await pictures[0]).not.toMatch(c1);
    await page.locator(".xterm-helper-textarea").focus();
    for (const step of lesson.steps) {
      for (const block of step.commands) {
        // As a learner would: a server is started in the background, with `&`.
        for (const line of block.code.split("\n")) {
          await page.keyboard.type(block.background ? `${line} &` : line);
          await page.keyboard.press("Enter");
        }
      }
      await untilPassed(page, step.index);
    }
    await page.waitForSelector('#lesson-list li[data-id="veth-pair"][data-state="open"]');
    await page.waitForSelector('#lesson-list li[data-id="namespaces"][data-state="done"]');
    await expect
      .poll(() => page.locator(".banner").first().innerText(), { timeout: 20_000 })
      .toContain("veth-pair");
    // The picture is the lab's own, redrawn after the commands: now with c1.
    await expect.poll(() => pictures.length, { timeout: 20_000 }).toBeGreaterThan(1);
    await expect
      .poll(async () => (await Promise.all(pictures)).at(-1), { timeout: 20_000 })
      .toMatch(c1);
    await page.screenshot({ path: join(shots, "lesson-1-done.png") });
    // The same progress file the CLI reads.
    const status = bin.run(["list", "--json"]);
    expect(JSON.parse(status.stdout)[1]).toMatchObject({ id: "veth-pair", state: "open" });
    await page.close();
  });

  test("the API's verify answers what `course verify --json` prints for the same lab, with the lesson's terminal open or not", async () => {
    // Every figure but the timings: those differ from one run to the next.
    const untimed = (json: unknown) =>
      JSON.parse(JSON.stringify(json), (key, value) => (key === "durationMs" ? undefined : value));
    // Lesson 1 has the learner's terminal open (the API verifies in that terminal's lab); lesson
    // 2 has none (the API joins its lab for the request, as the CLI does). 1 passes, 2 fails.
    for (const [name, passed] of [
      ["1", true],
      ["veth-pair", false],
    ] as const) {
      const api = await fetch(`${server.origin}/api/lessons/${name}/verify`, {
        method: "POST",
        headers: bearer(),
      });
      expect(api.status).toBe(200);
      const fromApi = (await api.json()) as { passed: boolean; steps: { hint?: string }[] };
      const cli = bin.run(["verify", name, "--json"]);
      expect(cli.code).toBe(passed ? 0 : 1);
      expect(fromApi.passed).toBe(passed);
      if (!passed) expect(fromApi.steps[0]?.hint).toBeTruthy();
      expect(untimed(fromApi)).toEqual(untimed(JSON.parse(cli.stdout)));
    }
  });

  test("two tabs share one terminal, in the lab `course shell` opens", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 700 } });
    const a = await context.newPage();
    const b = await context.newPage();
    await a.goto(`${server.url}#namespaces`);
    await b.goto(`${server.url}#namespaces`);
    await expect.poll(() => screen(b), { timeout: 30_000 }).toContain("[lesson 1 ·");
    await a.locator(".xterm-helper-textarea").focus();
    await a.keyboard.type("ip netns add from-tab-a; echo typed-in-$((6*7))");
    await a.keyboard.press("Enter");
    await expect.poll(() => screen(b), { timeout: 20_000 }).toContain("typed-in-42");
    const cli = bin.run(["shell", "namespaces", "-c", "ip netns list"]);
    expect(cli.stdout).toContain("from-tab-a");
    await b.screenshot({ path: join(shots, "two-tabs.png") });
    await context.close();
  });

  test("copy and paste as a learner does, with no clipboard permission: Ctrl+C on the lesson's text, Ctrl+V and Ctrl+Shift+V into the terminal, Ctrl+Shift+C out of it", async () => {
    // No permission granted: the browser's own copy and paste need none (the page asks none).
    const context = await browser.newContext({ viewport: { width: 1400, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${server.url}#namespaces`);
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("[lesson 1 ·");
    const terminal = page.locator(".xterm-helper-textarea");
    // A command of the lesson's text, selected and copied with the browser's Ctrl+C, pasted into
    // the terminal with Ctrl+V; then Ctrl+C there is the shell's interrupt, not a copy.
    const code = page.locator(".step pre > code").first();
    const command = ((await code.innerText()).split("\n")[0] ?? "").trim();
    expect(command).not.toBe("");
    await terminal.focus();
    await page.keyboard.type("clear");
    await page.keyboard.press("Enter");
    // A click on the text takes the focus from the terminal, as the learner's mouse does.
    await code.click();
    await code.selectText();
    await page.keyboard.press("Control+C");
    await terminal.focus();
    await page.keyboard.type("#");
    await page.keyboard.press("Control+V");
    await expect.poll(() => screen(page), { timeout: 10_000 }).toContain(`#${command}`);
    await page.keyboard.press("Control+C");
    await expect.poll(() => screen(page), { timeout: 10_000 }).toContain(`#${command}^C`);
    // Out of the terminal: a word of output selected with the mouse, Ctrl+Shift+C.
    await page.keyboard.type("clear; echo copy-$((6*7))-me");
    await page.keyboard.press("Enter");
    // The output line (the command line shows `$((6*7))`, not 42).
    const row = page.locator(".xterm-rows > div", { hasText: /^copy-42-me\s*$/ });
    await row.waitFor({ timeout: 20_000 });
    // The word starts the row: a double click on its first letter selects it, as in any terminal.
    const box = await row.boundingBox();
    if (box === null) throw new Error("the output row is not shown");
    await page.mouse.dblclick(box.x + 3, box.y + box.height / 2);
    await page.keyboard.press("Control+Shift+C");
    // Pasted back at the prompt after typed text, with both shortcuts, then run.
    await terminal.focus();
    await page.keyboard.type("echo pasted-$((1+1))-");
    await page.keyboard.press("Control+V");
    await page.keyboard.type("+");
    await page.keyboard.press("Control+Shift+V");
    await expect
      .poll(() => screen(page), { timeout: 10_000 })
      .toContain("pasted-$((1+1))-copy-42-me+copy-42-me");
    await page.keyboard.press("Enter");
    await expect
      .poll(() => screen(page), { timeout: 20_000 })
      .toContain("pasted-2-copy-42-me+copy-42-me");
    // The clipboard holds the word (read by the test, which needs the permission for that).
    await context.grantPermissions(["clipboard-read"], { origin: server.origin });
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe("copy-42-me");
    await context.close();
  });

  test("hints one at a time, remembered as `course hint` remembers them; a command's type ▸ button types it into the terminal", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}#veth-pair`);
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("[lesson 2 ·");
    const step2 = page.locator('.step[data-step="2"]');
    const hints = () => step2.locator(".hint").count();
    expect(await hints()).toBe(0);
    await step2.getByRole("button", { name: "Hint 1 of 2" }).click();
    await expect.poll(hints, { timeout: 10_000 }).toBe(1);
    await step2.getByRole("button", { name: "Hint 2 of 2" }).waitFor();
    // The CLI goes on from there: the same record in the same progress file.
    expect(bin.run(["hint", "2", "2"]).stdout).toContain("Hint 2 of 2");
    await page.reload();
    await expect.poll(hints, { timeout: 20_000 }).toBe(2);
    expect(await step2.getByRole("button", { name: "No more hints" }).isDisabled()).toBe(true);
    // Step 1's commands typed by its button: all but the last line run, the learner presses Enter.
    await page.locator('.step[data-step="1"] button.type').first().click();
    await expect.poll(() => screen(page), { timeout: 20_000 }).toContain("ip netns add ns2");
    expect(await page.locator('.step[data-step="1"][data-passed="true"]').count()).toBe(0);
    await page.keyboard.press("Enter");
    await untilPassed(page, 1);
    await page.close();
  });

  test("a restarted server keeps progress (it is the CLI's progress file)", async () => {
    expect(await server.stop()).toBe(0);
    server = await startCourseServer(bin);
    const rows = (await (
      await fetch(`${server.origin}/api/lessons`, { headers: bearer() })
    ).json()) as { id: string; state: string }[];
    expect(rows.slice(0, 2)).toMatchObject([
      { id: "namespaces", state: "done" },
      { id: "veth-pair", state: "open" },
    ]);
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#lesson-list li[data-id="namespaces"][data-state="done"]');
    // The first open lesson is shown, and its terminal is no longer refused.
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("[lesson 2 ·");
    // Its step marks and the hints taken before the restart are kept.
    await page.locator('.step[data-step="1"][data-passed="true"]').waitFor();
    expect(await page.locator('.step[data-step="2"] .hint').count()).toBe(2);
    // The terminal's size follows the page: the shell's pty is resized with it.
    const size = async () => {
      await page.locator(".xterm-helper-textarea").focus();
      await page.keyboard.type("clear; echo size=$(stty size)=");
      await page.keyboard.press("Enter");
      let found = "";
      await expect
        .poll(
          async () => {
            found = /size=(\d+ \d+)=/.exec(await screen(page))?.[1] ?? "";
            return found;
          },
          { timeout: 20_000 },
        )
        .not.toBe("");
      return found;
    };
    const wide = await size();
    await page.setViewportSize({ width: 900, height: 500 });
    await expect.poll(size, { timeout: 30_000 }).not.toBe(wide);
    await page.close();
  });
});
