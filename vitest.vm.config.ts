import { defineConfig } from "vitest/config";

/** `npm run test:vm`: the real Vagrant VM (test/vm/), apart from `npm test` until it is fast enough for CI. */
export default defineConfig({
  test: {
    include: ["test/vm/**/*.test.ts"],
    testTimeout: 60 * 60_000,
    hookTimeout: 60 * 60_000,
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
