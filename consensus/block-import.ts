// The import pipeline: header checks → parallel signature verification → execution → state-root
// check → one atomic commit → fork choice → notifications. Blocks are imported strictly one at a
// time; only signature verification runs in parallel.
import { bytesEqual, toHex } from "../primitives/bytes.ts";
import {
  type Block,
  decodeBlock,
  encodeBody,
  encodeHeader,
  type Header,
  headerHash,
  isSigned,
} from "../primitives/chain.ts";
import { LineageError } from "../primitives/errors.ts";
import type { SignedMessage } from "../primitives/keys.ts";
import type { SignatureVerifier } from "../primitives/signature-verifier.ts";
import { BlockExecution, extrinsicsRoot } from "../runtime/executive.ts";
import { storage as authorityStorage, slotAuthor } from "../runtime/pallets/authorities.ts";
import { RUNTIME_VERSION } from "../runtime/runtime.ts";
import { decodeTransaction, expectedSigningPayload } from "../runtime/transaction.ts";
import type { ChainStore } from "../state/chain-store.ts";
import { StateOverlay } from "../state/overlay.ts";
import type { TrieState } from "../state/trie-state.ts";
import type { TrieUpdate } from "../state/types.ts";
import { headerSlot, MAX_SLOT_DRIFT, slotAt, splitSeal, verifySeal } from "./aura.ts";
import { descendsFrom, headerOf } from "./chain-view.ts";
import { BlockError } from "./errors.ts";

export type BlockOrigin = "own" | "network" | "file";

/** Two headers sealed by one author for one slot: evidence for a later slashing step. */
export interface BlockEquivocation {
  slot: number;
  author: Uint8Array;
  first: Header;
  second: Header;
}

/** Slots whose authors are remembered for equivocation detection. */
const EQUIVOCATION_WINDOW = 4096;

export interface ImportedBlock {
  hash: Uint8Array;
  header: Header;
  extrinsics: Uint8Array[];
  isBest: boolean;
  origin: BlockOrigin;
  /** Best block before this import (to tell a reorg from an extension). */
  previousBest: { hash: Uint8Array; number: number };
  /** Verification, execution and commit, in milliseconds (for the import-time metric). */
  importMs: number;
}

/** A block the local author has just executed: its state update is trusted, not recomputed. */
export interface PrecomputedBlock {
  block: Block;
  update: TrieUpdate;
}

export interface BlockImporterOptions {
  store: ChainStore;
  verifier: SignatureVerifier;
  genesisHash: Uint8Array;
  /** Wall clock in ms (node layer); used only to refuse blocks from future slots. */
  now: () => number;
  /** Run the runtime invariants after every block (tests). */
  checkInvariants?: (storage: StateOverlay) => void;
  /** Told when one author sealed two different blocks for one slot. */
  onEquivocation?: (evidence: BlockEquivocation) => void;
  /** Told when an `onImported` listener throws (the import itself has succeeded). */
  onListenerError?: (error: unknown) => void;
}

export class BlockImporter {
  readonly #options: BlockImporterOptions;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<(block: ImportedBlock) => void>();
  readonly #slotAuthors = new Map<number, { author: Uint8Array; header: Header }>();

  constructor(options: BlockImporterOptions) {
    this.#options = options;
  }

