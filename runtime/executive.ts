// The executive applies a block: initialize → inherents → extrinsics → finalize. Fees are charged
// even when a call fails; the call's writes and events are rolled back. Everything here is
// deterministic: no clocks, no randomness, no floats, only ordered iteration.
import { readU64be, u64be } from "../primitives/bytes.ts";
import {
  type DigestItem,
  ENGINE_AURA,
  findPreRuntime,
  type Header,
  isSigned,
} from "../primitives/chain.ts";
import { LineageError } from "../primitives/errors.ts";
import { merkleRoot } from "../primitives/merkle.ts";
import { BlockExecutionError, DispatchError, TransactionError } from "./errors.ts";
import {
  type CallData,
  type CallerOrigin,
  emit,
  type GenesisConfig,
  type RuntimeContext,
} from "./pallet.ts";
import { storage as authorityStorage, slotAuthor } from "./pallets/authorities.ts";
import { param } from "./pallets/params.ts";
import {
  BLOCK_HASH_COUNT,
  type EventRecordWire,
  incrementNonce,
  system,
  storage as systemStorage,
} from "./pallets/system.ts";
import { chargeFee } from "./pallets/transaction-payment.ts";
import { PALLETS, RUNTIME_VERSION, type RuntimeVersion } from "./runtime.ts";
import type { RuntimeStorage } from "./storage.ts";
import {
  type CheckedTransaction,
  checkTransaction,
  decodeCall,
  decodeTransaction,
  type SignatureCheck,
} from "./transaction.ts";

export interface BlockEnvironment {
  number: number;
  parentHash: Uint8Array;
  digest: DigestItem[];
}

export interface ExecutiveOptions {
  genesisHash: Uint8Array;
  version?: RuntimeVersion;
}

export type ApplyOutcome =
  | { included: true; success: true; weight: bigint }
  | { included: true; success: false; weight: bigint; error: string };

export function encodeSlot(slot: number): Uint8Array {
  return u64be(slot);
}

export function slotFromDigest(digest: DigestItem[]): number | undefined {
  const data = findPreRuntime({ digest } as Header, ENGINE_AURA);
  if (data?.length !== 8) return undefined;
  return Number(readU64be(data));
}

/** One block being built or executed on top of `storage` (the parent's state plus an overlay). */
export class BlockExecution {
  readonly storage: RuntimeStorage;
  readonly env: BlockEnvironment;
  readonly genesisHash: Uint8Array;
  readonly version: RuntimeVersion;
  #author: Uint8Array | null = null;
  #events: EventRecordWire[] = [];
  #eventMarks: number[] = [];
  #weight = 0n;
  #length = 0;
  #extrinsicIndex: number | null = null;
  #applied = 0;
  #finalized = false;

  constructor(storage: RuntimeStorage, env: BlockEnvironment, options: ExecutiveOptions) {
    this.storage = storage;
    this.env = env;
    this.genesisHash = options.genesisHash;
    this.version = options.version ?? RUNTIME_VERSION;
  }

  get author(): Uint8Array | null {
    return this.#author;
  }

  get weight(): bigint {
    return this.#weight;
  }

  get length(): number {
    return this.#length;
  }

  /** Slot bookkeeping, block number and hash history, then every pallet's onInitialize. */
  initialize(): void {
    const s = this.storage;
    const slot = slotFromDigest(this.env.digest);
    if (slot === undefined)
      throw new BlockExecutionError("MISSING_SLOT", "the header has no Aura slot digest");
    const lastSlot = authorityStorage.currentSlot.get(s);
    if (slot <= lastSlot)
      throw new BlockExecutionError("SLOT_NOT_INCREASING", `slot ${slot} <= ${lastSlot}`);
    const author = slotAuthor(s, slot);
    if (!author) throw new BlockExecutionError("NO_AUTHORITIES", "the authority set is empty");
    this.#author = author;
    authorityStorage.currentSlot.set(s, slot);

    systemStorage.number.set(s, this.env.number);
    systemStorage.parentHash.set(s, this.env.parentHash);
    systemStorage.blockHash.set(s, this.env.number - 1, this.env.parentHash);
    const expired = this.env.number - 1 - BLOCK_HASH_COUNT;
    if (expired >= 0) systemStorage.blockHash.remove(s, expired);
    systemStorage.events.kill(s);

    const ctx = this.#context();
    for (const pallet of PALLETS) pallet.onInitialize?.(ctx);
  }

  /** Checks a transaction against the current state of this block (for the pool and the author). */
  check(bytes: Uint8Array, verifySignature: SignatureCheck | null): CheckedTransaction {
    return checkTransaction(
      this.storage,
      bytes,
      {
        blockNumber: this.env.number,
        parentHash: this.env.parentHash,
        genesisHash: this.genesisHash,
        version: this.version,
      },
      { exactNonce: true, verifySignature },
    );
  }

