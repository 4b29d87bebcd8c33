/**
 * Who may talk to `course serve`: whoever holds the token (query on first load, then an
 * HttpOnly SameSite=Strict cookie, or `Authorization: Bearer`), through a Host header that names
 * this server (a DNS-rebinding page cannot), and for WebSockets from the page's own Origin (a
 * foreign page cannot drive the terminal with the learner's cookie).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

export const COOKIE = "course_token";

/** A fresh random token (as Jupyter does): 192 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Whether `given` is the token, in constant time. */
export function tokenMatches(token: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `?token=`, `Authorization: Bearer`, or the cookie. */
export function requestToken(
  url: string,
  headers: { authorization?: string | undefined; cookie?: string | undefined },
): { token: string; from: "query" | "header" | "cookie" } | undefined {
  const query = new URL(url, "http://x").searchParams.get("token");
  if (query !== null) return { token: query, from: "query" };
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "");
  if (bearer?.[1] !== undefined) return { token: bearer[1], from: "header" };
  for (const part of (headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === COOKIE) return { token: value.join("="), from: "cookie" };
  }
  return undefined;
}

/** Whether `address` is a loopback address (127.0.0.0/8, ::1) or `localhost`. */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, "");
  return a === "localhost" || a === "::1" || /^127\./.test(a) || a === "::ffff:127.0.0.1";
}

/**
 * Whether a Host header names this server. Bound to one address: that address (and `localhost`
 * for a loopback one), with our port. Bound to every address (0.0.0.0, ::): any IP literal with
 * our port, since a DNS-rebinding attack needs a name, never a literal.
 */
export function hostAllowed(host: string | undefined, bound: string, port: number): boolean {
  if (host === undefined) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!m?.[1] || Number(m[2] ?? 80) !== port) return false;
  const name = m[1].replace(/^\[|\]$/g, "");
  if (bound === "0.0.0.0" || bound === "::") return isIP(name) !== 0 || name === "localhost";
  if (name === bound.toLowerCase()) return true;
  return isLoopback(bound) && (name === "localhost" || isLoopback(name));
}

/** Whether a WebSocket's Origin is the page's own: `http://` + the (already checked) Host. */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  return (
    origin !== undefined &&
    host !== undefined &&
    origin.toLowerCase() === `http://${host.toLowerCase()}`
  );
}
