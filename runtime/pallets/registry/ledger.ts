// Money the registry holds: every deposit, bond and review fee is reserved on its account and mirrored in
// `Held`, which the invariants compare with the records. Slashed funds leave the reserve here and
// the caller pays them on.
import { checkedAdd, checkedSub } from "../../../primitives/amount.ts";
import type { RuntimeContext } from "../../pallet.ts";
import type { RuntimeStorage, StorageRead } from "../../storage.ts";
import { depositOrBurn, reserve, slashReserved, unreserve } from "../balances.ts";
import { readAccount } from "../system.ts";
import { registryError } from "./errors.ts";
import { heldBy, storage } from "./storage.ts";

export function hold(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  reserve(ctx, who, amount);
  storage.held.set(ctx.storage, who, checkedAdd(heldBy(ctx.storage, who), amount));
}

function lowerHeld(s: RuntimeStorage, who: Uint8Array, amount: bigint): void {
  const left = checkedSub(heldBy(s, who), amount);
  if (left === 0n) storage.held.remove(s, who);
  else storage.held.set(s, who, left);
}

export function release(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  unreserve(ctx, who, amount);
  lowerHeld(ctx.storage, who, amount);
}

/** Takes `amount` of what the registry holds from `who`; the caller pays it on. */
export function slash(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  slashReserved(ctx, who, amount);
  lowerHeld(ctx.storage, who, amount);
}

/** Slashes `amount` of what the registry holds from `from` and pays it to `to`; returns what was paid. */
export function slashTo(
  ctx: RuntimeContext,
  from: Uint8Array,
  to: Uint8Array,
  amount: bigint,
): bigint {
  slash(ctx, from, amount);
  return depositOrBurn(ctx, to, amount);
}

export function ensureCanReserve(
  s: StorageRead,
  who: Uint8Array,
  amount: bigint,
  what: string,
): void {
  const free = readAccount(s, who).free;
  if (free < amount)
    throw registryError("InsufficientBalance", `${what} needs ${amount}, free is ${free}`);
}
