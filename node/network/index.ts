// The libp2p network layer: a NetworkService the node starts and stops, which serves the node's
// chain to peers (status handshake, blocks by range or hash), carries gossip on versioned topics
// through the node's validators, and keeps the peer set healthy (limits, quotas, scores, bans).
export { NetworkError } from "./errors.ts";
export type { GossipListener, GossipQueueConfig, GossipValidator, Verdict } from "./gossip.ts";
export type {
  BlockData,
  BlockRef,
  BlocksRequest,
  ChainStatus,
  Role,
} from "./messages.ts";
export { MAX_BLOCKS_PER_RESPONSE } from "./messages.ts";
export type {
  BlockProvider,
  NetworkLog,
  NetworkMetrics,
  NetworkOptions,
  PeerSummary,
  RefusalReason,
} from "./options.ts";
export { DEFAULT_IN_PEERS, DEFAULT_OUT_PEERS } from "./options.ts";
export type { PeerScoreConfig } from "./peer-scores.ts";
export { DEFAULT_PEER_SCORE_CONFIG } from "./peer-scores.ts";
export type { GossipTopic, ProtocolIds } from "./protocols.ts";
export { GOSSIP_TOPICS, genesisPrefix, protocolIds } from "./protocols.ts";
export type { Quota } from "./rate-limiter.ts";
export { NetworkService, peerIdFromNodeKey } from "./service.ts";
