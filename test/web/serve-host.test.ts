/**
 * `course --lab host serve`: the browser's terminal and the API's verify on the host lab.
 *
 * The host lab has no boundary: its commands change the network namespace they run in. So the
 * server, the CLI runs compared with it, and the Chromium that drives it all run inside a
 * network box (test/helpers/network-box.ts): a fresh network + mount namespace made by
 * `unshare` for this file, with its own `lo`, its own /run (where `ip netns add` puts its files)
 * and its own /etc/iproute2. "The host" is the box: `ip netns add c1` typed in the page makes c1
 * there, never on this machine, and the box ends with the file (its processes are killed, the
 * kernel frees its namespaces). Chromium enters the box's network through a wrapper
 * (`nsenter --net`) so that it reaches the server's 127.0.0.1.
 */
import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CourseBin, courseBin, repoRoot } from "../helpers/course-bin.js";
import {
  CHROMIUM,
  launchChromium,
  type RunningServer,
  startCourseServer,
} from "../helpers/course-server.js";
import { type NetworkBox, openNetworkBox } from "../helpers/network-box.js";
import { runToolAsync } from "../helpers/tool.js";

const bin = new CourseBin({ prefix: "course-serve-host-", timeout: 60_000 });
const HOST = ["--lab", "host"];

let box: NetworkBox;
let server: RunningServer | undefined;
let browser: Browser | undefined;

/** `course --lab host ARGS` inside the box, in the test's temp home. */
function inBox(args: string[]) {
  const [command = "", ...prefix] = box.enter(repoRoot);
  return runToolAsync(command, [...prefix, process.execPath, courseBin, ...HOST, ...args], {
    env: bin.env(HOME()),
    timeout: 60_000,
  });
}

/** POST /api/lessons/NAME/verify from the page (the browser holds the cookie). */
async function verifyFromPage(page: Page, name: string): Promise<unknown> {
  return page.evaluate(async (n) => {
    const res = await fetch(`/api/lessons/${n}/verify`, { method: "POST" });
    return { status: res.status, body: await res.json() };
  }, name);
}

const untimed = (json: unknown) =>
  JSON.parse(JSON.stringify(json), (key, value) => (key === "durationMs" ? undefined : value));

/**
 * The host lab's shell is the user's bash in $HOME, whose history it appends to on exit: the
 * test's own home, so this machine's ~/.bash_history is left alone.
 */
const HOME = () => ({ HOME: bin.dir });

const WARNING = "the `host` lab runs lesson commands in this machine's own network namespaces";

describe("course serve with the host lab (inside a network box)", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    bin.open();
    box = await openNetworkBox();
    server = await startCourseServer(bin, HOST, HOME(), { wrap: box.enter(repoRoot) });
    browser = await launchChromium({ executablePath: box.wrapper(CHROMIUM) });
  });
  afterAll(async () => {
    try {
      await browser?.close();
      await server?.stop();
    } finally {
      await box?.close();
      bin.remove();
    }
  });

  test("the box is not this machine: its own loopback only, where the server listens", async () => {
    const links = box.sh("ip -o link show").stdout.trim().split("\n");
    expect(links).toHaveLength(1);
    expect(links[0]).toContain("lo:");
    // The server's 127.0.0.1 is the box's: this machine's has nothing on that port.
    await expect(fetch(`${server?.origin}/`)).rejects.toThrow();
  });

  test("a verify without a terminal joins the lab per request; the host lab's warning is said once", async () => {
    if (server === undefined || browser === undefined) throw new Error("no server");
    const page = await browser.newPage();
    // No terminal yet: the page is not loaded, only an address on the server's origin.
    await page.goto(`${server.origin}/api/lessons?token=${server.token}`);
    for (let i = 0; i < 2; i++) {
      expect(await verifyFromPage(page, "1")).toMatchObject({
        status: 200,
        body: { passed: false, lesson: { id: "namespaces" } },
      });
    }
    expect(server.stderr().split(WARNING).length - 1).toBe(1);
    await page.close();
  });

  test("the terminal is the host lab's live shell: steps turn green, verify agrees with the CLI, and this machine has no c1", async () => {
    if (server === undefined || browser === undefined) throw new Error("no server");
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.waitForSelector('.step[data-step="1"][data-passed="false"]');
    const screen = () => page.locator(".xterm-rows").innerText();
    await expect.poll(screen, { timeout: 30_000 }).toContain("[lesson 1 ·");
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("ip netns add c1");
    await page.keyboard.press("Enter");
    await page.waitForSelector('.step[data-step="1"][data-passed="true"]', { timeout: 30_000 });
    // The namespace is the box's: the CLI in the box sees it, this machine does not.
    expect((await inBox(["shell", "1", "-c", "ip netns list"])).stdout).toContain("c1");
    expect(existsSync("/run/netns/c1")).toBe(false);
    await page.keyboard.type("ip netns exec c1 ip link set lo up");
    await page.keyboard.press("Enter");
    await page.waitForSelector('.step[data-step="2"][data-passed="true"]', { timeout: 30_000 });
    // Verify through the API, in the terminal's lab: what `course --lab host verify --json` says.
    const api = (await verifyFromPage(page, "1")) as { status: number; body: unknown };
    expect(api.status).toBe(200);
    const cli = await inBox(["verify", "1", "--json"]);
    expect(cli.stderr).toContain(WARNING);
    const fromCli = JSON.parse(cli.stdout) as { passed: boolean; steps: { passed: boolean }[] };
    expect(fromCli.steps.slice(0, 2).map((s) => s.passed)).toEqual([true, true]);
    expect(untimed(api.body)).toEqual(untimed(fromCli));
    await page.close();
  });
});
