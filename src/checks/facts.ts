/**
 * Facts: one snapshot of a lab's network state, gathered in ONE lab round trip and parsed from
 * JSON (`ip -j`, `bridge -j`), never from screen text. State checks are answered from it; the
 * graph draws it. The raw entries keep iproute2's field names so that they read like its docs.
 * Each concern lives in a module of its own under facts/; this is their one public face.
 */
export { addressesOf, type IpAddr, type IpAddrInfo } from "./facts/addr-facts.js";
export {
  buildFactsScript,
  type FactsRequest,
  factsRequest,
  gatherFacts,
  parseFactsOutput,
} from "./facts/gather-facts.js";
export {
  findLink,
  hasCarrier,
  type IpLink,
  isUp,
  type LinkAt,
  linkKind,
  vethPeer,
} from "./facts/link-facts.js";
export type { FdbEntry, IpNeighbour } from "./facts/neigh-facts.js";
export {
  ifaceLabel,
  inNamespace,
  inNetNamespace,
  missingNamespace,
  type NetnsId,
  nsLabel,
  shownName,
} from "./facts/netns-facts.js";
export type { IpRoute } from "./facts/route-facts.js";
export {
  type ExtraCommand,
  type ExtraResult,
  type GatherOptions,
  type LabFacts,
  type NamespaceFacts,
  namespaceFacts,
} from "./facts/snapshot.js";
export { parseProcNetSockets } from "./facts/socket-facts.js";
