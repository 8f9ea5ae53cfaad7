// emission_* answers: the emission pallet's health records and the schedule's projection, read
// from a block's state and turned into JSON (amounts as decimal strings).
import type { Hex, NodeApi, RpcHealthRecord } from "../rpc/node-api.ts";
import { currentEpoch } from "../runtime/pallets/authorities.ts";
import { totalIssuance } from "../runtime/pallets/balances.ts";
import {
  closingEpoch,
  emissionParams,
  type HealthRecord,
  healthRecord,
  latestHealthEpoch,
  nextUnscheduledEpoch,
  projectSchedule,
  scheduledSupply,
} from "../runtime/pallets/emission/index.ts";
import type { StorageScan } from "../runtime/storage.ts";

/** The most records one emission_health call returns. */
export const MAX_HEALTH_RANGE = 1_000;

export function healthJson(r: HealthRecord): RpcHealthRecord {
  return {
    epoch: r.epoch,
    closedAt: r.closedAt,
    scheduled: r.scheduled.toString(),
    validators: r.validators.toString(),
    contributors: r.contributors.toString(),
    treasury: r.treasury.toString(),
    emitted: (r.validators + r.contributors + r.treasury).toString(),
    contributorCap: r.contributorCap.toString(),
    volume: r.volume.toString(),
    selfDealing: r.selfDealing.toString(),
    suspectedWash: r.suspectedWash.toString(),
    eligibleFees: r.eligibleFees.toString(),
    protocolFees: r.protocolFees.toString(),
    emissionPerVolumePpm: r.emissionPerVolumePpm?.toString() ?? null,
    payers: r.payers,
    activeContributors: r.activeContributors,
    passiveContributors: r.passiveContributors,
    accepted: r.accepted,
    rejected: r.rejected,
    cohort: r.cohort,
    retained: r.retained,
    retentionPpm: r.retentionPpm,
    earners: r.earners,
    giniPpm: r.giniPpm,
    totalIssuance: r.totalIssuance.toString(),
  };
}

export function emissionApi(stateAt: (at: Hex | undefined) => StorageScan): NodeApi["emission"] {
  return {
    health: (from, to, at) => {
      const s = stateAt(at);
      const latest = latestHealthEpoch(s) ?? null;
      const items: RpcHealthRecord[] = [];
      if (latest !== null) {
        const last = Math.min(to ?? latest, latest, from + MAX_HEALTH_RANGE - 1);
        for (let epoch = from; epoch <= last; epoch++) {
          const record = healthRecord(s, epoch);
          if (record) items.push(healthJson(record));
        }
      }
      return { items, latest };
    },
    schedule: (count, at) => {
      const s = stateAt(at);
      const p = emissionParams(s);
      const scheduled = scheduledSupply(s);
      return {
        maxSupply: p.maxSupply.toString(),
        scheduledSupply: scheduled.toString(),
        totalIssuance: totalIssuance(s).toString(),
        currentEpoch: currentEpoch(s),
        closing: closingEpoch(s),
        epochs: projectSchedule(p, nextUnscheduledEpoch(s), scheduled, count).map((e) => ({
          epoch: e.epoch,
          scheduled: e.scheduled.toString(),
          validators: e.validators.toString(),
          contributorsMax: e.contributorsMax.toString(),
          treasury: e.treasury.toString(),
          scheduledSupply: e.scheduledSupply.toString(),
        })),
      };
    },
  };
}
