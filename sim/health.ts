// The on-chain health record of an epoch, as the emission pallet writes it, and the emission that
// reached given datanets' pools. The simulator reads these from state once the run is over.
import {
  type HealthRecord,
  healthRecord,
  poolEmission,
} from "../runtime/pallets/emission/index.ts";
import { getDatanet } from "../runtime/pallets/registry/index.ts";
import type { StorageRead } from "../runtime/storage.ts";

export type HealthFigures = HealthRecord;

/** The health record of `epoch`, once the emission pallet has completed it. */
export function readHealth(s: StorageRead, epoch: number): HealthFigures | null {
  return healthRecord(s, epoch) ?? null;
}

/** Emission paid for `epoch` into the pools of every version of `datanets`. */
export function datanetEmission(s: StorageRead, epoch: number, datanets: number[]): bigint {
  let total = 0n;
  for (const id of datanets) {
    const versions = getDatanet(s, id)?.versionCount ?? 0;
    for (let version = 1; version <= versions; version++)
      total += poolEmission(s, epoch, id, version);
  }
  return total;
}
