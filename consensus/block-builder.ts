// Authoring one block: the timestamp inherent, then ready transactions until the block's weight or
// length limit, or the time budget, runs out. The result is sealed and handed to the importer
// together with its state update, so the author does not execute its own block twice.
import { toHex } from "../primitives/bytes.ts";
import type { Block, Header } from "../primitives/chain.ts";
import { LineageError } from "../primitives/errors.ts";
import { verifyFast } from "../primitives/keys.ts";
import { TransactionError } from "../runtime/errors.ts";
import { BlockExecution, extrinsicsRoot } from "../runtime/executive.ts";
import { encodeCall, inherent } from "../runtime/signing.ts";
import { StateOverlay } from "../state/overlay.ts";
import type { TrieState } from "../state/trie-state.ts";
import type { TrieUpdate } from "../state/types.ts";
import { preRuntimeDigest, sealHeader } from "./aura.ts";

export interface PendingTransaction {
  hash: Uint8Array;
  bytes: Uint8Array;
}

export interface BuildRequest {
  parent: { hash: Uint8Array; header: Header };
  parentState: TrieState;
  slot: number;
  timestamp: number;
  authorSeed: Uint8Array;
  genesisHash: Uint8Array;
  transactions: Iterable<PendingTransaction>;
  /** True once the time budget is spent: no more transactions are tried. */
  outOfTime: () => boolean;
}

export interface BuiltBlock {
  block: Block;
  update: TrieUpdate;
  included: Uint8Array[];
  /** Transactions found invalid while building: the pool drops them. */
  invalid: { hash: Uint8Array; error: string }[];
  /** How the builder stopped adding transactions. */
  endReason: "noMoreTransactions" | "blockFull" | "deadline";
}

/** Consecutive "would exhaust the block" misses before the block counts as full (Substrate: 8). */
const MAX_SKIPPED_WHEN_FULL = 8;

export function buildBlock(request: BuildRequest): BuiltBlock {
  const { parent, parentState } = request;
  const unsealedDigest = [preRuntimeDigest(request.slot)];
  const overlay = new StateOverlay(parentState);
  const execution = new BlockExecution(
    overlay,
    { number: parent.header.number + 1, parentHash: parent.hash, digest: unsealedDigest },
    { genesisHash: request.genesisHash },
  );
  execution.initialize();
  const extrinsics = [inherent(encodeCall("Timestamp.set", { now: request.timestamp }))];
  execution.applyExtrinsic(extrinsics[0]!, null);

  const included: Uint8Array[] = [];
  const invalid: BuiltBlock["invalid"] = [];
  let endReason: BuiltBlock["endReason"] = "noMoreTransactions";
  let skipped = 0;
  for (const tx of request.transactions) {
    if (request.outOfTime()) {
      endReason = "deadline";
      break;
    }
    try {
      execution.applyExtrinsic(tx.bytes, verifyFast);
      extrinsics.push(tx.bytes);
      included.push(tx.hash);
      skipped = 0;
    } catch (error) {
      if (error instanceof TransactionError && error.code === "TX_EXHAUSTS_RESOURCES") {
        if (++skipped >= MAX_SKIPPED_WHEN_FULL) {
          endReason = "blockFull";
          break;
        }
        continue;
      }
      if (error instanceof TransactionError && error.code === "TX_FUTURE") continue;
      if (!(error instanceof LineageError)) throw error;
      invalid.push({ hash: tx.hash, error: `${error.code}: ${error.message}` });
    }
  }
  execution.finalize();
  const update = parentState.applyChanges(overlay.changes());
  const header = sealHeader(
    {
      parentHash: parent.hash,
      number: parent.header.number + 1,
      stateRoot: update.root,
      extrinsicsRoot: extrinsicsRoot(extrinsics),
      digest: unsealedDigest,
    },
    request.authorSeed,
  );
  return { block: { header, extrinsics }, update, included, invalid, endReason };
}

export function describeInvalid(invalid: BuiltBlock["invalid"]): string {
  return invalid.map((i) => `${toHex(i.hash)} (${i.error})`).join(", ");
}
