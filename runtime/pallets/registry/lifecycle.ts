// What happens to contributions, challenges and appeals beyond a single call: pending
// counters, reputation, withdrawal, acceptance, bond release and challenge resolution. Appeals
// are in appeals.ts, the due queue the block hook works through in due.ts, curators' stakes,
// records and fees in curation.ts.
import { u128ToBytes } from "../../../primitives/amount.ts";
import type { RuntimeContext } from "../../pallet.ts";
import type { RuntimeStorage } from "../../storage.ts";
import { depositOrBurn } from "../balances.ts";
import { param } from "../params.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { noteAccepted } from "./activity.ts";
import { contributionOf, datanetOf, ensureStatus, isCurator } from "./checks.ts";
import {
  decisionOverturned,
  decisionStands,
  ensureStanding,
  noteDecision,
  payReviewFee,
} from "./curation.ts";
import { nextReputation, type ReputationEvent, share } from "./economics.ts";
import { registryError } from "./errors.ts";
import { emitEvent } from "./events.ts";
import { release, slash } from "./ledger.ts";
import { DueKind, getReputation, keys, MARKER_VALUE, pendingCount, storage } from "./storage.ts";
import { type Challenge, type Contribution, ContributionStatus, type Datanet } from "./types.ts";

export function amountBytes(amount: bigint): Uint8Array {
  return u128ToBytes(amount);
}

export function changeReputation(
  ctx: RuntimeContext,
  who: Uint8Array,
  event: ReputationEvent,
): void {
  const next = nextReputation(ctx.storage, getReputation(ctx.storage, who), event);
  storage.reputation.set(ctx.storage, who, next);
  emitEvent(ctx, "ReputationChanged", { account: who, score: next.score });
}

export function changePending(
  s: RuntimeStorage,
  datanetId: number,
  who: Uint8Array,
  delta: 1 | -1,
): void {
  const key = keys.pending(datanetId, who);
  const count = pendingCount(s, datanetId, who) + delta;
  if (count === 0) storage.pendingCount.remove(s, key);
  else storage.pendingCount.set(s, key, count);
  const datanet = datanetOf(s, datanetId);
  storage.datanets.set(s, datanetId, { ...datanet, pendingCount: datanet.pendingCount + delta });
}

/** A pending contribution `who` may review (a curator of its datanet in standing), with its datanet. */
export function pendingForCurator(
  s: RuntimeStorage,
  id: number,
  who: Uint8Array,
): { contribution: Contribution; datanet: Datanet } {
  const contribution = contributionOf(s, id);
  ensureStatus(contribution, ContributionStatus.pending, "only a pending contribution");
  const datanet = datanetOf(s, contribution.datanetId);
  if (!isCurator(datanet, who)) throw registryError("NotCurator");
  ensureStanding(s, contribution.datanetId, datanet, who);
  return { contribution, datanet };
}

/** A contribution leaves the pending queue: its review expiry is dropped and the counts fall. */
export function leavePending(s: RuntimeStorage, id: number, contribution: Contribution): void {
  storage.due.remove(s, keys.due(contribution.releaseAt, DueKind.reviewExpiry, id));
  changePending(s, contribution.datanetId, contribution.contributor, -1);
}

/** A pending contribution leaves the queue without review: bond and fee returned, content resubmittable. */
export function withdrawPending(ctx: RuntimeContext, id: number, contribution: Contribution): void {
  release(ctx, contribution.contributor, contribution.bond);
  payReviewFee(ctx, id, contribution, contribution.contributor);
  leavePending(ctx.storage, id, contribution);
  storage.contentIndex.remove(
    ctx.storage,
    keys.content(contribution.datanetId, contribution.contentHash),
  );
  storage.contributions.set(ctx.storage, id, {
    ...contribution,
    status: ContributionStatus.withdrawn,
    bond: 0n,
    reviewFee: 0n,
    releaseAt: 0,
  });
}

/**
 * `reviewer` accepts `contribution` (no longer pending) with `quality`: its weight in versions. The
 * bond stays reserved until the challenge window ends; the decision is open until then.
 */
export function recordAcceptance(
  ctx: RuntimeContext,
  id: number,
  contribution: Contribution,
  quality: number,
  reviewer: Uint8Array,
): void {
  const s = ctx.storage;
  const datanet = datanetOf(s, contribution.datanetId);
  const releaseAt = ctx.blockNumber + datanet.policy.challengeWindow;
  storage.due.set(s, keys.due(releaseAt, DueKind.bondRelease, id), MARKER_VALUE);
  storage.contributions.set(s, id, {
    ...contribution,
    status: ContributionStatus.accepted,
    quality,
    weight: quality,
    reviewedAt: ctx.blockNumber,
    releaseAt,
    reviewer,
    decisionOpen: true,
  });
  noteDecision(s, contribution.datanetId, reviewer);
  noteAccepted(ctx, contribution.contributor, quality);
  countAccepted(s, contribution.datanetId, contribution.contributor, +1);
  emitEvent(ctx, "ContributionAccepted", { contributionId: id, curator: reviewer, quality });
  changeReputation(ctx, contribution.contributor, { kind: "accepted", quality });
}

