// Measured attribution's money: each measured model's data shares and emission held per window
// until a report is final, the settlements and the claims paid against them. The agreement on a
// report (attestors, commit–reveal, escalation) is the attestation pallet's; it settles windows
// through `settleMeasured` and `settleDeclared` here, so money only ever moves in this pallet.
// A window whose first payment arrives is queued by its end epoch; the attestation pallet opens it
// once emission has minted every epoch of it, when its pot can no longer change.
import { checkedAdd } from "../../../primitives/amount.ts";
import type { RuntimeContext } from "../../pallet.ts";
import { MARKER_VALUE, type StorageRead } from "../../storage.ts";
import { currentEpoch } from "../authorities.ts";
import { depositOrBurn, issue } from "../balances.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { amount, emitEvent } from "./events.ts";
import { addProtocolWeight, creditPool, moveIntoPot, moveOutOfPot } from "./ledger.ts";
import {
  getSettlement,
  getWindowPot,
  measuredKeys,
  measuredStorage,
  windowEndEpoch,
  windowOf,
} from "./measured-storage.ts";
import { splitManifest } from "./split.ts";
import { getModel, storage } from "./storage.ts";
import type { Measurement, Settlement, WindowPot } from "./types.ts";

// ---- money ----

const EMPTY_POT: WindowPot = { held: 0n, fees: 0n, emission: 0n, units: 0, payments: 0 };

/**
 * Holds a measured model's data share for the window of the current epoch instead of paying it
 * into the manifest's pools; the first payment queues the window. Returns the window.
 */
export function holdForWindow(
  ctx: RuntimeContext,
  modelId: number,
  m: Measurement,
  value: bigint,
  units: number,
  selfDealing: boolean,
  protocolFee: bigint,
): number {
  const s = ctx.storage;
  const epoch = currentEpoch(s);
  const window = windowOf(m, epoch);
  const key = measuredKeys.window(modelId, window);
  const existing = measuredStorage.windowPots.get(s, key);
  if (!existing)
    measuredStorage.windowQueue.set(
      s,
      measuredKeys.queued(windowEndEpoch(m, window), modelId, window),
      MARKER_VALUE,
    );
  const pot = existing ?? EMPTY_POT;
  measuredStorage.windowPots.set(s, key, {
    held: checkedAdd(pot.held, value),
    fees: checkedAdd(pot.fees, value),
    emission: pot.emission,
    units: pot.units + units,
    payments: pot.payments + 1,
  });
  moveIntoPot(s, value);
  if (!selfDealing && value > 0n)
    storage.epochEligibleTotal.set(
      s,
      epoch,
      checkedAdd(storage.epochEligibleTotal.get(s, epoch) ?? 0n, value),
    );
  if (!selfDealing && protocolFee > 0n) {
    const feeKey = measuredKeys.epochWindow(epoch, modelId, window);
    measuredStorage.epochMeasuredFees.set(
      s,
      feeKey,
      checkedAdd(measuredStorage.epochMeasuredFees.get(s, feeKey) ?? 0n, protocolFee),
    );
    addProtocolWeight(s, epoch, protocolFee);
  }
  return window;
}

/**
 * Mints `value` of contributor emission into a window's pot (emission's close, for the window's
 * eligible fees). Returns what was minted: nothing once the window is settled.
 */
export function mintIntoWindow(
  ctx: RuntimeContext,
  modelId: number,
  window: number,
  value: bigint,
): bigint {
  const s = ctx.storage;
  const key = measuredKeys.window(modelId, window);
  const pot = measuredStorage.windowPots.get(s, key);
  if (value === 0n || !pot || getSettlement(s, modelId, window)) return 0n;
  measuredStorage.windowPots.set(s, key, {
    ...pot,
    held: checkedAdd(pot.held, value),
    emission: checkedAdd(pot.emission, value),
  });
  issue(ctx, value);
  moveIntoPot(s, value);
  return value;
}

/** The pot of a window that is not settled yet; undefined otherwise (nothing to settle). */
function openPot(s: StorageRead, modelId: number, window: number): WindowPot | undefined {
  return getSettlement(s, modelId, window) ? undefined : getWindowPot(s, modelId, window);
}

