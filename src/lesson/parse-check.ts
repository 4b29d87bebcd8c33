/**
 * The check language: one line of a `check` fence → a typed `Check`, or located problems.
 * Grammar: `[NS:] [not] KIND ARGS...` (see LESSON-FORMAT.md, "Check language"). Pure.
 */
import {
  ipv4Network,
  looksLikeMac,
  type Parsed,
  parseCidr,
  parseHostPort,
  parseIfaceRef,
  parseInteger,
  parseIP,
  parseMac,
  parseNetnsName,
  parsePort,
  parseRegex,
  parseSysctlKey,
} from "./check-values.js";
import { splitCheckWords, type Word } from "./check-words.js";
import { suggestion } from "./did-you-mean.js";
import type {
  Check,
  CheckKind,
  CheckSpec,
  IfaceRef,
  MacRef,
  Position,
  Problem,
  TextMatch,
} from "./types.js";

/** The form of each check kind, as the lesson format writes it (quoted in error messages). */
export const checkForms: Record<CheckKind, string> = {
  netns: "netns NAME",
  link: "link DEV [up|down] [type T] [master BR] [mtu N] [mac MAC|IFACE] [peer IFACE]",
  addr: "addr DEV CIDR",
  route: "route DEST [via GW] [dev DEV]",
  ping: "ping IP",
  neigh: "neigh IP [lladdr MAC|IFACE] [dev DEV]",
  fdb: "fdb BR MAC|IFACE [port DEV]",
  sysctl: "sysctl KEY VALUE",
  iptables: "iptables [-t TABLE] -A CHAIN RULE... | iptables [-t TABLE] -P CHAIN TARGET",
  listen: "listen tcp|udp PORT",
  tcp: "tcp HOST:PORT",
  capture: 'capture DEV while "COMMAND" sees "TEXT"',
  run: 'run "COMMAND" [exit N] [stdout "TEXT"] [stdout ~ /REGEX/]',
};

/** Every check kind, in the order of the lesson format's table. */
export const checkKinds = Object.keys(checkForms) as CheckKind[];

/** Link types `ip -d link` reports as `info_kind` (plus `loopback`); others only warn. */
export const knownLinkTypes = [
  "veth",
  "bridge",
  "dummy",
  "vlan",
  "vxlan",
  "macvlan",
  "macvtap",
  "ipvlan",
  "bond",
  "tun",
  "tap",
  "gre",
  "gretap",
  "ipip",
  "sit",
  "ip6tnl",
  "geneve",
  "wireguard",
  "vrf",
  "team",
  "ifb",
  "nlmon",
  "loopback",
  "ether",
];

const iptablesTables = ["filter", "nat", "mangle", "raw", "security"];
const builtinChains: Record<string, string[]> = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
  security: ["INPUT", "FORWARD", "OUTPUT"],
};

/** The result of parsing one line: a check when there is no error, and every problem found. */
export interface ParsedCheckLine {
  check?: Check;
  problems: Problem[];
}

/** Collects problems with exact columns for one line. */
class LineContext {
  readonly problems: Problem[] = [];
  constructor(
    private readonly at: Position,
    readonly kind: CheckKind | undefined,
  ) {}

  /** An error at the word's column (or at a 0-based offset in the line). */
  error(where: Word | number, message: string, rule = "bad-check"): undefined {
    this.push("error", where, message, rule);
    return undefined;
  }

  warn(where: Word | number, message: string, rule: string): void {
    this.push("warning", where, message, rule);
  }

  private push(severity: Problem["severity"], where: Word | number, message: string, rule: string) {
    const offset = typeof where === "number" ? where : where.offset;
    this.problems.push({
      file: this.at.file,
      line: this.at.line,
      column: this.at.column + offset,
      severity,
      message,
      rule,
    });
  }

  /** ` — expected "FORM"`, appended to argument errors. */
  get form(): string {
    return this.kind === undefined ? "" : `; expected "${checkForms[this.kind]}"`;
  }

