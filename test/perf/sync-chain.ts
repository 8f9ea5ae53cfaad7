// The chain a syncing node downloads: `blocks` dev blocks authored by alice straight into a node's
// database, each with the timestamp inherent and `transfersPerBlock` signed transfers between the
// six dev accounts (0: empty blocks). Slots start at a fixed past date, so that no block is in the
// future for the node that imports them.
import { buildBlock, type PendingTransaction } from "../../consensus/block-builder.ts";
import type { BlockImporter } from "../../consensus/block-import.ts";
import { UNIT } from "../../primitives/amount.ts";
import { decodeHeader, encodeBlock, extrinsicHash } from "../../primitives/chain.ts";
import { DEV_ACCOUNT_NAMES, devKeypair } from "../../primitives/dev-accounts.ts";
import type { ChainStore } from "../../state/chain-store.ts";
import type { DevGenesis } from "./dev-chain.ts";
import { TransferSigner } from "./transfer-signer.ts";

export interface SyncChainOptions {
  blocks: number;
  transfersPerBlock: number;
}

/** Slot of block #1: the same fixed date as the import benchmark's chain (2025-06-15). */
const FIRST_SLOT_TIME_MS = 1_750_000_000_000;
const TRANSFER_VALUE = UNIT / 1000n;
const DEV_ACCOUNTS = DEV_ACCOUNT_NAMES.map((name) => devKeypair(name));

/** Authors the chain on `store` (holding only genesis); returns the encoded blocks in order. */
export async function buildSyncChain(
  store: ChainStore,
  importer: BlockImporter,
  dev: DevGenesis,
  options: SyncChainOptions,
): Promise<Uint8Array[]> {
  const encoded: Uint8Array[] = [];
  const signer = new TransferSigner(dev.genesisHash);
  const nonces = DEV_ACCOUNTS.map(() => 0);
  let sent = 0;
  const firstSlot = Math.floor(FIRST_SLOT_TIME_MS / dev.slotDuration);
  for (let n = 0; n < options.blocks; n++) {
    const transactions: PendingTransaction[] = [];
    for (let t = 0; t < options.transfersPerBlock; t++, sent++) {
      // Dev account k pays dev account k+1: every account stays far above the existential deposit.
      const from = sent % DEV_ACCOUNTS.length;
      const to = DEV_ACCOUNTS[(from + 1) % DEV_ACCOUNTS.length]!;
      const tx = signer.transfer(
        DEV_ACCOUNTS[from]!,
        nonces[from]!++,
        to.publicKey,
        TRANSFER_VALUE,
      );
      transactions.push({ hash: extrinsicHash(tx.bytes), bytes: tx.bytes });
    }
    const best = store.best();
    const header = store.getHeader(best.hash);
    if (header === undefined) throw new Error(`best block #${best.number} has no header`);
    const slot = firstSlot + n;
    const built = buildBlock({
      parent: { hash: best.hash, header: decodeHeader(header) },
      parentState: store.stateAtBlock(best.hash),
      slot,
      timestamp: slot * dev.slotDuration,
      authorSeed: dev.authorSeed,
      genesisHash: dev.genesisHash,
      transactions,
      outOfTime: () => false,
    });
    if (built.included.length !== transactions.length) {
      throw new Error(
        `block #${best.number + 1} took ${built.included.length} of ${transactions.length} transfers` +
          (built.invalid[0] ? `: ${built.invalid[0].error}` : ""),
      );
    }
    await importer.importOwnBlock({ block: built.block, update: built.update });
    encoded.push(encodeBlock(built.block));
  }
  return encoded;
}
