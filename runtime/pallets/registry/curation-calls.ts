// The calls that give curation its stakes and its appeals: curators bond and unbond, owners top
// up the deposit that stakes their own curation, contributors appeal rejections, and the owner
// (root for the owner's own decisions) judges the appeals. The rules are in curation.ts and
// appeals.ts; like every registry call these check first and write last.
import { u128FromBytes } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { messageType } from "../../../primitives/codec.ts";
import { type CallDef, defineCall, type RuntimeContext } from "../../pallet.ts";
import { param } from "../params.ts";
import { resolveAppeal } from "./appeals.ts";
import {
  checkText,
  contributionOf,
  datanetOf,
  ensureOwner,
  ensureRootOrigin,
  ensureSignedOrigin,
  ensureStatus,
  isListedCurator,
  openDatanetOf,
} from "./checks.ts";
import { ensureJudge, setCurator } from "./curation.ts";
import { registryError } from "./errors.ts";
import { emitEvent } from "./events.ts";
import { ensureCanReserve, hold, release } from "./ledger.ts";
import { amountBytes } from "./lifecycle.ts";
import { DueKind, getCurator, keys, MARKER_VALUE, storage } from "./storage.ts";
import { ContributionStatus } from "./types.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

// Weights (picoseconds of reference time): estimates in the style of the pallet's other calls.
const W_STAKE = 150_000_000n;
const W_APPEAL = 200_000_000n;
const W_RESOLVE = 300_000_000n;

interface AmountArgs {
  datanetId: number;
  amount: Uint8Array;
}

interface ResolveAppealArgs {
  contributionId: number;
  overturn: boolean;
  quality: number;
}

/** Checks an appeal's verdict and returns its outcome; `judge` is empty for root. */
function appealOutcome(ctx: RuntimeContext, args: ResolveAppealArgs, judge: Uint8Array) {
  if (!args.overturn) {
    if (args.quality !== 0)
      throw registryError("InvalidQuality", "a dismissal takes no quality (0)");
    return { kind: "dismissed" as const };
  }
  const max = param(ctx.storage, "registryMaxQuality");
  if (args.quality < 1 || BigInt(args.quality) > max)
    throw registryError("InvalidQuality", `the quality must be 1..${max}`);
  return { kind: "overturned" as const, quality: args.quality, judge };
}

