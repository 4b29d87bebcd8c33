import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real Vagrant VM test runs after this suite, as npm test's last step (vitest.vm.config.ts):
    // libvirt's changes to the host (ip_forward, its chains) must never race the boundary tests.
    exclude: ["test/vm/**", "**/node_modules/**"],
    // Lab tests start real namespaces and processes; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
