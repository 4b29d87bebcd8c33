import { describe, expect, test } from "vitest";
import {
  hostAllowed,
  isLoopback,
  newToken,
  originAllowed,
  requestToken,
  tokenMatches,
} from "../../src/web/guard.js";

describe("the guard of course serve", () => {
  test("tokens are fresh, long and compared exactly", () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(a);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(a, `${a}x`)).toBe(false);
    expect(tokenMatches(a, a.slice(1))).toBe(false);
    expect(tokenMatches(a, undefined)).toBe(false);
    expect(tokenMatches(a, "")).toBe(false);
  });

  test("the token comes from the query, the Bearer header or the cookie", () => {
    expect(requestToken("/?token=abc", {})).toEqual({ token: "abc", from: "query" });
    expect(requestToken("/api/lessons", { authorization: "Bearer xyz" })).toEqual({
      token: "xyz",
      from: "header",
    });
    expect(requestToken("/", { cookie: "a=1; course_token=t0k=; b=2" })).toEqual({
      token: "t0k=",
      from: "cookie",
    });
    expect(requestToken("/", { authorization: "Basic xyz", cookie: "other=1" })).toBeUndefined();
  });

  test("Host must name this server: no DNS rebinding", () => {
    expect(hostAllowed("127.0.0.1:8765", "127.0.0.1", 8765)).toBe(true);
    expect(hostAllowed("localhost:8765", "127.0.0.1", 8765)).toBe(true);
    expect(hostAllowed("127.0.0.1:8766", "127.0.0.1", 8765)).toBe(false);
    expect(hostAllowed("127.0.0.1", "127.0.0.1", 8765)).toBe(false);
    expect(hostAllowed("attacker.example:8765", "127.0.0.1", 8765)).toBe(false);
    expect(hostAllowed(undefined, "127.0.0.1", 8765)).toBe(false);
    expect(hostAllowed("[::1]:8765", "::1", 8765)).toBe(true);
    // Bound to every address: IP literals only (a rebinding attack needs a name).
    expect(hostAllowed("192.168.1.5:8765", "0.0.0.0", 8765)).toBe(true);
    expect(hostAllowed("lab.example:8765", "0.0.0.0", 8765)).toBe(false);
    // Bound to one non-loopback address: that one.
    expect(hostAllowed("10.0.0.2:80", "10.0.0.2", 80)).toBe(true);
    expect(hostAllowed("10.0.0.2", "10.0.0.2", 80)).toBe(true);
    expect(hostAllowed("localhost:80", "10.0.0.2", 80)).toBe(false);
  });

  test("a WebSocket's Origin must be the page's own", () => {
    expect(originAllowed("http://127.0.0.1:8765", "127.0.0.1:8765")).toBe(true);
    expect(originAllowed("http://evil.example", "127.0.0.1:8765")).toBe(false);
    expect(originAllowed("https://127.0.0.1:8765", "127.0.0.1:8765")).toBe(false);
    expect(originAllowed(undefined, "127.0.0.1:8765")).toBe(false);
    expect(originAllowed("null", "127.0.0.1:8765")).toBe(false);
  });

  test("loopback addresses", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) {
      expect(isLoopback(a)).toBe(true);
    }
    for (const a of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.1"]) expect(isLoopback(a)).toBe(false);
  });
});
