// Balances: free and reserved funds, the existential deposit, transfers and total issuance.
// Invariant: total issuance equals the sum of every account's free and reserved balance.
import { checkedAdd, checkedSub, u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import { messageType } from "../../primitives/codec.ts";
import { InvariantError } from "../errors.ts";
import {
  defineCall,
  emit,
  ensureRoot,
  ensureSigned,
  fail,
  type Pallet,
  type RuntimeContext,
} from "../pallet.ts";
import { type StorageRead, storageValue, u128Value } from "../storage.ts";
import { param } from "./params.ts";
import { readAccount, system, storage as systemStorage, writeAccount } from "./system.ts";

const NAME = "Balances";
const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

export const storage = {
  totalIssuance: storageValue(
    NAME,
    "TotalIssuance",
    u128Value,
    0n,
    "Sum of all free and reserved balances",
  ),
};

export function totalIssuance(s: StorageRead): bigint {
  return storage.totalIssuance.get(s);
}

export function freeBalance(s: StorageRead, who: Uint8Array): bigint {
  return readAccount(s, who).free;
}

export function reservedBalance(s: StorageRead, who: Uint8Array): bigint {
  return readAccount(s, who).reserved;
}

/**
 * Lowers `who`'s free balance by `amount` (which must be available). If what is left is below the
 * existential deposit and nothing is reserved, the account is reaped and the dust burned.
 * Returns the dust burned.
 */
function debit(ctx: RuntimeContext, who: Uint8Array, amount: bigint): bigint {
  const info = readAccount(ctx.storage, who);
  const free = checkedSub(info.free, amount);
  if (info.reserved === 0n && free < param(ctx.storage, "existentialDeposit")) {
    writeAccount(ctx.storage, who, { nonce: 0, free: 0n, reserved: 0n });
    systemStorage.account.remove(ctx.storage, who);
    if (free > 0n) {
      storage.totalIssuance.set(ctx.storage, checkedSub(totalIssuance(ctx.storage), free));
      emit(ctx, balances, "DustLost", { account: who, amount: u128ToBytes(free) });
    }
    emit(ctx, system, "KilledAccount", { account: who });
    return free;
  }
  writeAccount(ctx.storage, who, { ...info, free });
  return 0n;
}

/** Raises `who`'s free balance; fails if that would create an account below the existential deposit. */
function credit(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  const info = readAccount(ctx.storage, who);
  const exists = systemStorage.account.has(ctx.storage, who);
  if (!exists) {
    if (amount < param(ctx.storage, "existentialDeposit"))
      throw fail(balances, "ExistentialDeposit");
    emit(ctx, system, "NewAccount", { account: who });
    emit(ctx, balances, "Endowed", { account: who, amount: u128ToBytes(amount) });
  }
  writeAccount(ctx.storage, who, { ...info, free: checkedAdd(info.free, amount) });
}

export const ExistenceRequirement = { keepAlive: "keepAlive", allowDeath: "allowDeath" } as const;
export type ExistenceRequirement = (typeof ExistenceRequirement)[keyof typeof ExistenceRequirement];

export function transfer(
  ctx: RuntimeContext,
  from: Uint8Array,
  to: Uint8Array,
  amount: bigint,
  existence: ExistenceRequirement,
): void {
  const sender = readAccount(ctx.storage, from);
  if (sender.free < amount) throw fail(balances, "InsufficientBalance");
  const remaining = sender.free - amount;
  const ed = param(ctx.storage, "existentialDeposit");
  if (existence === "keepAlive" && sender.reserved === 0n && remaining < ed)
    throw fail(balances, "KeepAlive");
  if (bytesEqual(from, to) || amount === 0n) return;
  if (!systemStorage.account.has(ctx.storage, to) && amount < ed)
    throw fail(balances, "ExistentialDeposit");
  debit(ctx, from, amount);
  credit(ctx, to, amount);
  emit(ctx, balances, "Transfer", { from, to, amount: u128ToBytes(amount) });
}

/**
 * Takes `amount` from `who`'s free balance out of circulation's hands: the caller decides where it
 * goes (burn, treasury, author). The account is kept alive. Total issuance is unchanged here.
 */
export function withdraw(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  const info = readAccount(ctx.storage, who);
  const ed = param(ctx.storage, "existentialDeposit");
  if (info.free < amount || (info.reserved === 0n && info.free - amount < ed)) {
    throw fail(balances, "InsufficientBalance");
  }
  writeAccount(ctx.storage, who, { ...info, free: info.free - amount });
}

/**
 * Pays `amount` (already withdrawn elsewhere) to `who`; below the existential deposit it is burned.
 * Returns what `who` received (0 when burned), so that callers report where the funds went.
 */
export function depositOrBurn(ctx: RuntimeContext, who: Uint8Array, amount: bigint): bigint {
  if (amount === 0n) return 0n;
  if (
    !systemStorage.account.has(ctx.storage, who) &&
    amount < param(ctx.storage, "existentialDeposit")
  ) {
    burn(ctx, amount);
    return 0n;
  }
  credit(ctx, who, amount);
  return amount;
}

/**
 * Creates `amount` new tokens on `who` (emission). Below the existential deposit on an account
 * that does not exist, nothing is minted. Returns what was minted.
 */
export function mint(ctx: RuntimeContext, who: Uint8Array, amount: bigint): bigint {
  if (amount === 0n) return 0n;
  if (
    !systemStorage.account.has(ctx.storage, who) &&
    amount < param(ctx.storage, "existentialDeposit")
  )
    return 0n;
  issue(ctx, amount);
  credit(ctx, who, amount);
  return amount;
}

/** Adds newly created funds to the total issuance; the caller credits them somewhere. */
export function issue(ctx: RuntimeContext, amount: bigint): void {
  storage.totalIssuance.set(ctx.storage, checkedAdd(totalIssuance(ctx.storage), amount));
}

/** Removes withdrawn funds from the total issuance. */
export function burn(ctx: RuntimeContext, amount: bigint): void {
  storage.totalIssuance.set(ctx.storage, checkedSub(totalIssuance(ctx.storage), amount));
}

export function reserve(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  const info = readAccount(ctx.storage, who);
  if (info.free < amount) throw fail(balances, "InsufficientBalance");
  writeAccount(ctx.storage, who, {
    ...info,
    free: info.free - amount,
    reserved: checkedAdd(info.reserved, amount),
  });
  emit(ctx, balances, "Reserved", { account: who, amount: u128ToBytes(amount) });
}

export function unreserve(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  const info = readAccount(ctx.storage, who);
  if (info.reserved < amount) throw fail(balances, "InsufficientReserve");
  writeAccount(ctx.storage, who, {
    ...info,
    free: checkedAdd(info.free, amount),
    reserved: info.reserved - amount,
  });
  emit(ctx, balances, "Unreserved", { account: who, amount: u128ToBytes(amount) });
}

/**
 * Takes `amount` out of `who`'s reserved balance (a slash): the caller pays it on with
 * `depositOrBurn` or `burn`. Total issuance is unchanged here.
 */
export function slashReserved(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  const info = readAccount(ctx.storage, who);
  if (info.reserved < amount) throw fail(balances, "InsufficientReserve");
  writeAccount(ctx.storage, who, { ...info, reserved: info.reserved - amount });
  emit(ctx, balances, "Slashed", { account: who, amount: u128ToBytes(amount) });
}

interface TransferArgs {
  dest: Uint8Array;
  value: Uint8Array;
}

function destination(args: TransferArgs): Uint8Array {
  if (args.dest.length !== 32)
    throw fail(balances, "InvalidAccount", "dest must be a 32-byte account id");
  return args.dest;
}

const TRANSFER_WEIGHT = 120_000_000n;

export const balances: Pallet = {
  name: NAME,
  index: 2,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<TransferArgs>({
      index: 0,
      name: "transfer",
      args: T("TransferArgs"),
      origin: "signed",
      doc: "Moves free balance; the sender may be reaped if what remains is below the existential deposit",
      weight: () => TRANSFER_WEIGHT,
      handler(ctx, origin, args) {
        const from = ensureSigned(balances, origin);
        transfer(ctx, from, destination(args), u128FromBytes(args.value), "allowDeath");
      },
    }),
    defineCall<TransferArgs>({
      index: 1,
      name: "transferKeepAlive",
      args: T("TransferArgs"),
      origin: "signed",
      doc: "Moves free balance but fails rather than reap the sender",
      weight: () => TRANSFER_WEIGHT,
      handler(ctx, origin, args) {
        const from = ensureSigned(balances, origin);
        transfer(ctx, from, destination(args), u128FromBytes(args.value), "keepAlive");
      },
    }),
    defineCall<{ who: Uint8Array; free: Uint8Array }>({
      index: 2,
      name: "forceSetBalance",
      args: T("ForceSetBalanceArgs"),
      origin: "root",
      doc: "Sets an account's free balance, minting or burning the difference (governance)",
      weight: () => 100_000_000n,
      handler(ctx, origin, args) {
        ensureRoot(balances, origin);
        if (args.who.length !== 32) throw fail(balances, "InvalidAccount");
        const info = readAccount(ctx.storage, args.who);
        const target = u128FromBytes(args.free);
        const issuance = totalIssuance(ctx.storage);
        if (target >= info.free) {
          storage.totalIssuance.set(ctx.storage, checkedAdd(issuance, target - info.free));
        } else {
          storage.totalIssuance.set(ctx.storage, checkedSub(issuance, info.free - target));
        }
        if (info.reserved === 0n && target < param(ctx.storage, "existentialDeposit")) {
          storage.totalIssuance.set(ctx.storage, checkedSub(totalIssuance(ctx.storage), target));
          systemStorage.account.remove(ctx.storage, args.who);
          emit(ctx, system, "KilledAccount", { account: args.who });
          return;
        }
        writeAccount(ctx.storage, args.who, { ...info, free: target });
        emit(ctx, balances, "BalanceSet", { account: args.who, amount: args.free });
      },
    }),
  ],
  events: [
    { index: 0, name: "Transfer", data: T("TransferEvent"), doc: "Funds moved between accounts" },
    {
      index: 1,
      name: "Endowed",
      data: T("AccountAmount"),
      doc: "An account was created with a balance",
    },
    {
      index: 2,
      name: "DustLost",
      data: T("AccountAmount"),
      doc: "An account was reaped and its dust burned",
    },
    {
      index: 3,
      name: "Reserved",
      data: T("AccountAmount"),
      doc: "Funds moved from free to reserved",
    },
    {
      index: 4,
      name: "Unreserved",
      data: T("AccountAmount"),
      doc: "Funds moved from reserved to free",
    },
    {
      index: 5,
      name: "BalanceSet",
      data: T("AccountAmount"),
      doc: "Governance set a free balance",
    },
    {
      index: 6,
      name: "Slashed",
      data: T("AccountAmount"),
      doc: "Reserved funds were taken (a pallet pays them on or burns them)",
    },
  ],
  errors: {
    InsufficientBalance: "balance too low",
    InsufficientReserve: "reserved balance too low",
    ExistentialDeposit: "the amount would create an account below the existential deposit",
    KeepAlive: "the transfer would reap the sender (use transfer to allow that)",
    InvalidAccount: "not a valid account id",
    BadOrigin: "bad origin",
  },
  genesis(s, config) {
    let issuance = 0n;
    for (const [who, amount] of config.balances) {
      const info = readAccount(s, who);
      writeAccount(s, who, { ...info, free: checkedAdd(info.free, amount) });
      issuance = checkedAdd(issuance, amount);
    }
    storage.totalIssuance.set(s, issuance);
  },
  invariants(s) {
    let sum = 0n;
    for (const [, wire] of systemStorage.account.entries(s)) {
      sum += u128FromBytes(wire.free) + u128FromBytes(wire.reserved);
    }
    const issuance = totalIssuance(s);
    if (sum !== issuance) {
      throw new InvariantError(
        "TOTAL_ISSUANCE",
        `total issuance ${issuance} != sum of balances ${sum}`,
      );
    }
  },
};
