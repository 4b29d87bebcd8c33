/**
 * Validators for the typed arguments of the check language: addresses, prefixes, MACs, ports,
 * interface and namespace names. Each returns the normalized value, or a reason that reads
 * after "`WORD` is not ...: ". Pure (node:net's isIPv6 is a pure string test).
 */
import { isIPv6 } from "node:net";

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const no = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/** A dotted-quad IPv4 address: four decimal numbers 0–255, no leading zeros. */
export function parseIPv4(text: string): Parsed<string> {
  const parts = text.split(".");
  if (parts.length !== 4) return no(`an IPv4 address has 4 numbers separated by dots`);
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return no(`"${part}" is not a number from 0 to 255`);
    if (part.length > 1 && part.startsWith("0")) {
      return no(`"${part}" has a leading zero (ambiguous: octal or decimal?)`);
    }
    if (Number(part) > 255) return no(`${part} is above 255`);
  }
  return ok(text);
}

/** An IPv4 or IPv6 address; IPv6 is lowercased. */
export function parseIP(text: string): Parsed<{ ip: string; family: 4 | 6 }> {
  if (text.includes(":")) {
    return isIPv6(text)
      ? ok({ ip: text.toLowerCase(), family: 6 })
      : no("not a valid IPv6 address");
  }
  const v4 = parseIPv4(text);
  return v4.ok ? ok({ ip: v4.value, family: 4 }) : no(v4.reason);
}

/** `ADDRESS/PREFIX` with a prefix length valid for the address family. */
export function parseCidr(text: string): Parsed<{ ip: string; prefix: number; family: 4 | 6 }> {
  const slash = text.indexOf("/");
  if (slash < 0) return no("a prefix length is missing (write ADDRESS/LENGTH, e.g. 10.0.0.1/24)");
  const ip = parseIP(text.slice(0, slash));
  if (!ip.ok) return no(ip.reason);
  const lengthText = text.slice(slash + 1);
  const max = ip.value.family === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(lengthText) || Number(lengthText) > max) {
    return no(`the prefix length "${lengthText}" must be a number from 0 to ${max}`);
  }
  return ok({ ip: ip.value.ip, prefix: Number(lengthText), family: ip.value.family });
}

/** The network address of an IPv4 CIDR (host bits cleared), e.g. 10.0.0.5/24 → 10.0.0.0. */
export function ipv4Network(ip: string, prefix: number): string {
  const n = ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  // Bitwise AND on 32-bit values through unsigned arithmetic (JS bit ops are signed).
  const net = Number((BigInt(n) & BigInt(mask)).toString());
  return [24, 16, 8, 0].map((shift) => Math.floor(net / 2 ** shift) % 256).join(".");
}

/** The 8 groups of an IPv6 address as one 128-bit number. */
function ipv6ToBigInt(ip: string): bigint {
  let text = ip.toLowerCase();
  // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g || "0", 16)), 0n);
}

/** The network address of a CIDR of either family (host bits cleared), in canonical text. */
export function networkAddress(ip: string, prefix: number, family: 4 | 6): string {
  if (family === 4) return ipv4Network(ip, prefix);
  const n = ipv6ToBigInt(ip);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix);
  const net = n & mask;
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((net >> BigInt(112 - i * 16)) & 0xffffn).toString(16),
  );
  // The shortest form: the longest run of zero groups becomes "::".
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(":");
  return `${groups.slice(0, best.at).join(":")}::${groups.slice(best.at + best.len).join(":")}`;
}

/** Whether an address (either family) is inside `net/prefix` of the same family. */
export function inNetwork(ip: string, net: string, prefix: number): boolean {
  const family = ip.includes(":") ? 6 : 4;
  if ((net.includes(":") ? 6 : 4) !== family) return false;
  return networkAddress(ip, prefix, family) === networkAddress(net, prefix, family);
}

const macPattern = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;

/** Whether the word has the shape of a MAC address (6 hex pairs, `:` or `-`). */
export function looksLikeMac(text: string): boolean {
  return macPattern.test(text);
}

/** A MAC address, normalized to lowercase with colons. */
export function parseMac(text: string): Parsed<string> {
  return looksLikeMac(text)
    ? ok(text.toLowerCase().replaceAll("-", ":"))
    : no("a MAC address is 6 hex pairs like 02:42:ac:11:00:03");
}

