/**
 * Whatever Markdown (or bytes) an instructor saves, the parser never throws: it returns a lesson
 * or located problems, every one inside the file. 10,000+ documents: random text and bytes, and
 * real lessons mutated line by line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { expect, test } from "vitest";
import { parseLesson } from "../../src/lesson/parse-lesson.js";

// Thousands of random documents: ~20 s on a quiet machine, minutes on a loaded 2-core one.
const PROPERTY_TIMEOUT = 300_000;

const root = resolve(import.meta.dirname, "../..");
const seedDirs = ["test/fixtures/lint/good", "test/fixtures/lint/bad", "lessons"];
const seeds = seedDirs.flatMap((dir) => {
  try {
    return readdirSync(join(root, dir))
      .filter((f) => f.endsWith(".md"))
      .map((f) => readFileSync(join(root, dir, f), "utf8"))
      .filter((text) => !text.includes("\0"));
  } catch {
    return [];
  }
});

/** Lines that mean something to the parser: fences, headings, front matter, hints, checks. */
const junk = fc.constantFrom(
  "---",
  "```",
  "````",
  "~~~",
  "```sh",
  "```sh setup",
  "```bash no-run background allow-fail show timeout=5",
  "```sh timeout=",
  "```sh timeout=-1 bogus",
  "```check",
  "```check extra",
  "```console",
  "## A step",
  "##",
  "# Title",
  "### Sub",
  "> Hint: try again",
  "> [!TIP]",
  ">",
  "- item",
  "  ```check",
  "title: x",
  "title: [",
  "requires: [a, b",
  "needs: [docker, gpu]",
  "timeout: -3",
  "id: 3",
  "&a [*a, *a]",
  "ns1: not ping 10.0.0.300",
  'run "echo \\"hi" stdout ~ /(/',
  "link veth0 mtu 99999999999 mac zz:zz",
  'capture eth0 while "ping" sees',
  "iptables -t nat -A",
  "\t\tindented\ttabs",
  "\r",
  "\u0000",
  "\ufeff",
  "é漢字🚀",
  "",
);

const line = fc.oneof(
  junk,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

type Mutation =
  | { op: "insert"; at: number; line: string }
  | { op: "delete"; at: number }
  | { op: "duplicate"; at: number }
  | { op: "swap"; at: number; with: number }
  | { op: "truncate"; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), line }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutate(text: string, mutations: Mutation[]): string {
  const lines = text.split("\n");
  for (const m of mutations) {
    const at = lines.length === 0 ? 0 : m.at % lines.length;
    if (m.op === "insert") lines.splice(at, 0, m.line);
    else if (m.op === "delete") lines.splice(at, 1);
    else if (m.op === "duplicate") lines.splice(at, 0, lines[at] ?? "");
    else if (m.op === "swap") {
      const other = lines.length === 0 ? 0 : m.with % lines.length;
      const a = lines[at] ?? "";
      lines[at] = lines[other] ?? "";
      lines[other] = a;
    } else {
      const l = lines[at] ?? "";
      lines[at] = l.slice(0, m.at % (l.length + 1));
    }
  }
  return lines.join(m(mutations));
}

// Mostly LF, sometimes CRLF or CR: positions must hold for every line ending.
function m(mutations: Mutation[]): string {
  const n = mutations.length;
  return n % 7 === 3 ? "\r\n" : n % 11 === 5 ? "\r" : "\n";
}

function linesIn(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

function assertWellFormed(input: string | Uint8Array): void {
  const result = parseLesson(input, { file: "/fuzz/01-fuzz.md" });
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  const maxLine = Math.max(linesIn(text), linesIn(typeof input === "string" ? input : text));
  expect(result.lesson !== undefined || result.problems.length > 0).toBe(true);
  for (const p of result.problems) {
    expect(p.file).toBe("/fuzz/01-fuzz.md");
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(maxLine);
    expect(p.column).toBeGreaterThanOrEqual(1);
    expect(p.message.length).toBeGreaterThan(0);
    expect(p.rule).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  }
  if (result.lesson) {
    for (const step of result.lesson.steps) {
      for (const node of [step.heading, ...step.checks, ...step.commands, ...step.hints]) {
        expect(node.line).toBeGreaterThanOrEqual(1);
        expect(node.line).toBeLessThanOrEqual(maxLine);
      }
    }
  }
}

test("seed lessons exist", () => {
  expect(seeds.length).toBeGreaterThanOrEqual(10);
});

test(
  "mutated real lessons: never throws, always a lesson or located problems",
  () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 12 }),
        (seed, mutations) => assertWellFormed(mutate(seed, mutations)),
      ),
      { numRuns: 6000 },
    );
  },
  PROPERTY_TIMEOUT,
);

test(
  "random documents built from meaningful lines",
  () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => assertWellFormed(lines.join("\n"))),
      { numRuns: 3000 },
    );
  },
  PROPERTY_TIMEOUT,
);

test(
  "random strings and random bytes",
  () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 })),
        (text) => assertWellFormed(text),
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => assertWellFormed(bytes)),
      { numRuns: 1000 },
    );
  },
  PROPERTY_TIMEOUT,
);

test(
  "the fast skeleton parse gives exactly the full parse's lesson and problems",
  () => {
    const same = (text: string) => {
      const fast = parseLesson(text, { file: "/fuzz/01-fuzz.md" });
      const full = parseLesson(text, { file: "/fuzz/01-fuzz.md", fast: false });
      expect(fast).toEqual(full);
    };
    for (const seed of seeds) same(seed);
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 12 }),
        (seed, mutations) => same(mutate(seed, mutations)),
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => same(lines.join("\n"))),
      { numRuns: 3000 },
    );
  },
  PROPERTY_TIMEOUT,
);
