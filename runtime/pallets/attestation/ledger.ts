// Money the attestation pallet holds: attestor bonds and dispute bonds, reserved on their accounts
// and mirrored in `Held`, which the invariants compare with the records. Slashed funds leave the
// reserve here and the caller pays them on.
import { checkedAdd, checkedSub } from "../../../primitives/amount.ts";
import type { RuntimeContext } from "../../pallet.ts";
import type { RuntimeStorage } from "../../storage.ts";
import { reserve, slashReserved, unreserve } from "../balances.ts";
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

/** Takes `amount` of what the pallet holds from `who`; the caller pays it on. */
export function slash(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  slashReserved(ctx, who, amount);
  lowerHeld(ctx.storage, who, amount);
}
