// A chain in memory: genesis from a chain spec, blocks executed by the real executive over a
// StateOverlay, committed into a MemoryNodeSource. No consensus, no network: the slot advances by
// one per block and the timestamp sits at the start of the slot. The simulator runs on it, and the
// runtime tests' TestChain extends it with dev-account helpers.
import { ENGINE_AURA, type Header, headerHash } from "../primitives/chain.ts";
import { builtinChainSpec, type ChainSpec } from "../runtime/chain-spec.ts";
import { decodeEventRecords, type DecodedEvent as RuntimeEvent } from "../runtime/events.ts";
import {
  type ApplyOutcome,
  BlockExecution,
  checkInvariants,
  encodeSlot,
  extrinsicsRoot,
} from "../runtime/executive.ts";
import { genesisHeader, genesisStorage } from "../runtime/genesis.ts";
import { storage as authorityStorage } from "../runtime/pallets/authorities.ts";
import { storage as systemStorage } from "../runtime/pallets/system.ts";
import { encodeCall, inherent } from "../runtime/signing.ts";
import type { SignatureCheck } from "../runtime/transaction.ts";
import { StateOverlay } from "../state/overlay.ts";
import { EMPTY_ROOT } from "../state/trie/node-codec.ts";
import { MemoryNodeSource } from "../state/trie/node-source.ts";
import { type TrieState, trieState } from "../state/trie-state.ts";

export interface DecodedEvent extends Omit<RuntimeEvent, "extrinsicIndex"> {
  /** The record's raw index (the runtime's reading makes it null for finalization events). */
  extrinsicIndex: number;
  finalization: boolean;
}

/** The events a finalized block wrote, decoded by their pallet's declaration. */
export function blockEvents(storage: Pick<StateOverlay, "get">): DecodedEvent[] {
  const records = systemStorage.events.get(storage).records;
  return decodeEventRecords(records).map((event, i) => {
    const record = records[i]!;
    // The runtime names an undeclared event "#index"; a simulated chain only runs its own runtime.
    if (event.pallet.startsWith("#") || event.name.startsWith("#"))
      throw new Error(`unknown event ${record.pallet}.${record.event}`);
    return { ...event, extrinsicIndex: record.extrinsicIndex, finalization: record.finalization };
  });
}

export interface OpenBlock {
  execution: BlockExecution;
  overlay: StateOverlay;
  number: number;
  slot: number;
}

export interface BlockResult {
  outcomes: ApplyOutcome[];
  events: DecodedEvent[];
  /** The finalized (not yet committed) block state, for inspection. */
  overlay: StateOverlay;
}

export interface MemoryChainOptions {
  /** Run every pallet's invariants (try-state) after each block; default true. */
  checkInvariants?: boolean;
}

export class MemoryChain {
  readonly #source = new MemoryNodeSource();
  readonly #checkInvariants: boolean;
  state: TrieState;
  readonly genesisHash: Uint8Array;
  headHash: Uint8Array;
  headNumber = 0;
  /** Block hashes by number, genesis included. */
  readonly hashes: Uint8Array[] = [];
  #slot: number;
  readonly slotDuration: number;

  constructor(spec: ChainSpec = builtinChainSpec("dev")!, options: MemoryChainOptions = {}) {
    this.#checkInvariants = options.checkInvariants ?? true;
    const genesis = new StateOverlay(trieState(this.#source, EMPTY_ROOT));
    for (const [key, value] of genesisStorage(spec)) genesis.set(key, value);
    this.state = this.#commit(genesis);
    this.genesisHash = headerHash(genesisHeader(this.state.root));
    this.headHash = this.genesisHash;
    this.hashes.push(this.genesisHash);
    this.slotDuration = authorityStorage.slotDuration.get(this.state);
    // Start at a plausible wall-clock slot; only "increasing" matters to the runtime.
    this.#slot = 850_000_000;
  }

  #commit(overlay: StateOverlay): TrieState {
    const update = overlay.update();
    for (const { hash, node } of update.inserted) this.#source.put(hash, node);
    return trieState(this.#source, update.root);
  }

  get nextSlot(): number {
    return this.#slot + 1;
  }

  /** Initializes the next block and applies its timestamp inherent. */
  open(slot = this.nextSlot): OpenBlock {
    const overlay = new StateOverlay(this.state);
    const number = this.headNumber + 1;
    const execution = new BlockExecution(
      overlay,
      {
        number,
        parentHash: this.headHash,
        digest: [{ preRuntime: { engine: ENGINE_AURA, data: encodeSlot(slot) } }],
      },
      { genesisHash: this.genesisHash },
    );
    execution.initialize();
    execution.applyExtrinsic(this.timestampInherent(slot), null);
    return { execution, overlay, number, slot };
  }

  timestampInherent(slot: number): Uint8Array {
    return inherent(encodeCall("Timestamp.set", { now: slot * this.slotDuration }));
  }

  /** Finalizes, checks the invariants (unless disabled) and makes the block the new head. */
  seal(block: OpenBlock): BlockResult {
    block.execution.finalize();
    if (this.#checkInvariants) checkInvariants(block.overlay);
    const events = blockEvents(block.overlay);
    this.state = this.#commit(block.overlay);
    const header: Header = {
      parentHash: this.headHash,
      number: block.number,
      stateRoot: this.state.root,
      extrinsicsRoot: extrinsicsRoot([]),
      digest: [{ preRuntime: { engine: ENGINE_AURA, data: encodeSlot(block.slot) } }],
    };
    this.headHash = headerHash(header);
    this.headNumber = block.number;
    this.hashes.push(this.headHash);
    this.#slot = block.slot;
    return { outcomes: [], events, overlay: block.overlay };
  }

  /**
   * A whole block: every extrinsic must be includable (a TransactionError propagates).
   * `verify` null skips signature checks.
   */
  block(extrinsics: Uint8Array[] = [], verify: SignatureCheck | null = null): BlockResult {
    const open = this.open();
    const outcomes = extrinsics.map((xt) => open.execution.applyExtrinsic(xt, verify));
    return { ...this.seal(open), outcomes };
  }
}
