/** Listening sockets in the facts, read from /proc/net/{tcp,udp}{,6}. */

/** Listening sockets from /proc/net/{tcp,udp}{,6}: TCP state 0A (LISTEN), UDP state 07 (bound). */
export function parseProcNetSockets(
  text: string,
): { proto: "tcp" | "udp"; port: number; address: string }[] {
  const out: { proto: "tcp" | "udp"; port: number; address: string }[] = [];
  let proto: "tcp" | "udp" = "tcp";
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === "sl") {
      // Header line: the files come tcp, tcp6, udp, udp6; a udp header has "ref pointer drops".
      proto = line.includes("drops") ? "udp" : "tcp";
      continue;
    }
    const local = fields[1];
    const state = fields[3];
    if (local === undefined || state === undefined) continue;
    const [hexAddr, hexPort] = local.split(":");
    if (hexAddr === undefined || hexPort === undefined) continue;
    if (proto === "tcp" ? state !== "0A" : state !== "07") continue;
    const port = Number.parseInt(hexPort, 16);
    const address =
      hexAddr.length === 8 ? hexToIPv4(hexAddr) : hexAddr === "0".repeat(32) ? "::" : hexAddr;
    const key = `${proto} ${address} ${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ proto, port, address });
  }
  return out;
}

/** /proc/net stores an IPv4 address as host-order (little-endian) hex. */
function hexToIPv4(hex: string): string {
  const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.join(".");
}
