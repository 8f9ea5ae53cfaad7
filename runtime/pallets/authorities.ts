// Authorities: the Aura authority set, the slot duration and the current slot. A new set is queued
// by governance and takes effect at the next epoch boundary.
import { bytesEqual } from "../../primitives/bytes.ts";
import { messageType } from "../../primitives/codec.ts";
import { defineCall, emit, ensureRoot, fail, type Pallet } from "../pallet.ts";
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
  setId: storageValue(
    NAME,
    "SetId",
    u64Value,
    0,
    "Counts authority-set changes; finality votes are signed for one set",
  ),
};

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
  if (set.length === 0) return "the authority set must not be empty";
  if (set.length > MAX_AUTHORITIES) return `at most ${MAX_AUTHORITIES} authorities`;
  for (let i = 0; i < set.length; i++) {
    if (set[i]!.length !== 32) return "authority keys are 32-byte ed25519 public keys";
    for (let j = 0; j < i; j++) if (bytesEqual(set[i]!, set[j]!)) return "duplicate authority";
  }
  return null;
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
        const epochLength = Number(param(ctx.storage, "epochLength"));
        const epoch = Math.floor(ctx.blockNumber / epochLength) + 1;
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
    const epochLength = Number(param(ctx.storage, "epochLength"));
    if (ctx.blockNumber % epochLength !== 0) return;
    const next = storage.nextAuthorities.get(ctx.storage).accounts;
    if (next.length === 0) return;
    storage.authorities.set(ctx.storage, { accounts: next });
    storage.nextAuthorities.kill(ctx.storage);
    storage.setId.set(ctx.storage, storage.setId.get(ctx.storage) + 1);
    emit(ctx, authoritiesPallet, "NewAuthorities", {
      authorities: next,
      epoch: ctx.blockNumber / epochLength,
    });
  },
  genesis(s, config) {
    storage.authorities.set(s, { accounts: config.authorities });
    storage.slotDuration.set(s, config.slotDuration);
  },
};
