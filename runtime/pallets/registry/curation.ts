// Curators with skin in the game: their stakes, their records, the review fee and who may judge
// a decision.
//
// - Stake. A listed curator's stake in a datanet is its curator bond (bondCurator); the owner of a
//   datanet whose policy lists nobody curates it, staked by the datanet deposit. Reviewing needs a
//   stake of at least `registryCuratorBond` (an owner: `registryDatanetDeposit`).
// - Record. Every decision counts as open in its decider's record until it stands (its window
//   ends without an upheld challenge or appeal) or is overturned. A curator with open decisions
//   cannot unbond; an owner with open decisions cannot close or hand over the datanet.
// - Fee. The review fee the contributor reserved at submission goes to the decider when the
//   decision stands, to whoever overturned it when it falls, and back to the contributor when
//   the contribution is withdrawn or expires unreviewed.
// - Slash. An overturned decision costs its decider `registryCuratorSlashPpm` of its stake; the
//   challenger or appellant gets `registryChallengeRewardPpm` of that, the treasury the rest.
import { u128ToBytes } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import type { RuntimeContext } from "../../pallet.ts";
import type { RuntimeStorage, StorageRead } from "../../storage.ts";
import { depositOrBurn } from "../balances.ts";
import { param } from "../params.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { datanetOf, isCurator } from "./checks.ts";
import { share } from "./economics.ts";
import { registryError } from "./errors.ts";
import { emitEvent } from "./events.ts";
import { release, slash, slashTo } from "./ledger.ts";
import { getCurator, keys, storage } from "./storage.ts";
import type { Challenge, Contribution, CuratorRecord, Datanet } from "./types.ts";

/** Root's decisions have no reviewer account: no stake, no record, no fee. */
const isAccount = (who: Uint8Array) => who.length === 32;

export function setCurator(
  s: RuntimeStorage,
  datanetId: number,
  who: Uint8Array,
  record: CuratorRecord,
): void {
  storage.curators.set(s, keys.curator(datanetId, who), record);
}

/** The stake `who` reviews with: its curator bond, or (an owner without a bond) the deposit. */
export function stakeOf(
  s: StorageRead,
  datanetId: number,
  datanet: Datanet,
  who: Uint8Array,
): bigint {
  const bond = getCurator(s, datanetId, who).bond;
  if (bond > 0n) return bond;
  return bytesEqual(datanet.owner, who) ? datanet.deposit : 0n;
}

/** Why `who`, a curator of the datanet, may not review for lack of stake; null if it may. */
function stakeShortfall(
  s: StorageRead,
  datanetId: number,
  datanet: Datanet,
  who: Uint8Array,
): string | null {
  if (datanet.policy.curators.length === 0) {
    const min = param(s, "registryDatanetDeposit");
    return datanet.deposit < min ? `the deposit is ${datanet.deposit}, below ${min}` : null;
  }
  const min = param(s, "registryCuratorBond");
  const bond = getCurator(s, datanetId, who).bond;
  return bond < min ? `the bond is ${bond}, below ${min}` : null;
}

/** Refuses a review by a curator (or curating owner) whose stake is below the minimum. */
export function ensureStanding(
  s: StorageRead,
  datanetId: number,
  datanet: Datanet,
  who: Uint8Array,
): void {
  const shortfall = stakeShortfall(s, datanetId, datanet, who);
  if (shortfall) throw registryError("CuratorNotBonded", shortfall);
}

/** Whether `who` may review in the datanet now: a curator of it with enough stake. */
export function inStanding(
  s: StorageRead,
  datanetId: number,
  datanet: Datanet,
  who: Uint8Array,
): boolean {
  return isCurator(datanet, who) && stakeShortfall(s, datanetId, datanet, who) === null;
}

/** Refuses `who` as the judge of a challenge or appeal: the owner, and never a party to it. */
export function ensureJudge(
  datanet: Datanet,
  contribution: Contribution,
  dispute: Challenge,
  who: Uint8Array,
): void {
  if (bytesEqual(contribution.reviewer, who))
    throw registryError("OwnDecision", "only root judges the owner's own decisions");
  if (!bytesEqual(datanet.owner, who))
    throw registryError("NotOwner", "the datanet's owner judges challenges and appeals");
  if (bytesEqual(contribution.contributor, who) || bytesEqual(dispute.challenger, who))
    throw registryError("InterestedParty", "only root judges a case its owner is a party to");
}

