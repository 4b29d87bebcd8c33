import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real Vagrant VM test runs on its own (`npm run test:vm`, vitest.vm.config.ts): it has
    // not yet been seen green within CI's time on this 2-core machine (issue 17 stays open).
    exclude: ["test/vm/**", "**/node_modules/**"],
    // Lab tests start real namespaces and processes; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
