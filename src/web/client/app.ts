/**
 * The page of `course serve`: the lessons, the current lesson's text with its step marks and
 * hints, a terminal into the lesson's lab and its network picture. No framework: a few
 * functions over the API (docs/web.md), which this page uses exactly as any client would.
 */
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";

interface ListRow {
  position: number;
  id: string;
  title: string;
  steps: number;
  state?: "done" | "open" | "locked";
}
interface StepView {
  index: number;
  title: string;
  passed: boolean;
  html: string;
  hints: string[];
  hintsTotal: number;
}
interface LessonView {
  id: string;
  position: number;
  title: string;
  state: "done" | "open" | "locked";
  missing: string[];
  html: string;
  steps: StepView[];
}
interface VerifyJson {
  passed: boolean;
  steps: { index: number; passed: boolean }[];
}
type ServerEvent =
  | { type: "live"; steps: { index: number; passed: boolean | undefined }[]; done: boolean }
  | { type: "prompt" }
  | { type: "verify"; report: VerifyJson }
  | { type: "error"; message: string }
  | { type: "exit"; code: number };

const $ = (id: string) => document.getElementById(id) as HTMLElement;

// The token came in the address; the cookie holds it now. Keep it out of history and screenshots.
if (location.search.includes("token="))
  history.replaceState(null, "", location.pathname + location.hash);

async function api<T>(path: string, method = "GET"): Promise<T> {
  const res = await fetch(path, { method, credentials: "same-origin" });
  const body = (await res.json()) as T & { error?: string; hint?: string };
  if (!res.ok) throw new Error(body.error ?? `${method} ${path}: ${res.status}`);
  return body;
}

let current: LessonView | undefined;
let socket: WebSocket | undefined;
const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 13, scrollback: 5000 });
const fit = new FitAddon();
term.loadAddon(fit);
term.open($("terminal"));
// Copy and paste as in desktop terminals, with no clipboard permission asked (so also on an
// address that is not a secure context, where navigator.clipboard is missing). Paste, with Ctrl+V
// or Ctrl+Shift+V, is the browser's own: xterm.js would otherwise send ^V to the shell and cancel
// the key, so no paste event would come. Letting the key through makes the browser paste into
// xterm.js's textarea, whose paste handler sends the text (bracketed, when the shell asks). Copy,
// Ctrl+Shift+C, is the browser's copy command on the selection (xterm.js's copy handler fills the
// clipboard); Ctrl+C stays an interrupt.
term.attachCustomKeyEventHandler((e) => {
  if (e.type !== "keydown" || !e.ctrlKey || e.altKey || e.metaKey) return true;
  if (e.code === "KeyV") return false;
  if (e.code === "KeyC" && e.shiftKey) {
    // Not the browser's Ctrl+Shift+C (its element inspector in a desktop Chromium).
    e.preventDefault();
    document.execCommand("copy");
    return false;
  }
  return true;
});

function send(message: object): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}
term.onData((data) => send({ type: "input", data }));
term.onResize(({ cols, rows }) => send({ type: "resize", cols, rows }));
new ResizeObserver(() => fit.fit()).observe($("terminal"));

async function showLessons(): Promise<ListRow[]> {
  const rows = await api<ListRow[]>("/api/lessons");
  const list = $("lesson-list");
  list.replaceChildren(
    ...rows.map((row) => {
      const li = document.createElement("li");
      li.dataset.state = row.state ?? "open";
      li.dataset.id = row.id;
      const a = document.createElement("a");
      a.href = `#${row.id}`;
      a.textContent = `${row.position}. ${row.title}`;
      if (row.id === current?.id) a.setAttribute("aria-current", "page");
      li.append(a);
      return li;
    }),
  );
  return rows;
}

function refreshGraph(): void {
  if (current === undefined) return;
  ($("graph") as HTMLImageElement).src =
    `/api/lessons/${encodeURIComponent(current.id)}/graph?at=${Date.now()}`;
}

function mark(section: HTMLElement, passed: boolean): void {
  section.dataset.passed = String(passed);
  const m = section.querySelector(".mark");
  if (m) m.textContent = passed ? "✓" : "○";
}

function stepSection(step: StepView): HTMLElement {
  const section = document.createElement("section");
  section.className = "step";
  section.dataset.step = String(step.index);
  const h = document.createElement("h2");
  const m = document.createElement("span");
  m.className = "mark";
  h.append(m, `Step ${step.index}: ${step.title}`);
  const body = document.createElement("div");
  // Sanitized on the server (rehype-sanitize).
  body.innerHTML = step.html;
  const hints = document.createElement("div");
  hints.className = "hints";
  for (const html of step.hints) hints.append(hintBox(html));
  section.append(h, body, hints);
  // A locked lesson's hints are refused (423), as `course hint` refuses them: no button.
  if (step.hintsTotal > 0 && current?.state !== "locked") {
    const more = document.createElement("button");
    more.className = "hint-button";
    const label = () => {
      const n = hints.children.length;
      more.textContent =
        n < step.hintsTotal ? `Hint ${n + 1} of ${step.hintsTotal}` : "No more hints";
      more.disabled = n >= step.hintsTotal;
    };
    label();
    more.addEventListener("click", async () => {
      if (current === undefined) return;
      const h = await api<{ html?: string }>(
        `/api/lessons/${encodeURIComponent(current.id)}/hint?step=${step.index}`,
        "POST",
      );
      if (h.html !== undefined) hints.append(hintBox(h.html));
      label();
    });
    section.append(more);
  }
  mark(section, step.passed);
  return section;
}

