/**
 * The lesson model: what the parser produces from Markdown and every other layer consumes.
 * Pure data: no fs, no processes. Every node keeps where it came from.
 */

/** A place in a lesson file. Lines and columns count from 1. */
export interface Position {
  file: string;
  line: number;
  column: number;
}

/** One problem found in a course: reported as `FILE:LINE:COL: severity: message`. */
export interface Problem extends Position {
  severity: "error" | "warning";
  message: string;
  /** A short machine-readable name for the rule that found it, e.g. `unknown-key`. */
  rule: string;
}

export interface Course {
  /** Absolute path of the lessons directory (or of the directory holding the given files). */
  dir: string;
  title?: string;
  summary?: string;
  lessons: Lesson[];
}

export interface Lesson {
  /** Absolute path of the Markdown file. */
  file: string;
  /** Front matter `id`, else the file name without number prefix and `.md`. */
  id: string;
  /** 1-based position in the course (file-name order). */
  position: number;
  title: string;
  /** Ids of lessons that must be complete first (resolved: defaults to the lesson before). */
  requires: string[];
  /** Capabilities the lab must offer, e.g. `docker`. */
  needs: string[];
  /** Seconds per command or check. @default 30 */
  timeout: number;
  /** The introduction's Markdown source (text before the first `##`), setup fences removed. */
  intro: string;
  /** Hidden `setup` fences of the introduction, run once when the lab is created. */
  setup: CommandBlock[];
  steps: Step[];
  /** Where the front matter (or the file) starts. */
  position0: Position;
}

export interface Step {
  /** 1-based position in the lesson. */
  index: number;
  title: string;
  /** Position of the `##` heading. */
  heading: Position;
  /** The step's Markdown source, heading excluded, check fences and hints included. */
  markdown: string;
  commands: CommandBlock[];
  checks: Check[];
  hints: Hint[];
}

export type CommandLang = "sh" | "bash" | "shell";

export interface CommandOptions {
  setup: boolean;
  noRun: boolean;
  background: boolean;
  allowFail: boolean;
  /** Seconds for this fence; falls back to the lesson's timeout. */
  timeout?: number;
  /** Marked as only showing state (`show`): `course test --mutate` does not report it. */
  show: boolean;
  /**
   * `no-mutate="REASON"`: commands that change state but that `--mutate` must leave alone (a
   * step no check can observe, such as flushing a cache the kernel no longer has); the report
   * says so, with the reason.
   */
  noMutate?: string;
}

export interface CommandBlock extends Position {
  lang: CommandLang;
  /** The fence's content, as one script. */
  code: string;
  /** Line of the first content line (fence line + 1). */
  codeLine: number;
  options: CommandOptions;
}

export interface Hint extends Position {
  /** The hint's Markdown, without the leading `Hint:` or `[!TIP]` marker. */
  markdown: string;
  /**
   * The checks this hint answers (`> Hint for \`link veth0\`: …`), as 0-based indices into
   * its step's `checks`; undefined for a hint that names none (it answers the step as a whole).
   */
  answers?: number[];
}

/** An interface reference: `DEV` in the check's own namespace, or `NS:DEV`. */
export interface IfaceRef {
  /** Namespace name; undefined means the check's own namespace. */
  ns?: string;
  dev: string;
}

/** Where a MAC is expected: a literal MAC (lowercase, colon-separated) or "that interface's MAC". */
export type MacRef = { mac: string } | { iface: IfaceRef };

export type TextMatch = { text: string } | { regex: string; flags: string };

/** A routing table: its number, or a name from the lab's `/etc/iproute2/rt_tables`. */
export type TableRef = number | string;

/** `KEY=VALUE` of a link check: compared with the link's `linkinfo.info_data[KEY]`. */
export interface LinkInfoWant {
  key: string;
  value: string;
}

export type CheckSpec =
  | { kind: "netns"; name: string }
  | {
      kind: "link";
      dev: IfaceRef;
      state?: "up" | "down";
      type?: string;
      master?: IfaceRef;
      mtu?: number;
      mac?: MacRef;
      peer?: IfaceRef;
      /** `KEY=VALUE` words, in order. */
      info?: LinkInfoWant[];
    }
  /** `within`: `addr DEV in NET` (some address inside NET), else that exact address. */
  | { kind: "addr"; dev: IfaceRef; cidr: string; within?: true }
  | {
      kind: "route";
      dest: string;
      via?: string;
      dev?: IfaceRef;
      /** Default: the main table. */
      table?: TableRef;
      metric?: number;
    }
  | {
      kind: "lookup";
      dest: string;
      /** The question: `from`, `iif`, `mark`. */
      from?: string;
      iif?: string;
      mark?: number;
      /** The expected answer: `via`, `dev`, `src`, `table`. */
      via?: string;
      dev?: string;
      src?: string;
      table?: TableRef;
    }
  | {
      kind: "rule";
      /** A CIDR, or `all`. */
      from?: string;
      to?: string;
      iif?: string;
      fwmark?: number;
      table: TableRef;
      priority?: number;
    }
  /** `dev`: `ping ADDR%DEV` (a link-local IPv6 address is only meaningful on one link). */
  | { kind: "ping"; ip: string; dev?: string }
  | { kind: "neigh"; ip: string; lladdr?: MacRef; dev?: IfaceRef }
  | {
      kind: "fdb";
      /** The bridge or VXLAN device. */
      bridge: IfaceRef;
      mac: MacRef;
      port?: IfaceRef;
      dst?: string;
      vlan?: number;
      /** Static entries (`self` included) rather than learned ones. */
      permanent?: true;
    }
  | { kind: "sysctl"; key: string; value: string }
  | { kind: "iptables"; table: string; mode: "rule"; chain: string; rule: string[] }
  | { kind: "iptables"; table: string; mode: "policy"; chain: string; target: string }
  | { kind: "listen"; proto: "tcp" | "udp"; port: number }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "capture"; dev: IfaceRef; command: string; text: string }
  | { kind: "run"; command: string; exit: number; stdout: TextMatch[] };

export type CheckKind = CheckSpec["kind"];

export interface Check extends Position {
  /** The check line as written (comment stripped, trimmed). */
  source: string;
  /** `NS:` prefix: the namespace the check runs in; undefined = the lab's host namespace. */
  ns?: string;
  /** `not`: passes exactly when the check fails. */
  negate: boolean;
  spec: CheckSpec;
}