/**
 * Settles a window by its final report: pays the attestors' fees out of the pot and leaves the
 * rest (`distributable`) for the leaves to claim. A report that allocates nothing (no contribution
 * had a positive value, or the window was unmeasurable) is settled by the declared manifest
 * instead, fees still paid. Runs in a block's hook: it never throws, and settles a window at most
 * once.
 */
export function settleMeasured(
  ctx: RuntimeContext,
  modelId: number,
  window: number,
  report: { root: Uint8Array; leafCount: number; allocated: bigint },
  fees: { account: Uint8Array; amount: bigint }[],
): void {
  const s = ctx.storage;
  const pot = openPot(s, modelId, window);
  if (!pot) return;
  let paid = 0n;
  for (const fee of fees) {
    if (fee.amount === 0n || paid + fee.amount > pot.held) continue;
    moveOutOfPot(s, fee.amount);
    depositOrBurn(ctx, fee.account, fee.amount);
    paid += fee.amount;
  }
  const distributable = pot.held - paid;
  if (report.allocated === 0n || report.allocated !== distributable) {
    payByManifest(ctx, modelId, distributable);
    record(ctx, modelId, window, { ...declared(ctx), fees: paid });
    return;
  }
  record(ctx, modelId, window, {
    measured: true,
    root: report.root,
    leafCount: report.leafCount,
    distributable,
    claimed: 0n,
    settledAt: ctx.blockNumber,
    fees: paid,
  });
}

/** Settles a window by the declared manifest and weights: nothing is ever stuck in a window. */
export function settleDeclared(ctx: RuntimeContext, modelId: number, window: number): void {
  const pot = openPot(ctx.storage, modelId, window);
  if (!pot) return;
  payByManifest(ctx, modelId, pot.held);
  record(ctx, modelId, window, declared(ctx));
}

const declared = (ctx: RuntimeContext): Settlement => ({
  measured: false,
  root: new Uint8Array(),
  leafCount: 0,
  distributable: 0n,
  claimed: 0n,
  settledAt: ctx.blockNumber,
  fees: 0n,
});

/** Splits funds already on the attribution account over the model's manifest pools. */
function payByManifest(ctx: RuntimeContext, modelId: number, value: bigint): void {
  const model = getModel(ctx.storage, modelId);
  if (!model) return;
  const perEntry = splitManifest(value, model.manifest);
  for (const [j, e] of model.manifest.entries()) {
    if (creditPool(ctx.storage, e.datanetId, e.version, perEntry[j]!)) continue;
    moveOutOfPot(ctx.storage, perEntry[j]!);
    depositOrBurn(ctx, TREASURY_ACCOUNT, perEntry[j]!);
  }
}

function record(ctx: RuntimeContext, modelId: number, window: number, settlement: Settlement) {
  measuredStorage.settlements.set(ctx.storage, measuredKeys.window(modelId, window), settlement);
  emitEvent(ctx, "WindowSettled", {
    modelId,
    window,
    measured: settlement.measured,
    root: settlement.root,
    distributable: amount(settlement.distributable),
    fees: amount(settlement.fees),
  });
}

/** Pays one report leaf out of a settled window; the checks have passed. */
export function payLeaf(
  ctx: RuntimeContext,
  modelId: number,
  window: number,
  contributionId: number,
  to: Uint8Array,
  value: bigint,
  toTreasury: boolean,
): void {
  const s = ctx.storage;
  const key = measuredKeys.window(modelId, window);
  const settlement = measuredStorage.settlements.get(s, key)!;
  measuredStorage.settlements.set(s, key, {
    ...settlement,
    claimed: checkedAdd(settlement.claimed, value),
  });
  measuredStorage.measuredClaims.set(
    s,
    measuredKeys.claim(modelId, window, contributionId),
    ctx.blockNumber,
  );
  moveOutOfPot(s, value);
  depositOrBurn(ctx, to, value);
  emitEvent(ctx, "MeasuredClaimed", {
    modelId,
    window,
    contributionId,
    account: to,
    amount: amount(value),
    toTreasury,
  });
}
