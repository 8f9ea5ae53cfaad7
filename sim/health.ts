// An epoch's health figures are the emission pallet's record (read with healthRecord); this adds
// the emission that reached given datanets' pools. The simulator reads both once the run is over.
import { type HealthRecord, poolEmission } from "../runtime/pallets/emission/index.ts";
import { getDatanet } from "../runtime/pallets/registry/index.ts";
import type { StorageRead } from "../runtime/storage.ts";

export type HealthFigures = HealthRecord;

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
