import { defineConfig } from "vitest/config";

/** The real Vagrant VM (test/vm/): npm test's last step, after the main suite; alone: `npm run test:vm`. */
export default defineConfig({
  test: {
    include: ["test/vm/**/*.test.ts"],
    testTimeout: 60 * 60_000,
    hookTimeout: 60 * 60_000,
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
