// What the node hands the network when it creates it: its chain (a BlockProvider), a logger,
// optional metrics, the peer-to-peer settings from the command line, and tuning knobs whose
// defaults are the production values (tests shorten timeouts and tighten limits).
import type { GossipQueueConfig, Verdict } from "./gossip.ts";
import type { BlockData, ChainStatus } from "./messages.ts";
import type { PeerScoreConfig } from "./peer-scores.ts";
import type { GossipTopic } from "./protocols.ts";
import type { Quota } from "./rate-limiter.ts";

/** The node's chain, as the network serves it. */
export interface BlockProvider {
  status(): ChainStatus;
  /** Canonical blocks `from`, `from + 1`, … (at most `count`), ascending; fewer at the head. */
  byNumberRange(from: number, count: number): BlockData[];
  /** The block with this hash, then its ancestors, descending (at most `count`); [] if unknown. */
  byHash(hash: Uint8Array, count: number): BlockData[];
}

/** A pino logger fits; so does anything with these three methods. */
export interface NetworkLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface NetworkMetrics {
  /** One received gossip message's fate; "dropped" when its topic's queue was full. */
  gossip(topic: GossipTopic, outcome: Verdict | "dropped"): void;
  /** Handshaken peers now. */
  peers(count: number): void;
}

/** Why a peer's connection was refused or dropped. */
export type RefusalReason =
  | "banned"
  | "low-score"
  | "other-chain"
  | "in-peers-full"
  | "handshake-timeout";

export interface PeerSummary {
  peerId: string;
  roles: string;
  bestHash: Uint8Array;
  bestNumber: number;
  finalizedNumber: number;
}

export interface NetworkOptions {
  genesisHash: Uint8Array;
  /** 32-byte ed25519 seed (node/keystore.ts loadOrCreateNodeKey); fixes the peer id. */
  nodeKey: Uint8Array;
  /** Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/30333`. */
  listenAddresses: string[];
  /** Multiaddrs ending in `/p2p/<peer id>`, dialed at start and redialed with backoff. */
  bootnodes: string[];
  /** Multiaddrs ending in `/p2p/<peer id>`, kept connected whatever the peer limits. */
  reservedPeers?: string[];
  inPeers?: number;
  outPeers?: number;
  mdns?: boolean;
  provider: BlockProvider;
  log: NetworkLog;
  metrics?: NetworkMetrics | null;

  // Tuning. The defaults are the production values; tests shorten or tighten them.
  scoring?: Partial<PeerScoreConfig>;
  /** Score penalty for a gossip message its validator rejected. */
  gossipRejectPenalty?: number;
  /** Score penalty for a request over quota or malformed. */
  requestAbusePenalty?: number;
  quotas?: Partial<Record<"status" | "blocks", Quota>>;
  gossipQueues?: Partial<Record<GossipTopic, GossipQueueConfig>>;
  maxGossipBytes?: Partial<Record<GossipTopic, number>>;
  /** A block response stops adding blocks past this many bytes (it always holds at least one). */
  maxResponseBytes?: number;
  requestTimeoutMs?: number;
  /** A connection whose peer has not completed the status handshake by then is closed. */
  handshakeTimeoutMs?: number;
  redialInitialMs?: number;
  redialMaxMs?: number;
  /** How long a peer on another chain is neither dialed nor accepted. */
  otherChainBanMs?: number;
}

export const DEFAULT_IN_PEERS = 32;
export const DEFAULT_OUT_PEERS = 8;
