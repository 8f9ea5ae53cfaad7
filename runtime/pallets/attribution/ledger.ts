// Money the attribution pallet moves once the checks have passed: pool payments, licence grants,
// slash notes, and the per-epoch counters the emission pallet reads.
import { checkedAdd, checkedSub } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import type { RuntimeContext } from "../../pallet.ts";
import type { RuntimeStorage } from "../../storage.ts";
import { currentEpoch } from "../authorities.ts";
import { burn, depositOrBurn, issue } from "../balances.ts";
import { getContribution, isStakeholder } from "../registry/index.ts";
import { readAccount, writeAccount } from "../system.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { datanetOf, versionTotal } from "./checks.ts";
import { amount, emitEvent } from "./events.ts";
import { deposit, newPool, noteSlash } from "./pool.ts";
import { splitLicence } from "./split.ts";
import { ATTRIBUTION_ACCOUNT, getPool, getPosition, keys, storage } from "./storage.ts";

// The pools' funds sit on ATTRIBUTION_ACCOUNT, written directly like a Substrate pallet account:
// it needs no existential deposit (so no genesis endowment) and is never reaped by a transfer.
// Withdrawn funds moved here stay inside total issuance.
export function moveIntoPot(s: RuntimeStorage, value: bigint): void {
  const pot = readAccount(s, ATTRIBUTION_ACCOUNT);
  writeAccount(s, ATTRIBUTION_ACCOUNT, { ...pot, free: checkedAdd(pot.free, value) });
}

/** Takes `value` out of the pot; the caller pays it on. */
export function moveOutOfPot(s: RuntimeStorage, value: bigint): void {
  const pot = readAccount(s, ATTRIBUTION_ACCOUNT);
  writeAccount(s, ATTRIBUTION_ACCOUNT, { ...pot, free: checkedSub(pot.free, value) });
}

/**
 * Pays `value` into a version's pool; with no live weight left it goes to the treasury. A payment
 * that is not self-dealing also counts its data fee as the pool's eligible fee of the epoch (the
 * health record's earnings), and `protocolFee`, its part of the protocol fee the payment paid, as
 * the pool's weight in the epoch's contributor emission.
 */
export function payPool(
  ctx: RuntimeContext,
  datanetId: number,
  version: number,
  value: bigint,
  selfDealing: boolean,
  protocolFee: bigint,
): void {
  if (value === 0n) return;
  const s = ctx.storage;
  moveIntoPot(s, value);
  if (!creditPool(s, datanetId, version, value)) {
    moveOutOfPot(s, value);
    depositOrBurn(ctx, TREASURY_ACCOUNT, value);
    return;
  }
  const epoch = currentEpoch(ctx.storage);
  const key = keys.epochPool(epoch, datanetId, version);
  storage.epochPoolFees.set(s, key, checkedAdd(storage.epochPoolFees.get(s, key) ?? 0n, value));
  if (selfDealing) return;
  storage.epochEligibleFees.set(
    s,
    key,
    checkedAdd(storage.epochEligibleFees.get(s, key) ?? 0n, value),
  );
  storage.epochEligibleTotal.set(
    s,
    epoch,
    checkedAdd(storage.epochEligibleTotal.get(s, epoch) ?? 0n, value),
  );
  if (protocolFee === 0n) return;
  storage.epochProtocolFees.set(
    s,
    key,
    checkedAdd(storage.epochProtocolFees.get(s, key) ?? 0n, protocolFee),
  );
  addProtocolWeight(s, epoch, protocolFee);
}

/** Adds to the epoch's total protocol-fee weight (pools and measured windows). */
export function addProtocolWeight(s: RuntimeStorage, epoch: number, fee: bigint): void {
  storage.epochProtocolTotal.set(
    s,
    epoch,
    checkedAdd(storage.epochProtocolTotal.get(s, epoch) ?? 0n, fee),
  );
}

/**
 * Spreads `value`, already on the attribution account, over a version's pool; false (nothing
 * written) when the version has no live weight left, and the caller pays it elsewhere.
 */
export function creditPool(
  s: RuntimeStorage,
  datanetId: number,
  version: number,
  value: bigint,
): boolean {
  if (value === 0n) return true;
  const pool = getPool(s, datanetId, version) ?? newPool(versionTotal(s, datanetId, version));
  if (pool.liveWeight === 0n) return false;
  storage.pools.set(s, keys.pool(datanetId, version), deposit(pool, value));
  return true;
}

