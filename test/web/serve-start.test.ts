/**
 * What `course serve` does as it starts, besides its one line: it opens the browser when there is
 * a display (not with `--no-open`), and it warns when it listens beyond this machine.
 *
 * Opening goes through the real launcher: course runs `xdg-open` (xdg-utils), which finds the
 * desktop's handler of http: addresses the freedesktop way (mimeapps.list, then the handler's
 * .desktop file). The test points XDG_CONFIG_HOME and XDG_DATA_HOME at dirs of its own whose
 * default handler is a script that records the address it is given and opens it in Debian's
 * Chromium (headless, `--dump-dom`). So everything after course's own spawn is the chain a
 * desktop runs, only the handler is ours (this machine's own default, Chromium on a display,
 * cannot run without one), and the page Chromium got shows that the printed address, token
 * included, opens the course. DISPLAY is set to a name; nothing in the chain connects to it.
 *
 * The non-loopback address is bound inside a network box (test/helpers/network-box.ts): a fresh
 * network namespace with a veth pair, one end holding 192.0.2.10 (TEST-NET-1), never an address
 * of this machine.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { CourseBin, labsInTempHome, repoRoot } from "../helpers/course-bin.js";
import { CHROMIUM, startCourseServer } from "../helpers/course-server.js";
import { openNetworkBox } from "../helpers/network-box.js";
import { tool } from "../helpers/tool.js";

const bin = new CourseBin({ prefix: "course-serve-start-", timeout: 60_000 });
labsInTempHome(bin);

/** A desktop of our own: http: addresses open with a script that records them and loads them. */
function desktop(name: string) {
  const dir = join(bin.dir, name);
  const apps = join(dir, "data", "applications");
  mkdirSync(apps, { recursive: true });
  mkdirSync(join(dir, "config"), { recursive: true });
  const handler = join(dir, "open-in-chromium");
  writeFileSync(
    handler,
    `#!/bin/sh
# The desktop's browser: keep the address, then load it in headless Chromium and keep the page.
printf '%s\\n' "$1" >"${dir}/address.tmp" && mv "${dir}/address.tmp" "${dir}/address"
HOME="${dir}" timeout 60 ${CHROMIUM} --headless ${process.getuid?.() === 0 ? "--no-sandbox" : ""} \\
  --disable-gpu --no-first-run --disable-background-networking --disable-component-update \\
  --disable-sync --user-data-dir="${dir}/profile" --dump-dom "$1" >"${dir}/page.tmp" 2>/dev/null
mv "${dir}/page.tmp" "${dir}/page.html"
`,
  );
  chmodSync(handler, 0o755);
  writeFileSync(
    join(apps, "course-test-browser.desktop"),
    `[Desktop Entry]\nType=Application\nName=course test browser\nExec=${handler} %u\nMimeType=x-scheme-handler/http;\n`,
  );
  writeFileSync(
    join(dir, "config", "mimeapps.list"),
    "[Default Applications]\nx-scheme-handler/http=course-test-browser.desktop\n",
  );
  return {
    address: join(dir, "address"),
    page: join(dir, "page.html"),
    env: (display: string) => ({
      DISPLAY: display,
      WAYLAND_DISPLAY: "",
      XDG_CURRENT_DESKTOP: "",
      DESKTOP_SESSION: "",
      XDG_CONFIG_HOME: join(dir, "config"),
      XDG_DATA_HOME: join(dir, "data"),
    }),
  };
}

async function until(file: string, ms: number): Promise<number> {
  const started = performance.now();
  while (!existsSync(file)) {
    if (performance.now() - started > ms) throw new Error(`${file} did not appear in ${ms} ms`);
    await sleep(100);
  }
  return performance.now() - started;
}

/** How long the launcher took in the test that opened: the others wait well beyond it. */
let launched = 0;

describe("course serve as it starts", { timeout: 120_000 }, () => {
  test("with a display it opens the printed address in the desktop's browser (xdg-open), which gets the course's page", async () => {
    const d = desktop("opens");
    const server = await startCourseServer(bin, [], d.env(":0"), {
      serveArgs: ["--port", "0"],
    });
    try {
      launched = await until(d.address, 30_000);
      expect(readFileSync(d.address, "utf8").trim()).toBe(server.url);
      await until(d.page, 60_000);
      const page = readFileSync(d.page, "utf8");
      // The course's page, its script run (xterm drew the terminal): the token was accepted.
      expect(page).toContain('id="lesson-list"');
      expect(page).toContain("xterm-helper-textarea");
      expect(server.stderr()).not.toContain("warning");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("--no-open, or no display: no browser", async () => {
    for (const [name, display, serveArgs] of [
      ["no-open", ":0", ["--port", "0", "--no-open"]],
      ["no-display", "", ["--port", "0"]],
    ] as const) {
      const d = desktop(name);
      const server = await startCourseServer(bin, [], d.env(display), {
        serveArgs: [...serveArgs],
      });
      try {
        await sleep(Math.max(3000, 3 * launched));
        expect(existsSync(d.address), name).toBe(false);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    }
  });

  test("an address that is not loopback: it serves there, and warns that it does", async () => {
    const box = await openNetworkBox(
      "ip link add course-test0 type veth peer name course-test1 && ip addr add 192.0.2.10/24 dev course-test0 && ip link set course-test0 up && ip link set course-test1 up",
    );
    const enter = box.enter(repoRoot);
    try {
      const server = await startCourseServer(
        bin,
        [],
        {},
        {
          wrap: enter,
          serveArgs: ["--host", "192.0.2.10", "--port", "0", "--no-open"],
        },
      );
      try {
        expect(server.url).toMatch(/^http:\/\/192\.0\.2\.10:\d+\/\?token=/);
        expect(server.stderr()).toBe(
          "course: warning: listening on 192.0.2.10, not only this machine: anyone who can reach it and has the token runs commands as root in your labs\n",
        );
        // A client in the box reaches it at that address, by that name.
        const [command = "", ...prefix] = enter;
        const client = tool(
          command,
          [
            ...prefix,
            process.execPath,
            "-e",
            `fetch(process.argv[1] + "/api/lessons", { headers: { authorization: "Bearer " + process.argv[2] } }).then(async (r) => console.log(r.status, (await r.json())[0].id))`,
            server.origin,
            server.token,
          ],
          { timeout: 30_000 },
        );
        expect(client.trim()).toBe("200 namespaces");
      } finally {
        expect(await server.stop()).toBe(0);
      }
    } finally {
      await box.close();
    }
  });
});