/** `who` made a decision in the datanet; it is open until it stands or is overturned. */
export function noteDecision(s: RuntimeStorage, datanetId: number, who: Uint8Array): void {
  if (!isAccount(who)) return;
  const r = getCurator(s, datanetId, who);
  setCurator(s, datanetId, who, { ...r, decisions: r.decisions + 1, open: r.open + 1 });
}

/** Pays the contribution's review fee to `to` (back to the contributor: released); what was paid. */
export function payReviewFee(
  ctx: RuntimeContext,
  id: number,
  contribution: Contribution,
  to: Uint8Array,
): bigint {
  const fee = contribution.reviewFee;
  if (fee === 0n) return 0n;
  let paid = fee;
  if (bytesEqual(to, contribution.contributor)) release(ctx, to, fee);
  else paid = slashTo(ctx, contribution.contributor, to, fee);
  emitEvent(ctx, "ReviewFeePaid", {
    contributionId: id,
    datanetId: contribution.datanetId,
    account: to,
    amount: u128ToBytes(paid),
  });
  return paid;
}

/** The decision on `id` stands: the decider earns the review fee and its record counts it. */
export function decisionStands(
  ctx: RuntimeContext,
  id: number,
  contribution: Contribution,
): Contribution {
  const reviewer = contribution.reviewer;
  const earned = payReviewFee(
    ctx,
    id,
    contribution,
    isAccount(reviewer) ? reviewer : TREASURY_ACCOUNT,
  );
  if (isAccount(reviewer)) {
    const r = getCurator(ctx.storage, contribution.datanetId, reviewer);
    setCurator(ctx.storage, contribution.datanetId, reviewer, {
      ...r,
      open: r.open - 1,
      stood: r.stood + 1,
      earned: r.earned + earned,
    });
  }
  return { ...contribution, reviewFee: 0n, decisionOpen: false };
}

/**
 * The decision on `id` was overturned by `recipient` (the challenger of an acceptance, or the
 * appellant of a rejection): `recipient` gets the review fee and its share of the decider's
 * slash, the treasury the rest of the slash.
 */
export function decisionOverturned(
  ctx: RuntimeContext,
  id: number,
  contribution: Contribution,
  recipient: Uint8Array,
): Contribution {
  const s = ctx.storage;
  const reviewer = contribution.reviewer;
  if (isAccount(reviewer)) {
    const datanetId = contribution.datanetId;
    const datanet = datanetOf(s, datanetId);
    const record = getCurator(s, datanetId, reviewer);
    const stake = stakeOf(s, datanetId, datanet, reviewer);
    const slashed = share(stake, param(s, "registryCuratorSlashPpm"));
    const reward = share(slashed, param(s, "registryChallengeRewardPpm"));
    slash(ctx, reviewer, slashed);
    const toRecipient = depositOrBurn(ctx, recipient, reward);
    const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, slashed - reward);
    const fromBond = record.bond > 0n;
    if (!fromBond && slashed > 0n)
      storage.datanets.set(s, datanetId, { ...datanet, deposit: datanet.deposit - slashed });
    setCurator(s, datanetId, reviewer, {
      ...record,
      bond: fromBond ? record.bond - slashed : record.bond,
      open: record.open - 1,
      overturned: record.overturned + 1,
      slashed: record.slashed + slashed,
    });
    emitEvent(ctx, "CuratorSlashed", {
      contributionId: id,
      datanetId,
      curator: reviewer,
      slashed: u128ToBytes(slashed),
      recipient,
      toRecipient: u128ToBytes(toRecipient),
      toTreasury: u128ToBytes(toTreasury),
      stake: u128ToBytes(stake - slashed),
    });
  }
  payReviewFee(ctx, id, contribution, recipient);
  return { ...contribution, reviewFee: 0n, decisionOpen: false };
}