  /**
   * Applies one extrinsic. A TransactionError means it cannot be in this block at all (the author
   * skips it; an imported block containing it is invalid). Otherwise it is included, and its call
   * may still fail.
   */
  applyExtrinsic(bytes: Uint8Array, verifySignature: SignatureCheck | null): ApplyOutcome {
    if (this.#finalized) throw new BlockExecutionError("FINALIZED", "block already finalized");
    const index = this.#applied;
    const extrinsic = decodeTransaction(bytes);
    if (!isSigned(extrinsic)) return this.#applyInherent(bytes, index);
    if (index === 0)
      throw new TransactionError(
        "TX_BAD_MANDATORY",
        "the first extrinsic must be the timestamp inherent",
      );

    const checked = this.check(bytes, verifySignature);
    const s = this.storage;
    if (this.#weight + checked.weight > param(s, "maxBlockWeight")) {
      throw new TransactionError(
        "TX_EXHAUSTS_RESOURCES",
        "Transaction would exhaust the block limits",
      );
    }
    if (BigInt(this.#length + checked.length) > param(s, "maxBlockLength")) {
      throw new TransactionError(
        "TX_EXHAUSTS_RESOURCES",
        "Transaction would exhaust the block limits",
      );
    }
    this.#extrinsicIndex = index;
    const ctx = this.#context();
    chargeFee(ctx, checked.signer, checked.fee);
    incrementNonce(s, checked.signer);
    const origin: CallerOrigin = { kind: "signed", account: checked.signer };
    const outcome = this.#dispatchRecorded(
      ctx,
      checked.call.resolved,
      checked.call.args,
      origin,
      checked.weight,
    );
    this.#weight += checked.weight;
    this.#length += checked.length;
    this.#applied++;
    this.#extrinsicIndex = null;
    return outcome;
  }

  #applyInherent(bytes: Uint8Array, index: number): ApplyOutcome {
    const extrinsic = decodeTransaction(bytes);
    const call = decodeCall(extrinsic.call);
    if (call.resolved.def.origin !== "none") {
      throw new TransactionError("TX_UNSIGNED", "only inherents may be unsigned");
    }
    if (index !== 0)
      throw new TransactionError("TX_BAD_MANDATORY", "inherents come first in a block");
    this.#extrinsicIndex = index;
    const ctx = this.#context();
    const weight = call.resolved.def.weight(call.args as never, () => 0n);
    const outcome = this.#dispatchRecorded(ctx, call.resolved, call.args, { kind: "none" }, weight);
    if (!outcome.success) {
      throw new TransactionError("TX_BAD_MANDATORY", `inherent failed: ${outcome.error}`);
    }
    this.#weight += weight;
    this.#length += bytes.length;
    this.#applied++;
    this.#extrinsicIndex = null;
    return outcome;
  }

  #dispatchRecorded(
    ctx: RuntimeContext,
    resolved: CheckedTransaction["call"]["resolved"],
    args: unknown,
    origin: CallerOrigin,
    weight: bigint,
  ): ApplyOutcome {
    try {
      ctx.transactional(() => resolved.def.handler(ctx, origin, args as never));
      emit(ctx, system, "ExtrinsicSuccess", { weight: Number(weight), errorPallet: 0, error: "" });
      return { included: true, success: true, weight };
    } catch (error) {
      if (!(error instanceof LineageError) || error instanceof TransactionError) throw error;
      const pallet =
        error instanceof DispatchError ? PALLETS.find((p) => p.name === error.pallet) : undefined;
      const failure = {
        weight: Number(weight),
        errorPallet: pallet?.index ?? 0,
        error: error.code,
      };
      emit(ctx, system, "ExtrinsicFailed", failure);
      return { included: true, success: false, weight, error: error.code };
    }
  }

  /** Every pallet's onFinalize, then the block's weight, length and events are written. */
  finalize(): void {
    const s = this.storage;
    systemStorage.blockWeight.set(s, Number(this.#weight));
    systemStorage.blockLength.set(s, this.#length);
    const ctx = this.#context();
    for (const pallet of PALLETS) pallet.onFinalize?.(ctx);
    systemStorage.events.set(s, { records: this.#events });
    this.#finalized = true;
  }

  #context(): RuntimeContext {
    const execution = this;
    return {
      storage: this.storage,
      blockNumber: this.env.number,
      extrinsicIndex: this.#extrinsicIndex,
      author: this.#author,
      deposit(pallet, event, data) {
        const index = execution.#extrinsicIndex;
        execution.#events.push({
          extrinsicIndex: index ?? 0,
          finalization: index === null,
          pallet,
          event,
          data,
        });
      },
      transactional<R>(body: () => R): R {
        execution.storage.startTransaction();
        execution.#eventMarks.push(execution.#events.length);
        try {
          const result = body();
          execution.storage.commitTransaction();
          execution.#eventMarks.pop();
          return result;
        } catch (error) {
          execution.storage.rollbackTransaction();
          execution.#events.length = execution.#eventMarks.pop()!;
          throw error;
        }
      },
      dispatch(call: CallData, dispatchOrigin: CallerOrigin) {
        const decoded = decodeCall(call);
        decoded.resolved.def.handler(this, dispatchOrigin, decoded.args as never);
      },
    };
  }
}

export function extrinsicsRoot(extrinsics: Uint8Array[]): Uint8Array {
  return merkleRoot(extrinsics);
}

/** Writes every pallet's genesis state, in pallet order. */
export function buildGenesisState(storage: RuntimeStorage, config: GenesisConfig): void {
  for (const pallet of PALLETS) pallet.genesis?.(storage, config);
}

/** Runs every pallet's invariants (try-state); throws InvariantError on the first violation. */
export function checkInvariants(storage: RuntimeStorage): void {
  for (const pallet of PALLETS) pallet.invariants?.(storage);
}
