import { expect, test } from "vitest";
import { didYouMean, editDistance, suggestion } from "../../src/lesson/did-you-mean.js";

test("edit distance counts inserts, deletes, substitutions and swaps", () => {
  expect(editDistance("link", "link")).toBe(0);
  expect(editDistance("lnik", "link")).toBe(1);
  expect(editDistance("pign", "ping")).toBe(1);
  expect(editDistance("neighbour", "neigh")).toBe(4);
});

test("suggests a close known word, and nothing for a far one", () => {
  expect(didYouMean("pnig", ["ping", "link", "neigh"])).toBe("ping");
  expect(didYouMean("titel", ["title", "id", "requires"])).toBe("title");
  expect(didYouMean("banana", ["ping", "link"])).toBeUndefined();
  expect(suggestion("requries", ["requires", "needs"])).toBe(' (did you mean "requires"?)');
  expect(suggestion("zzz", ["requires"])).toBe("");
});