  /** Validate a word with a parser; report `WHAT "WORD" is not ...: reason` on failure. */
  value<T>(word: Word, parsed: Parsed<T>, what: string): T | undefined {
    if (parsed.ok) return parsed.value;
    return this.error(word, `${this.kind}: ${what} "${word.text}" is invalid: ${parsed.reason}`);
  }
}

/** Keywords that open an optional attribute, per kind (for "did you mean" on unknown words). */
const keywords: Partial<Record<CheckKind, string[]>> = {
  link: ["up", "down", "type", "master", "mtu", "mac", "peer"],
  route: ["via", "dev"],
  neigh: ["lladdr", "dev"],
  fdb: ["port"],
  run: ["exit", "stdout"],
  capture: ["while", "sees"],
};

/**
 * Parse one line of a `check` fence. `at` is the position of the line's first character.
 * Blank lines and `#` comments give neither a check nor problems. Never throws.
 */
export function parseCheckLine(text: string, at: Position): ParsedCheckLine {
  const split = splitCheckWords(text);
  const kindWordIndex = findKindIndex(split.words);
  const kindText = split.words[kindWordIndex]?.text;
  const kind = checkKinds.find((k) => k === kindText);
  const ctx = new LineContext(at, kind);
  for (const p of split.problems) ctx.error(p.offset, p.message, "check-syntax");
  const words = split.words;
  if (words.length === 0) return { problems: ctx.problems };

  let i = 0;
  let ns: string | undefined;
  let negate = false;
  const first = words[0];
  if (first && !first.quoted && first.text.endsWith(":") && first.text.length > 1) {
    ns = ctx.value(first, parseNetnsName(first.text.slice(0, -1)), "namespace");
    i++;
  } else if (first && !first.quoted && first.text.includes(":")) {
    const colon = first.text.indexOf(":");
    const rest = first.text.slice(colon + 1);
    if (checkKinds.includes(rest as CheckKind) || rest === "not") {
      ctx.error(
        first.offset + colon + 1,
        `put a space after the namespace prefix: "${first.text.slice(0, colon + 1)} ${rest}"`,
        "check-syntax",
      );
      return { problems: ctx.problems };
    }
  }
  if (words[i]?.text === "not" && !words[i]?.quoted) {
    negate = true;
    i++;
    const next = words[i];
    if (next && !next.quoted && next.text.endsWith(":") && ns === undefined) {
      ctx.error(
        words[i - 1] as Word,
        `write the namespace first: "${next.text} not ..." (the form is [NS:] [not] KIND ARGS...)`,
        "check-syntax",
      );
      return { problems: ctx.problems };
    }
  }
  const kindWord = words[i];
  if (kindWord === undefined) {
    ctx.error(
      words[i - 1] ?? 0,
      `a check kind is missing after "${words[i - 1]?.text}"; expected one of ${checkKinds.join(", ")}`,
      "check-syntax",
    );
    return { problems: ctx.problems };
  }
  if (kind === undefined || kindWord.quoted) {
    ctx.error(
      kindWord,
      `unknown check kind "${kindWord.text}"${suggestion(kindWord.text, checkKinds)}; expected one of ${checkKinds.join(", ")}`,
      "unknown-check-kind",
    );
    return { problems: ctx.problems };
  }
  const args = words.slice(i + 1);
  const spec = parseSpec(kind, kindWord, args, ctx);
  if (spec === undefined || ctx.problems.some((p) => p.severity === "error")) {
    return { problems: ctx.problems };
  }
  const check: Check = {
    file: at.file,
    line: at.line,
    column: at.column + split.sourceOffset,
    source: split.source,
    negate,
    spec,
  };
  if (ns !== undefined) check.ns = ns;
  return { check, problems: ctx.problems };
}

/** Index of the word that should be the kind: after an optional `NS:` and an optional `not`. */
function findKindIndex(words: Word[]): number {
  let i = 0;
  const first = words[0];
  if (first && !first.quoted && first.text.endsWith(":") && first.text.length > 1) i++;
  if (words[i]?.text === "not" && !words[i]?.quoted) i++;
  return i;
}