/** Keeps `AcceptedIn` (the contributor's accepted contributions in the datanet) in step. */
function countAccepted(s: RuntimeStorage, datanetId: number, who: Uint8Array, by: 1 | -1): void {
  const key = keys.acceptedIn(datanetId, who);
  const n = (storage.acceptedIn.get(s, key) ?? 0) + by;
  if (n > 0) storage.acceptedIn.set(s, key, n);
  else storage.acceptedIn.remove(s, key);
}

/** An acceptance stands once its challenge window is over: bond returned, fee to the curator. */
export function releaseBond(ctx: RuntimeContext, id: number): void {
  const contribution = storage.contributions.get(ctx.storage, id);
  if (!contribution || contribution.status !== ContributionStatus.accepted) return;
  if (!contribution.decisionOpen || ctx.blockNumber < contribution.releaseAt) return;
  if (storage.challenges.has(ctx.storage, id)) return;
  release(ctx, contribution.contributor, contribution.bond);
  emitEvent(ctx, "BondReleased", {
    contributionId: id,
    datanetId: contribution.datanetId,
    account: contribution.contributor,
    amount: amountBytes(contribution.bond),
  });
  const stood = decisionStands(ctx, id, contribution);
  storage.contributions.set(ctx.storage, id, { ...stood, bond: 0n });
}

/** Removes the open challenge or appeal of `id` from the records and its expiry from the queue. */
export function closeDispute(s: RuntimeStorage, id: number, dispute: Challenge): Contribution {
  const contribution = contributionOf(s, id);
  const datanet = datanetOf(s, contribution.datanetId);
  storage.challenges.remove(s, id);
  storage.due.remove(s, keys.due(dispute.expiresAt, DueKind.challengeExpiry, id));
  storage.datanets.set(s, contribution.datanetId, {
    ...datanet,
    openChallenges: datanet.openChallenges - 1,
  });
  return contribution;
}

/**
 * Closes the open challenge of `id`. Upheld: the acceptance is overturned — the contributor is
 * slashed, the accepting curator too, and the challenger gets its bond back, the review fee and
 * its shares. Dismissed: the challenger is slashed. Expired: nobody is.
 */
export function resolveChallenge(
  ctx: RuntimeContext,
  id: number,
  outcome: "upheld" | "dismissed" | "expired",
): void {
  const s = ctx.storage;
  const challenge = storage.challenges.get(s, id);
  if (!challenge || challenge.appeal) throw registryError("NoChallenge", `#${id}`);
  const contribution = closeDispute(s, id, challenge);
  if (outcome === "upheld") {
    const slashed = share(contribution.bond, param(s, "registryChallengeSlashPpm"));
    const reward = share(slashed, param(s, "registryChallengeRewardPpm"));
    const returned = contribution.bond - slashed;
    slash(ctx, contribution.contributor, slashed);
    release(ctx, contribution.contributor, returned);
    release(ctx, challenge.challenger, challenge.bond);
    const toChallenger = depositOrBurn(ctx, challenge.challenger, reward);
    const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, slashed - reward);
    emitEvent(ctx, "ChallengeUpheld", {
      contributionId: id,
      challenger: challenge.challenger,
      upheld: true,
      slashed: amountBytes(slashed),
      toChallenger: amountBytes(toChallenger),
      toTreasury: amountBytes(toTreasury),
      returned: amountBytes(returned),
    });
    const overturned = decisionOverturned(ctx, id, contribution, challenge.challenger);
    storage.contributions.set(s, id, {
      ...overturned,
      status: ContributionStatus.slashed,
      bond: 0n,
    });
    countAccepted(s, contribution.datanetId, contribution.contributor, -1);
    changeReputation(ctx, contribution.contributor, { kind: "slashed" });
    return;
  }
  const slashed =
    outcome === "dismissed" ? share(challenge.bond, param(s, "registryDismissSlashPpm")) : 0n;
  slash(ctx, challenge.challenger, slashed);
  release(ctx, challenge.challenger, challenge.bond - slashed);
  const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, slashed);
  emitEvent(ctx, outcome === "dismissed" ? "ChallengeDismissed" : "ChallengeExpired", {
    contributionId: id,
    challenger: challenge.challenger,
    upheld: false,
    slashed: amountBytes(slashed),
    toChallenger: new Uint8Array(),
    toTreasury: amountBytes(toTreasury),
    returned: amountBytes(challenge.bond - slashed),
  });
  // The window may have ended while the challenge was open: the acceptance stands now.
  releaseBond(ctx, id);
}