/** A TCP/UDP port: an integer from 1 to 65535. */
export function parsePort(text: string): Parsed<number> {
  if (!/^[0-9]+$/.test(text)) return no("a port is a number from 1 to 65535");
  const port = Number(text);
  if (port < 1 || port > 65535) return no("a port is a number from 1 to 65535");
  return ok(port);
}

/** A non-negative integer up to `max`. */
export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  if (!/^[0-9]+$/.test(text)) return no(`expected a whole number from ${min} to ${max}`);
  const n = Number(text);
  if (n < min || n > max) return no(`expected a whole number from ${min} to ${max}`);
  return ok(n);
}

/** A Linux interface name: 1–15 bytes, no `/`, `:` or whitespace, not `.` or `..`. */
export function parseIfname(text: string): Parsed<string> {
  if (text === "") return no("the interface name is empty");
  if (Buffer.byteLength(text) > 15) return no("interface names are at most 15 characters long");
  if (text === "." || text === "..") return no(`"${text}" cannot be an interface name`);
  if (/[/:\s]/.test(text)) return no("interface names contain no '/', ':' or spaces");
  return ok(text);
}

/** A network namespace name as `ip netns add` accepts it: a file name, not `.` or `..`. */
export function parseNetnsName(text: string): Parsed<string> {
  if (text === "") return no("the namespace name is empty");
  if (text === "." || text === "..") return no(`"${text}" cannot be a namespace name`);
  if (/[/:\s]/.test(text)) return no("namespace names contain no '/', ':' or spaces");
  if (Buffer.byteLength(text) > 255) return no("namespace names are at most 255 characters long");
  return ok(text);
}

/** `DEV` or `NS:DEV`. */
export function parseIfaceRef(text: string): Parsed<{ ns?: string; dev: string }> {
  const colon = text.indexOf(":");
  if (colon < 0) {
    const dev = parseIfname(text);
    return dev.ok ? ok({ dev: dev.value }) : no(dev.reason);
  }
  const ns = parseNetnsName(text.slice(0, colon));
  if (!ns.ok) return no(`in NS:DEV, ${ns.reason}`);
  const dev = parseIfname(text.slice(colon + 1));
  if (!dev.ok) return no(`in NS:DEV, ${dev.reason}`);
  return ok({ ns: ns.value, dev: dev.value });
}

/** A regex word `/BODY/FLAGS` that compiles as a JavaScript regular expression. */
export function parseRegex(text: string): Parsed<{ regex: string; flags: string }> {
  const last = text.lastIndexOf("/");
  if (!text.startsWith("/") || last <= 0) {
    return no("a regular expression is written /PATTERN/ (JavaScript syntax, \\s for a space)");
  }
  const regex = text.slice(1, last);
  const flags = text.slice(last + 1);
  if (regex === "") return no("the regular expression is empty");
  if (!/^[dgimsuvy]*$/.test(flags)) return no(`"${flags}" are not regular-expression flags`);
  try {
    new RegExp(regex, flags);
  } catch (error) {
    return no(error instanceof Error ? error.message : String(error));
  }
  return ok({ regex, flags });
}

/** A sysctl key, dotted (`net.ipv4.ip_forward`) or slashed (`net/ipv4/ip_forward`). */
export function parseSysctlKey(text: string): Parsed<string> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.\-/@+]*$/.test(text) || text.endsWith(".") || text.endsWith("/")) {
    return no("a sysctl key looks like net.ipv4.ip_forward");
  }
  return ok(text);
}

/** A host for `tcp HOST:PORT`: IPv4, `[IPv6]`, or a host name resolved inside the lab. */
export function parseHostPort(text: string): Parsed<{ host: string; port: number }> {
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") return no("write an IPv6 host as [ADDRESS]:PORT");
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!isIPv6(host)) return no(`"${host}" is not a valid IPv6 address`);
    host = host.toLowerCase();
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) return no("the port is missing (write HOST:PORT, e.g. 10.0.0.2:80)");
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) return no("write an IPv6 host as [ADDRESS]:PORT");
    if (/^[0-9.]+$/.test(host)) {
      const v4 = parseIPv4(host);
      if (!v4.ok) return no(v4.reason);
    } else if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) {
      return no(`"${host}" is neither an IP address nor a host name`);
    }
  }
  const port = parsePort(portText);
  return port.ok ? ok({ host, port: port.value }) : no(port.reason);
}