/** A cursor over a check's argument words. */
class Args {
  private i = 0;
  constructor(
    readonly words: Word[],
    private readonly kindWord: Word,
  ) {}
  get done(): boolean {
    return this.i >= this.words.length;
  }
  peek(): Word | undefined {
    return this.words[this.i];
  }
  next(): Word | undefined {
    const w = this.words[this.i];
    if (w) this.i++;
    return w;
  }
  /** Where to report "missing": just after the last word seen. */
  get end(): number {
    const last = this.words[this.i - 1] ?? this.kindWord;
    return last.offset + Math.max(1, last.text.length + (last.quoted ? 2 : 0));
  }
  rest(): Word[] {
    const r = this.words.slice(this.i);
    this.i = this.words.length;
    return r;
  }
}

function parseSpec(
  kind: CheckKind,
  kindWord: Word,
  words: Word[],
  ctx: LineContext,
): CheckSpec | undefined {
  const args = new Args(words, kindWord);
  const spec = parseKind(kind, args, ctx);
  if (spec !== undefined && !args.done) {
    const extra = args.peek() as Word;
    const known = keywords[kind] ?? [];
    ctx.error(
      extra,
      `${kind}: unexpected "${extra.text}"${suggestion(extra.text, known)}${ctx.form}`,
      known.length > 0 ? "unknown-keyword" : "bad-check",
    );
    return undefined;
  }
  return spec;
}

/** Take the next word as a required argument named `what`, or report it missing. */
function need(args: Args, ctx: LineContext, what: string): Word | undefined {
  const w = args.next();
  if (w === undefined) return ctx.error(args.end, `${ctx.kind}: ${what} is missing${ctx.form}`);
  return w;
}

function ifaceRef(w: Word, ctx: LineContext, what = "interface"): IfaceRef | undefined {
  const parsed = ctx.value(w, parseIfaceRef(w.text), what);
  if (parsed === undefined) return undefined;
  return parsed.ns === undefined ? { dev: parsed.dev } : { ns: parsed.ns, dev: parsed.dev };
}

function macRef(w: Word, ctx: LineContext): MacRef | undefined {
  if (looksLikeMac(w.text)) {
    const mac = ctx.value(w, parseMac(w.text), "MAC");
    return mac === undefined ? undefined : { mac };
  }
  const ref = parseIfaceRef(w.text);
  if (!ref.ok) {
    return ctx.error(
      w,
      `${ctx.kind}: "${w.text}" is neither a MAC address (6 hex pairs like 02:42:ac:11:00:03) nor an interface (DEV or NS:DEV)`,
    );
  }
  const iface = ref.value.ns === undefined ? { dev: ref.value.dev } : ref.value;
  return { iface: iface as IfaceRef };
}

function ipArg(w: Word, ctx: LineContext, what = "address"): string | undefined {
  return ctx.value(w, parseIP(w.text), what)?.ip;
}

/** Report an attribute given twice; returns true when it was. */
function twice(seen: Set<string>, key: string, w: Word, ctx: LineContext): boolean {
  if (seen.has(key)) {
    ctx.error(w, `${ctx.kind}: "${key}" is given twice`);
    return true;
  }
  seen.add(key);
  return false;
}

/** One optional attribute after a check's arguments; `read` takes what follows its keyword. */
interface Attribute {
  /** What "given twice" is judged by, when not the keyword itself (`up` and `down` share one). */
  key?: string;
  /** Reads the attribute's value into the spec; false when it failed (the problem is recorded). */
  read: (kw: Word) => boolean;
}

/**
 * Read `KEYWORD VALUE...` attributes until the line ends (link, route, neigh share this form):
 * an unknown or quoted keyword, or one given twice, is an error. False when any problem stopped it.
 */
function parseAttributes(
  args: Args,
  ctx: LineContext,
  kind: "link" | "route" | "neigh",
  attributes: Record<string, Attribute>,
): boolean {
  const seen = new Set<string>();
  while (!args.done) {
    const kw = args.next() as Word;
    // Own properties only, so a keyword like "constructor" is unknown rather than inherited.
    const attribute =
      !kw.quoted && Object.hasOwn(attributes, kw.text) ? attributes[kw.text] : undefined;
    if (attribute === undefined) {
      ctx.error(
        kw,
        `${kind}: unknown attribute "${kw.text}"${suggestion(kw.text, keywords[kind] ?? [])}${ctx.form}`,
        "unknown-keyword",
      );
      return false;
    }
    if (twice(seen, attribute.key ?? kw.text, kw, ctx)) return false;
    if (!attribute.read(kw)) return false;
  }
  return true;
}

