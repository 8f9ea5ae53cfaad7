// Authorities: the Aura authority set, the slot duration, the current slot and the epoch (as
// Substrate's session index). A new set is queued by governance and takes effect at the next epoch
// boundary. An epoch ends `epochLength` blocks after it started, the length read when it ends, so
// a governance change of `epochLength` applies from the current epoch on without renumbering past
// epochs (block / epochLength would jump or go backwards).
import { messageType } from "../../primitives/codec.ts";
import { checkIdSet, defineCall, emit, ensureRoot, fail, type Pallet } from "../pallet.ts";
import { messageValue, type StorageRead, storageValue, u64Value } from "../storage.ts";
import { param } from "./params.ts";

const NAME = "Authorities";
const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);
const MAX_AUTHORITIES = 100;

const accountList = messageValue<{ accounts: Uint8Array[] }>(T("AccountList"));

export const storage = {
  authorities: storageValue(
    NAME,
    "Authorities",
    accountList,
    { accounts: [] },
    "The current authority set",
  ),
  nextAuthorities: storageValue(
    NAME,
    "NextAuthorities",
    accountList,
    { accounts: [] },
    "A set queued to take effect at the next epoch boundary (empty: none)",
  ),
  slotDuration: storageValue(
    NAME,
    "SlotDuration",
    u64Value,
    0,
    "Milliseconds per slot (fixed at genesis)",
  ),
  currentSlot: storageValue(NAME, "CurrentSlot", u64Value, 0, "The slot of the current block"),
  epochIndex: storageValue(NAME, "EpochIndex", u64Value, 0, "The current epoch, from 0 at genesis"),
  epochStart: storageValue(
    NAME,
    "EpochStart",
    u64Value,
    0,
    "The block at which the current epoch started (0 for the genesis epoch)",
  ),
  setId: storageValue(
    NAME,
    "SetId",
    u64Value,
    0,
    "Counts authority-set changes; finality votes are signed for one set",
  ),
};

/** The epoch the block being executed (or the latest block of a state) belongs to. */
export function currentEpoch(s: StorageRead): number {
  return storage.epochIndex.get(s);
}

export function authorities(s: StorageRead): Uint8Array[] {
  return storage.authorities.get(s).accounts;
}

/** Aura: the author of a slot is `authorities[slot % n]`. */
export function slotAuthor(s: StorageRead, slot: number): Uint8Array | null {
  const set = authorities(s);
  if (set.length === 0) return null;
  return set[slot % set.length] ?? null;
}

function checkAuthoritySet(set: Uint8Array[]): string | null {
  return checkIdSet(set, BigInt(MAX_AUTHORITIES), {
    empty: "the authority set must not be empty",
    tooMany: `at most ${MAX_AUTHORITIES} authorities`,
    length: "authority keys are 32-byte ed25519 public keys",
    duplicate: "duplicate authority",
  });
}

export { checkAuthoritySet };

export const authoritiesPallet: Pallet = {
  name: NAME,
  index: 4,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<{ authorities: Uint8Array[] }>({
      index: 0,
      name: "setAuthorities",
      args: T("SetAuthoritiesArgs"),
      origin: "root",
      doc: "Queues a new authority set for the next epoch boundary (governance)",
      weight: (args) => 20_000_000n + 1_000_000n * BigInt(args.authorities.length),
      handler(ctx, origin, args) {
        ensureRoot(authoritiesPallet, origin);
        const problem = checkAuthoritySet(args.authorities);
        if (problem) throw fail(authoritiesPallet, "InvalidAuthorities", problem);
        storage.nextAuthorities.set(ctx.storage, { accounts: args.authorities });
        const epoch = currentEpoch(ctx.storage) + 1;
        emit(ctx, authoritiesPallet, "AuthoritiesQueued", { authorities: args.authorities, epoch });
      },
    }),
  ],
  events: [
    {
      index: 0,
      name: "AuthoritiesQueued",
      data: T("AuthoritiesEvent"),
      doc: "A new set will take effect at `epoch`",
    },
    { index: 1, name: "NewAuthorities", data: T("AuthoritiesEvent"), doc: "A new set took effect" },
  ],
  errors: { InvalidAuthorities: "invalid authority set", BadOrigin: "root required" },
  onInitialize(ctx) {
    const s = ctx.storage;
    const start = storage.epochStart.get(s);
    if (ctx.blockNumber < start + Number(param(s, "epochLength"))) return;
    const epoch = storage.epochIndex.get(s) + 1;
    storage.epochIndex.set(s, epoch);
    storage.epochStart.set(s, ctx.blockNumber);
    const next = storage.nextAuthorities.get(ctx.storage).accounts;
    if (next.length === 0) return;
    storage.authorities.set(ctx.storage, { accounts: next });
    storage.nextAuthorities.kill(ctx.storage);
    storage.setId.set(ctx.storage, storage.setId.get(ctx.storage) + 1);
    emit(ctx, authoritiesPallet, "NewAuthorities", { authorities: next, epoch });
  },
  genesis(s, config) {
    storage.authorities.set(s, { accounts: config.authorities });
    storage.slotDuration.set(s, config.slotDuration);
  },
};
