// The data registry pallet: datanets, contributions, curation, challenges, reputation and
// versions. Calls check first and write last. The money the registry holds is in ledger.ts, the
// windows that end by themselves (review, challenge window, challenge expiry) in lifecycle.ts,
// the try-state checks in invariants.ts.
import { bytesEqual } from "../../../primitives/bytes.ts";
import { messageType } from "../../../primitives/codec.ts";
import {
  type CallerOrigin,
  defineCall,
  ensureRoot,
  ensureSigned,
  type Pallet,
  type RuntimeContext,
} from "../../pallet.ts";
import { depositOrBurn } from "../balances.ts";
import { param } from "../params.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { noteAccepted, noteRejected, noteSubmitted } from "./activity.ts";
import {
  checkAccounts,
  checkLicence,
  checkPolicy,
  checkText,
  contributionOf,
  datanetOf,
  ensureOwner,
  ensureStatus,
  isCurator,
  openDatanetOf,
} from "./checks.ts";
import { pendingLimit, requiredBond, share } from "./economics.ts";
import { REGISTRY_ERRORS, registryError } from "./errors.ts";
import { emitEvent, REGISTRY_EVENTS, REGISTRY_INDEX } from "./events.ts";
import { registryInvariants } from "./invariants.ts";
import { ensureCanReserve, hold, release, slash } from "./ledger.ts";
import {
  amountBytes,
  changePending,
  changeReputation,
  leavePending,
  pendingForCurator,
  processDue,
  resolveChallenge,
  withdrawPending,
} from "./lifecycle.ts";
import {
  DueKind,
  datanetContributionIds,
  getReputation,
  keys,
  MARKER_VALUE,
  NAME,
  pendingCount,
  storage,
} from "./storage.ts";
import {
  ContributionStatus,
  licenceFromWire,
  MODALITY_COUNT,
  type Modality,
  policyFromWire,
} from "./types.ts";
import { versionRoot } from "./versions.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

// Weights (picoseconds of reference time): estimates from the storage each call touches, until
// the benchmark measures them.
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
  if (!storage.challenges.has(ctx.storage, id)) throw registryError("NoChallenge", `#${id}`);
  const datanet = datanetOf(ctx.storage, contributionOf(ctx.storage, id).datanetId);
  if (!isCurator(datanet, who) && !bytesEqual(datanet.owner, who))
    throw registryError("NotCurator", "only the owner or a curator resolves challenges");
  resolveChallenge(ctx, id, uphold ? "upheld" : "dismissed");
}

