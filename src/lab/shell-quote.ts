/**
 * Quote `value` as one word for POSIX shells: `it's` → `'it'\''s'`. Used for scripts run in a
 * lab and for ssh, which joins the remote argv with spaces and hands it to the remote login
 * shell: every word must survive that shell unchanged.
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Quote every word of `argv` and join them with spaces: the command line that runs exactly `argv`. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
