// Chain sync and gossip handling: what the node does with its peers. A node behind its peers
// downloads blocks by number range from the best one (verifying and importing every block, and
// every justification that comes with one), then follows gossip: announced blocks, transactions
// and finality votes, each validated before gossipsub forwards it. A block whose parent is
// unknown starts a sync from its sender. Misbehaviour lowers the sender's score.
import type { Logger } from "pino";
import type { BlockImporter } from "../consensus/block-import.ts";
import { BlockError, FinalityError } from "../consensus/errors.ts";
import {
  decodeVote,
  encodeVote,
  type FinalityVoter,
  type SignedVote,
} from "../consensus/finality.ts";
import { bytesEqual, toHex } from "../primitives/bytes.ts";
import {
  type Block,
  decodeBlock,
  decodeBody,
  decodeHeader,
  encodeBlock,
  headerHash,
} from "../primitives/chain.ts";
import { LineageError } from "../primitives/errors.ts";
import type { BlockRef, ChainStore } from "../state/chain-store.ts";
import type { TransactionPool } from "./txpool/index.ts";

export type GossipTopic = "blocks" | "transactions" | "finality";
export type Verdict = "accept" | "ignore" | "reject";

export interface PeerView {
  peerId: string;
  bestNumber: number;
  bestHash: Uint8Array;
  finalizedNumber: number;
}

export interface BlockData {
  hash: Uint8Array;
  header: Uint8Array;
  body: Uint8Array;
  justification?: Uint8Array;
}

/** The part of the network service that sync uses (node/network implements it). */
export interface SyncNetwork {
  peers(): PeerView[];
  onPeerStatus(listener: (peerId: string) => void): () => void;
  setGossipValidator(
    topic: GossipTopic,
    validate: (data: Uint8Array, from: string) => Verdict | Promise<Verdict>,
  ): void;
  publish(topic: GossipTopic, data: Uint8Array): Promise<void>;
  requestBlocks(
    peerId: string,
    request: { fromNumber: number; count: number } | { fromHash: Uint8Array; count: number },
  ): Promise<BlockData[]>;
  reportPeer(peerId: string, penalty: number, reason: string): void;
  announceStatus(): void;
}

/** Score penalties for sync responses (gossip rejects are penalized by the network layer). */
export const PENALTY = {
  invalidBlock: 50,
  badResponse: 20,
  requestFailed: 2,
} as const;

/** Vote errors that mean the vote itself is invalid (the sender's fault). */
const INVALID_VOTE_ERRORS = new Set(["BAD_SIGNATURE", "NOT_AN_AUTHORITY", "BAD_VOTE"]);

/** Blocks asked for per request while syncing. */
const SYNC_BATCH = 64;
/** After a sync that imported nothing, the next attempt waits this long (status updates aside). */
const SYNC_RETRY_MS = 1000;
/**
 * How far behind its best-known peer a node must be for `isSyncing` (Substrate's "major sync",
 * whose threshold is also 5): catching up one or two blocks that gossip missed is following.
 */
const MAJOR_SYNC_BLOCKS = 5;

/**
 * A vote's block not imported this long after the vote is fetched by hash: usually gossip brings
 * it first (votes and blocks travel apart), but a fork block that only the vote's author has (one
 * it authored as it stopped, say) comes no other way, since range sync follows the best chain.
 */
const VOTE_TARGET_GRACE_MS = 1000;
/** Vote targets waiting or being fetched at once; a further one waits for the vote's re-send. */
const MAX_VOTE_TARGET_FETCHES = 8;
/** Peers asked for one vote target: the vote's sender first (perhaps only a relay), then others. */
const MAX_VOTE_TARGET_PEERS = 4;
/** A vote target's branch longer than this above a known block is range sync's job. */
const MAX_VOTE_TARGET_BRANCH = SYNC_BATCH;

