// Finality. A block is final once more than 2/3 of the authority set have signed a precommit for
// it (or for a descendant); the set of precommits is the justification, stored with the block.
//
// This is the interface the GRANDPA-like gadget uses: authorities cast signed precommits, votes
// are collected per target, and a target whose weight reaches the threshold is finalized with
// its justification. Here the votes come from the local keys only, which is enough for a chain
// with one authority (`--dev`); with more authorities nothing is finalized until votes from the
// network arrive (the multi-validator network adds them through `addPrecommit`, and real
// prevote/precommit rounds). Rounds here are numbered by the target's height.
import { bytesEqual, toHex } from "../primitives/bytes.ts";
import { decodeMessage, encodeMessage, messageType } from "../primitives/codec.ts";
import { type Keypair, sign, verifyFast } from "../primitives/keys.ts";
import { authorities } from "../runtime/pallets/authorities.ts";
import type { ChainStore } from "../state/chain-store.ts";
import { descendsFrom } from "./chain-view.ts";
import { FinalityError } from "./errors.ts";

const JUSTIFICATION = messageType("chain.proto", "lineage.v1.Justification");
const PRECOMMIT_PAYLOAD = messageType("chain.proto", "lineage.v1.PrecommitPayload");
const MAX_JUSTIFICATION_BYTES = 256 * 1024;

export interface SignedPrecommit {
  targetHash: Uint8Array;
  targetNumber: number;
  signature: Uint8Array;
  authority: Uint8Array;
}

export interface Justification {
  round: number;
  setId: number;
  blockHash: Uint8Array;
  blockNumber: number;
  precommits: SignedPrecommit[];
}

/** Weight needed to finalize: more than 2/3 of `total` (GRANDPA's `total − ⌊(total−1)/3⌋`). */
export function thresholdWeight(total: number): number {
  return total - Math.floor((total - 1) / 3);
}

export interface VoteContext {
  genesisHash: Uint8Array;
  setId: number;
  round: number;
}

export function precommitPayload(
  context: VoteContext,
  target: { hash: Uint8Array; number: number },
): Uint8Array {
  return encodeMessage(PRECOMMIT_PAYLOAD, {
    genesisHash: context.genesisHash,
    setId: context.setId,
    round: context.round,
    targetHash: target.hash,
    targetNumber: target.number,
  });
}

export function signPrecommit(
  key: Keypair,
  context: VoteContext,
  target: { hash: Uint8Array; number: number },
): SignedPrecommit {
  return {
    targetHash: target.hash,
    targetNumber: target.number,
    signature: sign(key.secretKey, precommitPayload(context, target)),
    authority: key.publicKey,
  };
}

export function encodeJustification(justification: Justification): Uint8Array {
  return encodeMessage(JUSTIFICATION, justification);
}

export function decodeJustification(bytes: Uint8Array): Justification {
  try {
    return decodeMessage<Justification>(JUSTIFICATION, bytes, MAX_JUSTIFICATION_BYTES);
  } catch (cause) {
    throw new FinalityError("BAD_JUSTIFICATION", `undecodable justification: ${String(cause)}`, {
      cause,
    });
  }
}

/**
 * Checks that a justification finalizes `block`: every precommit is by a distinct member of `set`,
 * signed over this chain, set and round, for the block or a descendant of it, and together they
 * carry more than 2/3 of the set's weight.
 */
export function verifyJustification(
  store: ChainStore,
  justification: Justification,
  block: { hash: Uint8Array; number: number },
  set: readonly Uint8Array[],
  genesisHash: Uint8Array,
): void {
  if (
    !bytesEqual(justification.blockHash, block.hash) ||
    justification.blockNumber !== block.number
  ) {
    throw new FinalityError("BAD_JUSTIFICATION", "the justification is for another block");
  }
  const context = { genesisHash, setId: justification.setId, round: justification.round };
  const seen = new Set<string>();
  for (const vote of justification.precommits) {
    const who = toHex(vote.authority);
    if (!set.some((a) => bytesEqual(a, vote.authority))) {
      throw new FinalityError("NOT_AN_AUTHORITY", `precommit by ${who}, not in the authority set`);
    }
    if (seen.has(who)) throw new FinalityError("DUPLICATE_VOTE", `two precommits by ${who}`);
    seen.add(who);
    const target = { hash: vote.targetHash, number: vote.targetNumber };
    if (!verifyFast(vote.signature, precommitPayload(context, target), vote.authority)) {
      throw new FinalityError("BAD_SIGNATURE", `precommit by ${who} has a bad signature`);
    }
    if (target.number < block.number || !descendsFrom(store, target.hash, block)) {
      throw new FinalityError("BAD_JUSTIFICATION", `precommit by ${who} is not for this chain`);
    }
  }
  if (seen.size < thresholdWeight(set.length)) {
    throw new FinalityError(
      "NOT_ENOUGH_VOTES",
      `${seen.size} precommits of ${set.length} authorities; ${thresholdWeight(set.length)} needed`,
    );
  }
}

