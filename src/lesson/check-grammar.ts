/**
 * The shared grammar of check arguments: a cursor over the words, the problems of one line with
 * exact columns, and the argument forms several kinds share (an interface, a MAC or an interface
 * standing for it, an IP, `KEYWORD VALUE` attributes). Each kind's own grammar lives in its
 * module under `checks/kinds/`. Pure.
 */
import {
  looksLikeMac,
  type Parsed,
  parseIfaceRef,
  parseIfname,
  parseInteger,
  parseIP,
  parseMac,
} from "./check-values.js";
import type { Word } from "./check-words.js";
import { suggestion } from "./did-you-mean.js";
import type { IfaceRef, MacRef, Position, Problem, TableRef } from "./types.js";

/** Collects problems with exact columns for one line. */
export class LineContext {
  readonly problems: Problem[] = [];
  constructor(
    private readonly at: Position,
    /** The kind being parsed (named in messages). */
    readonly kind: string | undefined,
    /** Its form as the lesson format writes it (quoted in messages). */
    private readonly kindForm: string | undefined,
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
    return this.kindForm === undefined ? "" : `; expected "${this.kindForm}"`;
  }

  /** Validate a word with a parser; report `WHAT "WORD" is not ...: reason` on failure. */
  value<T>(word: Word, parsed: Parsed<T>, what: string): T | undefined {
    if (parsed.ok) return parsed.value;
    return this.error(word, `${this.kind}: ${what} "${word.text}" is invalid: ${parsed.reason}`);
  }
}

