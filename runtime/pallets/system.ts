// System: accounts (nonce and balances), block number and hashes, events of the current block.
import { u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { messageType } from "../../primitives/codec.ts";
import type { Pallet } from "../pallet.ts";
import {
  bytesValue,
  Hasher,
  messageValue,
  type RuntimeStorage,
  type StorageRead,
  storageMap,
  storageValue,
  u64Value,
} from "../storage.ts";

const NAME = "System";
const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

/** How many recent block hashes are kept: mortal transactions can be born at most this far back. */
export const BLOCK_HASH_COUNT = 4096;

export interface AccountInfo {
  nonce: number;
  free: bigint;
  reserved: bigint;
}

interface AccountInfoWire {
  nonce: number;
  free: Uint8Array;
  reserved: Uint8Array;
}

export interface EventRecordWire {
  extrinsicIndex: number;
  finalization: boolean;
  pallet: number;
  event: number;
  data: Uint8Array;
}

const accountId = { ...bytesValue, type: "AccountId" };

export const storage = {
  account: storageMap<Uint8Array, AccountInfoWire>(
    NAME,
    "Account",
    accountId,
    messageValue(T("AccountInfo")),
    Hasher.blake2_128Concat,
    "Nonce and balances of every account that exists",
  ),
  number: storageValue(NAME, "Number", u64Value, 0, "The current block number"),
  parentHash: storageValue(
    NAME,
    "ParentHash",
    bytesValue,
    new Uint8Array(32),
    "Parent of the current block",
  ),
  blockHash: storageMap<number, Uint8Array>(
    NAME,
    "BlockHash",
    u64Value,
    bytesValue,
    Hasher.identity,
    `Hashes of the last ${BLOCK_HASH_COUNT} blocks, by number`,
  ),
  events: storageValue<{ records: EventRecordWire[] }>(
    NAME,
    "Events",
    messageValue(T("EventRecords")),
    { records: [] },
    "Events deposited in the current block",
  ),
  blockWeight: storageValue(NAME, "BlockWeight", u64Value, 0, "Weight used by the current block"),
  blockLength: storageValue(
    NAME,
    "BlockLength",
    u64Value,
    0,
    "Encoded length of the current block's extrinsics",
  ),
};

const EMPTY_ACCOUNT: AccountInfo = { nonce: 0, free: 0n, reserved: 0n };

export function readAccount(s: StorageRead, who: Uint8Array): AccountInfo {
  const wire = storage.account.get(s, who);
  if (!wire) return { ...EMPTY_ACCOUNT };
  return {
    nonce: wire.nonce,
    free: u128FromBytes(wire.free),
    reserved: u128FromBytes(wire.reserved),
  };
}

/** Writes an account; one with nothing left (no balance, no reserve, nonce 0) is removed. */
export function writeAccount(s: RuntimeStorage, who: Uint8Array, info: AccountInfo): void {
  if (info.free === 0n && info.reserved === 0n && info.nonce === 0) {
    storage.account.remove(s, who);
    return;
  }
  storage.account.set(s, who, {
    nonce: info.nonce,
    free: u128ToBytes(info.free),
    reserved: u128ToBytes(info.reserved),
  });
}

export function accountExists(s: StorageRead, who: Uint8Array): boolean {
  return storage.account.has(s, who);
}

export function incrementNonce(s: RuntimeStorage, who: Uint8Array): void {
  const info = readAccount(s, who);
  writeAccount(s, who, { ...info, nonce: info.nonce + 1 });
}

export const system: Pallet = {
  name: NAME,
  index: 0,
  storage: Object.values(storage).map((item) => item.info),
  calls: [],
  events: [
    {
      index: 0,
      name: "ExtrinsicSuccess",
      data: T("DispatchInfoEvent"),
      doc: "An extrinsic's call succeeded",
    },
    {
      index: 1,
      name: "ExtrinsicFailed",
      data: T("DispatchInfoEvent"),
      doc: "An extrinsic's call failed; its fee was still paid and its writes rolled back",
    },
    { index: 2, name: "NewAccount", data: T("AccountEvent"), doc: "An account was created" },
    { index: 3, name: "KilledAccount", data: T("AccountEvent"), doc: "An account was reaped" },
  ],
  errors: { BadOrigin: "the call's origin is not allowed" },
};
