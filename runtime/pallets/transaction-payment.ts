// Transaction payment: fee = base + length·lengthFee + multiplier·weight·weightFee + tip.
// The multiplier follows block fullness slowly (Substrate's TargetedFeeAdjustment); the fee is
// split between burn, treasury and the block author by parameters.
import { checkedAdd, checkedMul, mulDivFloor, u128ToBytes } from "../../primitives/amount.ts";
import { utf8 } from "../../primitives/bytes.ts";
import { messageType } from "../../primitives/codec.ts";
import { blake2b256 } from "../../primitives/hash.ts";
import { emit, type Pallet, type RuntimeContext } from "../pallet.ts";
import { type StorageRead, storageValue, u128Value } from "../storage.ts";
import { storage as balancesStorage, burn, depositOrBurn, withdraw } from "./balances.ts";
import { PARAMS, param } from "./params.ts";
import { accountExists, storage as systemStorage, writeAccount } from "./system.ts";

const NAME = "TransactionPayment";
const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

export const FIXED_ONE = 10n ** 18n;
const PPM = 1_000_000n;

/** The treasury's account: a key nobody holds (the treasury pallet will spend from it). */
export const TREASURY_ACCOUNT = blake2b256(utf8("lineage/treasury"));

export const storage = {
  nextFeeMultiplier: storageValue(
    NAME,
    "NextFeeMultiplier",
    u128Value,
    FIXED_ONE,
    "Multiplier applied to weight fees (18 decimals)",
  ),
};

export interface FeeBreakdown {
  baseFee: bigint;
  lenFee: bigint;
  adjustedWeightFee: bigint;
  tip: bigint;
  /** Inclusion fee (no tip): what payment_queryInfo calls partialFee. */
  inclusionFee: bigint;
  total: bigint;
}

export function computeFee(
  s: StorageRead,
  length: number,
  weight: bigint,
  tip: bigint,
): FeeBreakdown {
  const baseFee = param(s, "baseFee");
  const lenFee = checkedMul(BigInt(length), param(s, "lengthFee"));
  const multiplier = storage.nextFeeMultiplier.get(s);
  // weight·weightFee·multiplier can exceed u128 before the division; only the result must fit.
  const adjustedWeightFee = mulDivFloor(
    checkedMul(weight, param(s, "weightFee")),
    multiplier,
    PPM * FIXED_ONE,
  );
  const inclusionFee = checkedAdd(checkedAdd(baseFee, lenFee), adjustedWeightFee);
  return {
    baseFee,
    lenFee,
    adjustedWeightFee,
    tip,
    inclusionFee,
    total: checkedAdd(inclusionFee, tip),
  };
}

/** Withdraws the fee from `who` and splits it; throws if `who` cannot pay without being reaped. */
export function chargeFee(ctx: RuntimeContext, who: Uint8Array, fee: FeeBreakdown): void {
  withdraw(ctx, who, fee.total);
  const burned = (fee.total * param(ctx.storage, "feeBurnPpm")) / PPM;
  const treasuryShare = (fee.total * param(ctx.storage, "feeTreasuryPpm")) / PPM;
  const authorShare = fee.total - burned - treasuryShare;
  burn(ctx, burned);
  // A share too small to create its recipient's account is burned; the event says what happened.
  const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, treasuryShare);
  let toAuthor = 0n;
  if (ctx.author) toAuthor = depositOrBurn(ctx, ctx.author, authorShare);
  else burn(ctx, authorShare);
  emit(ctx, transactionPayment, "TransactionFeePaid", {
    who,
    fee: u128ToBytes(fee.total),
    tip: u128ToBytes(fee.tip),
    burned: u128ToBytes(fee.total - toTreasury - toAuthor),
    toTreasury: u128ToBytes(toTreasury),
    toAuthor: u128ToBytes(toAuthor),
  });
}

/** next = prev·(1 + v·d + (v·d)²/2), d = (used − target)/max, clamped to the parameter bounds. */
export function nextMultiplier(s: StorageRead, previous: bigint, usedWeight: bigint): bigint {
  const max = param(s, "maxBlockWeight");
  const target = (max * param(s, "targetBlockFullnessPpm")) / PPM;
  const diff = ((usedWeight - target) * FIXED_ONE) / max;
  const vd = (param(s, "feeAdjustmentVariable") * diff) / FIXED_ONE;
  const change = vd + (vd * vd) / (2n * FIXED_ONE);
  let next = previous + (previous * change) / FIXED_ONE;
  const lo = param(s, "minFeeMultiplier");
  const hi = param(s, "maxFeeMultiplier");
  if (next < lo) next = lo;
  if (next > hi) next = hi;
  return next;
}

export const transactionPayment: Pallet = {
  name: NAME,
  index: 3,
  storage: Object.values(storage).map((item) => item.info),
  calls: [],
  events: [
    {
      index: 0,
      name: "TransactionFeePaid",
      data: T("FeePaidEvent"),
      doc: "A transaction paid its fee, split into burn, treasury and author",
    },
  ],
  errors: {},
  genesis(s, config) {
    // As Substrate's treasury pot: the account exists from genesis with the existential deposit,
    // otherwise every fee share below the deposit would be burned instead of reaching it. The
    // params pallet writes its genesis later, so the deposit is read from the config.
    if (accountExists(s, TREASURY_ACCOUNT)) return;
    const ed = config.params.existentialDeposit ?? PARAMS.existentialDeposit.default;
    writeAccount(s, TREASURY_ACCOUNT, { nonce: 0, free: ed, reserved: 0n });
    const issuance = balancesStorage.totalIssuance.get(s);
    balancesStorage.totalIssuance.set(s, checkedAdd(issuance, ed));
  },
  onFinalize(ctx) {
    const used = BigInt(systemStorage.blockWeight.get(ctx.storage));
    const previous = storage.nextFeeMultiplier.get(ctx.storage);
    const next = nextMultiplier(ctx.storage, previous, used);
    if (next !== previous) storage.nextFeeMultiplier.set(ctx.storage, next);
  },
};
