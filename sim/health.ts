// The on-chain health record of an epoch, as the emission pallet writes it, and the emission that
// reached given datanets' pools. The simulator reads these from state after the run.
import { getDatanet } from "../runtime/pallets/registry/index.ts";
import { palletByName } from "../runtime/runtime.ts";
import type { StorageScan } from "../runtime/storage.ts";

/** The emission pallet's HealthRecord (runtime/pallets/emission). */
export interface HealthFigures {
  epoch: number;
  closedAt: number;
  scheduled: bigint;
  validators: bigint;
  contributors: bigint;
  treasury: bigint;
  contributorCap: bigint;
  volume: bigint;
  selfDealing: bigint;
  emissionPerVolumePpm: bigint | null;
  payers: number;
  activeContributors: number;
  passiveContributors: number;
  accepted: number;
  rejected: number;
  cohort: number;
  retained: number;
  retentionPpm: number | null;
  earners: number;
  giniPpm: number;
  totalIssuance: bigint;
}

export interface EpochHealth {
  health: HealthFigures;
  /** Emission paid in the epoch into the pools of every version of `datanets`. */
  washTraderEmission: bigint;
}

/** Whether the runtime has an emission pallet (records will appear). */
export function emissionPresent(_s: StorageScan): boolean {
  return palletByName("Emission") !== undefined;
}

/** The health record of `epoch` and the emission `datanets`' pools got in it, once recorded. */
export function readHealth(s: StorageScan, _epoch: number, datanets: number[]): EpochHealth | null {
  // Until the emission pallet is in the runtime there is no record to read.
  for (const id of datanets) getDatanet(s, id);
  return null;
}