/** An attribute whose value is the next word, converted (or reported) by `convert`. */
function valueAttribute<T>(
  args: Args,
  ctx: LineContext,
  what: string,
  convert: (w: Word) => T | undefined,
  store: (value: T) => void,
): Attribute {
  return {
    read: () => {
      const w = need(args, ctx, what);
      const value = w && convert(w);
      if (value === undefined) return false;
      store(value);
      return true;
    },
  };
}

/** The `dev DEV` attribute of route and neigh. */
function devAttribute(args: Args, ctx: LineContext, store: (dev: IfaceRef) => void): Attribute {
  return valueAttribute(args, ctx, "the interface after `dev`", (w) => ifaceRef(w, ctx), store);
}

function parseKind(kind: CheckKind, args: Args, ctx: LineContext): CheckSpec | undefined {
  switch (kind) {
    case "netns": {
      const w = need(args, ctx, "the namespace NAME");
      const name = w && ctx.value(w, parseNetnsName(w.text), "namespace name");
      return name === undefined ? undefined : { kind, name };
    }
    case "link":
      return parseLink(args, ctx);
    case "addr": {
      const devWord = need(args, ctx, "the interface DEV");
      const dev = devWord && ifaceRef(devWord, ctx);
      if (dev === undefined) return undefined;
      const cidrWord = need(args, ctx, "the address CIDR (e.g. 10.0.0.1/24)");
      const cidr = cidrWord && ctx.value(cidrWord, parseCidr(cidrWord.text), "address");
      return cidr === undefined ? undefined : { kind, dev, cidr: `${cidr.ip}/${cidr.prefix}` };
    }
    case "route":
      return parseRoute(args, ctx);
    case "ping": {
      const w = need(args, ctx, "the IP to ping");
      const ip = w && ipArg(w, ctx);
      return ip === undefined ? undefined : { kind, ip };
    }
    case "neigh":
      return parseNeigh(args, ctx);
    case "fdb": {
      const brWord = need(args, ctx, "the bridge BR");
      const bridge = brWord && ifaceRef(brWord, ctx, "bridge");
      if (bridge === undefined) return undefined;
      const macWord = need(args, ctx, "the MAC (or an interface standing for its MAC)");
      const mac = macWord && macRef(macWord, ctx);
      if (mac === undefined) return undefined;
      const spec: CheckSpec = { kind, bridge, mac };
      const kw = args.peek();
      if (kw?.text === "port" && !kw.quoted) {
        args.next();
        const portWord = need(args, ctx, "the port DEV after `port`");
        const port = portWord && ifaceRef(portWord, ctx, "port");
        if (port === undefined) return undefined;
        spec.port = port;
      }
      return spec;
    }
    case "sysctl": {
      const keyWord = need(args, ctx, "the KEY (e.g. net.ipv4.ip_forward)");
      const key = keyWord && ctx.value(keyWord, parseSysctlKey(keyWord.text), "key");
      if (key === undefined) return undefined;
      const valueWord = need(args, ctx, "the VALUE");
      return valueWord === undefined ? undefined : { kind, key, value: valueWord.text };
    }
    case "iptables":
      return parseIptables(args, ctx);
    case "listen": {
      const protoWord = need(args, ctx, "the protocol (tcp or udp)");
      if (protoWord === undefined) return undefined;
      if (protoWord.text !== "tcp" && protoWord.text !== "udp") {
        return ctx.error(
          protoWord,
          `listen: expected tcp or udp, found "${protoWord.text}"${suggestion(protoWord.text, ["tcp", "udp"])}${ctx.form}`,
        );
      }
      const portWord = need(args, ctx, "the PORT");
      const port = portWord && ctx.value(portWord, parsePort(portWord.text), "port");
      return port === undefined ? undefined : { kind, proto: protoWord.text, port };
    }
    case "tcp": {
      const w = need(args, ctx, "HOST:PORT");
      const hp = w && ctx.value(w, parseHostPort(w.text), "target");
      return hp === undefined ? undefined : { kind, host: hp.host, port: hp.port };
    }
    case "capture":
      return parseCapture(args, ctx);
    case "run":
      return parseRun(args, ctx);
  }
}

