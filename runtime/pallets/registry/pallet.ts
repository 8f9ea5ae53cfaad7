// The data registry pallet: datanets, contributions, curation, challenges, reputation and
// versions. Calls check first and write last. The money the registry holds is in ledger.ts,
// curators' stakes, records and fees in curation.ts (their calls in curation-calls.ts), appeals
// in appeals.ts, the windows that end by themselves in due.ts, the try-state checks in
// invariants.ts.
import { bytesEqual } from "../../../primitives/bytes.ts";
import { messageType } from "../../../primitives/codec.ts";
import { type CallerOrigin, defineCall, type Pallet, type RuntimeContext } from "../../pallet.ts";
import { param } from "../params.ts";
import { noteRejected, noteSubmitted } from "./activity.ts";
import {
  checkAccounts,
  checkLicence,
  checkPolicy,
  checkText,
  contributionOf,
  datanetOf,
  ensureOwner,
  ensureRootOrigin,
  ensureSignedOrigin,
  ensureStatus,
  openDatanetOf,
} from "./checks.ts";
import { ensureJudge, noteDecision } from "./curation.ts";
import { CURATION_CALLS } from "./curation-calls.ts";
import { processDue } from "./due.ts";
import { pendingLimit, requiredBond, share } from "./economics.ts";
import { REGISTRY_ERRORS, registryError } from "./errors.ts";
import { emitEvent, REGISTRY_EVENTS, REGISTRY_INDEX } from "./events.ts";
import { registryInvariants } from "./invariants.ts";
import { ensureCanReserve, hold, release } from "./ledger.ts";
import {
  amountBytes,
  changePending,
  changeReputation,
  leavePending,
  pendingForCurator,
  recordAcceptance,
  resolveChallenge,
  withdrawPending,
} from "./lifecycle.ts";
import {
  DueKind,
  datanetContributionIds,
  getCurator,
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
  const who = ensureSignedOrigin(origin);
  const challenge = storage.challenges.get(ctx.storage, id);
  if (!challenge || challenge.appeal) throw registryError("NoChallenge", `#${id}`);
  const contribution = contributionOf(ctx.storage, id);
  ensureJudge(datanetOf(ctx.storage, contribution.datanetId), contribution, challenge, who);
  resolveChallenge(ctx, id, uphold ? "upheld" : "dismissed");
}

