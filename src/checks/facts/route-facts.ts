/** Routes in the facts: `ip -j route show table all` entries. */

/** One entry of `ip -j route show`. `dst` is `default`, a CIDR, or a bare address (a /32). */
export interface IpRoute {
  dst: string;
  type?: string;
  table?: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  scope?: string;
  metric?: number;
  flags?: string[];
}
