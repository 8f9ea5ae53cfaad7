// Slot authorship (Aura): at each slot boundary, if one of this node's authority keys is the slot's
// author on top of the best block, build a block from the pool, import it and announce it. Only
// this file reads the wall clock for consensus; the runtime sees the slot through the header.

import type { Logger } from "pino";
import { headerSlot, slotAt } from "../consensus/aura.ts";
import { buildBlock, describeInvalid } from "../consensus/block-builder.ts";
import type { BlockImporter, ImportedBlock } from "../consensus/block-import.ts";
import { headerOf } from "../consensus/chain-view.ts";
import { bytesEqual, toHex } from "../primitives/bytes.ts";
import { extrinsicHash, headerHash } from "../primitives/chain.ts";
import type { Keypair } from "../primitives/keys.ts";
import { storage as authorityStorage, slotAuthor } from "../runtime/pallets/authorities.ts";
import type { ChainStore } from "../state/chain-store.ts";
import { formatConsensusSessionLine, formatPreparedBlockLine, shortHash } from "./informant.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { TransactionPool } from "./txpool/index.ts";

export interface SlotWorkerOptions {
  store: ChainStore;
  importer: BlockImporter;
  pool: TransactionPool;
  genesisHash: Uint8Array;
  /** The authority keys this node holds. */
  keys: () => readonly Keypair[];
  log: Logger;
  metrics: NodeMetrics | null;
  now?: () => number;
  /** Share of the slot the builder may spend adding transactions (Substrate: 2/3 of its budget). */
  proposalShare?: number;
}

export class SlotWorker {
  readonly #options: SlotWorkerOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #lastSlot = -1;
  #authoring: Promise<void> = Promise.resolve();

  constructor(options: SlotWorkerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops scheduling and waits for a block being authored to finish importing. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#authoring;
  }

  #slotDuration(): number {
    const { store } = this.#options;
    return authorityStorage.slotDuration.get(store.stateAtBlock(store.best().hash));
  }

  /** Waits for the next slot boundary; the slot is fixed now, so an early timer cannot misname it. */
  #schedule(): void {
    if (!this.#running) return;
    let duration: number;
    try {
      duration = this.#slotDuration();
    } catch (error) {
      this.#options.log.error(`Slot timer: ${(error as Error).message}; retrying in a second`);
      this.#timer = setTimeout(() => this.#schedule(), 1000);
      return;
    }
    const now = this.#now();
    const slot = slotAt(now, duration) + 1;
    this.#timer = setTimeout(
      () => {
        this.#authoring = this.#onSlot(slot, duration).finally(() => this.#schedule());
      },
      slot * duration - now,
    );
  }

  async #onSlot(slot: number, duration: number): Promise<void> {
    if (!this.#running || slot <= this.#lastSlot) return;
    this.#lastSlot = slot;
    const { store, log } = this.#options;
    try {
      const best = store.best();
      const bestHeader = headerOf(store, best.hash);
      // After a restart the best block may already be ours for this slot (or a later one):
      // authoring again would be an equivocation.
      if (bestHeader && best.number > 0 && headerSlot(bestHeader) >= slot) return;
      const parentState = store.stateAtBlock(best.hash);
      const author = slotAuthor(parentState, slot);
      const key = this.#options.keys().find((k) => author && bytesEqual(k.publicKey, author));
      if (!key) return;
      if (!bestHeader) return;
      await this.#author(slot, duration, key, { hash: best.hash, header: bestHeader }, parentState);
    } catch (error) {
      log.error(`Authoring in slot ${slot} failed: ${(error as Error).message}`);
    }
  }

  async #author(
    slot: number,
    duration: number,
    key: Keypair,
    parent: Parameters<typeof buildBlock>[0]["parent"],
    parentState: Parameters<typeof buildBlock>[0]["parentState"],
  ): Promise<ImportedBlock> {
    const { importer, pool, log, metrics, genesisHash } = this.#options;
    log.info(formatConsensusSessionLine(toHex(parent.hash), parent.header.number));
    const started = performance.now();
    const deadline = started + duration * (this.#options.proposalShare ?? 1 / 3);
    const built = buildBlock({
      parent,
      parentState,
      slot,
      // The runtime rejects a timestamp outside the block's slot (Timestamp.SlotMismatch); the clock
      // may be a little before the slot (an early timer) or past its end (a busy event loop).
      timestamp: Math.min(Math.max(this.#now(), slot * duration), (slot + 1) * duration - 1),
      authorSeed: key.secretKey,
      genesisHash,
      transactions: pool.ready(),
      outOfTime: () => performance.now() > deadline,
    });
    const elapsedMs = performance.now() - started;
    for (const bad of built.invalid) pool.reportInvalid(bad.hash);
    metrics?.txpoolValidationsInvalid.inc(built.invalid.length);
    if (built.invalid.length > 0) {
      log.debug(`Dropped invalid transactions: ${describeInvalid(built.invalid)}`);
    }
    const hash = headerHash(built.block.header);
    log.info(
      formatPreparedBlockLine({
        number: built.block.header.number,
        tookMs: elapsedMs,
        hash: toHex(hash),
        parentHash: toHex(parent.hash),
        extrinsicHashes: built.block.extrinsics.map((x) => toHex(extrinsicHash(x))),
      }),
    );
    metrics?.proposerBlockConstructed.observe(elapsedMs / 1000);
    metrics?.proposerNumberOfTransactions.set(built.included.length);
    const imported = await importer.importOwnBlock({ block: built.block, update: built.update });
    log.debug(`Authored #${built.block.header.number} (${shortHash(toHex(hash))})`);
    return imported;
  }
}