/** A cursor over a check's argument words. */
export class Args {
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

/** Take the next word as a required argument named `what`, or report it missing. */
export function need(args: Args, ctx: LineContext, what: string): Word | undefined {
  const w = args.next();
  if (w === undefined) return ctx.error(args.end, `${ctx.kind}: ${what} is missing${ctx.form}`);
  return w;
}

/** `DEV` or `NS:DEV`. */
export function ifaceRef(w: Word, ctx: LineContext, what = "interface"): IfaceRef | undefined {
  const parsed = ctx.value(w, parseIfaceRef(w.text), what);
  if (parsed === undefined) return undefined;
  return parsed.ns === undefined ? { dev: parsed.dev } : { ns: parsed.ns, dev: parsed.dev };
}

/** A MAC, or an interface standing for its MAC. */
export function macRef(w: Word, ctx: LineContext): MacRef | undefined {
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

/** An IPv4 or IPv6 address (canonical text). */
export function ipArg(w: Word, ctx: LineContext, what = "address"): string | undefined {
  return ctx.value(w, parseIP(w.text), what)?.ip;
}

/** One optional attribute after a check's arguments; `read` takes what follows its keyword. */
export interface Attribute {
  /** What "given twice" is judged by, when not the keyword itself (`up` and `down` share one). */
  key?: string;
  /** Reads the attribute's value into the spec; false when it failed (the problem is recorded). */
  read: (kw: Word) => boolean;
}

/**
 * Read `KEYWORD VALUE...` attributes until the line ends: an unknown or quoted keyword, or one
 * given twice, is an error. `other` reads a word that is no keyword (link's `KEY=VALUE`), or
 * returns undefined to call it unknown. False when any problem stopped it.
 */
export function parseAttributes(
  args: Args,
  ctx: LineContext,
  keywords: readonly string[],
  attributes: Record<string, Attribute>,
  other?: (w: Word) => boolean | undefined,
): boolean {
  const seen = new Set<string>();
  while (!args.done) {
    const kw = args.next() as Word;
    // Own properties only, so a keyword like "constructor" is unknown rather than inherited.
    const attribute =
      !kw.quoted && Object.hasOwn(attributes, kw.text) ? attributes[kw.text] : undefined;
    if (attribute === undefined) {
      const read = other?.(kw);
      if (read !== undefined) {
        if (!read) return false;
        continue;
      }
      ctx.error(
        kw,
        `${ctx.kind}: unknown attribute "${kw.text}"${suggestion(kw.text, keywords)}${ctx.form}`,
        "unknown-keyword",
      );
      return false;
    }
    const key = attribute.key ?? kw.text;
    if (seen.has(key)) {
      ctx.error(kw, `${ctx.kind}: "${key}" is given twice`);
      return false;
    }
    seen.add(key);
    if (!attribute.read(kw)) return false;
  }
  return true;
}

/** The keys of `S` that can hold a `T`. */
type KeysFor<S, T> = { [K in keyof S]-?: [T] extends [S[K]] ? K : never }[keyof S];

const MAX_U32 = 4_294_967_295;

/**
 * Attributes whose value is the next word, stored in `spec[key]`: one builder for each value
 * form the kinds share (an interface, a bare interface name, an address, a MAC or an interface
 * standing for it, a whole number, a table), so a kind's grammar names its keywords, its fields
 * and its messages, and nothing else. `what` is the missing-value message ("the gateway after
 * `via`"); `label` names the value in an invalid-value message.
 */
export function valueAttributes<S extends object>(args: Args, ctx: LineContext, spec: S) {
  const value = <K extends keyof S>(
    key: K,
    what: string,
    convert: (w: Word) => S[K] | undefined,
  ): Attribute => ({
    read: () => {
      const w = need(args, ctx, what);
      const v = w && convert(w);
      if (v === undefined) return false;
      spec[key] = v;
      return true;
    },
  });
  return {
    value,
    /** `DEV` or `NS:DEV`. */
    iface: <K extends KeysFor<S, IfaceRef>>(key: K, what: string, label?: string) =>
      value(key, what, (w) => ifaceRef(w, ctx, label) as S[K] | undefined),
    /** An interface name as the kernel reports it (no `NS:`): a rule's or a lookup's `iif`. */
    ifname: <K extends KeysFor<S, string>>(key: K, what: string) =>
      value(key, what, (w) => ctx.value(w, parseIfname(w.text), "interface") as S[K] | undefined),
    /** An IPv4 or IPv6 address. */
    ip: <K extends KeysFor<S, string>>(key: K, what: string, label?: string) =>
      value(key, what, (w) => ipArg(w, ctx, label) as S[K] | undefined),
    /** A MAC, or an interface standing for its MAC. */
    mac: <K extends KeysFor<S, MacRef>>(key: K, what: string) =>
      value(key, what, (w) => macRef(w, ctx) as S[K] | undefined),
    /** A whole number from `min` to `max` (default: any 32-bit one); `hex` also takes `0x…`. */
    integer: <K extends KeysFor<S, number>>(
      key: K,
      what: string,
      label: string,
      range: { min?: number; max?: number; hex?: boolean } = {},
    ) =>
      value(key, what, (w) => {
        const text =
          range.hex === true && /^0x[0-9a-f]+$/i.test(w.text)
            ? String(Number.parseInt(w.text, 16))
            : w.text;
        return ctx.value(w, parseInteger(text, range.min ?? 0, range.max ?? MAX_U32), label) as
          | S[K]
          | undefined;
      }),
    /** A routing table: a number or a name. */
    table: <K extends KeysFor<S, TableRef>>(key: K, what: string) =>
      value(key, what, (w) => tableArg(w, ctx) as S[K] | undefined),
  };
}

/** A routing table: a number, or a name (resolved against the lab's rt_tables when checked). */
export function tableArg(w: Word, ctx: LineContext): TableRef | undefined {
  if (/^\d+$/.test(w.text)) {
    return ctx.value(w, parseInteger(w.text, 0, MAX_U32), "table");
  }
  if (!w.quoted && /^[A-Za-z_][\w.-]*$/.test(w.text)) return w.text;
  return ctx.error(
    w,
    `${ctx.kind}: table "${w.text}" is invalid: expected a number or a name from /etc/iproute2/rt_tables (e.g. main, 100, John)`,
  );
}
