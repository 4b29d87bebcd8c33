/**
 * Which line of a command fence failed. The fence's script gets a prefix on its first line (so
 * line numbers stay) whose ERR trap prints `course-failed-at:LINE:STATUS` to stderr: LINE is
 * 1-based within the fence, whatever wrapper the lab puts around the script. `exit N` fires no
 * trap; then no line is known and callers name the fence's own line.
 */

const TRACE = `__course_l0=$LINENO; trap '__course_s=$?; echo "course-failed-at:$((LINENO - __course_l0 + 1)):$__course_s" >&2' ERR; `;
const MARKER = /^course-failed-at:(\d+):(\d+)$\n?/gm;

/** `code`, traced so that a failure names its line. */
export function traceFence(code: string): string {
  return TRACE + code;
}

/** The trace's markers taken out of `stderr`, and the first failed line they name (1-based). */
export function takeFailedLine(stderr: string): { stderr: string; line?: number } {
  let line: number | undefined;
  const rest = stderr.replace(MARKER, (_, n: string) => {
    line ??= Number(n);
    return "";
  });
  return line === undefined ? { stderr: rest } : { stderr: rest, line };
}