/** Block errors that say nothing bad about the sender: races, forks, clocks. */
const HARMLESS_BLOCK_ERRORS = new Set([
  "ALREADY_KNOWN",
  "UNKNOWN_PARENT",
  "BELOW_FINALIZED",
  "FUTURE_SLOT",
  "PARENT_STATE_UNAVAILABLE",
]);

/** Transaction errors an honest peer may relay (it saw another state): not penalized. */
const HARMLESS_TX_ERRORS = new Set([
  "TX_STALE",
  "TX_FUTURE",
  "TX_PAYMENT",
  "TX_EXPIRED",
  "TX_ANCIENT_BIRTH",
  "TX_EXHAUSTS_RESOURCES",
  "POOL_ALREADY_IMPORTED",
  "POOL_TEMPORARILY_BANNED",
  "POOL_TOO_LOW_PRIORITY",
  "POOL_FULL",
  "POOL_IMMEDIATELY_DROPPED",
]);

export interface SyncState {
  startingBlock: number;
  currentBlock: number;
  highestBlock: number;
}

export interface ChainSyncOptions {
  store: ChainStore;
  importer: BlockImporter;
  voter: FinalityVoter;
  pool: TransactionPool;
  network: SyncNetwork;
  log: Logger;
}

export class ChainSync {
  readonly #options: ChainSyncOptions;
  readonly #startingBlock: number;
  #syncing: Promise<void> | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  /** Vote targets being fetched (by hex hash): their grace timer, then the fetch. */
  readonly #voteTargets = new Map<string, { timer: NodeJS.Timeout; fetch?: Promise<void> }>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: ChainSyncOptions) {
    this.#options = options;
    this.#startingBlock = options.store.best().number;
  }

  start(): void {
    const { network } = this.#options;
    this.#unsubscribe.push(
      network.onPeerStatus((peerId) => {
        this.#maybeSync();
        // A peer that (re)connects may hold the block of a vote that no one else could serve.
        for (const target of this.#options.voter.missingTargets()) {
          this.#wantVoteTarget(target, peerId);
        }
      }),
    );
    network.setGossipValidator("blocks", (data, from) => this.#onBlockGossip(data, from));
    network.setGossipValidator("finality", (data, from) => this.#onVoteGossip(data, from));
    network.setGossipValidator("transactions", (data) => this.#onTransactionGossip(data));
    this.#maybeSync();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    const fetches = [...this.#voteTargets.values()];
    for (const { timer } of fetches) clearTimeout(timer);
    await Promise.all([this.#syncing, ...fetches.map((f) => f.fetch)]);
  }

  /** Whether the node is catching up with a peer more than a few blocks ahead (a major sync). */
  get isSyncing(): boolean {
    if (this.#syncing === null) return false;
    const { currentBlock, highestBlock } = this.state();
    return highestBlock - currentBlock > MAJOR_SYNC_BLOCKS;
  }

  state(): SyncState {
    const current = this.#options.store.best().number;
    const peersBest = Math.max(0, ...this.#options.network.peers().map((p) => p.bestNumber));
    return {
      startingBlock: this.#startingBlock,
      currentBlock: current,
      highestBlock: Math.max(current, peersBest),
    };
  }

  /** Gossips a block this node authored. */
  announceBlock(block: Block): void {
    this.#publish("blocks", encodeBlock(block));
    this.#options.network.announceStatus();
  }

  /** Gossips a finality vote this node signed. */
  announceVote(vote: SignedVote): void {
    this.#publish("finality", encodeVote(vote));
  }

  /** Gossips a transaction submitted to this node. */
  announceTransaction(bytes: Uint8Array): void {
    this.#publish("transactions", bytes);
  }

  #publish(topic: GossipTopic, data: Uint8Array): void {
    this.#options.network.publish(topic, data).catch((error) => {
      // No peers subscribed yet is normal on a fresh devnet; anything else is worth a line.
      this.#options.log.debug(`gossip on ${topic} not sent: ${(error as Error).message}`);
    });
  }

  // ---- gossip ----

  async #onBlockGossip(data: Uint8Array, from: string): Promise<Verdict> {
    let block: Block;
    try {
      block = decodeBlock(data);
    } catch {
      return "reject";
    }
    const hash = headerHash(block.header);
    const { store } = this.#options;
    if (store.getBlockMeta(hash)) return "ignore";
    if (!store.getBlockMeta(block.header.parentHash)) {
      this.#maybeSync();
      return "ignore";
    }
    try {
      await this.#options.importer.importBlock(block, "network");
      return "accept";
    } catch (error) {
      return this.#blockFailure(error, from, hash, false);
    }
  }

  async #onVoteGossip(data: Uint8Array, from: string): Promise<Verdict> {
    let vote: SignedVote;
    try {
      vote = decodeVote(data);
    } catch {
      return "reject";
    }
    try {
      const { voter, store } = this.#options;
      const verdict = voter.onVote(vote) ? "accept" : "ignore";
      // A re-sent vote is a duplicate, yet its block may still be missing. Only for a vote the
      // voter keeps: one it dropped (other set, old round) must not take a fetch slot.
      if (
        !store.getBlockMeta(vote.targetHash) &&
        voter.missingTargets().some((t) => bytesEqual(t.hash, vote.targetHash))
      ) {
        this.#wantVoteTarget({ hash: vote.targetHash, number: vote.targetNumber }, from);
      }
      return verdict;
    } catch (error) {
      // Only a vote that is itself invalid is the sender's fault; anything else is ours.
      if (error instanceof FinalityError && INVALID_VOTE_ERRORS.has(error.code)) return "reject";
      this.#options.log.warn(`vote from ${from} not processed: ${String(error)}`);
      return "ignore";
    }
  }

  async #onTransactionGossip(data: Uint8Array): Promise<Verdict> {
    try {
      await this.#options.pool.submit(data, "external");
      return "accept";
    } catch (error) {
      if (!(error instanceof LineageError)) return "ignore";
      if (HARMLESS_TX_ERRORS.has(error.code)) return "ignore";
      return "reject";
    }
  }

  // ---- blocks that votes are for ----

  /** Fetches `target` (a vote's block) by hash after a grace period, unless it arrives first. */
  #wantVoteTarget(target: BlockRef, from: string): void {
    const key = toHex(target.hash);
    if (this.#stopped || this.#voteTargets.has(key)) return;
    if (this.#voteTargets.size >= MAX_VOTE_TARGET_FETCHES) return;
    const entry: { timer: NodeJS.Timeout; fetch?: Promise<void> } = {
      timer: setTimeout(() => {
        entry.fetch = this.#fetchVoteTarget(target, from)
          .catch((error) => this.#options.log.debug(`vote target not fetched: ${String(error)}`))
          .finally(() => this.#voteTargets.delete(key));
      }, VOTE_TARGET_GRACE_MS),
    };
    entry.timer.unref();
    this.#voteTargets.set(key, entry);
  }

  async #fetchVoteTarget(target: BlockRef, from: string): Promise<void> {
    const { voter, network } = this.#options;
    const stillMissing = () =>
      !this.#stopped && voter.missingTargets().some((t) => bytesEqual(t.hash, target.hash));
    const others = network
      .peers()
      .map((p) => p.peerId)
      .filter((p) => p !== from);
    for (const peerId of [from, ...others].slice(0, MAX_VOTE_TARGET_PEERS)) {
      if (!stillMissing()) return;
      if (await this.#fetchBranch(peerId, target)) return;
    }
  }

  /**
   * Asks `peerId` for `target` and its ancestors back to a block we have, then imports them
   * oldest first. False when the peer could not give a branch that connects (a relay that lacks
   * the block is no fault; a response that is not the chain asked for is).
   */
  async #fetchBranch(peerId: string, target: BlockRef): Promise<boolean> {
    const { store, network, log } = this.#options;
    const finalized = store.finalized().number;
    const branch: BlockData[] = [];
    let cursor = target.hash;
    let number = target.number;
    while (!store.getBlockMeta(cursor)) {
      if (number <= finalized || branch.length >= MAX_VOTE_TARGET_BRANCH) return false;
      let blocks: BlockData[];
      try {
        blocks = await network.requestBlocks(peerId, {
          fromHash: cursor,
          count: Math.min(MAX_VOTE_TARGET_BRANCH - branch.length, number - finalized),
        });
      } catch (error) {
        log.debug(`vote target request to ${peerId} failed: ${(error as Error).message}`);
        return false;
      }
      if (blocks.length === 0) return false;
      for (const data of blocks) {
        let parentHash: Uint8Array;
        let blockNumber: number;
        try {
          const header = decodeHeader(data.header);
          if (!bytesEqual(headerHash(header), cursor)) throw new Error("not the block asked for");
          ({ parentHash, number: blockNumber } = header);
        } catch {
          network.reportPeer(peerId, PENALTY.badResponse, "blocks by hash that are not the chain");
          return false;
        }
        // A vote may name a wrong number for a real hash: then the vote counts for nothing.
        if (blockNumber !== number) return false;
        branch.push(data);
        cursor = parentHash;
        number--;
        if (store.getBlockMeta(cursor) || number <= finalized) break;
      }
    }
    if (branch.length === 0) return true;
    const justifications: { ref: BlockRef; bytes: Uint8Array }[] = [];
    for (const data of branch.reverse()) {
      const outcome = await this.#importSynced(peerId, data);
      if (outcome === "invalid" || outcome === "fork") return false;
      if (typeof outcome === "object") justifications.push(outcome);
    }
    log.debug(`fetched the block #${target.number} of a vote and ${branch.length - 1} ancestors`);
    return this.#applyJustifications(peerId, justifications);
  }

  /** A refused block; `penalize` for sync responses (gossip rejects are penalized by the network). */
  #blockFailure(error: unknown, from: string, hash: Uint8Array, penalize: boolean): Verdict {
    if (error instanceof BlockError && HARMLESS_BLOCK_ERRORS.has(error.code)) return "ignore";
    const reason = error instanceof LineageError ? error.code : String(error);
    this.#options.log.warn(
      `💔 Verification failed for block ${toHex(hash)} received from peer: ${from}, "${error instanceof Error ? error.message : reason}"`,
    );
    if (penalize) this.#options.network.reportPeer(from, PENALTY.invalidBlock, `block: ${reason}`);
    return "reject";
  }

  // ---- sync ----

  #maybeSync(): void {
    if (this.#syncing || this.#stopped) return;
    const best = this.#options.store.best().number;
    const ahead = this.#options.network
      .peers()
      .filter((p) => p.bestNumber > best)
      .sort((a, b) => b.bestNumber - a.bestNumber);
    if (ahead.length === 0) return;
    const before = best;
    this.#syncing = this.#syncFrom(ahead[0]!).finally(() => {
      this.#syncing = null;
      // Another peer may be further ahead, or the chain moved while we synced: go on at once. A
      // sync that got nowhere (a failed request, a refusal) waits, or an instant failure would
      // retry in a microtask loop that starves the event loop (and the disconnect that ends it).
      if (this.#options.store.best().number > before) queueMicrotask(() => this.#maybeSync());
      else this.#retryLater();
    });
  }

  #retryLater(): void {
    if (this.#retry || this.#stopped) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#maybeSync();
    }, SYNC_RETRY_MS);
    this.#retry.unref();
  }

  async #syncFrom(peer: PeerView): Promise<void> {
    const { store, network, log } = this.#options;
    log.info(`⚙️  Syncing from ${peer.peerId} (target #${peer.bestNumber})`);
    let from = store.best().number + 1;
    let rewound = false;
    while (!this.#stopped) {
      const target = network.peers().find((p) => p.peerId === peer.peerId)?.bestNumber;
      if (target === undefined || from > target) return;
      let blocks: BlockData[];
      try {
        blocks = await network.requestBlocks(peer.peerId, {
          fromNumber: from,
          count: Math.min(SYNC_BATCH, target - from + 1),
        });
      } catch (error) {
        network.reportPeer(peer.peerId, PENALTY.requestFailed, "block request failed");
        log.debug(`block request to ${peer.peerId} failed: ${(error as Error).message}`);
        return;
      }
      if (blocks.length === 0) {
        // It claimed a best block at or above `from` and sent nothing: a peer that lies about
        // its chain must not hold our sync.
        network.reportPeer(peer.peerId, PENALTY.badResponse, "no blocks for a range it claims");
        return;
      }
      let restart = false;
      const justifications: { ref: BlockRef; bytes: Uint8Array }[] = [];
      for (const data of blocks) {
        const outcome = await this.#importSynced(peer.peerId, data);
        if (outcome === "invalid") return;
        if (typeof outcome === "object") {
          justifications.push(outcome);
          continue;
        }
        if (outcome === "fork") {
          // Our best chain is not the peer's: fetch the peer's chain from our finalized block,
          // which the peer's chain must contain. Once; a second mismatch means a bad peer.
          if (rewound) {
            network.reportPeer(peer.peerId, PENALTY.badResponse, "blocks do not connect");
            return;
          }
          rewound = true;
          restart = true;
          break;
        }
      }
      // After the whole batch, so that precommits for later blocks of it can count.
      if (!(await this.#applyJustifications(peer.peerId, justifications))) return;
      from = restart ? store.finalized().number + 1 : from + blocks.length;
    }
  }

  async #applyJustifications(
    peerId: string,
    justifications: { ref: BlockRef; bytes: Uint8Array }[],
  ): Promise<boolean> {
    const { voter, network, log } = this.#options;
    for (const { ref, bytes } of justifications) {
      try {
        await voter.importJustification(ref, bytes);
      } catch (error) {
        // Precommits for blocks we do not have yet: finality will reach us another way.
        if (error instanceof FinalityError && error.code === "NOT_ENOUGH_VOTES") {
          log.debug(`justification of #${ref.number} not usable yet: ${error.message}`);
          continue;
        }
        network.reportPeer(peerId, PENALTY.badResponse, `justification: ${String(error)}`);
        return false;
      }
    }
    return true;
  }

  /** Imports one block of a sync response; its justification is returned to apply later. */
  async #importSynced(
    peerId: string,
    data: BlockData,
  ): Promise<"ok" | "fork" | "invalid" | { ref: BlockRef; bytes: Uint8Array }> {
    const { store, importer, network } = this.#options;
    let block: Block;
    try {
      block = { header: decodeHeader(data.header), extrinsics: decodeBody(data.body) };
    } catch {
      network.reportPeer(peerId, PENALTY.badResponse, "undecodable block in response");
      return "invalid";
    }
    const hash = headerHash(block.header);
    if (!bytesEqual(hash, data.hash)) {
      network.reportPeer(peerId, PENALTY.badResponse, "block hash does not match its header");
      return "invalid";
    }
    const ref: BlockRef = { hash, number: block.header.number };
    if (!store.getBlockMeta(hash)) {
      if (!store.getBlockMeta(block.header.parentHash)) return "fork";
      try {
        await importer.importBlock(block, "network");
      } catch (error) {
        if (error instanceof BlockError && error.code === "ALREADY_KNOWN") return "ok";
        if (error instanceof BlockError && HARMLESS_BLOCK_ERRORS.has(error.code)) return "invalid";
        this.#blockFailure(error, peerId, hash, true);
        return "invalid";
      }
    }
    if (data.justification && data.justification.length > 0) {
      return { ref, bytes: data.justification };
    }
    return "ok";
  }
}
