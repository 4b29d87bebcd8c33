/**
 * The names a lesson's `needs` may list: what a lab must offer beyond the default tools. Its own
 * module so that the lab layer can name them without loading the front-matter parser.
 */

/** Kernel features a lab may lack (tried in a scratch namespace by `lab/lab-features.ts`). */
export const KERNEL_FEATURES = [
  "vlan",
  "vxlan",
  "macvlan",
  "ipvlan",
  "wireguard",
  "netem",
  "nftables",
  "ipv6",
] as const;

/** Every capability a lesson may need: a Docker engine, or a kernel feature. */
export const KNOWN_NEEDS = ["docker", ...KERNEL_FEATURES] as const;

export type KernelFeature = (typeof KERNEL_FEATURES)[number];
export type Need = (typeof KNOWN_NEEDS)[number];
