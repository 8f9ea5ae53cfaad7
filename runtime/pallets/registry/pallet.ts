// The data registry pallet: datanets, contributions, curation, challenges, reputation and
// versions. Every call checks first and writes last; the money it holds is reserved on the
// accounts and mirrored in `Held`, which the invariants compare with the live records.
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
import { checkedAdd, checkedSub, u128ToBytes } from "../../../primitives/amount.ts";
import { bytesEqual, toHex, utf8 } from "../../../primitives/bytes.ts";
import { messageType } from "../../../primitives/codec.ts";
import { InvariantError } from "../../errors.ts";
import {
  type CallerOrigin,
  defineCall,
  emit,
  ensureRoot,
  ensureSigned,
  fail,
  type Pallet,
  type RuntimeContext,
} from "../../pallet.ts";
import type { RuntimeStorage, StorageRead } from "../../storage.ts";
import { depositOrBurn, reserve, slashReserved, unreserve } from "../balances.ts";
import { type ParamName, param } from "../params.ts";
import { readAccount } from "../system.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import {
  nextReputation,
  pendingLimit,
  type ReputationEvent,
  requiredBond,
  share,
} from "./economics.ts";
import {
  DueKind,
  datanetContributionIds,
  dueUpTo,
  getReputation,
  heldBy,
  keys,
  MARKER_VALUE,
  NAME,
  pendingCount,
  storage,
} from "./storage.ts";
import {
  type Contribution,
  ContributionStatus,
  type CurationPolicy,
  type Datanet,
  type Licence,
  LicenceKind,
  licenceFromWire,
  MODALITY_COUNT,
  type Modality,
  policyFromWire,
} from "./types.ts";
import { versionRoot } from "./versions.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

// Weights (picoseconds of reference time), sized from the storage each call touches.
const W_DATANET = 150_000_000n;
const W_SMALL = 60_000_000n;
const W_SUBMIT = 200_000_000n;
const W_REVIEW = 250_000_000n;
const W_CHALLENGE = 200_000_000n;
const W_RESOLVE = 300_000_000n;
/** Publishing reads every contribution of the datanet: priced for `registryMaxContributionsPerDatanet`'s default. */
const W_PUBLISH_BASE = 200_000_000n;
const W_PUBLISH_PER_CONTRIBUTION = 2_000_000n;
const W_PUBLISH = W_PUBLISH_BASE + W_PUBLISH_PER_CONTRIBUTION * 10_000n;
const W_PER_LIST_ITEM = 1_000_000n;

// ---- money: every reserve the registry makes goes through here and is mirrored in Held ----

function hold(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  reserve(ctx, who, amount);
  storage.held.set(ctx.storage, who, checkedAdd(heldBy(ctx.storage, who), amount));
}

function lowerHeld(s: RuntimeStorage, who: Uint8Array, amount: bigint): void {
  const left = checkedSub(heldBy(s, who), amount);
  if (left === 0n) storage.held.remove(s, who);
  else storage.held.set(s, who, left);
}

function release(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  unreserve(ctx, who, amount);
  lowerHeld(ctx.storage, who, amount);
}

/** Takes `amount` of what the registry holds from `who`; the caller pays it on. */
function slash(ctx: RuntimeContext, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  slashReserved(ctx, who, amount);
  lowerHeld(ctx.storage, who, amount);
}

function ensureCanReserve(s: StorageRead, who: Uint8Array, amount: bigint, what: string): void {
  const free = readAccount(s, who).free;
  if (free < amount)
    throw fail(registry, "InsufficientBalance", `${what} needs ${amount}, free is ${free}`);
}

// ---- checks ----

const byteLength = (text: string) => utf8(text).length;

function checkText(s: StorageRead, text: string, limit: ParamName, what: string): void {
  const max = param(s, limit);
  if (BigInt(byteLength(text)) > max)
    throw fail(registry, "TooLong", `${what} is longer than ${max} bytes`);
}

function checkAccounts(list: Uint8Array[], max: bigint, what: string): void {
  if (BigInt(list.length) > max) throw fail(registry, "TooMany", `${what}: at most ${max}`);
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.length !== 32)
      throw fail(registry, "InvalidAccount", `${what}: 32-byte account ids`);
    for (let j = 0; j < i; j++)
      if (bytesEqual(list[i]!, list[j]!)) throw fail(registry, "Duplicate", what);
  }
}

function checkLicence(s: StorageRead, licence: Licence): void {
  if (licence.kind !== LicenceKind.open && licence.kind !== LicenceKind.paid) {
    if (licence.kind !== LicenceKind.restricted)
      throw fail(registry, "InvalidLicence", `unknown licence kind ${licence.kind}`);
  }
  if ((licence.kind === LicenceKind.paid) !== licence.fee > 0n)
    throw fail(registry, "InvalidLicence", "a paid licence and only a paid licence has a fee");
  if ((licence.kind === LicenceKind.restricted) !== licence.allowList.length > 0)
    throw fail(
      registry,
      "InvalidLicence",
      "a restricted licence and only a restricted licence has an allow-list",
    );
  checkAccounts(licence.allowList, param(s, "registryMaxAllowList"), "allow-list");
}

