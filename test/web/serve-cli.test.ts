/** `course serve`'s usage errors: one line, exit 2, no stack trace, nothing left listening. */
import { createServer } from "node:net";
import { describe, expect, test } from "vitest";
import { CourseBin } from "../helpers/course-bin.js";

const bin = new CourseBin({ prefix: "course-serve-cli-", timeout: 30_000 });

describe("course serve: bad input", () => {
  test("a port that is no port", () => {
    bin.open();
    try {
      const r = bin.run(["serve", "--port", "http", "--no-open"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--port http: expected a port number from 0 to 65535");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      bin.remove();
    }
  });

  test("a port in use, and an address that is not this machine's", async () => {
    bin.open();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const r = bin.run(["serve", "--port", String(port), "--no-open"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      // 192.0.2.1 is TEST-NET-1: never an address of this machine.
      const away = bin.run(["serve", "--host", "192.0.2.1", "--port", "0", "--no-open"]);
      expect(away.code).toBe(2);
      expect(away.stderr).toContain("cannot listen on 192.0.2.1:0 (EADDRNOTAVAIL)");
    } finally {
      taken.close();
      bin.remove();
    }
  });
});
