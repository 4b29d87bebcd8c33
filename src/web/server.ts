/**
 * `course serve`'s HTTP server: the page, the API it uses (docs/web.md) and the terminals. Every
 * answer comes from the CLI's own flows run in this process: no Node start-up per request.
 */
import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { takeHint } from "../cli/hint.js";
import { type CommandContext, labIo } from "../context.js";
import { CourseError, LabError, LessonError, LockedError, UsageError } from "../errors.js";
import { openLessonLab } from "../flows/lesson-lab.js";
import { verifyCourseLesson, verifyJson } from "../flows/verify.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import type { Lesson } from "../lesson/types.js";
import { findLesson, requireCourse } from "../load-course.js";
import { lessonProgressOf } from "../progress/lesson-progress.js";
import { assertOpen, lessonState } from "../progress/lesson-states.js";
import { openProgress } from "../progress/open-progress.js";
import { COOKIE, hostAllowed, originAllowed, requestToken, tokenMatches } from "./guard.js";
import { markdownToHtml } from "./lesson-html.js";
import { runInProcess } from "./run-in-process.js";
import { SharedTerminal, type TerminalSocket } from "./terminals.js";

export interface ServeOptions {
  ctx: CommandContext;
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** @default a fresh random token */
  token: string;
  /** The built page (index.html, app.js, app.css). @default dist/web-client */
  assets?: URL;
}

export interface CourseServer {
  /** The address to open, token included. */
  url: string;
  host: string;
  port: number;
  /** Ends the terminals' shells (labs stay, as after `course shell`) and the server. */
  close(): Promise<void>;
}

const ASSETS = new URL("../web-client/", import.meta.url);
const TYPES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

/** The HTTP status for a typed error: what the CLI would exit with, said the HTTP way. */
function statusOf(error: unknown): number {
  if (error instanceof LockedError) return 423;
  if (error instanceof LessonError) return 500;
  if (error instanceof UsageError) return 404;
  if (error instanceof LabError) return 503;
  if (error instanceof CourseError) return 500;
  return 500;
}

async function readAssets(dir: URL): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of Object.keys(TYPES)) {
    try {
      files.set(name, await readFile(new URL(name, dir)));
    } catch {
      throw new UsageError(`the page of course serve is not built (${name} is missing)`, {
        hint: "run `npm run build` in the course's directory",
      });
    }
  }
  return files;
}

