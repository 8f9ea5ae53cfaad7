// Finality: a GRANDPA-like gadget. Authorities vote in rounds, first a prevote for their best chain,
// then, once more than 2/3 have prevoted, a precommit for the highest block those prevotes share
// (the prevote GHOST). A block covered by precommits from more than 2/3 of the set is final; those
// precommits are its justification, stored with it and served to syncing peers, which check them
// with `verifyJustification`. Never two conflicting blocks: any two supermajorities share an honest
// voter, and an honest voter precommits only on one chain per round.
//
// The voter is driven from outside: `onVote` for votes from the network (and its own), `onBlock`
// when a block is imported, and `tick(now)` for timers (round timeouts and rebroadcasts). Votes
// and clocks never touch the runtime; the authority set and its id come from the state of the last
// finalized block, and the voter never votes past a block that changes the set until that block
// is final, so every set change has a justification signed by the outgoing set.
import { bytesEqual, toHex } from "../primitives/bytes.ts";
import { decodeMessage, encodeMessage, messageType } from "../primitives/codec.ts";
import { type Keypair, sign, verifyFast } from "../primitives/keys.ts";
import { authorities, storage as authorityStorage } from "../runtime/pallets/authorities.ts";
import type { BlockRef, ChainStore } from "../state/chain-store.ts";
import { descendsFrom } from "./chain-view.ts";
import { FinalityError } from "./errors.ts";

const JUSTIFICATION = messageType("chain.proto", "lineage.v1.Justification");
const VOTE_PAYLOAD = messageType("chain.proto", "lineage.v1.VotePayload");
const FINALITY_VOTE = messageType("chain.proto", "lineage.v1.FinalityVote");
const MAX_JUSTIFICATION_BYTES = 256 * 1024;
const MAX_VOTE_BYTES = 1024;

export const Stage = { precommit: 0, prevote: 1 } as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

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

/** A vote as gossiped: a prevote or precommit in one round of one set. */
export interface SignedVote extends SignedPrecommit {
  round: number;
  setId: number;
  stage: Stage;
  /** Unsigned re-send counter (gossip drops repeats of identical bytes). */
  resend?: number;
}

