// The registry's integer economics: reputation updates, the bond and pending limit reputation
// scales, and slash splits. Plain functions of the parameters, so the model in the tests and the
// wallet's "what will this cost" can use them too.
import { mulDivFloor } from "../../../primitives/amount.ts";
import type { StorageRead } from "../../storage.ts";
import { param } from "../params.ts";
import type { Reputation } from "./types.ts";

const PPM = 1_000_000n;

export type ReputationEvent =
  | { kind: "accepted"; quality: number }
  | { kind: "rejected" }
  /** A rejection was overturned on appeal: its penalty is given back (within the bound). */
  | { kind: "rejectionOverturned" }
  | { kind: "slashed" };

/** The reputation after one event, its score clamped to ±registryReputationBound. */
export function nextReputation(
  s: StorageRead,
  rep: Reputation,
  event: ReputationEvent,
): Reputation {
  const bound = param(s, "registryReputationBound");
  let score = BigInt(rep.score);
  const next = { ...rep };
  if (event.kind === "accepted") {
    score += BigInt(event.quality) * param(s, "registryReputationPerQuality");
    next.accepted++;
    next.qualitySum += event.quality;
  } else if (event.kind === "rejected") {
    score -= param(s, "registryRejectPenalty");
    next.rejected++;
  } else if (event.kind === "rejectionOverturned") {
    score += param(s, "registryRejectPenalty");
    if (next.rejected > 0) next.rejected--;
  } else {
    score -= param(s, "registrySlashPenalty");
    next.slashed++;
  }
  if (score > bound) score = bound;
  if (score < -bound) score = -bound;
  next.score = Number(score);
  return next;
}

/**
 * Linear in the score: 10^6 at 0, `atMax` ppm at +bound and `atMin` ppm at −bound. Scores are
 * clamped to the current bound (a lowered bound applies at once).
 */
function factorPpm(score: number, bound: bigint, atMin: bigint, atMax: bigint): bigint {
  let r = BigInt(score);
  if (r > bound) r = bound;
  if (r < -bound) r = -bound;
  if (r >= 0n) {
    return atMax >= PPM ? PPM + ((atMax - PPM) * r) / bound : PPM - ((PPM - atMax) * r) / bound;
  }
  return atMin >= PPM ? PPM + ((atMin - PPM) * -r) / bound : PPM - ((PPM - atMin) * -r) / bound;
}

/** The bond a contributor with `score` posts in a datanet whose policy asks `minBond`. */
export function requiredBond(s: StorageRead, minBond: bigint, score: number): bigint {
  const factor = factorPpm(
    score,
    param(s, "registryReputationBound"),
    param(s, "registryBondFactorMaxPpm"),
    param(s, "registryBondFactorMinPpm"),
  );
  const bond = mulDivFloor(minBond, factor, PPM);
  return bond === 0n ? 1n : bond;
}

/** The base pending limit of a policy (0 means the parameter's default), clamped to the maximum. */
export function basePendingLimit(s: StorageRead, policyLimit: number): bigint {
  const base = policyLimit === 0 ? param(s, "registryDefaultPendingLimit") : BigInt(policyLimit);
  const max = param(s, "registryMaxPendingLimit");
  return base > max ? max : base;
}

/** How many contributions an account with `score` may have pending in a datanet; at least 1. */
export function pendingLimit(s: StorageRead, policyLimit: number, score: number): number {
  const factor = factorPpm(
    score,
    param(s, "registryReputationBound"),
    param(s, "registryPendingFactorMinPpm"),
    param(s, "registryPendingFactorMaxPpm"),
  );
  const limit = mulDivFloor(basePendingLimit(s, policyLimit), factor, PPM);
  return Number(limit === 0n ? 1n : limit);
}

/** `amount · ppm / 10^6`, rounded down. */
export function share(amount: bigint, ppm: bigint): bigint {
  return mulDivFloor(amount, ppm, PPM);
}
