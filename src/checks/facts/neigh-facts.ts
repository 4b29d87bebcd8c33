/** Neighbours in the facts: `ip -j neigh show` (ARP/NDP) and `bridge -j fdb show` entries. */

/** One entry of `ip -j neigh show`. */
export interface IpNeighbour {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

/** One entry of `bridge -j fdb show`. */
export interface FdbEntry {
  mac: string;
  ifname?: string;
  master?: string;
  /** A VXLAN entry's remote. */
  dst?: string;
  vlan?: number;
  flags?: string[];
  state?: string;
}
