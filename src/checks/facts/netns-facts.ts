/**
 * Namespaces in the facts and in commands: the ids one namespace gives others, running a
 * command inside one, and how a namespace's name reads.
 */
import { shellQuote } from "../../lab/shell-quote.js";
import type { NamespaceFacts } from "./snapshot.js";

/** A namespace another namespace knows by an id (`ip -j netns list` run inside it). */
export interface NetnsId {
  name: string;
  id?: number;
}

/** `cmd` run inside named namespace `ns` (or as is in the host namespace). */
export function inNamespace(ns: string | null | undefined, cmd: string): string {
  return ns === null || ns === undefined ? cmd : `ip netns exec ${shellQuote(ns)} ${cmd}`;
}

/**
 * `cmd` run with only the network namespace switched (`nsenter --net`): cheaper than
 * `ip netns exec`, which also remounts /sys and binds /etc/netns files. For probes that talk to
 * addresses (ping, tcp, tcpdump), where those do not matter.
 */
export function inNetNamespace(ns: string | null | undefined, cmd: string): string {
  return ns === null || ns === undefined
    ? cmd
    : `nsenter --net=${shellQuote(`/run/netns/${ns}`)} -- ${cmd}`;
}

/** The namespace a probe's error output says it could not enter, if any. */
export function missingNamespace(output: string): string | undefined {
  const m =
    /Cannot open network namespace "([^"]+)"/.exec(output) ??
    /nsenter: cannot open \/run\/netns\/([^:]+):/.exec(output);
  return m?.[1];
}

// Control characters and the bidirectional overrides (as render/visible-text.ts knows them).
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/**
 * A name as a learner reads it and can paste it into bash: a plain name as it is, one with a
 * space or a quote shell-quoted (`'a b'`), one with a control character in bash's `$'…'` form
 * (`$'new\nline'`), so that it stays one visible word on one line.
 */
export function shownName(name: string): string {
  if (!CONTROL.test(name)) return shellQuote(name);
  const escaped = [...name]
    .map((c) => {
      if (c === "\\" || c === "'") return `\\${c}`;
      if (c === "\n") return "\\n";
      if (c === "\t") return "\\t";
      if (c === "\r") return "\\r";
      if (c === "\u001b") return "\\e";
      if (!CONTROL.test(c)) return c;
      const code = c.codePointAt(0) ?? 0;
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
    })
    .join("");
  return `$'${escaped}'`;
}

/**
 * A readable name for a namespace: `the lab host` for the lab host, else `shownName`.
 */
export function nsLabel(ns: NamespaceFacts | string | null | undefined): string {
  const name = typeof ns === "object" && ns !== null ? ns.name : ns;
  return name === null || name === undefined ? "the lab host" : shownName(name);
}

/** `NS:DEV` (or `DEV` for the lab host) as a learner writes it. */
export function ifaceLabel(ns: string | null | undefined, dev: string): string {
  return ns === null || ns === undefined ? dev : `${shownName(ns)}:${dev}`;
}
