import { describe, expect, test } from "vitest";
import { decodeLesson, MAX_LESSON_BYTES } from "../../src/lesson/decode-lesson.js";
import { idFromFileName, parseLesson } from "../../src/lesson/parse-lesson.js";

const file = "/course/03-bridge.md";

const example = `---
title: Two namespaces, one cable
---

A veth pair is a virtual cable.

\`\`\`sh setup
ip netns add base
\`\`\`

## Create two namespaces

\`\`\`sh
ip netns add ns1
ip netns add ns2
\`\`\`

\`\`\`check
netns ns1
ns1: not link veth0   # not yet
\`\`\`

## Plug in the cable

\`\`\`sh background allow-fail timeout=5 show
sleep 100
\`\`\`

> Hint: a veth end only carries traffic once it is \`up\`.

\`\`\`check
ns1: link veth0 up peer ns2:veth1
\`\`\`
`;

describe("parseLesson", () => {
  test("a lesson parses into intro, setup, steps, commands, checks and hints with positions", () => {
    const { lesson, problems } = parseLesson(example, { file, position: 3 });
    expect(problems).toEqual([]);
    expect(lesson).toMatchInlineSnapshot(`
      {
        "file": "/course/03-bridge.md",
        "id": "bridge",
        "intro": "A veth pair is a virtual cable.",
        "needs": [],
        "position": 3,
        "position0": {
          "column": 1,
          "file": "/course/03-bridge.md",
          "line": 1,
        },
        "requires": [],
        "setup": [
          {
            "code": "ip netns add base",
            "codeLine": 8,
            "column": 1,
            "file": "/course/03-bridge.md",
            "lang": "sh",
            "line": 7,
            "options": {
              "allowFail": false,
              "background": false,
              "noRun": false,
              "setup": true,
              "show": false,
            },
          },
        ],
        "steps": [
          {
            "checks": [
              {
                "column": 1,
                "file": "/course/03-bridge.md",
                "line": 19,
                "negate": false,
                "source": "netns ns1",
                "spec": {
                  "kind": "netns",
                  "name": "ns1",
                },
              },
              {
                "column": 1,
                "file": "/course/03-bridge.md",
                "line": 20,
                "negate": true,
                "ns": "ns1",
                "source": "ns1: not link veth0",
                "spec": {
                  "dev": {
                    "dev": "veth0",
                  },
                  "kind": "link",
                },
              },
            ],
            "commands": [
              {
                "code": "ip netns add ns1
      ip netns add ns2",
                "codeLine": 14,
                "column": 1,
                "file": "/course/03-bridge.md",
                "lang": "sh",
                "line": 13,
                "options": {
                  "allowFail": false,
                  "background": false,
                  "noRun": false,
                  "setup": false,
                  "show": false,
                },
              },
            ],
            "heading": {
              "column": 1,
              "file": "/course/03-bridge.md",
              "line": 11,
            },
            "hints": [],
            "index": 1,
            "markdown": "\`\`\`sh
      ip netns add ns1
      ip netns add ns2
      \`\`\`

      \`\`\`check
      netns ns1
      ns1: not link veth0   # not yet
      \`\`\`",
            "title": "Create two namespaces",
          },
          {
            "checks": [
              {
                "column": 1,
                "file": "/course/03-bridge.md",
                "line": 32,
                "negate": false,
                "ns": "ns1",
                "source": "ns1: link veth0 up peer ns2:veth1",
                "spec": {
                  "dev": {
                    "dev": "veth0",
                  },
                  "kind": "link",
                  "peer": {
                    "dev": "veth1",
                    "ns": "ns2",
                  },
                  "state": "up",
                },
              },
            ],
            "commands": [
              {
                "code": "sleep 100",
                "codeLine": 26,
                "column": 1,
                "file": "/course/03-bridge.md",
                "lang": "sh",
                "line": 25,
                "options": {
                  "allowFail": true,
                  "background": true,
                  "noRun": false,
                  "setup": false,
                  "show": true,
                  "timeout": 5,
                },
              },
            ],
            "heading": {
              "column": 1,
              "file": "/course/03-bridge.md",
              "line": 23,
            },
            "hints": [
              {
                "column": 1,
                "file": "/course/03-bridge.md",
                "line": 29,
                "markdown": "a veth end only carries traffic once it is \`up\`.",
              },
            ],
            "index": 2,
            "markdown": "\`\`\`sh background allow-fail timeout=5 show
      sleep 100
      \`\`\`

      > Hint: a veth end only carries traffic once it is \`up\`.

      \`\`\`check
      ns1: link veth0 up peer ns2:veth1
      \`\`\`",
            "title": "Plug in the cable",
          },
        ],
        "timeout": 30,
        "title": "Two namespaces, one cable",
      }
    `);
  });

  test("CRLF line endings keep the same lines and columns", () => {
    const crlf = parseLesson(example.replace(/\n/g, "\r\n"), { file });
    const lf = parseLesson(example, { file });
    const where = (r: typeof lf) =>
      r.lesson?.steps
        .flatMap((s) => [s.heading, ...s.checks, ...s.commands, ...s.hints])
        .map((n) => `${n.line}:${n.column}`);
    expect(where(crlf)).toEqual(where(lf));
    expect(crlf.problems).toEqual([]);
  });

  test("a check inside a blockquote is located after the `> ` prefix", () => {
    const text = "---\ntitle: t\n---\n\n## S\n\n> ```check\n> pign 1.2.3.4\n> ```\n";
    const { problems } = parseLesson(text, { file });
    expect(problems.map((p) => [p.line, p.column, p.rule])).toEqual([[8, 3, "unknown-check-kind"]]);
  });

  test("fence option words are located on the fence line", () => {
    const text =
      "---\ntitle: t\n---\n\n## S\n\n~~~~bash   backgrund\nx\n~~~~\n\n```check\nnetns a\n```\n";
    const { problems } = parseLesson(text, { file });
    expect(problems).toEqual([
      {
        file,
        line: 7,
        column: 12,
        severity: "error",
        rule: "unknown-fence-option",
        message:
          'unknown fence option `backgrund` (did you mean "background"?); known: setup, no-run, background, allow-fail, show, no-mutate="REASON", timeout=N',
      },
    ]);
  });

  test("a mistyped check fence language is a warning with did-you-mean", () => {
    const text = "---\ntitle: t\n---\n\n## S\n\n```chek\nnetns a\n```\n";
    const { problems } = parseLesson(text, { file });
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.severity}: ${p.rule}`)).toEqual([
      "5:1: warning: step-without-check",
      "7:1: warning: unknown-fence-language",
    ]);
  });

  test("every problem is collected, not just the first", () => {
    const text =
      "---\ntitle: t\ntimeout: 0\ncolour: red\n---\n\n## S\n\n```sh setup\nx\n```\n\n```check\npign 1.1.1.1\nneigh 1.1.1\n```\n";
    const { problems } = parseLesson(text, { file });
    expect(problems.map((p) => `${p.line}:${p.column}:${p.rule}`)).toEqual([
      "3:1:bad-value",
      "4:1:unknown-key",
      "9:7:setup-outside-intro",
      "14:1:unknown-check-kind",
      "15:7:bad-check",
    ]);
  });

  test("a hint written as **Hint:** and a [!TIP] alert are both hints, markers removed", () => {
    const text =
      "---\ntitle: t\n---\n\n## S\n\n> **Hint:** look at `ip link`.\n\n> [!TIP]\n> Two\n> lines.\n\n> [!NOTE]\n> Not a hint.\n\n```check\nnetns a\n```\n";
    const { lesson } = parseLesson(text, { file });
    expect(lesson?.steps[0]?.hints.map((h) => [h.line, h.markdown])).toEqual([
      [7, "look at `ip link`."],
      [9, "Two\nlines."],
    ]);
  });

  test("file names give ids", () => {
    expect(idFromFileName("/x/03-bridge.md")).toBe("bridge");
    expect(idFromFileName("10_port-mapping.md")).toBe("port-mapping");
    expect(idFromFileName("intro.md")).toBe("intro");
    expect(idFromFileName("07.md")).toBe("07");
  });
});

describe("files that are not lessons", () => {
  test("an empty or blank file", () => {
    for (const text of ["", "  \n\n"]) {
      const r = parseLesson(text, { file });
      expect(r.lesson).toBeUndefined();
      expect(r.problems.map((p) => [p.line, p.column, p.rule])).toEqual([[1, 1, "empty-file"]]);
    }
  });

  test("a binary file is located at its first NUL byte", () => {
    const bytes = new Uint8Array([0x61, 0x0a, 0x62, 0x63, 0x00, 0xff]);
    expect(parseLesson(bytes, { file }).problems.map((p) => [p.line, p.column, p.rule])).toEqual([
      [2, 3, "binary-file"],
    ]);
  });

  test("invalid UTF-8 is located at the bad byte, columns counting characters", () => {
    // "é" is two bytes, so the stray 0xC3 (a lead byte with no continuation) is column 3.
    const bytes = new Uint8Array([0x23, 0x0a, 0xc3, 0xa9, 0xc3, 0x28]);
    expect(decodeLesson(bytes, file).problems.map((p) => [p.line, p.column])).toEqual([[2, 2]]);
    const overlong = new Uint8Array([0xc0, 0xaf]);
    expect(decodeLesson(overlong, file).problems[0]?.rule).toBe("invalid-utf8");
    const surrogate = new Uint8Array([0xed, 0xa0, 0x80]);
    expect(decodeLesson(surrogate, file).problems[0]?.rule).toBe("invalid-utf8");
    const fine = new TextEncoder().encode("---\ntitle: Café ✓ 🚀\n---\n");
    expect(decodeLesson(fine, file)).toEqual({
      text: "---\ntitle: Café ✓ 🚀\n---\n",
      problems: [],
    });
  });

  test("a 5 MB lesson is refused at 1:1 with its size, quickly", () => {
    const line = "Some prose about bridges and veth pairs, repeated to make a large file.\n";
    const big = new TextEncoder().encode(
      `---\ntitle: big\n---\n\n## S\n\n${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}`,
    );
    expect(big.length).toBeGreaterThan(MAX_LESSON_BYTES);
    const started = performance.now();
    const { lesson, problems } = parseLesson(big, { file });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(lesson).toBeUndefined();
    expect(problems).toEqual([
      {
        file,
        line: 1,
        column: 1,
        severity: "error",
        rule: "file-too-large",
        message:
          "the file is 5.0 MB; a lesson may be at most 1 MB: split it into several lessons, or move large output out of the lesson",
      },
    ]);
  });

  test("absurdly deep quotes and lists are refused at their line, not a stack overflow", () => {
    const head = "---\ntitle: t\n---\n\n## S\n\n";
    for (const body of [
      ">".repeat(100_000),
      "- ".repeat(50_000),
      "1. ".repeat(40),
      "> - ".repeat(20),
    ]) {
      const { lesson, problems } = parseLesson(`${head}${body} x\n`, { file });
      expect(lesson).toBeUndefined();
      expect(problems.map((p) => [p.line, p.rule])).toEqual([[7, "too-deeply-nested"]]);
    }
    const ok = parseLesson(`${head}${"> ".repeat(10)}x\n\n\`\`\`check\nnetns a\n\`\`\`\n`, {
      file,
    });
    expect(ok.problems).toEqual([]);
  });

  test("a byte-order mark is dropped", () => {
    const bytes = new TextEncoder().encode(
      "\ufeff---\ntitle: t\n---\n\n## S\n\n```check\nnetns a\n```\n",
    );
    const r = parseLesson(bytes, { file });
    expect(r.problems).toEqual([]);
    expect(r.lesson?.title).toBe("t");
  });
});
