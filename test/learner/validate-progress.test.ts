import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { validateProgress } from "../../src/progress/validate-progress.js";

/** The zod schema the hand-written validator replaced: both must agree on every input. */
const lessonSchema = z.object({
  stepsPassed: z.array(z.number().int().positive()),
  stepCount: z.number().int().nonnegative(),
  currentStep: z.number().int().positive().optional(),
  attempts: z.number().int().nonnegative(),
  firstAt: z.string(),
  lastAt: z.string(),
  completedAt: z.string().optional(),
  solvedBy: z.enum(["learner", "runner"]).optional(),
  hintsSeen: z.record(z.string(), z.number().int().nonnegative()),
});
const fileSchema = z.object({
  formatVersion: z.literal(1),
  courses: z.record(
    z.string(),
    z.object({
      dir: z.string(),
      title: z.string().optional(),
      lessons: z.record(z.string(), lessonSchema),
    }),
  ),
});

const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.constantFrom(-1, 0, 1, 2, 1.5, 2 ** 53, -0, Number.MAX_VALUE),
  fc.constantFrom("learner", "runner"),
  fc.constant([]),
  fc.constant({}),
);
const count = fc.oneof(fc.nat(5), anyValue);
/** Optional keys: absent most of the time, sometimes valid, sometimes anything. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof(arb, anyValue), { nil: undefined });

const lesson = fc
  .record({
    stepsPassed: fc.oneof(
      fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
      fc.array(count),
      anyValue,
    ),
    stepCount: count,
    currentStep: maybe(fc.integer({ min: 0, max: 3 })),
    attempts: count,
    firstAt: fc.oneof(fc.string({ maxLength: 3 }), anyValue),
    lastAt: fc.string({ maxLength: 3 }),
    completedAt: maybe(fc.string({ maxLength: 3 })),
    solvedBy: maybe(fc.constantFrom("learner", "runner", "someone")),
    hintsSeen: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 2 }), count, { maxKeys: 3 }),
      anyValue,
    ),
    extra: maybe(anyValue),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
const course = fc
  .record({
    dir: fc.oneof(fc.string({ maxLength: 4 }), anyValue),
    title: maybe(fc.string({ maxLength: 4 })),
    lessons: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), lesson, { maxKeys: 3 }), anyValue),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
const file = fc.oneof(
  fc.record({
    formatVersion: fc.oneof(fc.constant(1), anyValue),
    courses: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), course, { maxKeys: 3 }), anyValue),
  }),
  anyValue,
);

describe("validateProgress", () => {
  it("accepts and rejects exactly what the zod schema does, and returns the same data", () => {
    let valid = 0;
    fc.assert(
      fc.property(file, (data) => {
        // Through JSON, as the store reads it.
        const json = JSON.parse(JSON.stringify(data)) as unknown;
        const expected = fileSchema.safeParse(json);
        const actual = validateProgress(json, 1);
        if (expected.success) valid++;
        expect(actual === undefined).toBe(!expected.success);
        if (expected.success) {
          // Same keys in the same order (the store writes this data back).
          expect(JSON.stringify(actual)).toBe(JSON.stringify(expected.data));
        }
      }),
      { numRuns: 5000 },
    );
    // The generator must reach valid files too, or the comparison proves little.
    expect(valid).toBeGreaterThan(50);
  });

  it("drops unknown keys and refuses another format version", () => {
    const lessonData = {
      stepsPassed: [1, 2],
      stepCount: 3,
      attempts: 1,
      firstAt: "a",
      lastAt: "b",
      hintsSeen: { "1": 2 },
      note: "x",
    };
    const data = { formatVersion: 1, courses: { "/c": { dir: "/c", lessons: { l: lessonData } } } };
    const { note: _, ...kept } = lessonData;
    expect(validateProgress(data, 1)).toEqual({
      formatVersion: 1,
      courses: { "/c": { dir: "/c", lessons: { l: kept } } },
    });
    expect(validateProgress({ ...data, formatVersion: 2 }, 1)).toBeUndefined();
    expect(validateProgress({ ...data, courses: [] }, 1)).toBeUndefined();
  });
});
