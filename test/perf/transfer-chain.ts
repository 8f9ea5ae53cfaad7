// Pre-builds the chain the import benchmark replays: a few blocks funding fresh accounts from the
// dev accounts, then blocks full of signed transfers between those accounts. Blocks are authored
// with consensus/block-builder.ts on a store of their own, so they are exactly what a dev node
// would produce and gossip.
import { buildBlock, type PendingTransaction } from "../../consensus/block-builder.ts";
import type { BlockImporter } from "../../consensus/block-import.ts";
import { UNIT } from "../../primitives/amount.ts";
import { toHex, utf8 } from "../../primitives/bytes.ts";
import { decodeHeader, encodeBlock, extrinsicHash } from "../../primitives/chain.ts";
import { DEV_ACCOUNT_NAMES, devKeypair } from "../../primitives/dev-accounts.ts";
import { blake2b256 } from "../../primitives/hash.ts";
import { type Keypair, keypairFromSeed, type SignedMessage } from "../../primitives/keys.ts";
import type { ChainStore } from "../../state/chain-store.ts";
import type { DevGenesis } from "./dev-chain.ts";
import { type SignedTransfer, TransferSigner } from "./transfer-signer.ts";

export interface TransferChainOptions {
  /** Fresh accounts funded in the setup blocks; they send and receive the measured transfers. */
  accounts: number;
  /** Blocks of transfers to build (the measured part). */
  blocks: number;
  /** Transfers per block; null fills every block to its weight or length limit. */
  transfersPerBlock: number | null;
}

export interface TransferChain {
  /** Encoded funding blocks, imported before the clock starts. */
  setupBlocks: Uint8Array[];
  /** Encoded transfer blocks, in import order. */
  blocks: Uint8Array[];
  transfersPerBlock: number[];
  /** The signatures of every measured transfer, as the import pipeline verifies them. */
  signatures: SignedMessage[];
  /** A clock reading at which every block's slot is in the past. */
  endTime: number;
}

/** Slot of block #1: a fixed date (2025-06-15), so that runs build identical blocks. */
const FIRST_SLOT_TIME_MS = 1_750_000_000_000;
const FUNDING = 100n * UNIT;
const TRANSFER_VALUE = UNIT / 1000n;
const FUNDERS = DEV_ACCOUNT_NAMES.map((name) => devKeypair(name));
/** Six dev accounts endowed with 1,000,000 LIN each can fund this many accounts with FUNDING. */
export const MAX_ACCOUNTS = 50_000;

export function benchAccount(index: number): Keypair {
  return keypairFromSeed(blake2b256(utf8(`lineage bench account ${index}`)));
}

export async function buildTransferChain(
  store: ChainStore,
  importer: BlockImporter,
  dev: DevGenesis,
  options: TransferChainOptions,
): Promise<TransferChain> {
  if (options.accounts < 2 || options.accounts > MAX_ACCOUNTS) {
    throw new Error(`accounts must be between 2 and ${MAX_ACCOUNTS}`);
  }
  const signer = new TransferSigner(dev.genesisHash);
  const nonces = new Map<Keypair, number>();
  const send = (from: Keypair, dest: Uint8Array, value: bigint): SignedTransfer => {
    const nonce = nonces.get(from) ?? 0;
    nonces.set(from, nonce + 1);
    return signer.transfer(from, nonce, dest, value);
  };
  const accounts = Array.from({ length: options.accounts }, (_, i) => benchAccount(i));
  const author = new BlockAuthor(store, importer, dev);

  const funding = accounts.map((account, i) =>
    send(FUNDERS[i % FUNDERS.length]!, account.publicKey, FUNDING),
  );
  let nextFunding = 0;
  const setupBlocks: Uint8Array[] = [];
  while (nextFunding < funding.length || author.pendingCount > 0) {
    const built = await author.build(() => funding[nextFunding++], null);
    setupBlocks.push(built.encoded);
  }

  // Sender k mod n pays one of the other accounts, a different one each round.
  let sent = 0;
  const n = accounts.length;
  const nextTransfer = (): SignedTransfer => {
    const from = sent % n;
    const round = Math.floor(sent / n);
    const to = (from + 1 + ((round * 7) % (n - 1))) % n;
    sent++;
    return send(accounts[from]!, accounts[to]!.publicKey, TRANSFER_VALUE);
  };
  const blocks: Uint8Array[] = [];
  const transfersPerBlock: number[] = [];
  const signatures: SignedMessage[] = [];
  for (let b = 0; b < options.blocks; b++) {
    const built = await author.build(nextTransfer, options.transfersPerBlock);
    blocks.push(built.encoded);
    transfersPerBlock.push(built.transfers.length);
    for (const tx of built.transfers) signatures.push(tx.signed);
  }
  return { setupBlocks, blocks, transfersPerBlock, signatures, endTime: author.nextSlotTime };
}

interface AuthoredBlock {
  encoded: Uint8Array;
  transfers: SignedTransfer[];
}

/** Authors blocks on top of the store's best block, carrying over what did not fit. */
class BlockAuthor {
  readonly #store: ChainStore;
  readonly #importer: BlockImporter;
  readonly #dev: DevGenesis;
  #pending: { tx: SignedTransfer; hash: Uint8Array }[] = [];
  #slot: number;

  constructor(store: ChainStore, importer: BlockImporter, dev: DevGenesis) {
    this.#store = store;
    this.#importer = importer;
    this.#dev = dev;
    this.#slot = Math.floor(FIRST_SLOT_TIME_MS / dev.slotDuration);
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  get nextSlotTime(): number {
    return this.#slot * this.#dev.slotDuration;
  }

  /** One block: carried-over transactions first, then new ones from `next`, up to `limit`. */
  async build(
    next: () => SignedTransfer | undefined,
    limit: number | null,
  ): Promise<AuthoredBlock> {
    const pending = this.#pending;
    let offered = 0;
    function* offer(): Generator<PendingTransaction> {
      for (let i = 0; limit === null || offered < limit; i++) {
        if (i === pending.length) {
          const tx = next();
          if (tx === undefined) return;
          pending.push({ tx, hash: extrinsicHash(tx.bytes) });
        }
        offered++;
        yield { hash: pending[i]!.hash, bytes: pending[i]!.tx.bytes };
      }
    }
    const best = this.#store.best();
    const header = this.#store.getHeader(best.hash);
    if (header === undefined) throw new Error(`best block #${best.number} has no header`);
    const slot = this.#slot++;
    const built = buildBlock({
      parent: { hash: best.hash, header: decodeHeader(header) },
      parentState: this.#store.stateAtBlock(best.hash),
      slot,
      timestamp: slot * this.#dev.slotDuration,
      authorSeed: this.#dev.authorSeed,
      genesisHash: this.#dev.genesisHash,
      transactions: offer(),
      outOfTime: () => false,
    });
    if (built.invalid.length > 0) {
      throw new Error(`the builder refused benchmark transactions: ${built.invalid[0]!.error}`);
    }
    if (built.included.length === 0) throw new Error("the builder included no transaction");
    const included = new Set(built.included.map(toHex));
    const transfers: SignedTransfer[] = [];
    this.#pending = pending.filter((p) => {
      if (!included.has(toHex(p.hash))) return true;
      transfers.push(p.tx);
      return false;
    });
    await this.#importer.importOwnBlock({ block: built.block, update: built.update });
    return { encoded: encodeBlock(built.block), transfers };
  }
}