/**
 * Mints `value` of emission into a version's pool, through the same accumulator as payments.
 * Returns what was minted: nothing when the version has no live weight left.
 */
export function mintIntoPool(
  ctx: RuntimeContext,
  datanetId: number,
  version: number,
  value: bigint,
): bigint {
  if (value === 0n || !creditPool(ctx.storage, datanetId, version, value)) return 0n;
  issue(ctx, value);
  moveIntoPot(ctx.storage, value);
  return value;
}

/**
 * Counts a payment towards the epoch's marketplace volume or its self-dealing; a real payment
 * whose payer has a stake in the data it paid for (`suspected`) is also suspected wash volume.
 */
export function recordPayment(
  ctx: RuntimeContext,
  payer: Uint8Array,
  value: bigint,
  selfDealing: boolean,
  suspected: boolean,
) {
  const s = ctx.storage;
  const epoch = currentEpoch(ctx.storage);
  if (!selfDealing && suspected)
    storage.epochSuspectedWash.set(
      s,
      epoch,
      checkedAdd(storage.epochSuspectedWash.get(s, epoch) ?? 0n, value),
    );
  if (selfDealing) {
    storage.epochSelfDealing.set(
      s,
      epoch,
      checkedAdd(storage.epochSelfDealing.get(s, epoch) ?? 0n, value),
    );
    return;
  }
  storage.epochVolume.set(s, epoch, checkedAdd(storage.epochVolume.get(s, epoch) ?? 0n, value));
  const payerKey = keys.epochPayer(epoch, payer);
  if (!storage.epochPayers.has(s, payerKey)) {
    storage.epochPayers.set(s, payerKey, 0);
    storage.epochPayerCount.set(s, epoch, (storage.epochPayerCount.get(s, epoch) ?? 0) + 1);
  }
}

/** Records a licence and distributes its fee (already withdrawn from the buyer). */
export function grantLicence(
  ctx: RuntimeContext,
  buyer: Uint8Array,
  datanetId: number,
  version: number,
  fee: bigint,
) {
  const datanet = datanetOf(ctx.storage, datanetId);
  const { burned, toTreasury, toOwner, toPool } = splitLicence(ctx.storage, fee);
  const selfDealing = bytesEqual(datanet.owner, buyer);
  burn(ctx, burned);
  const treasury = depositOrBurn(ctx, TREASURY_ACCOUNT, toTreasury);
  depositOrBurn(ctx, datanet.owner, toOwner);
  payPool(ctx, datanetId, version, toPool, selfDealing, burned + toTreasury);
  storage.licences.set(ctx.storage, keys.licence(datanetId, version, buyer), ctx.blockNumber);
  if (fee > 0n)
    recordPayment(ctx, buyer, fee, selfDealing, isStakeholder(ctx.storage, datanetId, buyer));
  emitEvent(ctx, "LicencePurchased", {
    datanetId,
    version,
    buyer,
    fee: amount(fee),
    toOwner: amount(toOwner),
    toPool: amount(toPool),
    selfDealing,
    burned: amount(burned + (toTreasury - treasury)),
    toTreasury: amount(treasury),
  });
}

/** Notes a slash in a pool (creating the pool if nothing was paid yet); idempotent. */
export function noteSlashIn(
  ctx: RuntimeContext,
  datanetId: number,
  version: number,
  id: number,
  weight: bigint,
) {
  const s = ctx.storage;
  const pool = getPool(s, datanetId, version) ?? newPool(versionTotal(s, datanetId, version));
  const position = getPosition(s, datanetId, version, id);
  if (position.slashed) return;
  const out = noteSlash(pool, weight, position);
  storage.pools.set(s, keys.pool(datanetId, version), out.pool);
  storage.positions.set(s, keys.position(datanetId, version, id), out.position);
  if (out.toTreasury > 0n) {
    moveOutOfPot(s, out.toTreasury);
    depositOrBurn(ctx, TREASURY_ACCOUNT, out.toTreasury);
  }
  const contributor = getContribution(s, id)?.contributor ?? new Uint8Array(32);
  emitEvent(ctx, "SlashNoted", {
    datanetId,
    version,
    contributionId: id,
    account: contributor,
    amount: amount(out.forfeited),
  });
}