/** The owner's decisions back its deposit: it keeps the datanet until they stand or fall. */
function ensureNoOpenDecisions(ctx: RuntimeContext, datanetId: number, owner: Uint8Array) {
  const open = getCurator(ctx.storage, datanetId, owner).open;
  if (open > 0) throw registryError("OpenDecisions", `the owner has ${open} open decisions`);
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
        const who = ensureSignedOrigin(origin);
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
        const who = ensureSignedOrigin(origin);
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
        const who = ensureSignedOrigin(origin);
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
        const who = ensureSignedOrigin(origin);
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
        const who = ensureSignedOrigin(origin);
        const datanet = openDatanetOf(ctx.storage, args.datanetId);
        ensureOwner(datanet, who);
        if (args.newOwner.length !== 32)
          throw registryError("InvalidAccount", "the new owner must be a 32-byte account id");
        if (bytesEqual(args.newOwner, who)) throw registryError("SameOwner");
        ensureNoOpenDecisions(ctx, args.datanetId, who);
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
      doc: "The owner closes a datanet with no pending contribution, no open challenge or appeal and none of its own decisions open; the deposit is returned. Versions stay readable and the curators' decisions still stand when their windows end",
      weight: () => W_DATANET,
      handler(ctx, origin, args) {
        const who = ensureSignedOrigin(origin);
        const datanet = openDatanetOf(ctx.storage, args.datanetId);
        ensureOwner(datanet, who);
        if (datanet.pendingCount > 0)
          throw registryError("HasPending", `${datanet.pendingCount} pending contributions`);
        if (datanet.openChallenges > 0)
          throw registryError(
            "HasChallenges",
            `${datanet.openChallenges} open challenges and appeals`,
          );
        ensureNoOpenDecisions(ctx, args.datanetId, who);
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
      doc: "Submits a contribution (content hash = Merkle root of the data object) to an open datanet, reserving a bond scaled by the sender's reputation and the review fee. A content hash already in the datanet is refused unless its contribution was withdrawn",
      weight: () => W_SUBMIT,
      handler(ctx, origin, args) {
        const who = ensureSignedOrigin(origin);
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
        const reviewFee = param(s, "registryReviewFee");
        ensureCanReserve(s, who, bond + reviewFee, "the contribution bond and review fee");

        const id = storage.nextContributionId.get(s);
        const reviewBy = ctx.blockNumber + datanet.policy.reviewWindow;
        hold(ctx, who, bond + reviewFee);
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
          reviewFee,
          decisionOpen: false,
          appealed: false,
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
      doc: "The contributor withdraws a pending contribution; the bond and the review fee are returned in full",
      weight: () => W_SUBMIT,
      handler(ctx, origin, args) {
        const who = ensureSignedOrigin(origin);
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
      doc: "A curator in standing accepts a pending contribution with a quality score (its weight in versions); when the challenge window ends without an upheld challenge the bond is released and the curator earns the review fee",
      weight: () => W_REVIEW,
      handler(ctx, origin, args) {
        const who = ensureSignedOrigin(origin);
        const s = ctx.storage;
        const { contribution } = pendingForCurator(s, args.contributionId, who);
        const maxQuality = param(s, "registryMaxQuality");
        if (args.quality < 1 || BigInt(args.quality) > maxQuality)
          throw registryError("InvalidQuality", `the quality must be 1..${maxQuality}`);

        leavePending(s, args.contributionId, contribution);
        recordAcceptance(ctx, args.contributionId, contribution, args.quality, who);
      },
    }),
    defineCall<{ contributionId: number; reason: string }>({
      index: 9,
      name: "rejectContribution",
      args: T("RegistryRejectArgs"),
      origin: "signed",
      doc: "A curator in standing rejects a pending contribution with a reason. The contributor may appeal within the challenge window; when the rejection stands part of the bond is slashed to the treasury, the rest returned, and the curator earns the review fee",
      weight: () => W_REVIEW,
      handler(ctx, origin, args) {
        const who = ensureSignedOrigin(origin);
        const s = ctx.storage;
        const { contribution, datanet } = pendingForCurator(s, args.contributionId, who);
        checkText(s, args.reason, "registryMaxTextBytes", "the reason");

        const slashed = share(contribution.bond, param(s, "registryRejectSlashPpm"));
        const appealBy = ctx.blockNumber + datanet.policy.challengeWindow;
        leavePending(s, args.contributionId, contribution);
        storage.due.set(
          s,
          keys.due(appealBy, DueKind.rejectionStands, args.contributionId),
          MARKER_VALUE,
        );
        storage.contributions.set(s, args.contributionId, {
          ...contribution,
          status: ContributionStatus.rejected,
          reviewedAt: ctx.blockNumber,
          releaseAt: appealBy,
          reviewer: who,
          reason: args.reason,
          decisionOpen: true,
        });
        noteDecision(s, contribution.datanetId, who);
        noteRejected(ctx);
        emitEvent(ctx, "ContributionRejected", {
          contributionId: args.contributionId,
          curator: who,
          reason: args.reason,
          slashed: amountBytes(slashed),
          returned: amountBytes(contribution.bond - slashed),
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
        const who = ensureSignedOrigin(origin);
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
          appeal: false,
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
      doc: "The datanet's owner upholds (the contributor and the accepting curator are slashed, the challenger rewarded) or dismisses (the challenger is slashed) an open challenge; never of its own decision or a case it is a party to (root judges those)",
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
      doc: "Governance resolves any open challenge as resolveChallenge does",
      weight: () => W_RESOLVE,
      handler(ctx, origin, args) {
        ensureRootOrigin(origin);
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
        const who = ensureSignedOrigin(origin);
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
    ...CURATION_CALLS,
  ],
  events: REGISTRY_EVENTS,
  errors: REGISTRY_ERRORS,
  onInitialize: processDue,
  invariants: registryInvariants,
};
