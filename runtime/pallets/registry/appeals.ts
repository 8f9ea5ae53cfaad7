// Rejections and their appeals. A rejection takes nothing at once: the contributor's whole bond
// and the review fee stay reserved through the appeal window (the policy's challenge window).
// When the rejection stands — the window ends with no appeal open, or its appeal is dismissed
// or expires — `registryRejectSlashPpm` of the bond goes to the treasury, the rest back to the
// contributor, and the fee to the curator. The contributor may appeal once inside the window,
// reserving `registryChallengeBond`; the owner (root for the owner's own rejections) judges it.
// Overturned, the contribution is accepted with the judge's quality and follows the accepted
// flow (challenge window, bond release), the appellant's bond and the fee come back, and the
// rejecting curator is slashed (curation.ts).
import type { RuntimeContext } from "../../pallet.ts";
import { param } from "../params.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { contributionOf } from "./checks.ts";
import { decisionOverturned, decisionStands } from "./curation.ts";
import { share } from "./economics.ts";
import { registryError } from "./errors.ts";
import { emitEvent } from "./events.ts";
import { release, slashTo } from "./ledger.ts";
import { amountBytes, changeReputation, closeDispute, recordAcceptance } from "./lifecycle.ts";
import { DueKind, keys, storage } from "./storage.ts";

/** The rejection of `id` stands: the slash to the treasury, the rest returned, the fee earned. */
export function standRejection(ctx: RuntimeContext, id: number): void {
  const s = ctx.storage;
  const contribution = contributionOf(s, id);
  storage.due.remove(s, keys.due(contribution.releaseAt, DueKind.rejectionStands, id));
  const slashed = share(contribution.bond, param(s, "registryRejectSlashPpm"));
  const returned = contribution.bond - slashed;
  const toTreasury = slashTo(ctx, contribution.contributor, TREASURY_ACCOUNT, slashed);
  release(ctx, contribution.contributor, returned);
  emitEvent(ctx, "RejectionStood", {
    contributionId: id,
    curator: contribution.reviewer,
    slashed: amountBytes(slashed),
    toTreasury: amountBytes(toTreasury),
    returned: amountBytes(returned),
  });
  const stood = decisionStands(ctx, id, contribution);
  storage.contributions.set(s, id, { ...stood, bond: 0n });
}

export type AppealOutcome =
  /** `judge` is the owner's account, or empty for root. */
  | { kind: "overturned"; quality: number; judge: Uint8Array }
  | { kind: "dismissed" }
  | { kind: "expired" };

/** Closes the open appeal of `id`: overturns the rejection, or lets it stand. */
export function resolveAppeal(ctx: RuntimeContext, id: number, outcome: AppealOutcome): void {
  const s = ctx.storage;
  const appeal = storage.challenges.get(s, id);
  if (!appeal?.appeal) throw registryError("NoAppeal", `#${id}`);
  const contribution = closeDispute(s, id, appeal);
  if (outcome.kind === "overturned") {
    release(ctx, appeal.challenger, appeal.bond);
    emitEvent(ctx, "AppealUpheld", {
      contributionId: id,
      challenger: appeal.challenger,
      upheld: true,
      returned: amountBytes(appeal.bond),
    });
    storage.due.remove(s, keys.due(contribution.releaseAt, DueKind.rejectionStands, id));
    const overturned = decisionOverturned(ctx, id, contribution, appeal.challenger);
    changeReputation(ctx, contribution.contributor, { kind: "rejectionOverturned" });
    recordAcceptance(ctx, id, overturned, outcome.quality, outcome.judge);
    return;
  }
  const slashed =
    outcome.kind === "dismissed" ? share(appeal.bond, param(s, "registryDismissSlashPpm")) : 0n;
  const toTreasury = slashTo(ctx, appeal.challenger, TREASURY_ACCOUNT, slashed);
  release(ctx, appeal.challenger, appeal.bond - slashed);
  emitEvent(ctx, outcome.kind === "dismissed" ? "AppealDismissed" : "AppealExpired", {
    contributionId: id,
    challenger: appeal.challenger,
    upheld: false,
    slashed: amountBytes(slashed),
    toTreasury: amountBytes(toTreasury),
    returned: amountBytes(appeal.bond - slashed),
  });
  standRejection(ctx, id);
}
