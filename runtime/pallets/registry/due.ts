// Windows that end by themselves. Submitting, reviewing, challenging and appealing put an entry
// in the due queue, and onInitialize processes at most `registryMaxDuePerBlock` of them per
// block, oldest first (a backlog carries over to the next block):
// - review expiry: a contribution still pending when its datanet's review window ends is
//   withdrawn for the contributor, bond and review fee returned in full;
// - bond release: an accepted contribution's acceptance stands when its challenge window ends
//   (bond returned, fee to the curator), unless a challenge is open, in which case the
//   challenge's resolution or expiry decides;
// - rejection stands: a rejected contribution's rejection stands when its appeal window ends
//   (slash to the treasury, the rest returned, fee to the curator), unless an appeal is open;
// - challenge expiry: a challenge or appeal unresolved `registryChallengeExpiry` blocks after
//   it opened is dismissed without slashing, its bond returned (an appealed rejection stands).
import type { RuntimeContext } from "../../pallet.ts";
import { param } from "../params.ts";
import { resolveAppeal, standRejection } from "./appeals.ts";
import { emitEvent } from "./events.ts";
import { amountBytes, releaseBond, resolveChallenge, withdrawPending } from "./lifecycle.ts";
import { DueKind, dueUpTo, keys, storage } from "./storage.ts";
import { ContributionStatus } from "./types.ts";

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
    } else if (item.kind === DueKind.rejectionStands) {
      if (contribution.status !== ContributionStatus.rejected || !contribution.decisionOpen)
        continue;
      if (storage.challenges.has(s, id)) continue; // the appeal decides
      standRejection(ctx, id);
    } else {
      const dispute = storage.challenges.get(s, id);
      if (dispute?.expiresAt !== item.block) continue;
      if (dispute.appeal) resolveAppeal(ctx, id, { kind: "expired" });
      else resolveChallenge(ctx, id, "expired");
    }
  }
}
