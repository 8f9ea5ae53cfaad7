// What happens to contributions and challenges beyond a single call: pending counters,
// reputation, withdrawal, bond release, challenge resolution, and the due queue the block hook
// works through.
//
// Windows end by themselves: submitting, accepting and challenging put an entry in the due
// queue, and onInitialize processes at most `registryMaxDuePerBlock` of them per block, oldest
// first (a backlog carries over to the next block):
// - review expiry: a contribution still pending when its datanet's review window ends is
//   withdrawn for the contributor, bond returned in full;
// - bond release: an accepted contribution's bond is returned when its challenge window ends,
//   unless a challenge is open, in which case the challenge's resolution or expiry releases it;
// - challenge expiry: a challenge unresolved `registryChallengeExpiry` blocks after it opened is
//   dismissed without slashing, the challenger's bond returned.
import { u128ToBytes } from "../../../primitives/amount.ts";
import type { RuntimeContext } from "../../pallet.ts";
import type { RuntimeStorage } from "../../storage.ts";
import { depositOrBurn } from "../balances.ts";
import { param } from "../params.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { contributionOf, datanetOf, ensureStatus, isCurator } from "./checks.ts";
import { nextReputation, type ReputationEvent, share } from "./economics.ts";
import { registryError } from "./errors.ts";
import { emitEvent } from "./events.ts";
import { release, slash } from "./ledger.ts";
import { DueKind, dueUpTo, getReputation, keys, pendingCount, storage } from "./storage.ts";
import { type Contribution, ContributionStatus, type Datanet } from "./types.ts";

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

/** A pending contribution `who` may review (a curator of its datanet), with its datanet. */
export function pendingForCurator(
  s: RuntimeStorage,
  id: number,
  who: Uint8Array,
): { contribution: Contribution; datanet: Datanet } {
  const contribution = contributionOf(s, id);
  ensureStatus(contribution, ContributionStatus.pending, "only a pending contribution");
  const datanet = datanetOf(s, contribution.datanetId);
  if (!isCurator(datanet, who)) throw registryError("NotCurator");
  return { contribution, datanet };
}

/** A contribution leaves the pending queue: its review expiry is dropped and the counts fall. */
export function leavePending(s: RuntimeStorage, id: number, contribution: Contribution): void {
  storage.due.remove(s, keys.due(contribution.releaseAt, DueKind.reviewExpiry, id));
  changePending(s, contribution.datanetId, contribution.contributor, -1);
}

/** A pending contribution leaves the queue without review: bond returned, content resubmittable. */
export function withdrawPending(ctx: RuntimeContext, id: number, contribution: Contribution): void {
  release(ctx, contribution.contributor, contribution.bond);
  leavePending(ctx.storage, id, contribution);
  storage.contentIndex.remove(
    ctx.storage,
    keys.content(contribution.datanetId, contribution.contentHash),
  );
  storage.contributions.set(ctx.storage, id, {
    ...contribution,
    status: ContributionStatus.withdrawn,
    bond: 0n,
    releaseAt: 0,
  });
}

/** Returns an accepted contribution's bond once its challenge window is over. */
export function releaseBond(ctx: RuntimeContext, id: number): void {
  const contribution = storage.contributions.get(ctx.storage, id);
  if (!contribution || contribution.status !== ContributionStatus.accepted) return;
  if (contribution.bond === 0n || ctx.blockNumber < contribution.releaseAt) return;
  if (storage.challenges.has(ctx.storage, id)) return;
  release(ctx, contribution.contributor, contribution.bond);
  storage.contributions.set(ctx.storage, id, { ...contribution, bond: 0n });
  emitEvent(ctx, "BondReleased", {
    contributionId: id,
    datanetId: contribution.datanetId,
    account: contribution.contributor,
    amount: amountBytes(contribution.bond),
  });
}

/** Closes the open challenge of `id`: upheld slashes the contributor, dismissed the challenger. */
export function resolveChallenge(
  ctx: RuntimeContext,
  id: number,
  outcome: "upheld" | "dismissed" | "expired",
): void {
  const s = ctx.storage;
  const challenge = storage.challenges.get(s, id);
  if (!challenge) throw registryError("NoChallenge", `#${id}`);
  const contribution = contributionOf(s, id);
  const datanet = datanetOf(s, contribution.datanetId);
  storage.challenges.remove(s, id);
  storage.due.remove(s, keys.due(challenge.expiresAt, DueKind.challengeExpiry, id));
  storage.datanets.set(s, contribution.datanetId, {
    ...datanet,
    openChallenges: datanet.openChallenges - 1,
  });
  if (outcome === "upheld") {
    const slashed = share(contribution.bond, param(s, "registryChallengeSlashPpm"));
    const reward = share(slashed, param(s, "registryChallengeRewardPpm"));
    const returned = contribution.bond - slashed;
    slash(ctx, contribution.contributor, slashed);
    release(ctx, contribution.contributor, returned);
    release(ctx, challenge.challenger, challenge.bond);
    const toChallenger = depositOrBurn(ctx, challenge.challenger, reward);
    const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, slashed - reward);
    storage.contributions.set(s, id, {
      ...contribution,
      status: ContributionStatus.slashed,
      bond: 0n,
    });
    changeReputation(ctx, contribution.contributor, { kind: "slashed" });
    emitEvent(ctx, "ChallengeUpheld", {
      contributionId: id,
      challenger: challenge.challenger,
      upheld: true,
      slashed: amountBytes(slashed),
      toChallenger: amountBytes(toChallenger),
      toTreasury: amountBytes(toTreasury),
      returned: amountBytes(returned),
    });
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
  // The window may have ended while the challenge was open: the bond is released now.
  releaseBond(ctx, id);
}

/** The block hook: works through what fell due, at most `registryMaxDuePerBlock` items. */
export function processDue(ctx: RuntimeContext): void {
  const s = ctx.storage;
  const limit = Number(param(s, "registryMaxDuePerBlock"));
  for (const item of dueUpTo(s, ctx.blockNumber, limit)) {
    storage.due.remove(s, keys.due(item.block, item.kind, item.contributionId));
    const id = item.contributionId;
    const contribution = storage.contributions.get(s, id);
    if (!contribution) continue;
    if (item.kind === DueKind.reviewExpiry) {
      if (contribution.status !== ContributionStatus.pending) continue;
      withdrawPending(ctx, id, contribution);
      emitEvent(ctx, "ContributionExpired", {
        contributionId: id,
        datanetId: contribution.datanetId,
        account: contribution.contributor,
        amount: amountBytes(contribution.bond),
      });
    } else if (item.kind === DueKind.bondRelease) {
      releaseBond(ctx, id);
    } else {
      const challenge = storage.challenges.get(s, id);
      if (challenge?.expiresAt === item.block) resolveChallenge(ctx, id, "expired");
    }
  }
}
