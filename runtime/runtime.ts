// The runtime: its pallets in index order, its version, and call lookup.
import type { CallData, CallDef, Pallet } from "./pallet.ts";
import { attestation } from "./pallets/attestation/index.ts";
import { attribution } from "./pallets/attribution/index.ts";
import { authoritiesPallet } from "./pallets/authorities.ts";
import { balances } from "./pallets/balances.ts";
import { council } from "./pallets/council.ts";
import { emission } from "./pallets/emission/index.ts";
import { params } from "./pallets/params.ts";
import { registry } from "./pallets/registry/index.ts";
import { sudo } from "./pallets/sudo.ts";
import { system } from "./pallets/system.ts";
import { timestamp } from "./pallets/timestamp.ts";
import { transactionPayment } from "./pallets/transaction-payment.ts";

export interface RuntimeVersion {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  transactionVersion: number;
  stateVersion: number;
}

/** Bump specVersion on any change of behaviour; transactionVersion when call encodings change. */
export const RUNTIME_VERSION: RuntimeVersion = {
  specName: "lineage",
  implName: "lineage-node",
  authoringVersion: 1,
  // 2: measured attribution (the attestation pallet, measured models, emission into windows).
  specVersion: 2,
  implVersion: 1,
  transactionVersion: 2,
  stateVersion: 1,
};

/**
 * Order matters: hooks run in this order, genesis is written in this order. The council comes
 * first among the hooks: a change it enacts at block n holds for every other pallet's hooks of
 * block n (the epoch boundary, emission's close), not only for the block's extrinsics.
 * Attestation comes after emission: a measured window is opened in the block whose close minted
 * the last of its emission, so its pot is final when it opens.
 */
export const PALLETS: readonly Pallet[] = [
  system,
  council,
  timestamp,
  balances,
  transactionPayment,
  authoritiesPallet,
  sudo,
  params,
  registry,
  attribution,
  emission,
  attestation,
];

export interface ResolvedCall {
  pallet: Pallet;
  // biome-ignore lint/suspicious/noExplicitAny: argument types vary per call.
  def: CallDef<any>;
}

const byIndex = new Map<number, Map<number, ResolvedCall>>();
for (const pallet of PALLETS) {
  const calls = new Map<number, ResolvedCall>();
  for (const def of pallet.calls) calls.set(def.index, { pallet, def });
  byIndex.set(pallet.index, calls);
}

export function resolveCall(call: CallData): ResolvedCall | undefined {
  return byIndex.get(call.pallet)?.get(call.call);
}

export function palletByName(name: string): Pallet | undefined {
  return PALLETS.find((p) => p.name === name);
}

/** Finds a call by `Pallet.call` name, e.g. "Balances.transfer". */
export function callByName(name: string): ResolvedCall | undefined {
  const [palletName, callName] = name.split(".");
  const pallet = PALLETS.find((p) => p.name === palletName);
  const def = pallet?.calls.find((c) => c.name === callName);
  return pallet && def ? { pallet, def } : undefined;
}