function checkPolicy(s: StorageRead, policy: CurationPolicy): void {
  checkAccounts(policy.curators, param(s, "registryMaxCurators"), "curators");
  const minBond = param(s, "registryMinBond");
  if (policy.minBond < minBond)
    throw fail(registry, "InvalidPolicy", `the minimum bond must be at least ${minBond}`);
  const maxWindow = param(s, "registryMaxWindow");
  for (const [what, blocks] of [
    ["review window", policy.reviewWindow],
    ["challenge window", policy.challengeWindow],
  ] as const) {
    if (blocks < 1 || BigInt(blocks) > maxWindow)
      throw fail(registry, "InvalidPolicy", `the ${what} must be 1..${maxWindow} blocks`);
  }
  const maxPending = param(s, "registryMaxPendingLimit");
  if (BigInt(policy.pendingLimit) > maxPending)
    throw fail(registry, "InvalidPolicy", `the pending limit must be at most ${maxPending}`);
}

function datanetOf(s: StorageRead, id: number): Datanet {
  const datanet = storage.datanets.get(s, id);
  if (!datanet) throw fail(registry, "UnknownDatanet", `#${id}`);
  return datanet;
}

function openDatanetOf(s: StorageRead, id: number): Datanet {
  const datanet = datanetOf(s, id);
  if (datanet.closed) throw fail(registry, "DatanetClosed", `#${id}`);
  return datanet;
}

function ensureOwner(datanet: Datanet, who: Uint8Array): void {
  if (!bytesEqual(datanet.owner, who)) throw fail(registry, "NotOwner");
}

/** The policy's curators, or the owner when it lists none. */
export function isCurator(datanet: Datanet, who: Uint8Array): boolean {
  if (datanet.policy.curators.length === 0) return bytesEqual(datanet.owner, who);
  return datanet.policy.curators.some((c) => bytesEqual(c, who));
}

function contributionOf(s: StorageRead, id: number): Contribution {
  const contribution = storage.contributions.get(s, id);
  if (!contribution) throw fail(registry, "UnknownContribution", `#${id}`);
  return contribution;
}

function ensureStatus(contribution: Contribution, status: ContributionStatus, what: string): void {
  if (contribution.status !== status) throw fail(registry, "WrongStatus", what);
}

// ---- writes shared by calls and hooks ----

function amountBytes(amount: bigint): Uint8Array {
  return u128ToBytes(amount);
}

function changeReputation(ctx: RuntimeContext, who: Uint8Array, event: ReputationEvent): void {
  const next = nextReputation(ctx.storage, getReputation(ctx.storage, who), event);
  storage.reputation.set(ctx.storage, who, next);
  emit(ctx, registry, "ReputationChanged", { account: who, score: next.score });
}

function changePending(s: RuntimeStorage, datanetId: number, who: Uint8Array, delta: 1 | -1): void {
  const key = keys.pending(datanetId, who);
  const count = pendingCount(s, datanetId, who) + delta;
  if (count === 0) storage.pendingCount.remove(s, key);
  else storage.pendingCount.set(s, key, count);
  const datanet = datanetOf(s, datanetId);
  storage.datanets.set(s, datanetId, { ...datanet, pendingCount: datanet.pendingCount + delta });
}

/** A pending contribution leaves the queue without review: bond returned, content resubmittable. */
function withdrawPending(ctx: RuntimeContext, id: number, contribution: Contribution): void {
  release(ctx, contribution.contributor, contribution.bond);
  storage.due.remove(ctx.storage, keys.due(contribution.releaseAt, DueKind.reviewExpiry, id));
  storage.contentIndex.remove(
    ctx.storage,
    keys.content(contribution.datanetId, contribution.contentHash),
  );
  changePending(ctx.storage, contribution.datanetId, contribution.contributor, -1);
  storage.contributions.set(ctx.storage, id, {
    ...contribution,
    status: ContributionStatus.withdrawn,
    bond: 0n,
    releaseAt: 0,
  });
}

/** Returns an accepted contribution's bond once its challenge window is over. */
function releaseBond(ctx: RuntimeContext, id: number): void {
  const contribution = storage.contributions.get(ctx.storage, id);
  if (!contribution || contribution.status !== ContributionStatus.accepted) return;
  if (contribution.bond === 0n || ctx.blockNumber < contribution.releaseAt) return;
  if (storage.challenges.has(ctx.storage, id)) return;
  release(ctx, contribution.contributor, contribution.bond);
  storage.contributions.set(ctx.storage, id, { ...contribution, bond: 0n });
  emit(ctx, registry, "BondReleased", {
    contributionId: id,
    datanetId: contribution.datanetId,
    account: contribution.contributor,
    amount: amountBytes(contribution.bond),
  });
}