  onImported(listener: (block: ImportedBlock) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once every block submitted so far has been imported or refused. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  /** Imports encoded or decoded blocks in submission order; rejects with a BlockError. */
  importBlock(block: Uint8Array | Block, origin: BlockOrigin = "network"): Promise<ImportedBlock> {
    const run = () =>
      this.#import(
        typeof block === "object" && "header" in block ? block : decode(block),
        origin,
        null,
      );
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Imports a block this node authored, reusing the state update computed while building it. */
  importOwnBlock(precomputed: PrecomputedBlock): Promise<ImportedBlock> {
    const run = () => this.#import(precomputed.block, "own", precomputed.update);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #import(
    block: Block,
    origin: BlockOrigin,
    precomputed: TrieUpdate | null,
  ): Promise<ImportedBlock> {
    const started = performance.now();
    const { store } = this.#options;
    const header = block.header;
    const hash = headerHash(header);
    if (store.getBlockMeta(hash))
      throw new BlockError("ALREADY_KNOWN", `block ${toHex(hash)} is already imported`);
    const parent = headerOf(store, header.parentHash);
    if (!parent)
      throw new BlockError("UNKNOWN_PARENT", `unknown parent ${toHex(header.parentHash)}`);
    if (header.number !== parent.number + 1) {
      throw new BlockError("BAD_NUMBER", `block #${header.number} on parent #${parent.number}`);
    }
    const finalized = store.finalized();
    if (header.number <= finalized.number || !descendsFrom(store, header.parentHash, finalized)) {
      throw new BlockError(
        "BELOW_FINALIZED",
        `block #${header.number} does not extend the finalized chain`,
      );
    }
    const parentState = this.#parentState(header.parentHash, parent);
    const unsealed = this.#checkHeader(header, parent, parentState);

    if (!bytesEqual(extrinsicsRoot(block.extrinsics), header.extrinsicsRoot)) {
      throw new BlockError("BAD_EXTRINSICS_ROOT", "the extrinsics root does not match the body");
    }
    const update = precomputed ?? (await this.#execute(block, unsealed, parentState));
    if (!bytesEqual(update.root, header.stateRoot)) {
      throw new BlockError(
        "STATE_ROOT_MISMATCH",
        `state root ${toHex(update.root)} != header's ${toHex(header.stateRoot)}`,
      );
    }
    // The author's own block was executed by the builder, so #execute did not check it.
    if (precomputed && this.#options.checkInvariants) {
      this.#checkInvariants(new StateOverlay(store.stateAfter(precomputed)));
    }

    const previousBest = store.best();
    const isBest = header.number > previousBest.number;
    try {
      await store.commitBlock({
        hash,
        parentHash: header.parentHash,
        number: header.number,
        header: encodeHeader(header),
        body: encodeBody(block.extrinsics),
        stateRoot: header.stateRoot,
        trie: update,
        setBest: isBest,
      });
    } catch (error) {
      // Finality moved past this block while it executed: a race, not a bad block.
      if (error instanceof LineageError && error.code === "BELOW_FINALIZED") {
        throw new BlockError("BELOW_FINALIZED", error.message, { cause: error });
      }
      throw error;
    }
    const imported: ImportedBlock = {
      hash,
      header,
      extrinsics: block.extrinsics,
      isBest,
      origin,
      previousBest,
      importMs: performance.now() - started,
    };
    // The block is committed: a failing listener must not turn that into a rejection, nor keep
    // the other listeners from hearing of it.
    for (const listener of this.#listeners) {
      try {
        listener(imported);
      } catch (error) {
        this.#options.onListenerError?.(error);
      }
    }
    return imported;
  }

  #parentState(parentHash: Uint8Array, parent: Header): TrieState {
    try {
      return this.#options.store.stateAtBlock(parentHash);
    } catch (cause) {
      throw new BlockError(
        "PARENT_STATE_UNAVAILABLE",
        `state of parent #${parent.number} is not available`,
        { cause },
      );
    }
  }

  /** Slot, author and seal checks against the parent's state. Returns the unsealed header. */
  #checkHeader(header: Header, parent: Header, parentState: TrieState): Header {
    const slot = headerSlot(header);
    const parentSlot = parent.number === 0 ? -1 : headerSlot(parent);
    if (slot <= parentSlot)
      throw new BlockError("SLOT_NOT_INCREASING", `slot ${slot} <= parent's slot ${parentSlot}`);
    const slotDuration = authorityStorage.slotDuration.get(parentState);
    const nowSlot = slotAt(this.#options.now(), slotDuration);
    if (slot > nowSlot + MAX_SLOT_DRIFT) {
      throw new BlockError("FUTURE_SLOT", `slot ${slot} is too far in the future (now ${nowSlot})`);
    }
    const author = slotAuthor(parentState, slot);
    if (!author) throw new BlockError("WRONG_AUTHOR", "the parent state has no authorities");
    const { unsealed } = splitSeal(header);
    verifySeal(header, author);
    this.#noteAuthorship(slot, author, header);
    return unsealed;
  }

  /**
   * Two sealed headers by one author in one slot are an equivocation: both blocks are still
   * imported (refusing the second could strand this node on a fork the others build on), and
   * the two headers are reported as evidence. Only the last EQUIVOCATION_WINDOW slots are kept.
   */
  #noteAuthorship(slot: number, author: Uint8Array, header: Header): void {
    const seen = this.#slotAuthors.get(slot);
    if (seen === undefined) {
      this.#slotAuthors.set(slot, { author, header });
      if (this.#slotAuthors.size > EQUIVOCATION_WINDOW) {
        // Slots arrive in rising order, so the first key is (nearly always) the oldest.
        this.#slotAuthors.delete(this.#slotAuthors.keys().next().value!);
      }
      return;
    }
    if (
      bytesEqual(seen.author, author) &&
      !bytesEqual(headerHash(seen.header), headerHash(header))
    ) {
      this.#options.onEquivocation?.({ slot, author, first: seen.header, second: header });
    }
  }

