// Measured attribution's records: the methods governance registers, each measured model's window
// pots, the queue of windows waiting to be opened, the settlements claims are paid against and the
// claims themselves, with their reads. The money that moves through them is measured.ts.
//
// A window of model m is `windowEpochs` epochs from `startEpoch + w·windowEpochs`: both are fixed
// in the model at registration, so a governance change of `attestationWindowEpochs` never
// renumbers the windows of a model already measured.
import { concatBytes, u32be, u64be, utf8 } from "../../../primitives/bytes.ts";
import {
  compositeKey,
  Hasher,
  type RuntimeStorage,
  rangeAfter,
  type StorageRead,
  type StorageScan,
  storageMap,
  u32Value,
  u64Value,
  u128Value,
} from "../../storage.ts";
import { NAME } from "./errors.ts";
import {
  type Measurement,
  type MethodRecord,
  methodCodec,
  type Settlement,
  settlementCodec,
  type WindowPot,
  windowPotCodec,
} from "./types.ts";

export const MAX_METHOD_NAME = 32;

export const measuredStorage = {
  methods: storageMap<Uint8Array, MethodRecord>(
    NAME,
    "Methods",
    compositeKey("(MethodName, MethodVersion)"),
    methodCodec,
    Hasher.identity,
    "Attribution methods registered by governance: parameters and the hash of their specification",
  ),
  windowPots: storageMap<Uint8Array, WindowPot>(
    NAME,
    "WindowPots",
    compositeKey("(ModelId, Window)"),
    windowPotCodec,
    Hasher.identity,
    "What a measured model's window holds until it is settled",
  ),
  windowQueue: storageMap<Uint8Array, number>(
    NAME,
    "WindowQueue",
    compositeKey("(EndEpoch, ModelId, Window)"),
    u32Value,
    Hasher.identity,
    "Windows that hold funds, by the epoch they end at, until the attestation pallet opens them",
  ),
  settlements: storageMap<Uint8Array, Settlement>(
    NAME,
    "Settlements",
    compositeKey("(ModelId, Window)"),
    settlementCodec,
    Hasher.identity,
    "How each settled window was paid: a final report root, or the declared manifest",
  ),
  measuredClaims: storageMap<Uint8Array, number>(
    NAME,
    "MeasuredClaims",
    compositeKey("(ModelId, Window, ContributionId)"),
    u64Value,
    Hasher.identity,
    "The block at which a report leaf was claimed: each leaf is paid once",
  ),
  epochMeasuredFees: storageMap<Uint8Array, bigint>(
    NAME,
    "EpochMeasuredFees",
    compositeKey("(Epoch, ModelId, Window)"),
    u128Value,
    Hasher.identity,
    "Protocol fees that payments into measured windows paid per epoch, self-dealing excluded: the windows' weights in the epoch's contributor emission",
  ),
};

export const measuredKeys = {
  method: (name: string, version: number) => {
    const bytes = utf8(name);
    return concatBytes(new Uint8Array([bytes.length]), bytes, u32be(version));
  },
  window: (modelId: number, window: number) => concatBytes(u64be(modelId), u32be(window)),
  queued: (endEpoch: number, modelId: number, window: number) =>
    concatBytes(u64be(endEpoch), u64be(modelId), u32be(window)),
  claim: (modelId: number, window: number, contributionId: number) =>
    concatBytes(u64be(modelId), u32be(window), u64be(contributionId)),
  epochWindow: (epoch: number, modelId: number, window: number) =>
    concatBytes(u64be(epoch), u64be(modelId), u32be(window)),
};

const readWindowKey = (bytes: Uint8Array, at = 0) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 12);
  return { modelId: Number(view.getBigUint64(0)), window: view.getUint32(8) };
};

// ---- reads ----

export function getMethod(s: StorageRead, name: string, version: number): MethodRecord | undefined {
  return measuredStorage.methods.get(s, measuredKeys.method(name, version));
}

export interface MethodEntry extends MethodRecord {
  name: string;
  version: number;
}

/** Every registered method, in (name length, name, version) order; governance keeps them few. */
export function listMethods(s: StorageScan): MethodEntry[] {
  return [...measuredStorage.methods.entries(s)].map(([key, record]) => {
    const length = key[0]!;
    const name = new TextDecoder().decode(key.subarray(1, 1 + length));
    const version = new DataView(key.buffer, key.byteOffset + 1 + length, 4).getUint32(0);
    return { name, version, ...record };
  });
}

/** The window an epoch falls in for a measured model. */
export function windowOf(m: Measurement, epoch: number): number {
  return Math.floor((epoch - m.startEpoch) / m.windowEpochs);
}

/** The first epoch after window `w`. */
export function windowEndEpoch(m: Measurement, w: number): number {
  return m.startEpoch + (w + 1) * m.windowEpochs;
}

export function getWindowPot(
  s: StorageRead,
  modelId: number,
  window: number,
): WindowPot | undefined {
  return measuredStorage.windowPots.get(s, measuredKeys.window(modelId, window));
}

export function getSettlement(
  s: StorageRead,
  modelId: number,
  window: number,
): Settlement | undefined {
  return measuredStorage.settlements.get(s, measuredKeys.window(modelId, window));
}

export function leafClaimedAt(
  s: StorageRead,
  modelId: number,
  window: number,
  contributionId: number,
): number | undefined {
  return measuredStorage.measuredClaims.get(s, measuredKeys.claim(modelId, window, contributionId));
}

export interface EpochWindowFee {
  modelId: number;
  window: number;
  fees: bigint;
}

/** An epoch's eligible measured fees in (model, window) order after `after`, at most `limit`. */
export function epochMeasuredFees(
  s: StorageScan,
  epoch: number,
  after: { modelId: number; window: number } | null,
  limit: number,
): EpochWindowFee[] {
  const prefix = concatBytes(measuredStorage.epochMeasuredFees.prefix, u64be(epoch));
  const cursor = after ? measuredKeys.window(after.modelId, after.window) : null;
  return rangeAfter(s, prefix, cursor, limit).map(([key, value]) => ({
    ...readWindowKey(key),
    fees: u128Value.decode(value),
  }));
}

/**
 * Removes and returns up to `limit` queued windows that end at or before `endEpoch`, in end-epoch
 * order: the windows whose every epoch has had its emission minted.
 */
export function takeEndedWindows(
  s: RuntimeStorage,
  endEpoch: number,
  limit: number,
): { modelId: number; window: number }[] {
  const out: { modelId: number; window: number }[] = [];
  for (const [key] of rangeAfter(s, measuredStorage.windowQueue.prefix, null, limit)) {
    const end = Number(new DataView(key.buffer, key.byteOffset, 8).getBigUint64(0));
    if (end > endEpoch) break;
    out.push(readWindowKey(key, 8));
    measuredStorage.windowQueue.remove(s, key);
  }
  return out;
}

/** Funds held for windows that are not settled yet (their pots), for the try-state checks. */
export function heldInWindows(s: StorageScan): bigint {
  let held = 0n;
  for (const [key, pot] of measuredStorage.windowPots.entries(s)) {
    const { modelId, window } = readWindowKey(key);
    if (!getSettlement(s, modelId, window)) held += pot.held;
  }
  return held;
}

/** What settled windows still owe their report leaves. */
export function owedBySettlements(s: StorageScan): bigint {
  let owed = 0n;
  for (const [, settlement] of measuredStorage.settlements.entries(s))
    if (settlement.measured) owed += settlement.distributable - settlement.claimed;
  return owed;
}