/** Start the server; resolves once it listens. */
export async function startServer(options: ServeOptions): Promise<CourseServer> {
  const { ctx, token } = options;
  const host = options.host ?? "127.0.0.1";
  const assets = await readAssets(options.assets ?? ASSETS);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(websocket);
  let port = options.port;
  // A verify opens the lab each time no terminal is open: the host lab's warning, said on every
  // open, goes to the server's stderr once, the --debug lines every time.
  const said = new Set<string>();
  const verifyCtx: CommandContext = {
    ...ctx,
    stderr: new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        const text = String(chunk);
        const warning = text.startsWith("course: warning: ");
        if (!warning || !said.has(text)) ctx.stderr.write(text);
        if (warning) said.add(text);
        done();
      },
    }),
  };
  const terminals = new Map<string, Promise<SharedTerminal>>();

  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    // A DNS-rebinding page reaches us under its own name: refuse before anything else.
    if (!hostAllowed(req.headers.host, host, port)) {
      return reply
        .code(403)
        .send({ error: `Host ${req.headers.host ?? "(none)"} is not this server` });
    }
    const given = requestToken(req.url, req.headers);
    if (!tokenMatches(token, given?.token)) {
      return reply
        .code(401)
        .send({ error: "no valid token: open the address `course serve` printed (with ?token=)" });
    }
    if (req.headers.upgrade?.toLowerCase() === "websocket") {
      if (!originAllowed(req.headers.origin, req.headers.host)) {
        return reply
          .code(403)
          .send({ error: `Origin ${req.headers.origin ?? "(none)"} is not this page` });
      }
    }
    if (given?.from === "query") {
      reply.header("set-cookie", `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
  });

  app.setErrorHandler((error, _req, reply) => {
    const status = statusOf(error);
    if (!(error instanceof CourseError)) {
      return reply
        .code(status)
        .send({ error: `this is a bug in course: ${(error as Error).message}` });
    }
    return reply
      .code(status)
      .send({ error: error.message, ...(error.hint ? { hint: error.hint } : {}) });
  });

  for (const [name, type] of Object.entries(TYPES)) {
    const body = assets.get(name);
    app.get(name === "index.html" ? "/" : `/${name}`, (_req, reply) =>
      reply
        .type(type)
        .header("cache-control", "no-store")
        .header(
          "content-security-policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'",
        )
        .send(body),
    );
  }

  app.get("/api/lessons", async (_req, reply) => {
    const { listCommand } = await import("../cli/list.js");
    const { stdout } = await runInProcess(ctx, (c) => listCommand(c, { json: true }));
    return reply.type("application/json").send(stdout);
  });

  const lessonOf = async (name: string) => {
    const course = await requireCourse(ctx);
    return { course, lesson: findLesson(course, name) };
  };

  app.get<{ Params: { name: string } }>("/api/lessons/:name", async (req) => {
    const { course, lesson } = await lessonOf(req.params.name);
    const progress = await openProgress(ctx).read();
    const state = lessonState(course, progress, lesson);
    const entry = lessonProgressOf(progress, course, lesson);
    const passed = new Set(entry?.stepsPassed ?? []);
    return {
      id: lesson.id,
      position: lesson.position,
      title: lesson.title,
      state: state.state,
      missing: state.missing,
      html: await markdownToHtml(lesson.intro),
      steps: await Promise.all(
        lesson.steps.map(async (step) => {
          const seen = entry?.hintsSeen[String(step.index)] ?? 0;
          return {
            index: step.index,
            title: step.title,
            passed: passed.has(step.index),
            checks: step.checks.map((c) => c.source),
            // A background fence (a server) needs `&` when typed at a prompt.
            commands: step.commands.map((c) => ({
              code: c.code,
              background: c.options.background,
            })),
            html: await markdownToHtml(step.markdown, step.hints),
            hints: await Promise.all(
              step.hints.slice(0, seen).map((h) => markdownToHtml(h.markdown)),
            ),
            hintsTotal: step.hints.length,
          };
        }),
      ),
    };
  });

  // The lesson's open terminal, if any (undefined while it fails to open or once it ended).
  const openTerminal = async (lesson: Lesson) => terminals.get(lesson.id)?.catch(() => undefined);

  app.post<{ Params: { name: string } }>("/api/lessons/:name/verify", async (req) => {
    // flows/verify as `course verify --json` runs it, in the terminal's lab when one is open.
    const outcome = await verifyCourseLesson(verifyCtx, req.params.name, {
      lab: async (_course, lesson) => (await openTerminal(lesson))?.lab,
    });
    const report = verifyJson(outcome);
    (await openTerminal(outcome.lesson))?.broadcast({ type: "verify", report });
    return report;
  });

  app.post<{ Params: { name: string }; Querystring: { step?: string } }>(
    "/api/lessons/:name/hint",
    async (req) => {
      // Chosen, refused (a locked lesson) and recorded as `course hint` does.
      const { step, taken } = await takeHint(ctx, req.params.name, req.query.step);
      if (taken === undefined) return { step: step.index, index: 0, total: 0 };
      const { index, total, wrapped } = taken;
      return {
        step: step.index,
        index,
        total,
        wrapped,
        html: await markdownToHtml(taken.hint.markdown),
      };
    },
  );

  app.get<{ Params: { name: string } }>("/api/lessons/:name/graph", async (req, reply) => {
    const { graph } = await import("../cli/graph.js");
    const report = await graph(ctx, req.params.name, { format: "svg" });
    return reply.type("image/svg+xml").send(report.drawing);
  });

  const terminalOf = (lesson: Lesson, course: Awaited<ReturnType<typeof lessonOf>>["course"]) => {
    let shared = terminals.get(lesson.id);
    if (shared === undefined) {
      shared = (async () => {
        const { lab } = await openLessonLab({
          spec: labSpecFromOption(ctx.global.lab),
          course,
          lesson,
          persistent: true,
          ...labIo(ctx),
          onWarning: (m) => ctx.stderr.write(`course: warning: ${m}\n`),
        });
        return new SharedTerminal({
          course,
          lesson,
          lab,
          store: openProgress(ctx),
          cwd: ctx.cwd,
          onExit: () => terminals.delete(lesson.id),
        });
      })();
      shared.catch(() => terminals.delete(lesson.id));
      terminals.set(lesson.id, shared);
    }
    return shared;
  };

  app.get<{ Params: { name: string } }>(
    "/api/lessons/:name/terminal",
    {
      websocket: true,
      // Refused before the upgrade, with a status the page can show: unknown or locked lesson.
      preValidation: async (req) => {
        const { course, lesson } = await lessonOf(req.params.name);
        assertOpen(course, await openProgress(ctx).read(), lesson);
      },
    },
    async (socket, req) => {
      const pending: string[] = [];
      let shared: SharedTerminal | undefined;
      const handle = (text: string) => {
        if (shared === undefined) {
          pending.push(text);
          return;
        }
        try {
          const m = JSON.parse(text) as {
            type?: string;
            data?: string;
            cols?: number;
            rows?: number;
          };
          if (m.type === "input" && typeof m.data === "string") shared.write(m.data);
          else if (m.type === "resize") shared.resize(Number(m.cols), Number(m.rows));
        } catch {
          // Not JSON: not from our page; ignore it.
        }
      };
      socket.on("message", (data) => handle(String(data)));
      try {
        const { course, lesson } = await lessonOf(req.params.name);
        shared = await terminalOf(lesson, course);
        const s: TerminalSocket = socket;
        shared.join(s);
        socket.on("close", () => shared?.leave(s));
        for (const text of pending.splice(0)) handle(text);
      } catch (error) {
        socket.send(JSON.stringify({ type: "error", message: (error as Error).message }));
        socket.close(1011, "no terminal");
      }
    },
  );

  await app.listen({ host, port: options.port });
  const address = app.server.address();
  if (address !== null && typeof address === "object") port = address.port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    host,
    port,
    async close() {
      await Promise.all(
        [...terminals.values()].map((t) =>
          t.then(
            (shared) => shared.end(),
            () => undefined,
          ),
        ),
      );
      await app.close();
    },
  };
}