function hintBox(html: string): HTMLElement {
  const div = document.createElement("div");
  div.className = "hint";
  div.innerHTML = html;
  return div;
}

/** A button on each command that types it into the terminal (the learner presses Enter). */
function addTypeButtons(root: HTMLElement): void {
  for (const code of root.querySelectorAll<HTMLElement>(
    "pre > code.language-sh, pre > code.language-bash, pre > code.language-shell",
  )) {
    const button = document.createElement("button");
    button.className = "type";
    button.textContent = "type ▸";
    button.title = "type this command into the terminal";
    button.addEventListener("click", () => {
      send({
        type: "input",
        data: (code.textContent ?? "").replace(/\n+$/, "").replace(/\n/g, "\r"),
      });
      term.focus();
    });
    code.parentElement?.append(button);
  }
}

function applyMarks(steps: { index: number; passed: boolean | undefined }[]): void {
  for (const s of steps) {
    const section = document.querySelector<HTMLElement>(`.step[data-step="${s.index}"]`);
    if (section && s.passed !== undefined) mark(section, s.passed);
  }
}

/** Refresh the lesson list; say which lessons the change unlocked. */
async function afterProgress(): Promise<void> {
  const before = new Map(
    [...$("lesson-list").querySelectorAll<HTMLElement>("li")].map((li) => [
      li.dataset.id,
      li.dataset.state,
    ]),
  );
  const rows = await showLessons();
  const unlocked = rows.filter((r) => before.get(r.id) === "locked" && r.state !== "locked");
  const wasDone = before.get(current?.id) === "done";
  const nowDone = rows.find((r) => r.id === current?.id)?.state === "done";
  if (unlocked.length > 0 || (nowDone && !wasDone)) {
    const banner = document.createElement("p");
    banner.className = "banner";
    banner.textContent = unlocked.length
      ? `Lesson done. Unlocked: ${unlocked.map((r) => `${r.position}. ${r.title} (${r.id})`).join(", ")}.`
      : "Lesson done.";
    $("lesson").prepend(banner);
  }
}

let graphTimer: ReturnType<typeof setTimeout> | undefined;
/** The lab changed (a command finished): redraw its picture, once for a burst of commands. */
function labChanged(): void {
  clearTimeout(graphTimer);
  graphTimer = setTimeout(refreshGraph, 300);
}

function connect(lesson: LessonView): void {
  socket?.close();
  term.reset();
  const status = $("terminal-status");
  if (lesson.state === "locked") {
    status.textContent = `Locked: finish ${lesson.missing.join(", ")} first.`;
    socket = undefined;
    return;
  }
  status.textContent = `Terminal in the lab of ${lesson.id} (shared with \`course shell ${lesson.id}\`)`;
  const ws = new WebSocket(
    `ws://${location.host}/api/lessons/${encodeURIComponent(lesson.id)}/terminal`,
  );
  ws.binaryType = "arraybuffer";
  ws.addEventListener("open", () => {
    fit.fit();
    send({ type: "resize", cols: term.cols, rows: term.rows });
  });
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string") {
      term.write(new Uint8Array(e.data as ArrayBuffer));
      return;
    }
    const event = JSON.parse(e.data) as ServerEvent;
    if (event.type === "live") {
      applyMarks(event.steps);
      void afterProgress();
    } else if (event.type === "prompt") labChanged();
    else if (event.type === "verify") {
      applyMarks(event.report.steps);
      void afterProgress();
    } else if (event.type === "error") status.innerHTML = `<span class="error"></span>`;
    if (event.type === "error") (status.firstChild as HTMLElement).textContent = event.message;
    else if (event.type === "exit")
      status.textContent = "The shell ended; reload the lesson for a new one (the lab stays).";
  });
  socket = ws;
}

async function showLesson(name: string): Promise<void> {
  const lesson = await api<LessonView>(`/api/lessons/${encodeURIComponent(name)}`);
  current = lesson;
  const main = $("lesson");
  const h = document.createElement("h1");
  h.textContent = `${lesson.position}. ${lesson.title}`;
  const intro = document.createElement("div");
  intro.innerHTML = lesson.html;
  main.replaceChildren(h, intro, ...lesson.steps.map(stepSection));
  addTypeButtons(main);
  main.scrollTop = 0;
  for (const li of $("lesson-list").querySelectorAll("a")) {
    if (li.getAttribute("href") === `#${lesson.id}`) li.setAttribute("aria-current", "page");
    else li.removeAttribute("aria-current");
  }
  connect(lesson);
  refreshGraph();
}

async function route(): Promise<void> {
  const rows = await showLessons();
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = rows.find((r) => r.state === "open") ?? rows[0];
  const name = wanted !== "" ? wanted : first?.id;
  if (name !== undefined) await showLesson(name);
}

window.addEventListener("hashchange", () => void route());
route().catch((error: Error) => {
  $("lesson").innerHTML = `<p class="error"></p>`;
  ($("lesson").firstChild as HTMLElement).textContent = error.message;
});