function parseLink(args: Args, ctx: LineContext): CheckSpec | undefined {
  const devWord = need(args, ctx, "the interface DEV");
  const dev = devWord && ifaceRef(devWord, ctx);
  if (dev === undefined) return undefined;
  const spec: Extract<CheckSpec, { kind: "link" }> = { kind: "link", dev };
  // `up` and `down` are one attribute: giving both is "given twice".
  const state = (value: "up" | "down"): Attribute => ({
    key: "up/down",
    read: () => {
      spec.state = value;
      return true;
    },
  });
  const ok = parseAttributes(args, ctx, "link", {
    up: state("up"),
    down: state("down"),
    type: {
      read: () => {
        const t = need(args, ctx, "the type after `type`");
        if (t === undefined) return false;
        if (!knownLinkTypes.includes(t.text)) {
          ctx.warn(
            t,
            `link: unknown link type "${t.text}"${suggestion(t.text, knownLinkTypes)}; known types: ${knownLinkTypes.join(", ")}`,
            "unknown-link-type",
          );
        }
        spec.type = t.text;
        return true;
      },
    },
    master: valueAttribute(
      args,
      ctx,
      "the bridge after `master`",
      (w) => ifaceRef(w, ctx, "master"),
      (master) => {
        spec.master = master;
      },
    ),
    mtu: valueAttribute(
      args,
      ctx,
      "the MTU after `mtu`",
      (w) => ctx.value(w, parseInteger(w.text, 1, 2_147_483_647), "MTU"),
      (mtu) => {
        spec.mtu = mtu;
      },
    ),
    mac: valueAttribute(
      args,
      ctx,
      "the MAC (or an interface) after `mac`",
      (w) => macRef(w, ctx),
      (mac) => {
        spec.mac = mac;
      },
    ),
    peer: valueAttribute(
      args,
      ctx,
      "the interface after `peer`",
      (w) => ifaceRef(w, ctx, "peer"),
      (peer) => {
        spec.peer = peer;
      },
    ),
  });
  return ok ? spec : undefined;
}

function parseRoute(args: Args, ctx: LineContext): CheckSpec | undefined {
  const destWord = need(args, ctx, "the destination (default or a CIDR)");
  if (destWord === undefined) return undefined;
  let dest: string;
  if (destWord.text === "default" && !destWord.quoted) {
    dest = "default";
  } else {
    const parsed = destWord.text.includes("/")
      ? parseCidr(destWord.text)
      : (() => {
          const ip = parseIP(destWord.text);
          return ip.ok
            ? {
                ok: true as const,
                value: { ...ip.value, prefix: ip.value.family === 4 ? 32 : 128 },
              }
            : {
                ok: false as const,
                reason: `expected "default" or a CIDR like 10.0.0.0/24${suggestion(destWord.text, ["default"])}`,
              };
        })();
    const cidr = ctx.value(destWord, parsed, "destination");
    if (cidr === undefined) return undefined;
    if (cidr.family === 4) {
      const network = ipv4Network(cidr.ip, cidr.prefix);
      if (network !== cidr.ip) {
        return ctx.error(
          destWord,
          `route: "${destWord.text}" has host bits set; a route's destination is a network: did you mean "${network}/${cidr.prefix}"?`,
        );
      }
    }
    dest = `${cidr.ip}/${cidr.prefix}`;
  }
  const spec: Extract<CheckSpec, { kind: "route" }> = { kind: "route", dest };
  const ok = parseAttributes(args, ctx, "route", {
    via: valueAttribute(
      args,
      ctx,
      "the gateway after `via`",
      (w) => ipArg(w, ctx, "gateway"),
      (via) => {
        spec.via = via;
      },
    ),
    dev: devAttribute(args, ctx, (dev) => {
      spec.dev = dev;
    }),
  });
  return ok ? spec : undefined;
}

