// The pallet framework. A pallet is a plain declaration: storage items, calls with stable indices,
// events, errors, hooks, genesis and invariants. The executive dispatches to it and the metadata
// is generated from it.
import { bytesEqual } from "../primitives/bytes.ts";
import { encodeMessage, type MessageType } from "../primitives/codec.ts";
import { DispatchError } from "./errors.ts";
import type { RuntimeStorage, StorageItemInfo } from "./storage.ts";

export const Origin = {
  /** A signed transaction: the caller is an account. */
  signed: "signed",
  /** Governance (sudo on dev chains). */
  root: "root",
  /** An inherent put in by the block author, unsigned. */
  none: "none",
} as const;
export type OriginKind = (typeof Origin)[keyof typeof Origin];

export type CallerOrigin =
  | { kind: "signed"; account: Uint8Array }
  | { kind: "root" }
  | { kind: "none" };

export interface CallData {
  pallet: number;
  call: number;
  args: Uint8Array;
}

export const DispatchClass = {
  normal: "normal",
  operational: "operational",
  mandatory: "mandatory",
} as const;
export type DispatchClass = (typeof DispatchClass)[keyof typeof DispatchClass];

/** What every hook and call sees of the block being built or executed. */
export interface RuntimeContext {
  readonly storage: RuntimeStorage;
  readonly blockNumber: number;
  /** Index of the extrinsic being applied, or null in initialize/finalize hooks. */
  readonly extrinsicIndex: number | null;
  /** The block author's account, known from the slot digest; null at genesis. */
  readonly author: Uint8Array | null;
  deposit(pallet: number, event: number, data: Uint8Array): void;
  /** Runs `body` in a nested storage transaction; a throw rolls back its writes and events. */
  transactional<R>(body: () => R): R;
  /** Dispatches another call with the given origin (sudo uses this). */
  dispatch(call: CallData, origin: CallerOrigin): void;
}

export interface CallDef<A = never> {
  index: number;
  name: string;
  args: MessageType;
  origin: OriginKind;
  dispatchClass?: DispatchClass;
  doc: string;
  /** Weight in picoseconds of reference time; `weigh` prices a nested call (sudo). */
  weight(args: A, weigh: (call: CallData) => bigint): bigint;
  handler(ctx: RuntimeContext, origin: CallerOrigin, args: A): void;
}

export interface EventDef {
  index: number;
  name: string;
  data: MessageType;
  doc: string;
}

export interface Pallet {
  name: string;
  index: number;
  storage: StorageItemInfo[];
  // biome-ignore lint/suspicious/noExplicitAny: calls differ in argument type; each is checked at its definition.
  calls: CallDef<any>[];
  events: readonly EventDef[];
  /** Error name → human message. */
  errors: Record<string, string>;
  onInitialize?(ctx: RuntimeContext): void;
  onFinalize?(ctx: RuntimeContext): void;
  /** Writes the pallet's genesis state from its part of the chain spec's config. */
  genesis?(storage: RuntimeStorage, config: GenesisConfig): void;
  /** Checks that must hold after every block (try-state); throws InvariantError. */
  invariants?(storage: RuntimeStorage): void;
}

/** Typed genesis configuration assembled from the chain spec. */
export interface GenesisConfig {
  balances: [Uint8Array, bigint][];
  authorities: Uint8Array[];
  sudoKey: Uint8Array | null;
  /** The council's members and approval threshold; null: no council. */
  council: { members: Uint8Array[]; threshold: number } | null;
  slotDuration: number;
  params: Record<string, bigint>;
  /** Attribution methods registered at genesis (later ones by governance). */
  attributionMethods: { name: string; version: number; params: Uint8Array; specHash: Uint8Array }[];
}

export function defineCall<A>(call: CallDef<A>): CallDef<A> {
  return call;
}

/** Emits an event of a pallet. */
export function emit(ctx: RuntimeContext, pallet: Pallet, name: string, data: object): void {
  const event = pallet.events.find((e) => e.name === name);
  if (!event) throw new Error(`${pallet.name} has no event ${name}`);
  ctx.deposit(pallet.index, event.index, encodeMessage(event.data, data));
}

/** Builds the typed error of a pallet; the name must be one of the pallet's declared errors. */
export function fail(pallet: Pallet, name: string, detail?: string): DispatchError {
  const message = pallet.errors[name];
  if (message === undefined) throw new Error(`${pallet.name} has no error ${name}`);
  return new DispatchError(pallet.name, name, detail ? `${message}: ${detail}` : message);
}

export function ensureSigned(pallet: Pallet, origin: CallerOrigin): Uint8Array {
  if (origin.kind !== "signed")
    throw new DispatchError(pallet.name, "BadOrigin", "a signed origin is required");
  return origin.account;
}

export function ensureRoot(pallet: Pallet, origin: CallerOrigin): void {
  if (origin.kind !== "root")
    throw new DispatchError(pallet.name, "BadOrigin", "the root origin is required");
}

/**
 * Why a set of 32-byte ids (authorities, council members) is unacceptable, or null: checked in
 * this order, not empty, at most `max`, every id 32 bytes, no duplicates; `wording` is each message.
 */
export function checkIdSet(
  ids: Uint8Array[],
  max: bigint,
  wording: { empty: string; tooMany: string; length: string; duplicate: string },
): string | null {
  if (ids.length === 0) return wording.empty;
  if (BigInt(ids.length) > max) return wording.tooMany;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i]!.length !== 32) return wording.length;
    for (let j = 0; j < i; j++) if (bytesEqual(ids[i]!, ids[j]!)) return wording.duplicate;
  }
  return null;
}