// biome-ignore lint/suspicious/noExplicitAny: calls differ in argument type; each is checked at its definition.
export const CURATION_CALLS: CallDef<any>[] = [
  defineCall<AmountArgs>({
    index: 14,
    name: "bondCurator",
    args: T("RegistryAmountArgs"),
    origin: "signed",
    doc: "A curator the datanet's policy lists adds to its curator bond; the bond must reach registryCuratorBond, below which the curator cannot review",
    weight: () => W_STAKE,
    handler(ctx, origin, args) {
      const who = ensureSignedOrigin(origin);
      const s = ctx.storage;
      const datanet = openDatanetOf(s, args.datanetId);
      if (!isListedCurator(datanet, who))
        throw registryError("NotCurator", "only a curator the policy lists bonds");
      const amount = u128FromBytes(args.amount);
      const record = getCurator(s, args.datanetId, who);
      const bond = record.bond + amount;
      const min = param(s, "registryCuratorBond");
      if (amount === 0n || bond < min)
        throw registryError("BondTooLow", `the bond would be ${bond}; at least ${min}`);
      ensureCanReserve(s, who, amount, "the curator bond");

      hold(ctx, who, amount);
      setCurator(s, args.datanetId, who, { ...record, bond });
      emitEvent(ctx, "CuratorBonded", {
        datanetId: args.datanetId,
        account: who,
        amount: amountBytes(amount),
        stake: amountBytes(bond),
      });
    },
  }),
  defineCall<{ datanetId: number }>({
    index: 15,
    name: "unbondCurator",
    args: T("RegistryDatanetArgs"),
    origin: "signed",
    doc: "A curator (listed or no longer) takes back its whole bond once none of its decisions in the datanet is open to challenge or appeal",
    weight: () => W_STAKE,
    handler(ctx, origin, args) {
      const who = ensureSignedOrigin(origin);
      const s = ctx.storage;
      datanetOf(s, args.datanetId);
      const record = getCurator(s, args.datanetId, who);
      if (record.bond === 0n) throw registryError("NoBond");
      if (record.open > 0)
        throw registryError("OpenDecisions", `${record.open} decisions are still open`);

      release(ctx, who, record.bond);
      setCurator(s, args.datanetId, who, { ...record, bond: 0n });
      emitEvent(ctx, "CuratorUnbonded", {
        datanetId: args.datanetId,
        account: who,
        amount: amountBytes(record.bond),
        stake: amountBytes(0n),
      });
    },
  }),
  defineCall<AmountArgs>({
    index: 16,
    name: "topUpDeposit",
    args: T("RegistryAmountArgs"),
    origin: "signed",
    doc: "The owner adds to the datanet deposit that stakes its own curation, which must reach registryDatanetDeposit again after a slash",
    weight: () => W_STAKE,
    handler(ctx, origin, args) {
      const who = ensureSignedOrigin(origin);
      const s = ctx.storage;
      const datanet = openDatanetOf(s, args.datanetId);
      ensureOwner(datanet, who);
      const amount = u128FromBytes(args.amount);
      const deposit = datanet.deposit + amount;
      const min = param(s, "registryDatanetDeposit");
      if (amount === 0n || deposit < min)
        throw registryError("BondTooLow", `the deposit would be ${deposit}; at least ${min}`);
      ensureCanReserve(s, who, amount, "the deposit");

      hold(ctx, who, amount);
      storage.datanets.set(s, args.datanetId, { ...datanet, deposit });
      emitEvent(ctx, "DepositToppedUp", {
        datanetId: args.datanetId,
        account: who,
        amount: amountBytes(amount),
        stake: amountBytes(deposit),
      });
    },
  }),
  defineCall<{ contributionId: number; evidenceUri: string }>({
    index: 17,
    name: "appealRejection",
    args: T("RegistryChallengeArgs"),
    origin: "signed",
    doc: "The contributor appeals the rejection of its contribution once, inside the appeal window (the policy's challenge window), reserving the challenge bond",
    weight: () => W_APPEAL,
    handler(ctx, origin, args) {
      const who = ensureSignedOrigin(origin);
      const s = ctx.storage;
      const id = args.contributionId;
      const contribution = contributionOf(s, id);
      if (!bytesEqual(contribution.contributor, who)) throw registryError("NotContributor");
      ensureStatus(contribution, ContributionStatus.rejected, "only a rejected contribution");
      const datanet = openDatanetOf(s, contribution.datanetId);
      if (contribution.appealed) throw registryError("AlreadyAppealed");
      if (!contribution.decisionOpen || ctx.blockNumber >= contribution.releaseAt)
        throw registryError(
          "WindowClosed",
          `the appeal window ended at block ${contribution.releaseAt}`,
        );
      if (args.evidenceUri.length === 0)
        throw registryError("MissingEvidence", "an evidence reference is required");
      checkText(s, args.evidenceUri, "registryMaxUriBytes", "the evidence URI");
      const bond = param(s, "registryChallengeBond");
      ensureCanReserve(s, who, bond, "the appeal bond");

      const expiresAt = ctx.blockNumber + Number(param(s, "registryChallengeExpiry"));
      hold(ctx, who, bond);
      storage.challenges.set(s, id, {
        challenger: who,
        bond,
        evidenceUri: args.evidenceUri,
        openedAt: ctx.blockNumber,
        expiresAt,
        appeal: true,
      });
      storage.contributions.set(s, id, { ...contribution, appealed: true });
      storage.due.set(s, keys.due(expiresAt, DueKind.challengeExpiry, id), MARKER_VALUE);
      storage.datanets.set(s, contribution.datanetId, {
        ...datanet,
        openChallenges: datanet.openChallenges + 1,
      });
      emitEvent(ctx, "AppealOpened", {
        contributionId: id,
        challenger: who,
        bond: amountBytes(bond),
        evidenceUri: args.evidenceUri,
      });
    },
  }),
  defineCall<ResolveAppealArgs>({
    index: 18,
    name: "resolveAppeal",
    args: T("RegistryResolveAppealArgs"),
    origin: "signed",
    doc: "The datanet's owner overturns an appealed rejection (the contribution is accepted with `quality`, the rejecting curator slashed) or dismisses the appeal (the appellant is slashed, the rejection stands); never its own decision (root judges those)",
    weight: () => W_RESOLVE,
    handler(ctx, origin, args) {
      const who = ensureSignedOrigin(origin);
      const s = ctx.storage;
      const appeal = storage.challenges.get(s, args.contributionId);
      if (!appeal?.appeal) throw registryError("NoAppeal", `#${args.contributionId}`);
      const contribution = contributionOf(s, args.contributionId);
      ensureJudge(datanetOf(s, contribution.datanetId), contribution, appeal, who);
      resolveAppeal(ctx, args.contributionId, appealOutcome(ctx, args, who));
    },
  }),
  defineCall<ResolveAppealArgs>({
    index: 19,
    name: "forceResolveAppeal",
    args: T("RegistryResolveAppealArgs"),
    origin: "root",
    doc: "Governance resolves any open appeal as resolveAppeal does (an overturned rejection is then root's acceptance: no curator stake backs it)",
    weight: () => W_RESOLVE,
    handler(ctx, origin, args) {
      ensureRootOrigin(origin);
      const appeal = storage.challenges.get(ctx.storage, args.contributionId);
      if (!appeal?.appeal) throw registryError("NoAppeal", `#${args.contributionId}`);
      resolveAppeal(ctx, args.contributionId, appealOutcome(ctx, args, new Uint8Array()));
    },
  }),
];