export const registry: Pallet = {
  name: NAME,
  index: REGISTRY_INDEX,
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
        if (args.name.length === 0) throw registryError("InvalidName", "the name is empty");
        checkText(s, args.name, "registryMaxNameBytes", "the name");
        if (args.modality >= MODALITY_COUNT)
          throw registryError("InvalidModality", `unknown modality ${args.modality}`);
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
        emitEvent(ctx, "DatanetCreated", {
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
        emitEvent(ctx, "DatanetUpdated", { datanetId: args.datanetId, account: who });
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
        emitEvent(ctx, "LicenceChanged", { datanetId: args.datanetId, account: who });
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
        emitEvent(ctx, "CuratorsChanged", { datanetId: args.datanetId, account: who });
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
          throw registryError("InvalidAccount", "the new owner must be a 32-byte account id");
        if (bytesEqual(args.newOwner, who)) throw registryError("SameOwner");
        ensureCanReserve(ctx.storage, args.newOwner, datanet.deposit, "the datanet deposit");
        release(ctx, who, datanet.deposit);
        hold(ctx, args.newOwner, datanet.deposit);
        storage.datanets.set(ctx.storage, args.datanetId, { ...datanet, owner: args.newOwner });
        emitEvent(ctx, "OwnershipTransferred", {
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
          throw registryError("HasPending", `${datanet.pendingCount} pending contributions`);
        if (datanet.openChallenges > 0)
          throw registryError("HasChallenges", `${datanet.openChallenges} open challenges`);
        release(ctx, who, datanet.deposit);
        storage.datanets.set(ctx.storage, args.datanetId, {
          ...datanet,
          closed: true,
          deposit: 0n,
        });
        emitEvent(ctx, "DatanetClosed", {
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
      doc: "Submits a contribution (content hash = Merkle root of the data object) to an open datanet, reserving a bond scaled by the sender's reputation. A content hash already in the datanet is refused unless its contribution was withdrawn",
      weight: () => W_SUBMIT,
      handler(ctx, origin, args) {
        const who = ensureSigned(registry, origin);
        const s = ctx.storage;
        const datanet = openDatanetOf(s, args.datanetId);
        if (args.contentHash.length !== 32)
          throw registryError("InvalidContentHash", "the content hash must be 32 bytes");
        if (args.size <= 0) throw registryError("InvalidSize", "the size must be positive");
        checkText(s, args.metadataUri, "registryMaxUriBytes", "the metadata URI");
        if (storage.contentIndex.has(s, keys.content(args.datanetId, args.contentHash)))
          throw registryError("DuplicateContent");
        const max = param(s, "registryMaxContributionsPerDatanet");
        if (BigInt(datanet.contributionCount) >= max)
          throw registryError("DatanetFull", `at most ${max} contributions`);
        const score = getReputation(s, who).score;
        const limit = pendingLimit(s, datanet.policy.pendingLimit, score);
        const pending = pendingCount(s, args.datanetId, who);
        if (pending >= limit)
          throw registryError("PendingLimit", `${pending} pending, the limit is ${limit}`);
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
        noteSubmitted(ctx, who);
        emitEvent(ctx, "ContributionSubmitted", {
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
        if (!bytesEqual(contribution.contributor, who)) throw registryError("NotContributor");
        ensureStatus(contribution, ContributionStatus.pending, "only a pending contribution");
        withdrawPending(ctx, args.contributionId, contribution);
        emitEvent(ctx, "ContributionWithdrawn", {
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
        const { contribution, datanet } = pendingForCurator(s, args.contributionId, who);
        const maxQuality = param(s, "registryMaxQuality");
        if (args.quality < 1 || BigInt(args.quality) > maxQuality)
          throw registryError("InvalidQuality", `the quality must be 1..${maxQuality}`);

        const releaseAt = ctx.blockNumber + datanet.policy.challengeWindow;
        leavePending(s, args.contributionId, contribution);
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
        noteAccepted(ctx, contribution.contributor, args.quality);
        emitEvent(ctx, "ContributionAccepted", {
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
        const { contribution } = pendingForCurator(s, args.contributionId, who);
        checkText(s, args.reason, "registryMaxTextBytes", "the reason");

        const slashed = share(contribution.bond, param(s, "registryRejectSlashPpm"));
        const curatorShare = share(slashed, param(s, "registryRejectCuratorPpm"));
        const returned = contribution.bond - slashed;
        slash(ctx, contribution.contributor, slashed);
        release(ctx, contribution.contributor, returned);
        const toCurator = depositOrBurn(ctx, who, curatorShare);
        const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, slashed - curatorShare);
        leavePending(s, args.contributionId, contribution);
        storage.contributions.set(s, args.contributionId, {
          ...contribution,
          status: ContributionStatus.rejected,
          bond: 0n,
          reviewedAt: ctx.blockNumber,
          releaseAt: 0,
          reviewer: who,
          reason: args.reason,
        });
        noteRejected(ctx);
        emitEvent(ctx, "ContributionRejected", {
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
          throw registryError(
            "WindowClosed",
            `the window ended at block ${contribution.releaseAt}`,
          );
        if (storage.challenges.has(s, args.contributionId))
          throw registryError("AlreadyChallenged");
        if (bytesEqual(contribution.contributor, who)) throw registryError("SelfChallenge");
        if (args.evidenceUri.length === 0)
          throw registryError("MissingEvidence", "an evidence reference is required");
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
        emitEvent(ctx, "ChallengeOpened", {
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
          throw registryError("NothingToPublish", "no accepted contribution");

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
        emitEvent(ctx, "VersionPublished", {
          datanetId: args.datanetId,
          version,
          root,
          totalWeight,
          count: entries.length,
        });
      },
    }),
  ],
  events: REGISTRY_EVENTS,
  errors: REGISTRY_ERRORS,
  onInitialize: processDue,
  invariants: registryInvariants,
};