  async #execute(block: Block, unsealed: Header, parentState: TrieState): Promise<TrieUpdate> {
    const { genesisHash, verifier } = this.#options;
    const env = {
      blockNumber: unsealed.number,
      parentHash: unsealed.parentHash,
      genesisHash,
      version: RUNTIME_VERSION,
    };
    // Signatures first, all at once on the worker pool; execution then skips them.
    const toVerify: SignedMessage[] = [];
    // Position in the block of each signature in `toVerify`, so that the error names the extrinsic.
    const positions: number[] = [];
    for (const [index, bytes] of block.extrinsics.entries()) {
      try {
        const extrinsic = decodeTransaction(bytes);
        if (!isSigned(extrinsic)) continue;
        const message = expectedSigningPayload(parentState, extrinsic, env);
        toVerify.push({ signature: extrinsic.signature, message, publicKey: extrinsic.signer });
        positions.push(index);
      } catch (cause) {
        throw invalidExtrinsic(index, cause);
      }
    }
    const results = await verifier.verifyBatch(toVerify);
    const bad = results.indexOf(false);
    if (bad >= 0)
      throw new BlockError("BAD_SIGNATURE", `extrinsic ${positions[bad]} has a bad signature`);

    const overlay = new StateOverlay(parentState);
    const execution = new BlockExecution(
      overlay,
      { number: unsealed.number, parentHash: unsealed.parentHash, digest: unsealed.digest },
      { genesisHash },
    );
    try {
      execution.initialize();
    } catch (cause) {
      throw new BlockError("EXECUTION_FAILED", `initialize: ${(cause as Error).message}`, {
        cause,
      });
    }
    for (const [index, bytes] of block.extrinsics.entries()) {
      try {
        execution.applyExtrinsic(bytes, null);
      } catch (cause) {
        throw invalidExtrinsic(index, cause);
      }
    }
    try {
      execution.finalize();
    } catch (cause) {
      throw new BlockError("EXECUTION_FAILED", `finalize: ${(cause as Error).message}`, { cause });
    }
    this.#checkInvariants(overlay);
    return parentState.applyChanges(overlay.changes());
  }

  #checkInvariants(state: StateOverlay): void {
    try {
      this.#options.checkInvariants?.(state);
    } catch (cause) {
      throw new BlockError("EXECUTION_FAILED", `invariants: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
}

function decode(bytes: Uint8Array): Block {
  try {
    return decodeBlock(bytes);
  } catch (cause) {
    throw new BlockError("UNDECODABLE", `block: ${(cause as Error).message}`, { cause });
  }
}

function invalidExtrinsic(index: number, cause: unknown): BlockError {
  const detail = cause instanceof LineageError ? `${cause.code}: ${cause.message}` : String(cause);
  return new BlockError("INVALID_EXTRINSIC", `extrinsic ${index}: ${detail}`, { cause });
}