function parseNeigh(args: Args, ctx: LineContext): CheckSpec | undefined {
  const ipWord = need(args, ctx, "the neighbour's IP");
  const ip = ipWord && ipArg(ipWord, ctx);
  if (ip === undefined) return undefined;
  const spec: Extract<CheckSpec, { kind: "neigh" }> = { kind: "neigh", ip };
  const ok = parseAttributes(args, ctx, "neigh", {
    lladdr: valueAttribute(
      args,
      ctx,
      "the MAC (or an interface) after `lladdr`",
      (w) => macRef(w, ctx),
      (lladdr) => {
        spec.lladdr = lladdr;
      },
    ),
    dev: devAttribute(args, ctx, (dev) => {
      spec.dev = dev;
    }),
  });
  return ok ? spec : undefined;
}

function parseIptables(args: Args, ctx: LineContext): CheckSpec | undefined {
  let table: string | undefined;
  let mode: "rule" | "policy" | undefined;
  let chain: string | undefined;
  let chainWord: Word | undefined;
  const rule: Word[] = [];
  while (!args.done) {
    const w = args.next() as Word;
    if (!w.quoted && (w.text === "-t" || w.text === "--table")) {
      if (table !== undefined) return ctx.error(w, "iptables: the table is given twice");
      const t = need(args, ctx, "the table after -t");
      if (t === undefined) return undefined;
      if (!iptablesTables.includes(t.text)) {
        return ctx.error(
          t,
          `iptables: unknown table "${t.text}"${suggestion(t.text, iptablesTables)}; tables are ${iptablesTables.join(", ")}`,
        );
      }
      table = t.text;
      continue;
    }
    if (mode === undefined) {
      if (!w.quoted && (w.text === "-A" || w.text === "--append")) mode = "rule";
      else if (!w.quoted && (w.text === "-P" || w.text === "--policy")) mode = "policy";
      else if (!w.quoted && ["-I", "-C", "-D", "-R", "--insert", "--check"].includes(w.text)) {
        return ctx.error(
          w,
          `iptables: write the rule with -A, not ${w.text}: the check asks whether the rule is present (as iptables -C decides)${ctx.form}`,
        );
      } else {
        return ctx.error(
          w,
          `iptables: expected -A or -P (or -t TABLE), found "${w.text}"${ctx.form}`,
        );
      }
      const c = need(args, ctx, "the CHAIN");
      if (c === undefined) return undefined;
      if (c.text.startsWith("-"))
        return ctx.error(c, `iptables: expected a chain name, found "${c.text}"${ctx.form}`);
      if (c.text === "") return ctx.error(c, `iptables: the chain name is empty${ctx.form}`);
      chain = c.text;
      chainWord = c;
      continue;
    }
    rule.push(w);
  }
  const t = table ?? "filter";
  if (mode === undefined || chain === undefined) {
    return ctx.error(
      args.end,
      `iptables: -A CHAIN RULE... or -P CHAIN TARGET is missing${ctx.form}`,
    );
  }
  if (mode === "rule") {
    if (rule.length === 0)
      return ctx.error(args.end, `iptables: the RULE after -A ${chain} is missing${ctx.form}`);
    return { kind: "iptables", table: t, mode, chain, rule: rule.map((w) => w.text) };
  }
  const builtins = builtinChains[t] ?? [];
  if (!builtins.includes(chain)) {
    return ctx.error(
      chainWord ?? args.end,
      `iptables: only built-in chains have a policy; the ${t} table's are ${builtins.join(", ")}${suggestion(chain, builtins)}`,
    );
  }
  const [target, ...extra] = rule;
  if (target === undefined)
    return ctx.error(
      args.end,
      `iptables: the policy TARGET (ACCEPT or DROP) is missing${ctx.form}`,
    );
  if (target.text !== "ACCEPT" && target.text !== "DROP") {
    return ctx.error(
      target,
      `iptables: a policy is ACCEPT or DROP, found "${target.text}"${suggestion(target.text, ["ACCEPT", "DROP"])}`,
    );
  }
  if (extra[0])
    return ctx.error(
      extra[0],
      `iptables: unexpected "${extra[0].text}" after the policy${ctx.form}`,
    );
  return { kind: "iptables", table: t, mode, chain, target: target.text };
}