export interface FinalityGadgetOptions {
  store: ChainStore;
  genesisHash: Uint8Array;
  /** The authority keys this node holds (from its keystore); empty for a full node. */
  localKeys: () => readonly Keypair[];
  /** Called after the store has finalized a block (and its ancestors). */
  onFinalized: (block: { hash: Uint8Array; number: number }) => void;
  /** Called with each precommit this node signs, for gossip (the network adds this). */
  broadcast?: (vote: SignedPrecommit, context: VoteContext) => void;
}

const SET_ID = 0;

export class FinalityGadget {
  readonly #options: FinalityGadgetOptions;
  /** Precommits by target block (hex), then by authority (hex). Pruned as blocks finalize. */
  readonly #votes = new Map<string, Map<string, SignedPrecommit>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: FinalityGadgetOptions) {
    this.#options = options;
  }

  /** A new best block: every local authority key precommits to it. */
  onBestBlock(block: { hash: Uint8Array; number: number }): Promise<void> {
    return this.#serially(async () => {
      const set = this.#authoritySet(block.hash);
      const context = {
        genesisHash: this.#options.genesisHash,
        setId: SET_ID,
        round: block.number,
      };
      for (const key of this.#options.localKeys()) {
        if (!set.some((a) => bytesEqual(a, key.publicKey))) continue;
        const vote = signPrecommit(key, context, block);
        this.#record(vote);
        this.#options.broadcast?.(vote, context);
      }
      await this.#tryFinalize(block, set);
    });
  }

  /** A precommit from elsewhere (the network); checked before it counts. */
  addPrecommit(vote: SignedPrecommit): Promise<void> {
    return this.#serially(async () => {
      const target = { hash: vote.targetHash, number: vote.targetNumber };
      if (target.number <= this.#options.store.finalized().number) return;
      const set = this.#authoritySet(target.hash);
      if (!set.some((a) => bytesEqual(a, vote.authority))) {
        throw new FinalityError("NOT_AN_AUTHORITY", "precommit by a non-authority");
      }
      const context = {
        genesisHash: this.#options.genesisHash,
        setId: SET_ID,
        round: target.number,
      };
      if (!verifyFast(vote.signature, precommitPayload(context, target), vote.authority)) {
        throw new FinalityError("BAD_SIGNATURE", "precommit with a bad signature");
      }
      this.#record(vote);
      await this.#tryFinalize(target, set);
    });
  }

  #authoritySet(hash: Uint8Array): Uint8Array[] {
    try {
      return authorities(this.#options.store.stateAtBlock(hash));
    } catch (cause) {
      throw new FinalityError("UNKNOWN_TARGET", `no state for block ${toHex(hash)}`, { cause });
    }
  }

  #record(vote: SignedPrecommit): void {
    const key = toHex(vote.targetHash);
    let byAuthority = this.#votes.get(key);
    if (byAuthority === undefined) {
      byAuthority = new Map();
      this.#votes.set(key, byAuthority);
    }
    byAuthority.set(toHex(vote.authority), vote);
  }

  async #tryFinalize(
    block: { hash: Uint8Array; number: number },
    set: readonly Uint8Array[],
  ): Promise<void> {
    const { store, genesisHash } = this.#options;
    if (block.number <= store.finalized().number) return;
    const votes = [...(this.#votes.get(toHex(block.hash))?.values() ?? [])];
    if (votes.length < thresholdWeight(set.length)) return;
    const justification: Justification = {
      round: block.number,
      setId: SET_ID,
      blockHash: block.hash,
      blockNumber: block.number,
      precommits: votes,
    };
    verifyJustification(store, justification, block, set, genesisHash);
    await store.finalize(block.hash, encodeJustification(justification));
    for (const [key, byAuthority] of this.#votes) {
      const number = byAuthority.values().next().value?.targetNumber ?? 0;
      if (number <= block.number) this.#votes.delete(key);
    }
    this.#options.onFinalized(block);
  }

  #serially(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
