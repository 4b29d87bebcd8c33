/**
 * Builds the page of `course serve` into dist/web-client (served from the package: no CDN, works
 * offline): src/web/client/app.ts and app.css (with xterm.js) bundled by esbuild, index.html copied.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

const from = new URL("../src/web/client/", import.meta.url);
const to = new URL("../dist/web-client/", import.meta.url);
mkdirSync(to, { recursive: true });
await build({
  entryPoints: [new URL("app.ts", from).pathname, new URL("app.css", from).pathname],
  outdir: to.pathname,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  logLevel: "warning",
});
copyFileSync(new URL("index.html", from), new URL("index.html", to));
