// The attestation pallet's storage and the reads the RPC layer, the attestor and the wallet use.
// Composite keys are big-endian ids under the identity hasher, so each map is one contiguous key
// range in numeric order: a window's rounds, a round's commits and reveals, the due queue by block.
import { concatBytes, u32be, u64be } from "../../../primitives/bytes.ts";
import {
  bytesValue,
  compositeKey,
  Hasher,
  rangeAfter,
  type StorageRead,
  type StorageScan,
  storageMap,
  storageValue,
  u32Value,
  u128Value,
  type ValueCodec,
} from "../../storage.ts";
import {
  type Attestor,
  attestorCodec,
  type Dispute,
  disputeCodec,
  type Reveal,
  type RoundRecord,
  revealCodec,
  roundCodec,
  type WindowRecord,
  windowCodec,
} from "./types.ts";

export const NAME = "Attestation";

const accountId: ValueCodec<Uint8Array> = { ...bytesValue, type: "AccountId" };

export const storage = {
  attestors: storageMap<Uint8Array, Attestor>(
    NAME,
    "Attestors",
    accountId,
    attestorCodec,
    Hasher.identity,
    "Bonded attestors: bond, unbonding, and their record",
  ),
  attestorCount: storageValue(NAME, "AttestorCount", u32Value, 0, "How many attestors are bonded"),
  held: storageMap<Uint8Array, bigint>(
    NAME,
    "Held",
    accountId,
    u128Value,
    Hasher.identity,
    "What the pallet holds reserved on each account: its attestor bond and its dispute bonds",
  ),
  windows: storageMap<Uint8Array, WindowRecord>(
    NAME,
    "Windows",
    compositeKey("(ModelId, Window)"),
    windowCodec,
    Hasher.identity,
    "Measured windows from their opening: phase, query log, pot, current round and result",
  ),
  rounds: storageMap<Uint8Array, RoundRecord>(
    NAME,
    "Rounds",
    compositeKey("(ModelId, Window, Round)"),
    roundCodec,
    Hasher.identity,
    "Each round of a window: the attestors selected, its quorum and the selection seed",
  ),
  commits: storageMap<Uint8Array, Uint8Array>(
    NAME,
    "Commits",
    compositeKey("(ModelId, Window, Round, AccountId)"),
    bytesValue,
    Hasher.identity,
    "Selected attestors' commitments: blake2b-256 of their report root, total, leaf count and salt",
  ),
  reveals: storageMap<Uint8Array, Reveal>(
    NAME,
    "Reveals",
    compositeKey("(ModelId, Window, Round, AccountId)"),
    revealCodec,
    Hasher.identity,
    "What each attestor revealed, with the URI of its full report",
  ),
  disputes: storageMap<Uint8Array, Dispute>(
    NAME,
    "Disputes",
    compositeKey("(ModelId, Window, Round)"),
    disputeCodec,
    Hasher.identity,
    "A dispute of a round's quorum root: who, its bond, the root disputed",
  ),
  due: storageMap<Uint8Array, number>(
    NAME,
    "Due",
    compositeKey("(Block, ModelId, Window)"),
    u32Value,
    Hasher.identity,
    "Windows whose phase ends at the start of a block",
  ),
};

export const keys = {
  window: (modelId: number, window: number) => concatBytes(u64be(modelId), u32be(window)),
  round: (modelId: number, window: number, round: number) =>
    concatBytes(u64be(modelId), u32be(window), u32be(round)),
  vote: (modelId: number, window: number, round: number, who: Uint8Array) =>
    concatBytes(u64be(modelId), u32be(window), u32be(round), who),
  due: (block: number, modelId: number, window: number) =>
    concatBytes(u64be(block), u64be(modelId), u32be(window)),
};

// ---- reads ----

export function getAttestor(s: StorageRead, who: Uint8Array): Attestor | undefined {
  return storage.attestors.get(s, who);
}

/** Attestors in account order after `after`, at most `limit`. */
export function listAttestors(
  s: StorageScan,
  after: Uint8Array | null,
  limit: number,
): { account: Uint8Array; attestor: Attestor }[] {
  return rangeAfter(s, storage.attestors.prefix, after, limit).map(([account, raw]) => ({
    account,
    attestor: attestorCodec.decode(raw),
  }));
}

export function getWindow(
  s: StorageRead,
  modelId: number,
  window: number,
): WindowRecord | undefined {
  return storage.windows.get(s, keys.window(modelId, window));
}

export function getRound(
  s: StorageRead,
  modelId: number,
  window: number,
  round: number,
): RoundRecord | undefined {
  return storage.rounds.get(s, keys.round(modelId, window, round));
}

export function getReveal(
  s: StorageRead,
  modelId: number,
  window: number,
  round: number,
  who: Uint8Array,
): Reveal | undefined {
  return storage.reveals.get(s, keys.vote(modelId, window, round, who));
}

export function getCommit(
  s: StorageRead,
  modelId: number,
  window: number,
  round: number,
  who: Uint8Array,
): Uint8Array | undefined {
  return storage.commits.get(s, keys.vote(modelId, window, round, who));
}

export function getDispute(
  s: StorageRead,
  modelId: number,
  window: number,
  round: number,
): Dispute | undefined {
  return storage.disputes.get(s, keys.round(modelId, window, round));
}

export function heldBy(s: StorageRead, who: Uint8Array): bigint {
  return storage.held.get(s, who) ?? 0n;
}

/** A model's opened windows in window order after `after`, at most `limit`. */
export function modelWindows(
  s: StorageScan,
  modelId: number,
  after: number | null,
  limit: number,
): { window: number; record: WindowRecord }[] {
  const prefix = concatBytes(storage.windows.prefix, u64be(modelId));
  return rangeAfter(s, prefix, after === null ? null : u32be(after), limit).map(([key, raw]) => ({
    window: new DataView(key.buffer, key.byteOffset, 4).getUint32(0),
    record: windowCodec.decode(raw),
  }));
}
