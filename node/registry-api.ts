// registry_* answers: the registry pallet's records read from a block's state and turned into
// JSON (amounts as decimal strings, accounts as SS58, hashes as hex).
import { bytesEqual, toHex } from "../primitives/bytes.ts";
import { parseAccountId, ss58Encode } from "../primitives/ss58.ts";
import type {
  Hex,
  NodeApi,
  RpcContribution,
  RpcContributionStatus,
  RpcCurator,
  RpcDatanet,
} from "../rpc/node-api.ts";
import {
  buildVersionProof,
  type Contribution,
  ContributionStatus,
  type Datanet,
  getChallenge,
  getContribution,
  getCurator,
  getDatanet,
  getReputation,
  getVersion,
  inStanding,
  isListedCurator,
  keys,
  LicenceKind,
  listContributions,
  listDatanets,
  Modality,
  stakeOf,
  storage,
} from "../runtime/pallets/registry/index.ts";
import type { StorageScan } from "../runtime/storage.ts";

const MODALITY_NAMES = Object.fromEntries(
  Object.entries(Modality).map(([name, value]) => [value, name]),
) as Record<number, RpcDatanet["modality"]>;
const LICENCE_NAMES = Object.fromEntries(
  Object.entries(LicenceKind).map(([name, value]) => [value, name]),
) as Record<number, RpcDatanet["licence"]["kind"]>;
export const STATUS_NAMES = Object.fromEntries(
  Object.entries(ContributionStatus).map(([name, value]) => [value, name]),
) as Record<number, RpcContributionStatus>;

export function registryApi(
  stateAt: (at: Hex | undefined) => StorageScan,
  ss58Prefix: number,
): NodeApi["registry"] {
  const address = (who: Uint8Array) => ss58Encode(who, ss58Prefix);
  const curatorJson = (s: StorageScan, id: number, d: Datanet, who: Uint8Array): RpcCurator => {
    const r = getCurator(s, id, who);
    return {
      datanetId: id,
      account: address(who),
      role: bytesEqual(d.owner, who) && !isListedCurator(d, who) ? "owner" : "curator",
      listed: isListedCurator(d, who),
      bond: r.bond.toString(),
      stake: stakeOf(s, id, d, who).toString(),
      standing: inStanding(s, id, d, who),
      open: r.open,
      decisions: r.decisions,
      stood: r.stood,
      overturned: r.overturned,
      slashed: r.slashed.toString(),
      earned: r.earned.toString(),
    };
  };
  const datanetJson = (s: StorageScan, id: number, d: Datanet): RpcDatanet => ({
    id,
    owner: address(d.owner),
    name: d.name,
    modality: MODALITY_NAMES[d.modality] ?? "other",
    description: d.description,
    metadataUri: d.metadataUri,
    licence: {
      kind: LICENCE_NAMES[d.licence.kind] ?? "open",
      fee: d.licence.fee.toString(),
      allowList: d.licence.allowList.map(address),
      commercial: d.licence.commercial,
      attribution: d.licence.attribution,
    },
    policy: {
      curators: d.policy.curators.map(address),
      minBond: d.policy.minBond.toString(),
      reviewWindow: d.policy.reviewWindow,
      challengeWindow: d.policy.challengeWindow,
      pendingLimit: d.policy.pendingLimit,
    },
    deposit: d.deposit.toString(),
    closed: d.closed,
    createdAt: d.createdAt,
    contributionCount: d.contributionCount,
    pendingCount: d.pendingCount,
    openChallenges: d.openChallenges,
    versionCount: d.versionCount,
    curation: [d.owner, ...d.policy.curators.filter((c) => !bytesEqual(c, d.owner))].map((who) =>
      curatorJson(s, id, d, who),
    ),
  });
  const contributionJson = (s: StorageScan, id: number, c: Contribution): RpcContribution => {
    const challenge = getChallenge(s, id);
    return {
      id,
      datanetId: c.datanetId,
      contributor: address(c.contributor),
      contentHash: toHex(c.contentHash) as Hex,
      size: c.size,
      metadataUri: c.metadataUri,
      bond: c.bond.toString(),
      status: STATUS_NAMES[c.status] ?? "pending",
      quality: c.quality,
      weight: c.weight,
      submittedAt: c.submittedAt,
      reviewedAt: c.reviewedAt,
      releaseAt: c.releaseAt,
      reviewer: c.reviewer.length === 32 ? address(c.reviewer) : null,
      reason: c.reason,
      reviewFee: c.reviewFee.toString(),
      decisionOpen: c.decisionOpen,
      appealed: c.appealed,
      challenge: challenge
        ? {
            kind: challenge.appeal ? "appeal" : "challenge",
            challenger: address(challenge.challenger),
            bond: challenge.bond.toString(),
            evidenceUri: challenge.evidenceUri,
            openedAt: challenge.openedAt,
            expiresAt: challenge.expiresAt,
          }
        : null,
    };
  };
  return {
    datanet: (id, at) => {
      const s = stateAt(at);
      const datanet = getDatanet(s, id);
      return datanet ? datanetJson(s, id, datanet) : null;
    },
    datanets: (start, count, at) => {
      const s = stateAt(at);
      const page = listDatanets(s, start, count + 1);
      const items = page.slice(0, count).map(({ id, datanet }) => datanetJson(s, id, datanet));
      return { items, next: page.length > count ? page[count]!.id : null };
    },
    contribution: (id, at) => {
      const s = stateAt(at);
      const contribution = getContribution(s, id);
      return contribution ? contributionJson(s, id, contribution) : null;
    },
    contributions: (filter, start, count, at) => {
      const s = stateAt(at);
      const page = listContributions(
        s,
        {
          datanetId: filter.datanet,
          contributor:
            filter.contributor === undefined ? undefined : parseAccountId(filter.contributor),
          status:
            filter.status === undefined
              ? undefined
              : ContributionStatus[filter.status as keyof typeof ContributionStatus],
        },
        start,
        count,
      );
      return {
        items: page.items.map(({ id, contribution }) => contributionJson(s, id, contribution)),
        next: page.next,
      };
    },
    version: (datanetId, version, at) => {
      const record = getVersion(stateAt(at), datanetId, version);
      if (!record) return null;
      return {
        datanetId,
        version,
        root: toHex(record.root) as Hex,
        totalWeight: record.totalWeight,
        count: record.count,
        publishedAt: record.publishedAt,
        metadataUri: record.metadataUri,
        storageKey: toHex(storage.versions.key(keys.version(datanetId, version))) as Hex,
      };
    },
    proof: (datanetId, version, contributionId, at) => {
      const proof = buildVersionProof(stateAt(at), datanetId, version, contributionId);
      if (!proof) return null;
      return {
        datanetId,
        version,
        contributionId,
        weight: proof.weight,
        root: toHex(proof.root) as Hex,
        totalWeight: proof.totalWeight,
        proof: {
          index: proof.proof.index,
          count: proof.proof.count,
          siblings: proof.proof.siblings.map((h) => toHex(h) as Hex),
        },
      };
    },
    reputation: (account, at) => {
      const who = parseAccountId(account);
      const r = getReputation(stateAt(at), who);
      return { account: address(who), ...r };
    },
    curator: (datanetId, account, at) => {
      const s = stateAt(at);
      const datanet = getDatanet(s, datanetId);
      return datanet ? curatorJson(s, datanetId, datanet, parseAccountId(account)) : null;
    },
  };
}