/** Two different votes by one authority in one round and stage: evidence for slashing. */
export interface VoteEquivocation {
  round: number;
  setId: number;
  stage: Stage;
  authority: Uint8Array;
  first: SignedVote;
  second: SignedVote;
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

export function votePayload(
  context: VoteContext,
  stage: Stage,
  target: { hash: Uint8Array; number: number },
): Uint8Array {
  return encodeMessage(VOTE_PAYLOAD, {
    genesisHash: context.genesisHash,
    setId: context.setId,
    round: context.round,
    targetHash: target.hash,
    targetNumber: target.number,
    stage,
  });
}

export function signVote(
  key: Keypair,
  context: VoteContext,
  stage: Stage,
  target: { hash: Uint8Array; number: number },
): SignedVote {
  return {
    round: context.round,
    setId: context.setId,
    stage,
    targetHash: target.hash,
    targetNumber: target.number,
    signature: sign(key.secretKey, votePayload(context, stage, target)),
    authority: key.publicKey,
  };
}

export function signPrecommit(
  key: Keypair,
  context: VoteContext,
  target: { hash: Uint8Array; number: number },
): SignedPrecommit {
  const { targetHash, targetNumber, signature, authority } = signVote(
    key,
    context,
    Stage.precommit,
    target,
  );
  return { targetHash, targetNumber, signature, authority };
}

export function verifyVoteSignature(vote: SignedVote, genesisHash: Uint8Array): boolean {
  const context = { genesisHash, setId: vote.setId, round: vote.round };
  const target = { hash: vote.targetHash, number: vote.targetNumber };
  return verifyFast(vote.signature, votePayload(context, vote.stage, target), vote.authority);
}

export function encodeVote(vote: SignedVote): Uint8Array {
  return encodeMessage(FINALITY_VOTE, vote);
}

export function decodeVote(bytes: Uint8Array): SignedVote {
  let vote: SignedVote;
  try {
    vote = decodeMessage<SignedVote>(FINALITY_VOTE, bytes, MAX_VOTE_BYTES);
  } catch (cause) {
    throw new FinalityError("BAD_VOTE", `undecodable vote: ${String(cause)}`, { cause });
  }
  if (vote.stage !== Stage.prevote && vote.stage !== Stage.precommit) {
    throw new FinalityError("BAD_VOTE", `unknown vote stage ${vote.stage}`);
  }
  if (vote.targetHash.length !== 32 || vote.authority.length !== 32) {
    throw new FinalityError("BAD_VOTE", "a vote's target hash and authority are 32 bytes");
  }
  return vote;
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

/** The authority set that votes on blocks after `finalized`, and its id. */
export function votingSet(
  store: ChainStore,
  finalized: Uint8Array,
): { setId: number; authorities: Uint8Array[] } {
  const state = store.stateAtBlock(finalized);
  return { setId: authorityStorage.setId.get(state), authorities: authorities(state) };
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
  setId?: number,
): void {
  if (
    !bytesEqual(justification.blockHash, block.hash) ||
    justification.blockNumber !== block.number
  ) {
    throw new FinalityError("BAD_JUSTIFICATION", "the justification is for another block");
  }
  if (setId !== undefined && justification.setId !== setId) {
    throw new FinalityError(
      "BAD_JUSTIFICATION",
      `signed by authority set ${justification.setId}, expected set ${setId}`,
    );
  }
  const context = { genesisHash, setId: justification.setId, round: justification.round };
  const seen = new Set<string>();
  let counted = 0;
  for (const vote of justification.precommits) {
    const who = toHex(vote.authority);
    if (!set.some((a) => bytesEqual(a, vote.authority))) {
      throw new FinalityError("NOT_AN_AUTHORITY", `precommit by ${who}, not in the authority set`);
    }
    if (seen.has(who)) throw new FinalityError("DUPLICATE_VOTE", `two precommits by ${who}`);
    seen.add(who);
    const target = { hash: vote.targetHash, number: vote.targetNumber };
    if (
      !verifyFast(vote.signature, votePayload(context, Stage.precommit, target), vote.authority)
    ) {
      throw new FinalityError("BAD_SIGNATURE", `precommit by ${who} has a bad signature`);
    }
    // A precommit for a descendant we have not imported yet (a syncing node) proves nothing to
    // us yet: it does not count, but it is no fault either.
    if (target.number > block.number && store.getBlockMeta(target.hash) === undefined) continue;
    if (target.number < block.number || !descendsFrom(store, target.hash, block)) {
      throw new FinalityError("BAD_JUSTIFICATION", `precommit by ${who} is not for this chain`);
    }
    counted++;
  }
  if (counted < thresholdWeight(set.length)) {
    throw new FinalityError(
      "NOT_ENOUGH_VOTES",
      `${counted} usable precommits of ${set.length} authorities; ${thresholdWeight(set.length)} needed`,
    );
  }
}

// ---- the voter -----------------------------------------------------------------------------

export interface FinalityVoterOptions {
  store: ChainStore;
  genesisHash: Uint8Array;
  /** The authority keys this node holds; empty for a full node (it still tallies and finalizes). */
  localKeys: () => readonly Keypair[];
  /** Sends a vote this node signed to the other voters (gossip). */
  broadcast: (vote: SignedVote) => void;
  /** After the store has finalized `block` (and its ancestors) with `justification`. */
  onFinalized: (block: BlockRef, justification: Justification) => void;
  onEquivocation?: (evidence: VoteEquivocation) => void;
  /** Told when finalizing failed (a storage error): the voter tries again on its next step. */
  onError?: (error: unknown) => void;
  /**
   * The round this voter starts in: after a restart, the round it was in, with `initialVotes`; or
   * one past it, when its votes there are not known.
   */
  initialRound?: number;
  /**
   * This voter's own votes in `initialRound` from before a restart: counted and re-sent, and never
   * contradicted. Without them a restarted voter could only skip the round, and if the others
   * are stuck there (too few voters were online to complete it), finality would never resume.
   */
  initialVotes?: readonly SignedVote[];
  /** Told when the voter enters a round, so it can be persisted. */
  onRound?: (round: number) => void;
  /** Told of each vote this voter casts, before it is sent, so it can be persisted. */
  onVoted?: (vote: SignedVote) => void;
  /** A round that has not finalized anything after this long is abandoned for the next. */
  roundTimeoutMs: number;
  /** How often this voter's votes of the current round are sent again (for late joiners). */
  rebroadcastMs: number;
}

/** What the voter keeps of one round; `grandpa_roundState` shows it. */
export interface RoundState {
  round: number;
  setId: number;
  prevotes: Map<string, SignedVote>;
  precommits: Map<string, SignedVote>;
  /** Further votes of equivocating authorities, by authority (hex): they count for every target. */
  prevoteEquivocations: Map<string, SignedVote[]>;
  precommitEquivocations: Map<string, SignedVote[]>;
  startedAt: number;
  prevoted: boolean;
  precommitted: boolean;
}

/** Further votes kept per equivocating authority, round and stage. */
const MAX_EQUIVOCATED_VOTES = 4;

/** At most this many rounds' votes are held (the current one, its predecessors, catch-up). */
const MAX_KEPT_ROUNDS = 16;
/** Votes for rounds this far behind the current one are no longer useful. */
const KEPT_PAST_ROUNDS = 2;

/**
 * Rules (GRANDPA's, simplified to one voter per key and no primary):
 * - prevote once per round, for the best chain that contains the previous round's estimate;
 * - precommit once per round, for the prevote GHOST (the highest block covered by > 2/3 of the
 *   prevotes), and only if it contains the previous round's estimate;
 * - a round is completable once > 2/3 have prevoted and > 2/3 have precommitted; its estimate is
 *   the highest ancestor of the prevote GHOST that the precommits could still finalize;
 * - move to the next round when a round finalized something, or when it is completable and has
 *   timed out, or when a later round's predecessor is completable (catch-up);
 * - finalize the highest block covered by > 2/3 of any kept round's precommits.
 * An honest voter thus never precommits in a later round against a block that an earlier round
 * could have finalized, so two conflicting blocks are never both final.
 */
export class FinalityVoter {
  readonly #options: FinalityVoterOptions;
  readonly #rounds = new Map<number, RoundState>();
  #round: number;
  #setId: number;
  #authorities: Uint8Array[];
  /** The previous round's estimate (never below the finalized block). */
  #estimate: BlockRef;
  #now = 0;
  #lastBroadcast = 0;
  #resends = 0;
  readonly #equivocators = new Set<string>();
  #finalizing: Promise<void> = Promise.resolve();

  constructor(options: FinalityVoterOptions) {
    this.#options = options;
    const finalized = options.store.finalized();
    const set = votingSet(options.store, finalized.hash);
    this.#setId = set.setId;
    this.#authorities = set.authorities;
    this.#estimate = finalized;
    this.#round = Math.max(1, options.initialRound ?? 1);
    this.#enterRound(this.#round);
    const state = this.#state(this.#round);
    for (const vote of options.initialVotes ?? []) {
      if (vote.round !== this.#round || vote.setId !== this.#setId) continue;
      if (!this.#isLocal(vote.authority)) continue;
      this.#record(vote);
      if (vote.stage === Stage.prevote) state.prevoted = true;
      else state.precommitted = true;
    }
  }

  get round(): number {
    return this.#round;
  }

  get setId(): number {
    return this.#setId;
  }

  get authorities(): readonly Uint8Array[] {
    return this.#authorities;
  }

  get threshold(): number {
    return thresholdWeight(this.#authorities.length);
  }

  /** The current round's tallies (for RPC). */
  roundState(): RoundState | undefined {
    return this.#rounds.get(this.#round);
  }

  /**
   * The blocks that votes this voter holds are for but that are not imported, above the finalized
   * block: those votes are kept and count as soon as `onBlock` says their block is in, so the node
   * must fetch these (no other path brings a fork block that only the voter's author holds). At
   * most one per authority, stage and kept round, plus equivocations: bounded like the votes.
   */
  missingTargets(): BlockRef[] {
    const { store } = this.#options;
    const finalized = store.finalized().number;
    const missing = new Map<string, BlockRef>();
    for (const state of this.#rounds.values()) {
      const extras = [
        ...state.prevoteEquivocations.values(),
        ...state.precommitEquivocations.values(),
      ];
      for (const vote of [
        ...state.prevotes.values(),
        ...state.precommits.values(),
        ...extras.flat(),
      ]) {
        if (vote.targetNumber <= finalized) continue;
        const key = toHex(vote.targetHash);
        if (missing.has(key) || store.getBlockMeta(vote.targetHash)) continue;
        missing.set(key, { hash: vote.targetHash, number: vote.targetNumber });
      }
    }
    return [...missing.values()];
  }

  /** A block was imported: it may make a vote countable or give something to vote for. */
  onBlock(): void {
    this.#progress();
  }

  /** Timers: moves on from a completable round that took too long, and re-sends our votes. */
  tick(now: number): void {
    // Until the first tick the voter has no clock: the current round's wait starts now.
    if (this.#now === 0) this.#state(this.#round).startedAt = now;
    this.#now = now;
    if (now - this.#lastBroadcast >= this.#options.rebroadcastMs) {
      this.#lastBroadcast = now;
      this.#resends++;
      for (const round of [this.#round - 1, this.#round]) {
        const state = this.#rounds.get(round);
        if (!state) continue;
        for (const vote of [...state.prevotes.values(), ...state.precommits.values()]) {
          if (this.#isLocal(vote.authority)) {
            this.#options.broadcast({ ...vote, resend: this.#resends });
          }
        }
      }
    }
    this.#progress();
  }

  /**
   * A vote from the network. Throws a FinalityError for an invalid vote (bad signature, not an
   * authority): the sender deserves a penalty. Returns false for one that is merely not useful
   * (old round, other set, duplicate, equivocation), true when it was new and counted.
   */
  onVote(vote: SignedVote): boolean {
    if (vote.setId !== this.#setId) return false;
    if (!this.#authorities.some((a) => bytesEqual(a, vote.authority))) {
      throw new FinalityError("NOT_AN_AUTHORITY", "vote by a key outside the authority set");
    }
    if (vote.round + KEPT_PAST_ROUNDS < this.#round) return false;
    // Further ahead than catch-up needs: not held, so no one can fill our memory with rounds.
    if (vote.round > this.#round + MAX_KEPT_ROUNDS) return false;
    if (!verifyVoteSignature(vote, this.#options.genesisHash)) {
      throw new FinalityError("BAD_SIGNATURE", "vote with a bad signature");
    }
    if (!this.#record(vote)) return false;
    this.#progress();
    return true;
  }

  /**
   * A justification from a peer (sync): verified against the set of our finalized block, then the
   * block is finalized. The block must already be imported.
   */
  async importJustification(block: BlockRef, bytes: Uint8Array): Promise<void> {
    const { store, genesisHash } = this.#options;
    // A finalization in flight may change the set this justification must be checked against.
    await this.#finalizing;
    if (block.number <= store.finalized().number) return;
    const justification = decodeJustification(bytes);
    verifyJustification(store, justification, block, this.#authorities, genesisHash, this.#setId);
    await this.#finalize(block, justification);
  }

  /** Resolves once finalizations already triggered have been written. */
  async idle(): Promise<void> {
    await this.#finalizing;
  }

  // ---- internals ----

  #isLocal(authority: Uint8Array): boolean {
    return this.#options.localKeys().some((k) => bytesEqual(k.publicKey, authority));
  }

  #state(round: number): RoundState {
    let state = this.#rounds.get(round);
    if (state === undefined) {
      state = {
        round,
        setId: this.#setId,
        prevotes: new Map(),
        precommits: new Map(),
        prevoteEquivocations: new Map(),
        precommitEquivocations: new Map(),
        startedAt: this.#now,
        prevoted: false,
        precommitted: false,
      };
      this.#rounds.set(round, state);
      if (this.#rounds.size > MAX_KEPT_ROUNDS) {
        const keys = [...this.#rounds.keys()].sort((a, b) => a - b);
        for (const key of keys) {
          if (this.#rounds.size <= MAX_KEPT_ROUNDS) break;
          if (key !== this.#round && key !== round) this.#rounds.delete(key);
        }
      }
    }
    return state;
  }

  #enterRound(round: number): void {
    this.#round = round;
    this.#state(round).startedAt = this.#now;
    for (const old of this.#rounds.keys()) {
      if (old + KEPT_PAST_ROUNDS < round) this.#rounds.delete(old);
    }
    for (const key of this.#equivocators) {
      if (Number(key.split(":")[0]) + KEPT_PAST_ROUNDS < round) this.#equivocators.delete(key);
    }
    this.#options.onRound?.(round);
  }

  /** Stores a vote; false if it was already known. An equivocation is reported as evidence. */
  #record(vote: SignedVote): boolean {
    const state = this.#state(vote.round);
    const votes = vote.stage === Stage.prevote ? state.prevotes : state.precommits;
    const who = toHex(vote.authority);
    const existing = votes.get(who);
    if (existing) {
      if (bytesEqual(existing.targetHash, vote.targetHash)) return false;
      const key = `${vote.round}:${vote.stage === Stage.prevote ? "prevote" : "precommit"}:${who}`;
      if (!this.#equivocators.has(key)) {
        this.#equivocators.add(key);
        this.#options.onEquivocation?.({
          round: vote.round,
          setId: vote.setId,
          stage: vote.stage,
          authority: vote.authority,
          first: existing,
          second: vote,
        });
      }
      // As in GRANDPA, an equivocator counts for each of its targets: the estimate must allow
      // for any block its votes could have helped finalize, at any node, whichever vote that node
      // saw first.
      const extras =
        vote.stage === Stage.prevote ? state.prevoteEquivocations : state.precommitEquivocations;
      const list = extras.get(who) ?? [];
      if (list.some((v) => bytesEqual(v.targetHash, vote.targetHash))) return false;
      if (list.length >= MAX_EQUIVOCATED_VOTES) return false;
      list.push(vote);
      extras.set(who, list);
      return true;
    }
    votes.set(who, vote);
    return true;
  }

  /** Votes where it is this voter's turn and finalizes what the votes allow, until stable. */
  #progress(): void {
    for (let guard = 0; guard < 8; guard++) {
      if (!this.#step()) return;
    }
  }

  #step(): boolean {
    const { store } = this.#options;
    const finalized = store.finalized();

    // Finality from any kept round.
    for (const state of this.#rounds.values()) {
      const ghost = this.#ghost(state.precommits, finalized, state.precommitEquivocations);
      if (ghost && ghost.number > finalized.number) {
        void this.#finalizeFromRound(state, ghost).catch((error) => this.#options.onError?.(error));
        return false;
      }
    }

    // Catch up: a later round whose predecessor is completable in our view.
    const ahead = [...this.#rounds.keys()].filter((r) => r > this.#round).sort((a, b) => b - a);
    for (const round of ahead) {
      const estimate = this.#completedEstimate(round - 1, finalized);
      if (estimate) {
        this.#estimate = estimate;
        this.#enterRound(round);
        return true;
      }
    }

    const state = this.#state(this.#round);
    if (!state.prevoted && store.best().number > finalized.number) {
      const target = this.#prevoteTarget(finalized);
      if (target) {
        state.prevoted = true;
        this.#castAll(state, Stage.prevote, target);
        return true;
      }
    }
    if (state.prevoted && !state.precommitted) {
      const ghost = this.#ghost(state.prevotes, finalized, state.prevoteEquivocations);
      const waited = this.#now - state.startedAt >= this.#options.roundTimeoutMs / 2;
      if (
        ghost &&
        this.#contains(ghost, this.#estimate) &&
        (waited || !this.#couldRise(state.prevotes, ghost, finalized, state.prevoteEquivocations))
      ) {
        state.precommitted = true;
        this.#castAll(state, Stage.precommit, ghost);
        return true;
      }
    }
    if (this.#now - state.startedAt >= this.#options.roundTimeoutMs) {
      const estimate = this.#completedEstimate(this.#round, finalized);
      if (estimate) {
        this.#estimate = estimate;
        this.#enterRound(this.#round + 1);
        return true;
      }
    }
    return false;
  }

  #castAll(state: RoundState, stage: Stage, target: BlockRef): void {
    const context = {
      genesisHash: this.#options.genesisHash,
      setId: this.#setId,
      round: state.round,
    };
    const cast = stage === Stage.prevote ? state.prevotes : state.precommits;
    for (const key of this.#options.localKeys()) {
      if (!this.#authorities.some((a) => bytesEqual(a, key.publicKey))) continue;
      // Our own earlier vote in this stage (heard back from the network after a restart that
      // lost its record): never cast a second, different one.
      if (cast.has(toHex(key.publicKey))) continue;
      const vote = signVote(key, context, stage, target);
      if (!this.#record(vote)) continue;
      this.#options.onVoted?.(vote);
      this.#options.broadcast(vote);
    }
  }

  /** Whether `block` is `ancestor` or descends from it. */
  #contains(block: BlockRef, ancestor: BlockRef): boolean {
    return (
      block.number >= ancestor.number && descendsFrom(this.#options.store, block.hash, ancestor)
    );
  }

  /**
   * The best chain containing the previous round's estimate: our best block if it contains the
   * estimate, else the estimate; capped at the first block that changes the authority set.
   */
  #prevoteTarget(finalized: BlockRef): BlockRef | undefined {
    const { store } = this.#options;
    const estimate = this.#contains(this.#estimate, finalized) ? this.#estimate : finalized;
    const best = store.best();
    const head = this.#contains(best, estimate) ? best : estimate;
    if (head.number <= finalized.number) return undefined;
    const chain: BlockRef[] = [];
    let cursor: BlockRef = head;
    while (cursor.number > finalized.number) {
      chain.push(cursor);
      const meta = store.getBlockMeta(cursor.hash);
      if (!meta) return undefined;
      cursor = { hash: meta.parentHash, number: cursor.number - 1 };
    }
    if (!bytesEqual(cursor.hash, finalized.hash)) return undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      const block = chain[i]!;
      if (authorityStorage.setId.get(store.stateAtBlock(block.hash)) !== this.#setId) return block;
    }
    return head;
  }

  /**
   * How many distinct authorities' votes cover each block above `finalized` (a vote covers its
   * target and every ancestor; an equivocator's votes all count, once per block). Votes for
   * unknown blocks or for forks of the finalized chain do not count.
   */
  #support(
    votes: Map<string, SignedVote>,
    finalized: BlockRef,
    extras?: Map<string, SignedVote[]>,
  ) {
    const support = new Map<string, { ref: BlockRef; count: number }>();
    let counted = 0;
    for (const [who, vote] of votes) {
      const covered = new Map<string, BlockRef>();
      for (const target of [vote, ...(extras?.get(who) ?? [])]) {
        for (const ref of this.#pathTo(target, finalized) ?? []) covered.set(toHex(ref.hash), ref);
      }
      if (covered.size === 0 && !this.#pathTo(vote, finalized)) continue;
      counted++;
      for (const [key, ref] of covered) {
        const entry = support.get(key);
        if (entry) entry.count++;
        else support.set(key, { ref, count: 1 });
      }
    }
    return { support, counted };
  }

  /** The blocks from a vote's target down to (not including) `finalized`; undefined off-chain. */
  #pathTo(vote: SignedVote, finalized: BlockRef): BlockRef[] | undefined {
    let cursor: BlockRef = { hash: vote.targetHash, number: vote.targetNumber };
    const path: BlockRef[] = [];
    while (cursor.number > finalized.number) {
      const meta = this.#options.store.getBlockMeta(cursor.hash);
      if (!meta || meta.number !== cursor.number) return undefined;
      path.push(cursor);
      cursor = { hash: meta.parentHash, number: cursor.number - 1 };
    }
    return cursor.number === finalized.number && bytesEqual(cursor.hash, finalized.hash)
      ? path
      : undefined;
  }

  /**
   * The highest block covered by more than 2/3 of the set's votes; the finalized block when
   * enough votes agree on nothing higher; undefined when too few votes count.
   */
  #ghost(
    votes: Map<string, SignedVote>,
    finalized: BlockRef,
    extras?: Map<string, SignedVote[]>,
  ): BlockRef | undefined {
    const threshold = this.threshold;
    if (votes.size < threshold) return undefined;
    const { support, counted } = this.#support(votes, finalized, extras);
    if (counted < threshold) return undefined;
    let best: BlockRef | undefined;
    for (const { ref, count } of support.values()) {
      if (count >= threshold && (!best || ref.number > best.number)) best = ref;
    }
    return best ?? finalized;
  }

  /**
   * Whether prevotes still missing could lift the GHOST above `ghost`: some block above it is
   * covered by enough votes that the missing ones would carry it past the threshold. A voter that
   * precommitted on the first supermajority it saw would otherwise lock a round on an ancestor
   * while the rest of the votes agree on more.
   */
  #couldRise(
    votes: Map<string, SignedVote>,
    ghost: BlockRef,
    finalized: BlockRef,
    extras?: Map<string, SignedVote[]>,
  ): boolean {
    const { support, counted } = this.#support(votes, finalized, extras);
    const missing = this.#authorities.length - counted;
    if (missing === 0) return false;
    for (const { ref, count } of support.values()) {
      if (ref.number > ghost.number && count + missing >= this.threshold) return true;
    }
    return false;
  }

  /**
   * A round's estimate once it is completable (> 2/3 prevotes with a GHOST and > 2/3 precommits):
   * the highest ancestor of the prevote GHOST that the precommits, counting those still missing,
   * could have finalized. Undefined while the round is not completable.
   */
  #completedEstimate(round: number, finalized: BlockRef): BlockRef | undefined {
    const state = this.#rounds.get(round);
    if (!state) return undefined;
    const ghost = this.#ghost(state.prevotes, finalized, state.prevoteEquivocations);
    if (!ghost) return undefined;
    const { support, counted } = this.#support(
      state.precommits,
      finalized,
      state.precommitEquivocations,
    );
    if (counted < this.threshold) return undefined;
    const missing = this.#authorities.length - counted;
    let cursor: BlockRef = ghost;
    while (cursor.number > finalized.number) {
      const count = support.get(toHex(cursor.hash))?.count ?? 0;
      if (count + missing >= this.threshold) return cursor;
      const meta = this.#options.store.getBlockMeta(cursor.hash);
      if (!meta) break;
      cursor = { hash: meta.parentHash, number: cursor.number - 1 };
    }
    return finalized;
  }

  async #finalizeFromRound(state: RoundState, block: BlockRef): Promise<void> {
    const precommits: SignedPrecommit[] = [];
    for (const [who, first] of state.precommits) {
      // One precommit per authority: an equivocator's vote that covers the block, if any.
      const vote = [first, ...(state.precommitEquivocations.get(who) ?? [])].find(
        (v) =>
          v.targetNumber >= block.number && descendsFrom(this.#options.store, v.targetHash, block),
      );
      if (vote) {
        const { targetHash, targetNumber, signature, authority } = vote;
        precommits.push({ targetHash, targetNumber, signature, authority });
      }
    }
    const justification: Justification = {
      round: state.round,
      setId: state.setId,
      blockHash: block.hash,
      blockNumber: block.number,
      precommits,
    };
    await this.#finalize(block, justification);
  }

  #finalize(block: BlockRef, justification: Justification): Promise<void> {
    const run = async () => {
      const { store } = this.#options;
      if (block.number <= store.finalized().number) return;
      await store.finalize(block.hash, encodeJustification(justification));
      const set = votingSet(store, block.hash);
      if (set.setId !== this.#setId) {
        this.#setId = set.setId;
        this.#authorities = set.authorities;
        this.#rounds.clear();
      }
      // The round that finalized is complete: move on, and vote again once there is new work.
      if (this.#estimate.number < block.number) this.#estimate = block;
      this.#enterRound(Math.max(this.#round, justification.round) + 1);
      this.#options.onFinalized(block, justification);
      this.#progress();
    };
    const result = this.#finalizing.then(run, run);
    this.#finalizing = result.catch(() => undefined);
    return result;
  }
}
