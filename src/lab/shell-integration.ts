/**
 * Shell integration for the lab shell that course runs behind a pseudo-terminal of its own (the
 * terminal's `course shell`/`course start`, the browser's `course serve`). The shell side is a
 * small rc script, passed in the environment (no file to place in the lab: it works the same in
 * the sandbox, over ssh and in the VM). It marks its prompt with the shell-integration sequences
 * terminals use (OSC 133, as VS Code and WezTerm read them): A prompt start, B prompt end (the
 * learner types), C command start, D;STATUS command end. course reads them to know when a
 * command ended, and removes the few private sequences it adds of its own.
 *
 * Two ways back into the shell, both through the pty's input:
 * - a tick: `TICK_KEYS` is bound (`bind -x`) to a function that reads the line to show and the
 *   prompt's new label up to a BEL, prints the line, and lets readline redraw the prompt and
 *   the half-typed command: nothing is ever printed over what the learner types;
 * - an answer: `step`, `hint` and `check` (shell functions) print a private request sequence and
 *   wait for one line on the terminal; course prints the answer itself, then sends the line.
 */

/** The learner's commands inside the lab shell; each asks course (see `ShellRequest`). */
export const SHELL_COMMANDS = ["step", "hint", "check"] as const;
export type ShellRequest = (typeof SHELL_COMMANDS)[number];

/** The key sequence bound to the tick function: no key of a real keyboard sends it. */
export const TICK_KEYS = "\u001b[9999~";
/** Private OSC number of course's requests (`ESC ] 6973 ; course ; NAME BEL`). */
const REQUEST_OSC = "6973;course;";
/** What `step`/`hint`/`check` wait for once course has printed the answer. */
export const ANSWERED = "\r";

/** What the shell tells course, in the order it happens. */
export type ShellEvent =
  | { type: "prompt" }
  | { type: "input" }
  | { type: "command" }
  | { type: "done"; status: number }
  | { type: "request"; name: ShellRequest };

export interface ShellIntegrationOptions {
  /** The prompt's first label (`[lesson 2 · step 1/4]`), before any check ran. */
  label: string;
  /** Colour the label. */
  color: boolean;
}

/**
 * `NAME=VALUE` entries for the lab shell's environment (Lab.shellCommand's `env`). bash runs
 * PROMPT_COMMAND before its first prompt: that first run loads the rc script and replaces it.
 */
export function shellIntegrationEnv(options: ShellIntegrationOptions): string[] {
  return [
    `__course_rc=${rcScript(options.color)}`,
    `__course_label=${options.label}`,
    'PROMPT_COMMAND=eval "$__course_rc"',
  ];
}

function rcScript(color: boolean): string {
  const on = color ? String.raw`\[\e[1;36m\]` : "";
  const off = color ? String.raw`\[\e[0m\]` : "";
  const onRaw = color ? String.raw`\033[1;36m` : "";
  const offRaw = color ? String.raw`\033[0m` : "";
  const functions = SHELL_COMMANDS.map((name) => `${name}() { __course_ask ${name}; }`).join("\n");
  return String.raw`
unset __course_rc
export -n __course_label
__course_prompt() {
  local s=$?
  printf '\033]133;D;%s\007' "$s"
  return "$s"
}
__course_tick() {
  local p
  IFS= read -r -s -d $'\a' p
  __course_label=${"$"}{p%%$'\037'*}
  p=${"$"}{p#*$'\037'}
  [ -z "$p" ] || printf '%s\n' "$p"
  printf '${onRaw}%s${offRaw}\n' "$__course_label"
}
__course_ask() {
  printf '\033]${REQUEST_OSC}%s\007' "$1"
  IFS= read -r -s __course_reply </dev/tty
}
${functions}
bind -x '"\e[9999~": __course_tick'
PS0='\e]133;C\a'
PS1='\[\e]133;A\a\]${on}${"$"}{__course_label}${off}\n${"$"}{PWD}\$ \[\e]133;B\a\]'
PROMPT_COMMAND=__course_prompt
__course_prompt
`;
}

/**
 * What course writes to the pty's input to show `line` (may be empty) above the prompt and give
 * the prompt `label`. Send it only while the shell waits at its prompt (after an `input` event).
 */
export function tickInput(label: string, line: string): string {
  const clean = (s: string) => s.replaceAll("\u0007", "").replaceAll("\u001f", "");
  return `${TICK_KEYS}${clean(label)}\u001f${clean(line)}\u0007`;
}

/**
 * Reads the lab shell's output: passes text on (the OSC 133 marks too: terminals use them),
 * drops course's private requests, and reports every mark as an event, in order. What one read
 * brings goes on in one write, and its events follow that write: the prompt is on the terminal
 * before anything a mark sets off (the live check) runs, and no read costs more than one write.
 */
export class ShellMarkReader {
  private pending = "";

  constructor(
    private readonly onOutput: (text: string) => void,
    private readonly onEvent: (event: ShellEvent) => void,
  ) {}

  push(chunk: string): void {
    let text = this.pending + chunk;
    this.pending = "";
    let out = "";
    const events: ShellEvent[] = [];
    for (;;) {
      const at = text.indexOf("\u001b]");
      if (at < 0) break;
      const end = text.indexOf("\u0007", at);
      if (end < 0) {
        // An OSC split across reads: hold it back (a stray ESC ] long unfinished is text).
        if (text.length - at < 512) {
          this.pending = text.slice(at);
          text = text.slice(0, at);
        }
        break;
      }
      const body = text.slice(at + 2, end);
      const event = eventOf(body);
      out += body.startsWith(REQUEST_OSC) ? text.slice(0, at) : text.slice(0, end + 1);
      if (event !== undefined) events.push(event);
      text = text.slice(end + 1);
    }
    out += text;
    if (out !== "") this.onOutput(out);
    for (const event of events) this.onEvent(event);
  }
}

function eventOf(body: string): ShellEvent | undefined {
  if (body.startsWith(REQUEST_OSC)) {
    const name = body.slice(REQUEST_OSC.length);
    return (SHELL_COMMANDS as readonly string[]).includes(name)
      ? { type: "request", name: name as ShellRequest }
      : undefined;
  }
  if (body === "133;A") return { type: "prompt" };
  if (body === "133;B") return { type: "input" };
  if (body === "133;C") return { type: "command" };
  const done = /^133;D;(\d+)$/.exec(body);
  return done ? { type: "done", status: Number(done[1]) } : undefined;
}