/** Closes the open challenge of `id`: upheld slashes the contributor, dismissed the challenger. */
function resolveChallenge(
  ctx: RuntimeContext,
  id: number,
  outcome: "upheld" | "dismissed" | "expired",
): void {
  const s = ctx.storage;
  const challenge = storage.challenges.get(s, id);
  if (!challenge) throw fail(registry, "NoChallenge", `#${id}`);
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
    emit(ctx, registry, "ChallengeUpheld", {
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
  emit(ctx, registry, outcome === "dismissed" ? "ChallengeDismissed" : "ChallengeExpired", {
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

// ---- call arguments ----

interface CreateDatanetArgs {
  name: string;
  modality: number;
  description: string;
  metadataUri: string;
  licence: Record<string, unknown> | null;
  policy: Record<string, unknown> | null;
}

interface SubmitArgs {
  datanetId: number;
  contentHash: Uint8Array;
  size: number;
  metadataUri: string;
}

function resolveBySigned(ctx: RuntimeContext, origin: CallerOrigin, id: number, uphold: boolean) {
  const who = ensureSigned(registry, origin);
  if (!storage.challenges.has(ctx.storage, id)) throw fail(registry, "NoChallenge", `#${id}`);
  const datanet = datanetOf(ctx.storage, contributionOf(ctx.storage, id).datanetId);
  if (!isCurator(datanet, who) && !bytesEqual(datanet.owner, who))
    throw fail(registry, "NotCurator", "only the owner or a curator resolves challenges");
  resolveChallenge(ctx, id, uphold ? "upheld" : "dismissed");
}

export const registry: Pallet = {
  name: NAME,
  index: 7,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<CreateDatanetArgs>({
      index: 0,
      name: "createDatanet",
      args: T("RegistryCreateDatanetArgs"),
      origin: "signed",
      doc: "Creates a datanet owned by the sender, reserving the datanet deposit",
      weight: (args) =>
        W_DATANET +
        W_PER_LIST_ITEM *
          BigInt(
            ((args.licence?.allowList as unknown[]) ?? []).length +
              ((args.policy?.curators as unknown[]) ?? []).length,
          ),
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const s = ctx.storage;
        const licence = licenceFromWire(args.licence);
        const policy = policyFromWire(args.policy);
        if (args.name.length === 0) throw fail(registry, "InvalidName", "the name is empty");
        checkText(s, args.name, "registryMaxNameBytes", "the name");
        if (args.modality >= MODALITY_COUNT)
          throw fail(registry, "InvalidModality", `unknown modality ${args.modality}`);
        checkText(s, args.description, "registryMaxTextBytes", "the description");
        checkText(s, args.metadataUri, "registryMaxUriBytes", "the metadata URI");
        checkLicence(s, licence);
        checkPolicy(s, policy);
        const deposit = param(s, "registryDatanetDeposit");
        ensureCanReserve(s, who, deposit, "the datanet deposit");

        const id = storage.nextDatanetId.get(s);
        hold(ctx, who, deposit);
        storage.nextDatanetId.set(s, id + 1);
        storage.datanets.set(s, id, {
          owner: who,
          name: args.name,
          modality: args.modality as Modality,
          description: args.description,
          metadataUri: args.metadataUri,
          licence,
          policy,
          deposit,
          closed: false,
          createdAt: ctx.blockNumber,
          contributionCount: 0,
          pendingCount: 0,
          openChallenges: 0,
          versionCount: 0,
        });
        emit(ctx, registry, "DatanetCreated", {
          datanetId: id,
          account: who,
          amount: amountBytes(deposit),
        });
      },
    }),
    defineCall<{ datanetId: number; description: string; metadataUri: string }>({
      index: 1,
      name: "updateMetadata",
      args: T("RegistryUpdateMetadataArgs"),
      origin: "signed",
      doc: "The owner replaces an open datanet's description and metadata URI",
      weight: () => W_SMALL,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const datanet = openDatanetOf(ctx.storage, args.datanetId);
        ensureOwner(datanet, who);
        checkText(ctx.storage, args.description, "registryMaxTextBytes", "the description");
        checkText(ctx.storage, args.metadataUri, "registryMaxUriBytes", "the metadata URI");
        storage.datanets.set(ctx.storage, args.datanetId, {
          ...datanet,
          description: args.description,
          metadataUri: args.metadataUri,
        });
        emit(ctx, registry, "DatanetUpdated", { datanetId: args.datanetId, account: who });
      },
    }),
    defineCall<{ datanetId: number; licence: Record<string, unknown> | null }>({
      index: 2,
      name: "setLicence",
      args: T("RegistrySetLicenceArgs"),
      origin: "signed",
      doc: "The owner replaces an open datanet's licence (it applies to licences bought afterwards)",
      weight: (args) =>
        W_SMALL + W_PER_LIST_ITEM * BigInt(((args.licence?.allowList as unknown[]) ?? []).length),
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const datanet = openDatanetOf(ctx.storage, args.datanetId);
        ensureOwner(datanet, who);
        const licence = licenceFromWire(args.licence);
        checkLicence(ctx.storage, licence);
        storage.datanets.set(ctx.storage, args.datanetId, { ...datanet, licence });
        emit(ctx, registry, "LicenceChanged", { datanetId: args.datanetId, account: who });
      },
    }),
    defineCall<{ datanetId: number; curators: Uint8Array[] }>({
      index: 3,
      name: "setCurators",
      args: T("RegistrySetCuratorsArgs"),
      origin: "signed",
      doc: "The owner replaces an open datanet's curator set (empty: the owner curates)",
      weight: (args) => W_SMALL + W_PER_LIST_ITEM * BigInt(args.curators.length),
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const datanet = openDatanetOf(ctx.storage, args.datanetId);
        ensureOwner(datanet, who);
        checkAccounts(args.curators, param(ctx.storage, "registryMaxCurators"), "curators");
        storage.datanets.set(ctx.storage, args.datanetId, {
          ...datanet,
          policy: { ...datanet.policy, curators: args.curators },
        });
        emit(ctx, registry, "CuratorsChanged", { datanetId: args.datanetId, account: who });
      },
    }),
    defineCall<{ datanetId: number; newOwner: Uint8Array }>({
      index: 4,
      name: "transferOwnership",
      args: T("RegistryTransferOwnershipArgs"),
      origin: "signed",
      doc: "Hands an open datanet to another account, which takes over the deposit (the old owner's is returned)",
      weight: () => W_DATANET,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const datanet = openDatanetOf(ctx.storage, args.datanetId);
        ensureOwner(datanet, who);
        if (args.newOwner.length !== 32)
          throw fail(registry, "InvalidAccount", "the new owner must be a 32-byte account id");
        if (bytesEqual(args.newOwner, who)) throw fail(registry, "SameOwner");
        ensureCanReserve(ctx.storage, args.newOwner, datanet.deposit, "the datanet deposit");
        release(ctx, who, datanet.deposit);
        hold(ctx, args.newOwner, datanet.deposit);
        storage.datanets.set(ctx.storage, args.datanetId, { ...datanet, owner: args.newOwner });
        emit(ctx, registry, "OwnershipTransferred", {
          datanetId: args.datanetId,
          account: args.newOwner,
          amount: amountBytes(datanet.deposit),
        });
      },
    }),
    defineCall<{ datanetId: number }>({
      index: 5,
      name: "closeDatanet",
      args: T("RegistryDatanetArgs"),
      origin: "signed",
      doc: "The owner closes a datanet with no pending contribution and no open challenge; the deposit is returned. Versions stay readable and accepted bonds are still released",
      weight: () => W_DATANET,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const datanet = openDatanetOf(ctx.storage, args.datanetId);
        ensureOwner(datanet, who);
        if (datanet.pendingCount > 0)
          throw fail(registry, "HasPending", `${datanet.pendingCount} pending contributions`);
        if (datanet.openChallenges > 0)
          throw fail(registry, "HasChallenges", `${datanet.openChallenges} open challenges`);
        release(ctx, who, datanet.deposit);
        storage.datanets.set(ctx.storage, args.datanetId, {
          ...datanet,
          closed: true,
          deposit: 0n,
        });
        emit(ctx, registry, "DatanetClosed", {
          datanetId: args.datanetId,
          account: who,
          amount: amountBytes(datanet.deposit),
        });
      },
    }),
    defineCall<SubmitArgs>({
      index: 6,
      name: "submitContribution",
      args: T("RegistrySubmitArgs"),
      origin: "signed",
      doc: "Submits a contribution (content hash = Merkle root of the data object) to an open datanet, reserving a bond scaled by the sender's reputation",
      weight: () => W_SUBMIT,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const s = ctx.storage;
        const datanet = openDatanetOf(s, args.datanetId);
        if (args.contentHash.length !== 32)
          throw fail(registry, "InvalidContentHash", "the content hash must be 32 bytes");
        if (args.size <= 0) throw fail(registry, "InvalidSize", "the size must be positive");
        checkText(s, args.metadataUri, "registryMaxUriBytes", "the metadata URI");
        if (storage.contentIndex.has(s, keys.content(args.datanetId, args.contentHash)))
          throw fail(registry, "DuplicateContent");
        const max = param(s, "registryMaxContributionsPerDatanet");
        if (BigInt(datanet.contributionCount) >= max)
          throw fail(registry, "DatanetFull", `at most ${max} contributions`);
        const score = getReputation(s, who).score;
        const limit = pendingLimit(s, datanet.policy.pendingLimit, score);
        const pending = pendingCount(s, args.datanetId, who);
        if (pending >= limit)
          throw fail(registry, "PendingLimit", `${pending} pending, the limit is ${limit}`);
        const bond = requiredBond(s, datanet.policy.minBond, score);
        ensureCanReserve(s, who, bond, "the contribution bond");

        const id = storage.nextContributionId.get(s);
        const reviewBy = ctx.blockNumber + datanet.policy.reviewWindow;
        hold(ctx, who, bond);
        storage.nextContributionId.set(s, id + 1);
        storage.contributions.set(s, id, {
          datanetId: args.datanetId,
          contributor: who,
          contentHash: args.contentHash,
          size: args.size,
          metadataUri: args.metadataUri,
          bond,
          status: ContributionStatus.pending,
          quality: 0,
          weight: 0,
          submittedAt: ctx.blockNumber,
          reviewedAt: 0,
          releaseAt: reviewBy,
          reviewer: new Uint8Array(),
          reason: "",
        });
        storage.contentIndex.set(s, keys.content(args.datanetId, args.contentHash), id);
        storage.byDatanet.set(s, keys.byDatanet(args.datanetId, id), MARKER_VALUE);
        storage.byContributor.set(s, keys.byContributor(who, id), MARKER_VALUE);
        storage.due.set(s, keys.due(reviewBy, DueKind.reviewExpiry, id), MARKER_VALUE);
        storage.datanets.set(s, args.datanetId, {
          ...datanet,
          contributionCount: datanet.contributionCount + 1,
        });
        changePending(s, args.datanetId, who, 1);
        emit(ctx, registry, "ContributionSubmitted", {
          contributionId: id,
          datanetId: args.datanetId,
          account: who,
          amount: amountBytes(bond),
        });
      },
    }),
    defineCall<{ contributionId: number }>({
      index: 7,
      name: "withdrawContribution",
      args: T("RegistryContributionArgs"),
      origin: "signed",
      doc: "The contributor withdraws a pending contribution; the bond is returned in full",
      weight: () => W_SUBMIT,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const contribution = contributionOf(ctx.storage, args.contributionId);
        if (!bytesEqual(contribution.contributor, who)) throw fail(registry, "NotContributor");
        ensureStatus(contribution, ContributionStatus.pending, "only a pending contribution");
        withdrawPending(ctx, args.contributionId, contribution);
        emit(ctx, registry, "ContributionWithdrawn", {
          contributionId: args.contributionId,
          datanetId: contribution.datanetId,
          account: who,
          amount: amountBytes(contribution.bond),
        });
      },
    }),
    defineCall<{ contributionId: number; quality: number }>({
      index: 8,
      name: "acceptContribution",
      args: T("RegistryAcceptArgs"),
      origin: "signed",
      doc: "A curator accepts a pending contribution with a quality score (its weight in versions); the bond is released when the challenge window ends",
      weight: () => W_REVIEW,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const s = ctx.storage;
        const contribution = contributionOf(s, args.contributionId);
        ensureStatus(contribution, ContributionStatus.pending, "only a pending contribution");
        const datanet = datanetOf(s, contribution.datanetId);
        if (!isCurator(datanet, who)) throw fail(registry, "NotCurator");
        const maxQuality = param(s, "registryMaxQuality");
        if (args.quality < 1 || BigInt(args.quality) > maxQuality)
          throw fail(registry, "InvalidQuality", `the quality must be 1..${maxQuality}`);

        const releaseAt = ctx.blockNumber + datanet.policy.challengeWindow;
        storage.due.remove(
          s,
          keys.due(contribution.releaseAt, DueKind.reviewExpiry, args.contributionId),
        );
        storage.due.set(
          s,
          keys.due(releaseAt, DueKind.bondRelease, args.contributionId),
          MARKER_VALUE,
        );
        storage.contributions.set(s, args.contributionId, {
          ...contribution,
          status: ContributionStatus.accepted,
          quality: args.quality,
          weight: args.quality,
          reviewedAt: ctx.blockNumber,
          releaseAt,
          reviewer: who,
        });
        changePending(s, contribution.datanetId, contribution.contributor, -1);
        emit(ctx, registry, "ContributionAccepted", {
          contributionId: args.contributionId,
          curator: who,
          quality: args.quality,
        });
        changeReputation(ctx, contribution.contributor, {
          kind: "accepted",
          quality: args.quality,
        });
      },
    }),
    defineCall<{ contributionId: number; reason: string }>({
      index: 9,
      name: "rejectContribution",
      args: T("RegistryRejectArgs"),
      origin: "signed",
      doc: "A curator rejects a pending contribution with a reason: part of the bond is slashed to the treasury and the curator, the rest returned",
      weight: () => W_REVIEW,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const s = ctx.storage;
        const contribution = contributionOf(s, args.contributionId);
        ensureStatus(contribution, ContributionStatus.pending, "only a pending contribution");
        const datanet = datanetOf(s, contribution.datanetId);
        if (!isCurator(datanet, who)) throw fail(registry, "NotCurator");
        checkText(s, args.reason, "registryMaxTextBytes", "the reason");

        const slashed = share(contribution.bond, param(s, "registryRejectSlashPpm"));
        const curatorShare = share(slashed, param(s, "registryRejectCuratorPpm"));
        const returned = contribution.bond - slashed;
        slash(ctx, contribution.contributor, slashed);
        release(ctx, contribution.contributor, returned);
        const toCurator = depositOrBurn(ctx, who, curatorShare);
        const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, slashed - curatorShare);
        storage.due.remove(
          s,
          keys.due(contribution.releaseAt, DueKind.reviewExpiry, args.contributionId),
        );
        storage.contributions.set(s, args.contributionId, {
          ...contribution,
          status: ContributionStatus.rejected,
          bond: 0n,
          reviewedAt: ctx.blockNumber,
          releaseAt: 0,
          reviewer: who,
          reason: args.reason,
        });
        changePending(s, contribution.datanetId, contribution.contributor, -1);
        emit(ctx, registry, "ContributionRejected", {
          contributionId: args.contributionId,
          curator: who,
          reason: args.reason,
          slashed: amountBytes(slashed),
          toTreasury: amountBytes(toTreasury),
          toCurator: amountBytes(toCurator),
          returned: amountBytes(returned),
        });
        changeReputation(ctx, contribution.contributor, { kind: "rejected" });
      },
    }),
    defineCall<{ contributionId: number; evidenceUri: string }>({
      index: 10,
      name: "challenge",
      args: T("RegistryChallengeArgs"),
      origin: "signed",
      doc: "Anyone but the contributor challenges an accepted contribution inside its challenge window, reserving the challenge bond",
      weight: () => W_CHALLENGE,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const s = ctx.storage;
        const contribution = contributionOf(s, args.contributionId);
        ensureStatus(contribution, ContributionStatus.accepted, "only an accepted contribution");
        const datanet = openDatanetOf(s, contribution.datanetId);
        if (ctx.blockNumber >= contribution.releaseAt)
          throw fail(
            registry,
            "WindowClosed",
            `the window ended at block ${contribution.releaseAt}`,
          );
        if (storage.challenges.has(s, args.contributionId))
          throw fail(registry, "AlreadyChallenged");
        if (bytesEqual(contribution.contributor, who)) throw fail(registry, "SelfChallenge");
        if (args.evidenceUri.length === 0)
          throw fail(registry, "MissingEvidence", "an evidence reference is required");
        checkText(s, args.evidenceUri, "registryMaxUriBytes", "the evidence URI");
        const bond = param(s, "registryChallengeBond");
        ensureCanReserve(s, who, bond, "the challenge bond");

        const expiresAt = ctx.blockNumber + Number(param(s, "registryChallengeExpiry"));
        hold(ctx, who, bond);
        storage.challenges.set(s, args.contributionId, {
          challenger: who,
          bond,
          evidenceUri: args.evidenceUri,
          openedAt: ctx.blockNumber,
          expiresAt,
        });
        storage.due.set(
          s,
          keys.due(expiresAt, DueKind.challengeExpiry, args.contributionId),
          MARKER_VALUE,
        );
        storage.datanets.set(s, contribution.datanetId, {
          ...datanet,
          openChallenges: datanet.openChallenges + 1,
        });
        emit(ctx, registry, "ChallengeOpened", {
          contributionId: args.contributionId,
          challenger: who,
          bond: amountBytes(bond),
          evidenceUri: args.evidenceUri,
        });
      },
    }),
    defineCall<{ contributionId: number; uphold: boolean }>({
      index: 11,
      name: "resolveChallenge",
      args: T("RegistryResolveArgs"),
      origin: "signed",
      doc: "The owner or a curator upholds (the contributor is slashed, the challenger rewarded) or dismisses (the challenger is slashed) an open challenge",
      weight: () => W_RESOLVE,
      handler(ctx, origin, args) {
        resolveBySigned(ctx, origin, args.contributionId, args.uphold);
      },
    }),
    defineCall<{ contributionId: number; uphold: boolean }>({
      index: 12,
      name: "forceResolveChallenge",
      args: T("RegistryResolveArgs"),
      origin: "root",
      doc: "Governance resolves an open challenge as resolveChallenge does",
      weight: () => W_RESOLVE,
      handler(ctx, origin, args) {
        ensureRoot(registry, origin);
        resolveChallenge(ctx, args.contributionId, args.uphold ? "upheld" : "dismissed");
      },
    }),
    defineCall<{ datanetId: number; metadataUri: string }>({
      index: 13,
      name: "publishVersion",
      args: T("RegistryPublishArgs"),
      origin: "signed",
      doc: "The owner freezes the datanet's accepted contributions and their weights under a Merkle root, as the next version",
      weight: () => W_PUBLISH,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const s = ctx.storage;
        const datanet = openDatanetOf(s, args.datanetId);
        ensureOwner(datanet, who);
        checkText(s, args.metadataUri, "registryMaxUriBytes", "the metadata URI");
        const entries: { contributionId: number; weight: number }[] = [];
        for (const id of datanetContributionIds(s, args.datanetId)) {
          const contribution = contributionOf(s, id);
          if (contribution.status === ContributionStatus.accepted)
            entries.push({ contributionId: id, weight: contribution.weight });
        }
        if (entries.length === 0)
          throw fail(registry, "NothingToPublish", "no accepted contribution");

        const version = datanet.versionCount + 1;
        let totalWeight = 0;
        for (const e of entries) {
          totalWeight += e.weight;
          storage.versionEntries.set(
            s,
            keys.versionEntry(args.datanetId, version, e.contributionId),
            e.weight,
          );
        }
        const root = versionRoot(entries);
        storage.versions.set(s, keys.version(args.datanetId, version), {
          root,
          totalWeight,
          count: entries.length,
          publishedAt: ctx.blockNumber,
          metadataUri: args.metadataUri,
        });
        storage.datanets.set(s, args.datanetId, { ...datanet, versionCount: version });
        emit(ctx, registry, "VersionPublished", {
          datanetId: args.datanetId,
          version,
          root,
          totalWeight,
          count: entries.length,
        });
      },
    }),
  ],
  events: [
    {
      index: 0,
      name: "DatanetCreated",
      data: T("RegistryDatanetEvent"),
      doc: "A datanet was created; `amount` is the deposit reserved",
    },
    {
      index: 1,
      name: "DatanetUpdated",
      data: T("RegistryDatanetEvent"),
      doc: "A datanet's description or metadata URI changed",
    },
    {
      index: 2,
      name: "LicenceChanged",
      data: T("RegistryDatanetEvent"),
      doc: "A datanet's licence changed",
    },
    {
      index: 3,
      name: "CuratorsChanged",
      data: T("RegistryDatanetEvent"),
      doc: "A datanet's curator set changed",
    },
    {
      index: 4,
      name: "OwnershipTransferred",
      data: T("RegistryDatanetEvent"),
      doc: "A datanet has a new owner (`account`), who now holds the deposit",
    },
    {
      index: 5,
      name: "DatanetClosed",
      data: T("RegistryDatanetEvent"),
      doc: "A datanet was closed and its deposit returned",
    },
    {
      index: 6,
      name: "ContributionSubmitted",
      data: T("RegistryContributionEvent"),
      doc: "A contribution was submitted; `amount` is the bond reserved",
    },
    {
      index: 7,
      name: "ContributionWithdrawn",
      data: T("RegistryContributionEvent"),
      doc: "A pending contribution was withdrawn and its bond returned",
    },
    {
      index: 8,
      name: "ContributionExpired",
      data: T("RegistryContributionEvent"),
      doc: "A contribution not reviewed within the review window was withdrawn and its bond returned",
    },
    {
      index: 9,
      name: "ContributionAccepted",
      data: T("RegistryReviewEvent"),
      doc: "A contribution was accepted with a quality score",
    },
    {
      index: 10,
      name: "ContributionRejected",
      data: T("RegistryReviewEvent"),
      doc: "A contribution was rejected: part of its bond slashed to the treasury and the curator",
    },
    {
      index: 11,
      name: "BondReleased",
      data: T("RegistryContributionEvent"),
      doc: "An accepted contribution's challenge window ended and its bond was returned",
    },
    {
      index: 12,
      name: "ChallengeOpened",
      data: T("RegistryChallengeEvent"),
      doc: "An accepted contribution was challenged",
    },
    {
      index: 13,
      name: "ChallengeUpheld",
      data: T("RegistryResolutionEvent"),
      doc: "A challenge was upheld: the contributor slashed, the challenger rewarded",
    },
    {
      index: 14,
      name: "ChallengeDismissed",
      data: T("RegistryResolutionEvent"),
      doc: "A challenge was dismissed: part of the challenger's bond slashed to the treasury",
    },
    {
      index: 15,
      name: "ChallengeExpired",
      data: T("RegistryResolutionEvent"),
      doc: "A challenge nobody resolved in time was dismissed without slashing",
    },
    {
      index: 16,
      name: "VersionPublished",
      data: T("RegistryVersionEvent"),
      doc: "A datanet version was published",
    },
    {
      index: 17,
      name: "ReputationChanged",
      data: T("RegistryReputationEvent"),
      doc: "An account's reputation changed",
    },
  ],
  errors: {
    BadOrigin: "bad origin",
    InsufficientBalance: "free balance too low for the deposit or bond",
    TooLong: "text too long",
    TooMany: "list too long",
    InvalidAccount: "not a valid account id",
    Duplicate: "an account appears twice",
    InvalidName: "invalid datanet name",
    InvalidModality: "invalid modality",
    InvalidLicence: "invalid licence",
    InvalidPolicy: "invalid curation policy",
    UnknownDatanet: "no such datanet",
    DatanetClosed: "the datanet is closed",
    NotOwner: "only the datanet's owner may do this",
    SameOwner: "the account already owns the datanet",
    HasPending: "the datanet still has pending contributions",
    HasChallenges: "the datanet still has open challenges",
    InvalidContentHash: "invalid content hash",
    InvalidSize: "invalid size",
    DuplicateContent: "a contribution with this content hash is already in the datanet",
    DatanetFull: "the datanet holds the most contributions allowed",
    PendingLimit: "too many pending contributions in this datanet",
    UnknownContribution: "no such contribution",
    NotContributor: "only the contributor may do this",
    WrongStatus: "the contribution's status does not allow this",
    NotCurator: "only a curator of the datanet may do this",
    InvalidQuality: "quality score out of range",
    WindowClosed: "the contribution's challenge window has ended",
    AlreadyChallenged: "the contribution already has an open challenge",
    SelfChallenge: "a contributor cannot challenge their own contribution",
    MissingEvidence: "missing evidence",
    NoChallenge: "the contribution has no open challenge",
    NothingToPublish: "nothing to publish",
  },
  onInitialize(ctx) {
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
        emit(ctx, registry, "ContributionExpired", {
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
  },
  invariants(s) {
    registryInvariants(s);
  },
};

/**
 * Try-state: `Held` equals, account by account, the deposits of open datanets plus the bonds of
 * contributions and challenges the registry records, and never exceeds the account's reserve;
 * each datanet's pending and challenge counters match its contributions and challenges.
 */
export function registryInvariants(s: RuntimeStorage): void {
  const expected = new Map<string, bigint>();
  const add = (who: Uint8Array, amount: bigint) => {
    if (amount === 0n) return;
    const key = toHex(who);
    expected.set(key, (expected.get(key) ?? 0n) + amount);
  };
  const pending = new Map<number, number>();
  const challenged = new Map<number, number>();
  for (const [, datanet] of storage.datanets.entries(s)) {
    if (datanet.closed && datanet.deposit !== 0n)
      throw new InvariantError("REGISTRY_DEPOSIT", "a closed datanet still holds a deposit");
    add(datanet.owner, datanet.deposit);
  }
  for (const [id, c] of storage.contributions.entries(s)) {
    add(c.contributor, c.bond);
    if (c.status === ContributionStatus.pending)
      pending.set(c.datanetId, (pending.get(c.datanetId) ?? 0) + 1);
    else if (c.bond > 0n && c.status !== ContributionStatus.accepted)
      throw new InvariantError("REGISTRY_BOND", `contribution #${id} keeps a bond after review`);
  }
  for (const [id, challenge] of storage.challenges.entries(s)) {
    add(challenge.challenger, challenge.bond);
    const c = storage.contributions.get(s, id);
    if (c?.status !== ContributionStatus.accepted)
      throw new InvariantError(
        "REGISTRY_CHALLENGE",
        `challenge of #${id} is not on an accepted contribution`,
      );
    challenged.set(c.datanetId, (challenged.get(c.datanetId) ?? 0) + 1);
  }
  let accounts = 0;
  for (const [who, held] of storage.held.entries(s)) {
    accounts++;
    const want = expected.get(toHex(who)) ?? 0n;
    if (held !== want)
      throw new InvariantError("REGISTRY_HELD", `${toHex(who)} held ${held}, records say ${want}`);
    const reserved = readAccount(s, who).reserved;
    if (reserved < held)
      throw new InvariantError(
        "REGISTRY_RESERVE",
        `${toHex(who)} reserves ${reserved} < held ${held}`,
      );
  }
  if (accounts !== expected.size)
    throw new InvariantError("REGISTRY_HELD", "an account's deposits or bonds are not in Held");
  for (const [id, datanet] of storage.datanets.entries(s)) {
    if (datanet.pendingCount !== (pending.get(id) ?? 0))
      throw new InvariantError("REGISTRY_PENDING", `datanet #${id} pending count is off`);
    if (datanet.openChallenges !== (challenged.get(id) ?? 0))
      throw new InvariantError("REGISTRY_CHALLENGES", `datanet #${id} challenge count is off`);
  }
}