function parseCapture(args: Args, ctx: LineContext): CheckSpec | undefined {
  const devWord = need(args, ctx, "the interface DEV");
  const dev = devWord && ifaceRef(devWord, ctx);
  if (dev === undefined) return undefined;
  const whileWord = need(args, ctx, '"while"');
  if (whileWord === undefined) return undefined;
  if (whileWord.text !== "while" || whileWord.quoted) {
    return ctx.error(
      whileWord,
      `capture: expected "while", found "${whileWord.text}"${suggestion(whileWord.text, ["while"])}${ctx.form}`,
      "unknown-keyword",
    );
  }
  const cmd = need(args, ctx, "the COMMAND (in double quotes)");
  if (cmd === undefined) return undefined;
  if (cmd.text.trim() === "") return ctx.error(cmd, `capture: the COMMAND is empty${ctx.form}`);
  const seesWord = need(args, ctx, '"sees"');
  if (seesWord === undefined) return undefined;
  if (seesWord.text !== "sees" || seesWord.quoted) {
    const hint = cmd.quoted ? "" : ' (quote a COMMAND of several words: "ping -c1 10.0.0.2")';
    return ctx.error(
      seesWord,
      `capture: expected "sees", found "${seesWord.text}"${suggestion(seesWord.text, ["sees"])}${hint}${ctx.form}`,
      "unknown-keyword",
    );
  }
  const textWord = need(args, ctx, "the TEXT to look for");
  if (textWord === undefined) return undefined;
  if (textWord.text === "") return ctx.error(textWord, `capture: the TEXT is empty${ctx.form}`);
  return { kind: "capture", dev, command: cmd.text, text: textWord.text };
}

function parseRun(args: Args, ctx: LineContext): CheckSpec | undefined {
  const cmd = need(args, ctx, "the COMMAND (in double quotes)");
  if (cmd === undefined) return undefined;
  if (cmd.text.trim() === "") return ctx.error(cmd, `run: the COMMAND is empty${ctx.form}`);
  let exit: number | undefined;
  const stdout: TextMatch[] = [];
  while (!args.done) {
    const kw = args.next() as Word;
    if (kw.text === "exit" && !kw.quoted) {
      if (exit !== undefined) return ctx.error(kw, `run: "exit" is given twice`);
      const w = need(args, ctx, "the exit status after `exit`");
      const n = w && ctx.value(w, parseInteger(w.text, 0, 255), "exit status");
      if (n === undefined) return undefined;
      exit = n;
    } else if (kw.text === "stdout" && !kw.quoted) {
      const w = need(args, ctx, 'the "TEXT" or ~ /REGEX/ after `stdout`');
      if (w === undefined) return undefined;
      if (w.text === "~" && !w.quoted) {
        const r = need(args, ctx, "the /REGEX/ after `stdout ~`");
        const re = r && ctx.value(r, parseRegex(r.text), "regular expression");
        if (re === undefined) return undefined;
        stdout.push(re);
      } else {
        if (!w.quoted && w.text.startsWith("/") && w.text.length > 1) {
          ctx.warn(
            w,
            `run: "${w.text}" is matched as plain text; write stdout ~ ${w.text} for a regular expression`,
            "regex-as-text",
          );
        }
        stdout.push({ text: w.text });
      }
    } else {
      return ctx.error(
        kw,
        `run: unexpected "${kw.text}"${suggestion(kw.text, keywords.run ?? [])}${cmd.quoted ? "" : ' (quote a COMMAND of several words: run "ip link show")'}${ctx.form}`,
        "unknown-keyword",
      );
    }
  }
  return { kind: "run", command: cmd.text, exit: exit ?? 0, stdout };
}
