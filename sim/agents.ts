// The simulator's agents and their policies. Each epoch runs in phases (block offsets within the
// epoch); in each phase every agent looks at the chain's state and its own books and returns the
// calls it wants to make. Policies are deliberately simple and documented in docs/simulator.md;
// every random choice comes from the run's seeded Random, so a seed always gives the same run.
import { u128ToBytes } from "../primitives/amount.ts";
import { toHex } from "../primitives/bytes.ts";
import { proofFromLevels } from "../primitives/merkle.ts";
import {
  claimableFor,
  getModel,
  hasLicence,
  type ManifestEntry,
} from "../runtime/pallets/attribution/index.ts";
import { param } from "../runtime/pallets/params.ts";
import {
  ContributionStatus,
  datanetContributionIds,
  getContribution,
  getCurator,
  getDatanet,
  getReputation,
  getVersion,
  LicenceKind,
  Modality,
  pendingCount,
  pendingLimit,
  requiredBond,
} from "../runtime/pallets/registry/index.ts";
import { readAccount } from "../runtime/pallets/system.ts";
import type { StorageScan } from "../runtime/storage.ts";
import type { MeasuredMarket, SettledReport } from "./measured.ts";
import type { Random } from "./random.ts";
import type { Scenario } from "./scenario.ts";

const PPM = 1_000_000;

/** Block offsets within an epoch at which each phase runs. */
export const PHASE = {
  /** Epoch 0: datanets are created. Every epoch: submissions, challenges, claims. */
  submit: 1,
  /** Curators (topped up to the curator bond) review what is pending; owners resolve open challenges. */
  review: 2,
  /** Datanet owners publish versions. */
  publish: 3,
  /** Model owners (and wash traders) register models on the newest versions. */
  train: 4,
  /** Consumers, licence buyers and wash traders pay. */
  pay: 5,
} as const;

/** Contributions of true quality below this are junk: a correct curator rejects them. */
const ACCEPT_QUALITY = 30;

export type Role =
  | "owner"
  | "honest"
  | "spammer"
  | "curator"
  | "challenger"
  | "consumer"
  | "licenceBuyer"
  | "modelOwner"
  | "washTrader"
  | "washPayer"
  | "copier"
  | "colludingCurator"
  | "colludingPartner"
  | "manifestGamer"
  | "honestAttestor"
  | "lazyAttestor"
  | "colludingAttestor"
  | "validator";

export interface Agent {
  role: Role;
  index: number;
  account: Uint8Array;
  endowment: bigint;
  /** Set by the engine from events. */
  books: Books;
}

/** What an agent earned and spent, from the chain's events (planck). */
export interface Books {
  /** Reward claims received, by epoch. */
  claimedByEpoch: Map<number, bigint>;
  claimedTotal: bigint;
  /** Bonds reserved for submissions, in all. */
  bondsPosted: bigint;
  submissions: number;
  /** Epochs in which the agent submitted at least once. */
  activeEpochs: Set<number>;
  /** Its contribution ids by datanet, in submission order. */
  contributions: Map<number, number[]>;
}

export interface Call {
  who: Agent;
  call: string;
  args: object;
}

export interface World {
  state: StorageScan;
  block: number;
  epoch: number;
  /** True quality of each contribution's content, by content hash (hex): what curators judge. */
  truth: Map<string, number>;
  /** Version pools paid into (payments, licences, emission, forfeits) since the last claim phase. */
  paidPools: readonly { datanetId: number; version: number }[];
  /** Measured windows settled by a report since the last claim phase, with the report's leaves. */
  settledReports: readonly SettledReport[];
  /** Measured attribution's data and reports; null when the scenario has none. */
  measured: MeasuredMarket | null;
  rng: Random;
}

function freshBooks(): Books {
  return {
    claimedByEpoch: new Map(),
    claimedTotal: 0n,
    bondsPosted: 0n,
    submissions: 0,
    activeEpochs: new Set(),
    contributions: new Map(),
  };
}

export function makeAgent(
  role: Role,
  index: number,
  account: Uint8Array,
  endowment: bigint,
): Agent {
  return { role, index, account, endowment, books: freshBooks() };
}

/** Free plus reserved: what an agent holds on chain. */
function holdings(s: StorageScan, who: Uint8Array): bigint {
  const a = readAccount(s, who);
  return a.free + a.reserved;
}

/** What an agent made or lost so far: holdings minus its endowment. */
export function netReturn(s: StorageScan, agent: Agent): bigint {
  return holdings(s, agent.account) - agent.endowment;
}

/**
 * New content of true quality `quality`: a labelled-vector file (its blake2b-256 is the content
 * hash) when the scenario measures attribution, else only a random hash.
 */
function newContent(world: World, quality: number): { hash: Uint8Array; size: number } {
  if (world.measured) return world.measured.contribute(quality);
  const hash = new Uint8Array(32);
  for (let i = 0; i < 32; i += 4) {
    const x = world.rng.nextU32();
    hash[i] = x & 0xff;
    hash[i + 1] = (x >>> 8) & 0xff;
    hash[i + 2] = (x >>> 16) & 0xff;
    hash[i + 3] = (x >>> 24) & 0xff;
  }
  return { hash, size: 1_000_000 };
}

function contentCall(
  world: World,
  who: Agent,
  datanetId: number,
  content: { hash: Uint8Array; size: number },
  quality: number,
): Call {
  world.truth.set(toHex(content.hash), quality);
  return {
    who,
    call: "Registry.submitContribution",
    args: {
      datanetId,
      contentHash: content.hash,
      size: content.size,
      metadataUri: `sim://${who.role}/${who.index}/${world.epoch}`,
    },
  };
}

export function submissionCall(world: World, who: Agent, datanetId: number, quality: number): Call {
  return contentCall(world, who, datanetId, newContent(world, quality), quality);
}

/**
 * Claims for every reward the account can claim in the pools paid into since the last claim phase
 * (`World.paidPools`), as claim calls of at most attributionMaxClaims ids, and for every non-zero
 * leaf of its contributions in the measured windows settled since then (`World.settledReports`),
 * one claimMeasured each with its Merkle proof. Looking only at those pools and windows keeps the
 * cost per epoch independent of how many versions and windows exist.
 */
export function claims(world: World, who: Agent): Call[] {
  return [...poolClaims(world, who), ...measuredClaims(world, who)];
}

function measuredClaims(world: World, who: Agent): Call[] {
  if (world.settledReports.length === 0) return [];
  const mine = new Set([...who.books.contributions.values()].flat());
  const out: Call[] = [];
  for (const report of world.settledReports) {
    report.entries.forEach((e, i) => {
      if (e.amount === 0n || !mine.has(e.contributionId)) return;
      // A slashed contribution's leaf goes to the treasury, not to its contributor.
      if (getContribution(world.state, e.contributionId)?.status === ContributionStatus.slashed)
        return;
      const proof = proofFromLevels(report.levels, i);
      out.push({
        who,
        call: "Attribution.claimMeasured",
        args: {
          modelId: report.modelId,
          window: report.window,
          contributionId: e.contributionId,
          amount: u128ToBytes(e.amount),
          proofIndex: proof.index,
          proofCount: proof.count,
          siblings: proof.siblings,
        },
      });
    });
  }
  return out;
}

function poolClaims(world: World, who: Agent): Call[] {
  const max = Number(param(world.state, "attributionMaxClaims"));
  const groups: { datanetId: number; version: number; ids: number[] }[] = [];
  for (const { datanetId, version } of world.paidPools) {
    const ids = (who.books.contributions.get(datanetId) ?? []).filter(
      (id) => claimableFor(world.state, datanetId, version, id) > 0n,
    );
    if (ids.length > 0) groups.push({ datanetId, version, ids });
  }
  const out: Call[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.ids.length; i += max) {
      out.push({
        who,
        call: "Attribution.claim",
        args: {
          datanetId: g.datanetId,
          version: g.version,
          contributionIds: g.ids.slice(i, i + max),
        },
      });
    }
  }
  return out;
}

// ---- honest contributors ----

export interface HonestContributor extends Agent {
  quality: number;
  active: boolean;
}

/**
 * An honest contributor submits `contributionsPerEpoch` contributions of its own quality to one
 * datanet each epoch and claims its rewards every epoch. From `graceEpochs` epochs after its first
 * submission (nobody can submit in epoch 0, before the datanets exist, so the grace counts from
 * the contributor's first active epoch, not from genesis) it stays only while its expected
 * earnings per contribution (all it has claimed / all it has submitted) cover its cost per
 * contribution (off-chain cost plus the transaction fee); it comes back when they do.
 */
export function honestActions(
  world: World,
  agent: HonestContributor,
  pop: NonNullable<Scenario["populations"]["honestContributors"]>,
  datanets: number,
  fee: bigint,
): Call[] {
  const out = claims(world, agent);
  const firstActive = firstActiveEpoch(agent);
  if (firstActive !== undefined && world.epoch >= firstActive + pop.graceEpochs) {
    const perContribution = agent.books.claimedTotal / BigInt(agent.books.submissions);
    agent.active = perContribution >= pop.costPerContribution + fee;
  }
  if (!agent.active) return out;
  const datanetId = agent.index % datanets;
  const room = roomToSubmit(world.state, agent, datanetId);
  for (let i = 0; i < Math.min(pop.contributionsPerEpoch, room); i++)
    out.push(submissionCall(world, agent, datanetId, agent.quality));
  return out;
}

/** The first epoch in which the agent submitted (its books record them in order), if any. */
function firstActiveEpoch(agent: Agent): number | undefined {
  return agent.books.activeEpochs.values().next().value;
}

/** How many more submissions the pending limit allows this account in a datanet. */
function roomToSubmit(s: StorageScan, agent: Agent, datanetId: number): number {
  const datanet = getDatanet(s, datanetId);
  if (!datanet) return 0;
  const limit = pendingLimit(s, datanet.policy.pendingLimit, getReputation(s, agent.account).score);
  return Math.max(0, limit - pendingCount(s, datanetId, agent.account));
}

// ---- spammers ----

export interface Spammer extends Agent {
  stopped: boolean;
  startEpoch: number;
}

/**
 * A spammer submits junk (true quality 1..5) from its start epoch, as many as its submissions per
 * epoch, its pending limit and its bond budget (bonds it has locked up at once) allow, and claims
 * whatever junk earns. After `trialEpochs` it stops for good as soon as its return (holdings minus
 * endowment: claims and returned bonds minus slashes and fees) is negative.
 */
export function spammerActions(
  world: World,
  agent: Spammer,
  pop: NonNullable<Scenario["populations"]["spammers"]>,
  datanets: number,
): Call[] {
  if (agent.stopped || world.epoch < agent.startEpoch) return [];
  const out = claims(world, agent);
  if (world.epoch >= agent.startEpoch + pop.trialEpochs && netReturn(world.state, agent) < 0n) {
    agent.stopped = true;
    return out;
  }
  const datanetId = (agent.index + world.epoch) % datanets;
  const datanet = getDatanet(world.state, datanetId);
  if (!datanet) return out;
  const bond = requiredBond(
    world.state,
    datanet.policy.minBond,
    getReputation(world.state, agent.account).score,
  );
  const locked = readAccount(world.state, agent.account).reserved;
  const byBudget = bond > 0n ? Number((pop.bondBudget - locked) / bond) : pop.submissionsPerEpoch;
  const n = Math.min(
    pop.submissionsPerEpoch,
    roomToSubmit(world.state, agent, datanetId),
    byBudget,
  );
  for (let i = 0; i < n; i++)
    out.push(submissionCall(world, agent, datanetId, 1 + world.rng.int(5)));
  return out;
}

// ---- copiers ----

/**
 * What copiers may copy: accepted contributions of `datanets` whose data is original (not itself a
 * copy), in datanet then id order. Planning a phase changes no state, so one scan serves every
 * copier.
 */
export function copyCandidates(
  world: World,
  datanets: number[],
): { id: number; datanetId: number; content: string }[] {
  const out: { id: number; datanetId: number; content: string }[] = [];
  if (!world.measured) return out;
  for (const datanetId of datanets) {
    for (const id of datanetContributionIds(world.state, datanetId, 0, 100_000)) {
      const c = getContribution(world.state, id);
      if (c?.status !== ContributionStatus.accepted) continue;
      const content = toHex(c.contentHash);
      if (world.measured.isOriginal(content)) out.push({ id, datanetId, content });
    }
  }
  return out;
}

/**
 * A copier claims whatever its copies earn, then, from its start epoch, submits `copiesPerEpoch`
 * near copies of accepted contributions picked at random (every coordinate moved by at most one),
 * each to the datanet of its original, within its pending limit. Curators judge a copy as they
 * would its original: they cannot tell it from new data. It never stops: it is there to show what
 * copies earn, not to learn.
 */
export function copierActions(
  world: World,
  agent: Agent,
  pop: NonNullable<Scenario["populations"]["copiers"]>,
  candidates: { id: number; datanetId: number; content: string }[],
): Call[] {
  const out = claims(world, agent);
  if (world.epoch < pop.startEpoch || candidates.length === 0 || !world.measured) return out;
  const room = new Map<number, number>();
  for (let i = 0; i < pop.copiesPerEpoch; i++) {
    const original = candidates[world.rng.int(candidates.length)]!;
    const left =
      room.get(original.datanetId) ?? roomToSubmit(world.state, agent, original.datanetId);
    if (left === 0) continue;
    room.set(original.datanetId, left - 1);
    const quality = trueQualityOf(world, original.content);
    const copy = world.measured.copy(original.content, original.id);
    out.push(contentCall(world, agent, original.datanetId, copy, quality));
  }
  return out;
}

// ---- curators, owners and challengers ----

/** A curator's verdict on a contribution of true quality `q`: right unless its error strikes. */
function verdict(world: World, q: number, errorRate: number): boolean {
  const good = q >= ACCEPT_QUALITY;
  return world.rng.chance(errorRate) ? !good : good;
}

/** What curators judge: the content's true quality (unknown content passes as just good enough). */
function trueQuality(world: World, contentHash: Uint8Array): number {
  return trueQualityOf(world, toHex(contentHash));
}

function trueQualityOf(world: World, content: string): number {
  return world.truth.get(content) ?? ACCEPT_QUALITY;
}

/** Who reviews a contribution: one of the datanet's curators by contribution id, else its owner. */
function reviewerOf(id: number, owner: Agent, curators: Agent[]): Agent {
  return curators.length > 0 ? curators[id % curators.length]! : owner;
}

/**
 * Reviews: each pending contribution of a datanet is reviewed by one of its curators (chosen by
 * contribution id), or by the owner when the datanet has none. Good data (true quality ≥ 30) is
 * accepted with its true quality as the score and junk rejected, except that with probability
 * `errorRate` the verdict is the wrong one (junk accepted gets its low true quality). Open
 * challenges are resolved the same way: upheld when the contribution is junk. Contributions in
 * `decided` (a colluding curator got to them first this block) are left alone.
 */
export function reviewActions(
  world: World,
  datanetId: number,
  owner: Agent,
  curators: Agent[],
  errorRate: number,
  decided: ReadonlySet<number> = new Set(),
): Call[] {
  // Nothing pending, no verdict (and no random draw) to make.
  if ((getDatanet(world.state, datanetId)?.pendingCount ?? 0) === 0) return [];
  const out: Call[] = [];
  const maxQuality = Number(param(world.state, "registryMaxQuality"));
  for (const id of datanetContributionIds(world.state, datanetId, 0, 100_000)) {
    const c = getContribution(world.state, id);
    if (c?.status === ContributionStatus.pending && !decided.has(id)) {
      const reviewer = reviewerOf(id, owner, curators);
      const q = trueQuality(world, c.contentHash);
      const accept = verdict(world, q, errorRate);
      out.push(
        accept
          ? {
              who: reviewer,
              call: "Registry.acceptContribution",
              args: {
                contributionId: id,
                quality: Math.max(1, Math.min(maxQuality, Math.round(q))),
              },
            }
          : {
              who: reviewer,
              call: "Registry.rejectContribution",
              args: { contributionId: id, reason: "below the datanet's standard" },
            },
      );
    }
  }
  return out;
}

/**
 * The owner judges open challenges of its curators' acceptances, with the curators' error rate:
 * upheld when the contribution is junk. Its own acceptances (a datanet with no curators) are for
 * root to judge, and the simulated chain has none: those challenges expire.
 */
export function resolveActions(
  world: World,
  datanetId: number,
  owner: Agent,
  curators: Agent[],
  errorRate: number,
  openChallenges: Set<number>,
): Call[] {
  if (curators.length === 0) return [];
  const out: Call[] = [];
  for (const id of [...openChallenges].sort((a, b) => a - b)) {
    const c = getContribution(world.state, id);
    if (!c || c.datanetId !== datanetId) continue;
    const q = trueQuality(world, c.contentHash);
    out.push({
      who: owner,
      call: "Registry.resolveChallenge",
      args: { contributionId: id, uphold: !verdict(world, q, errorRate) },
    });
  }
  return out;
}

/**
 * A curator keeps its stake in each datanet at the curator bond: it bonds the shortfall (its
 * first bond, or a top-up after a slash) when it can pay for it.
 */
export function curatorBondActions(world: World, curator: Agent, datanets: number[]): Call[] {
  const min = param(world.state, "registryCuratorBond");
  const out: Call[] = [];
  for (const datanetId of datanets) {
    const bond = getCurator(world.state, datanetId, curator.account).bond;
    if (bond >= min) continue;
    out.push({
      who: curator,
      call: "Registry.bondCurator",
      args: { datanetId, amount: u128ToBytes(min - bond) },
    });
  }
  return out;
}

/**
 * What challengers may challenge: accepted contributions of `datanets` still in their challenge
 * window whose true quality is below `qualityBelow`, in datanet then id order. Planning a phase
 * changes no state, so one scan serves every challenger.
 */
export function challengeCandidates(
  world: World,
  datanets: number[],
  qualityBelow: number,
): number[] {
  const out: number[] = [];
  for (const datanetId of datanets) {
    for (const id of datanetContributionIds(world.state, datanetId, 0, 100_000)) {
      const c = getContribution(world.state, id);
      if (!c || c.status !== ContributionStatus.accepted || c.releaseAt <= world.block + 1)
        continue;
      if (trueQuality(world, c.contentHash) < qualityBelow) out.push(id);
    }
  }
  return out;
}

/**
 * A challenger challenges the candidates (challengeCandidates) that are neither under challenge
 * nor already challenged, at most `maxPerEpoch` per epoch.
 */
export function challengerActions(
  agent: Agent,
  pop: NonNullable<Scenario["populations"]["challengers"]>,
  candidates: number[],
  openChallenges: Set<number>,
  claimedByChallengers: Set<number>,
): Call[] {
  const out: Call[] = [];
  for (const id of candidates) {
    if (out.length >= pop.maxPerEpoch) return out;
    if (openChallenges.has(id) || claimedByChallengers.has(id)) continue;
    claimedByChallengers.add(id);
    out.push({
      who: agent,
      call: "Registry.challenge",
      args: { contributionId: id, evidenceUri: `sim://evidence/${id}` },
    });
  }
  return out;
}

// ---- colluding curators and their partners ----

/** The main datanet a colluding pair works on: pair index order. */
export function collusionDatanet(index: number, mainCount: number): number {
  return index % mainCount;
}

/**
 * A colluding partner claims what its accepted junk earns and, from the start epoch, submits
 * `junkPerEpoch` contributions of true quality `junkQuality` to its pair's datanet, within its
 * pending limit.
 */
export function partnerActions(
  world: World,
  partner: Agent,
  pop: NonNullable<Scenario["populations"]["colluders"]>,
  mainCount: number,
): Call[] {
  const out = claims(world, partner);
  if (world.epoch < pop.startEpoch) return out;
  const datanetId = collusionDatanet(partner.index, mainCount);
  const room = Math.min(pop.junkPerEpoch, roomToSubmit(world.state, partner, datanetId));
  for (let i = 0; i < room; i++)
    out.push(submissionCall(world, partner, datanetId, pop.junkQuality));
  return out;
}

/**
 * A colluding curator accepts every pending contribution of its partner at the highest quality
 * the registry allows (its weight the largest a contribution can have), before the honest
 * reviewers act: their verdicts on those contributions then find them decided.
 */
export function colludingReviewActions(
  world: World,
  curator: Agent,
  partner: Agent,
  mainCount: number,
): Call[] {
  const datanetId = collusionDatanet(curator.index, mainCount);
  const maxQuality = Number(param(world.state, "registryMaxQuality"));
  const out: Call[] = [];
  for (const id of partner.books.contributions.get(datanetId) ?? []) {
    if (getContribution(world.state, id)?.status !== ContributionStatus.pending) continue;
    out.push({
      who: curator,
      call: "Registry.acceptContribution",
      args: { contributionId: id, quality: maxQuality },
    });
  }
  return out;
}

// ---- datanets, versions and models ----

export function createDatanet(
  owner: Agent,
  name: string,
  datanets: Scenario["datanets"],
  curators: Agent[],
  epochLength: number,
  minBondDefault: bigint,
  selfCurated: boolean,
): Call {
  const paid = datanets.licence === "paid" && !selfCurated;
  return {
    who: owner,
    call: "Registry.createDatanet",
    args: {
      name,
      modality: Modality[datanets.modality],
      description: `simulated ${datanets.modality} data`,
      metadataUri: `sim://datanet/${name}`,
      licence: {
        kind: paid ? LicenceKind.paid : LicenceKind.open,
        fee: u128ToBytes(paid ? (datanets.licenceFee ?? 0n) : 0n),
        allowList: [],
        commercial: true,
        attribution: true,
      },
      policy: {
        curators: selfCurated ? [] : curators.map((c) => c.account),
        minBond: u128ToBytes(datanets.minBond ?? minBondDefault),
        reviewWindow: 2 * epochLength,
        challengeWindow: 2 * epochLength,
        pendingLimit: 0,
      },
    },
  };
}

/** The owner publishes a version when accepted contributions changed since its last one. */
export function publishAction(
  world: World,
  owner: Agent,
  datanetId: number,
  lastPublishedCount: Map<number, number>,
): Call | undefined {
  let accepted = 0;
  for (const id of datanetContributionIds(world.state, datanetId, 0, 100_000)) {
    if (getContribution(world.state, id)?.status === ContributionStatus.accepted) accepted++;
  }
  if (accepted === 0 || accepted === lastPublishedCount.get(datanetId)) return undefined;
  lastPublishedCount.set(datanetId, accepted);
  return {
    who: owner,
    call: "Registry.publishVersion",
    args: { datanetId, metadataUri: `sim://version/${datanetId}/${world.epoch}` },
  };
}

/** A manifest over the newest version of each datanet that has one, equal weights. */
function latestManifest(s: StorageScan, datanets: number[]): ManifestEntry[] {
  const entries = datanets
    .map((datanetId) => ({ datanetId, version: getDatanet(s, datanetId)?.versionCount ?? 0 }))
    .filter((e) => e.version > 0);
  if (entries.length === 0) return [];
  const each = Math.floor(PPM / entries.length);
  return entries.map((e, i) => ({
    ...e,
    weightPpm: i === 0 ? PPM - each * (entries.length - 1) : each,
  }));
}

/**
 * A manifest over the newest versions of `datanets` (the first is the owner's own) that puts on the
 * first as much weight as the skew bound allows: ⌈f·W₀/ΣW⌉ ppm, less whatever the others need to
 * keep their floor ⌊W/(f·ΣW)⌋ (at least 1 ppm); the rest goes to the others by their data, each
 * under its own ceiling. The attacker's best declared manifest.
 */
export function skewedManifest(s: StorageScan, datanets: number[]): ManifestEntry[] {
  const entries = datanets
    .map((datanetId) => ({ datanetId, version: getDatanet(s, datanetId)?.versionCount ?? 0 }))
    .filter((e) => e.version > 0);
  if (entries.length === 0 || entries[0]!.datanetId !== datanets[0]) return [];
  if (entries.length === 1) return [{ ...entries[0]!, weightPpm: PPM }];
  const f = param(s, "attributionManifestMaxFactorPpm");
  const ppm = BigInt(PPM);
  const data = entries.map((e) => BigInt(getVersion(s, e.datanetId, e.version)?.totalWeight ?? 0));
  const total = data.reduce((a, b) => a + b, 0n);
  if (data.some((w) => w === 0n)) return [];
  const most = data.map((w) => (f * w + total - 1n) / total);
  const least = data.map((w) => {
    const floor = (ppm * ppm * w) / (f * total);
    return floor > 0n ? floor : 1n;
  });
  const weights = [...least];
  const others = least.slice(1).reduce((a, b) => a + b, 0n);
  weights[0] = most[0]! < ppm - others ? most[0]! : ppm - others;
  let left = ppm - weights.reduce((a, b) => a + b, 0n);
  const otherData = total - data[0]!;
  const share = left;
  for (let j = 1; j < entries.length && left > 0n; j++) {
    const add = (share * data[j]!) / otherData;
    const room = most[j]! - weights[j]!;
    const take = [add, room, left].reduce((a, b) => (b < a ? b : a));
    weights[j] = weights[j]! + take;
    left -= take;
  }
  for (let j = 1; j < entries.length && left > 0n; j++) {
    const take = most[j]! - weights[j]! < left ? most[j]! - weights[j]! : left;
    weights[j] = weights[j]! + take;
    left -= take;
  }
  if (left > 0n) return [];
  return entries.map((e, j) => ({ ...e, weightPpm: Number(weights[j]!) }));
}

/**
 * How far a manifest tilts value towards its first entry: that entry's weight less its version's
 * share of the manifest's data, in ppm (0 for an unskewed manifest).
 */
export function manifestSkewPpm(s: StorageScan, manifest: ManifestEntry[]): bigint {
  const data = manifest.map((e) => BigInt(getVersion(s, e.datanetId, e.version)?.totalWeight ?? 0));
  const total = data.reduce((a, b) => a + b, 0n);
  if (manifest.length === 0 || total === 0n) return 0n;
  return BigInt(manifest[0]!.weightPpm) - (BigInt(PPM) * data[0]!) / total;
}

export interface ModelOwner extends Agent {
  modelId: number | null;
  manifestKey: string;
}

/**
 * A model owner trains on the newest version of every datanet it uses: every `retrainEvery`
 * epochs, when a newer version exists, it registers a new model (paying any licence fees) and
 * retires the previous one (the pallet cannot change a model's manifest). A `measured` model is
 * registered with knn-shapley v1 and the index of its manifest's feature files.
 */
export function trainActions(
  world: World,
  agent: ModelOwner,
  datanets: number[],
  price: bigint,
  dataSharePpm: number,
  retrainEvery: number,
  measured = false,
  skewed = false,
): Call[] {
  if (world.epoch % retrainEvery !== 0 && agent.modelId !== null) return [];
  const manifest = skewed
    ? skewedManifest(world.state, datanets)
    : latestManifest(world.state, datanets);
  const key = JSON.stringify(manifest);
  if (manifest.length === 0 || key === agent.manifestKey) return [];
  agent.manifestKey = key;
  const out: Call[] = [];
  if (agent.modelId !== null)
    out.push({ who: agent, call: "Attribution.retireModel", args: { modelId: agent.modelId } });
  out.push({
    who: agent,
    call: "Attribution.registerModel",
    args: {
      metadataUri: `sim://model/${agent.role}/${agent.index}/${world.epoch}`,
      manifest,
      pricePerUnit: u128ToBytes(price),
      dataSharePpm,
      ...(measured && world.measured
        ? { measurement: world.measured.measurementArgs(world.state, manifest, agent, world.epoch) }
        : {}),
    },
  });
  return out;
}

// ---- payments ----

type Demand = NonNullable<Scenario["populations"]["consumers"]>["demand"];

function demandAt(demand: Demand, epoch: number): number {
  if ("perEpoch" in demand) return demand.perEpoch[Math.min(epoch, demand.perEpoch.length - 1)]!;
  return demand.units * (1 + demand.growth) ** epoch;
}

export interface LiveModel {
  id: number;
  price: bigint;
}

/** Models that take payments, cheapest first (ties by id). */
export function liveModels(s: StorageScan, ids: number[]): LiveModel[] {
  const out: LiveModel[] = [];
  for (const id of ids) {
    const m = getModel(s, id);
    if (m && !m.retired) out.push({ id, price: m.pricePerUnit });
  }
  return out.sort((a, b) => (a.price === b.price ? a.id - b.id : a.price < b.price ? -1 : 1));
}

export function pay(who: Agent, model: LiveModel, units: number): Call | undefined {
  if (units <= 0) return undefined;
  return {
    who,
    call: "Attribution.payInference",
    args: {
      modelId: model.id,
      units,
      maxTotal: u128ToBytes(model.price * BigInt(units)),
    },
  };
}

/**
 * A consumer wants `demand(epoch)` units from a model priced at most `maxPrice`, fewer the dearer
 * the model: `demand × max(0, 1 − priceSensitivity × price / maxPrice)`, rounded. It picks among
 * the affordable models in turn (consumer index + epoch) and buys as many of those units as its
 * per-epoch `budget` covers.
 */
export function consumerActions(
  world: World,
  agent: Agent,
  pop: NonNullable<Scenario["populations"]["consumers"]>,
  models: LiveModel[],
): Call[] {
  const affordable = models.filter((m) => m.price <= pop.maxPrice);
  if (affordable.length === 0) return [];
  const model = affordable[(agent.index + world.epoch) % affordable.length]!;
  const dearness = Number(model.price) / Number(pop.maxPrice);
  const wanted = Math.round(
    demandAt(pop.demand, world.epoch) * Math.max(0, 1 - pop.priceSensitivity * dearness),
  );
  const byBudget = Number(pop.budget / model.price);
  const call = pay(agent, model, Math.min(wanted, byBudget));
  return call ? [call] : [];
}

/**
 * A licence buyer (the robotics startup) buys a licence for the newest version of each datanet
 * it has not licensed yet, then pays `unitsPerEpoch` units to the cheapest live model.
 */
export function licenceBuyerActions(
  world: World,
  agent: Agent,
  pop: NonNullable<Scenario["populations"]["licenceBuyers"]>,
  datanets: number[],
  models: LiveModel[],
): Call[] {
  if (world.epoch < pop.startEpoch) return [];
  const out: Call[] = [];
  for (const datanetId of datanets) {
    const d = getDatanet(world.state, datanetId);
    if (!d || d.versionCount === 0) continue;
    if (hasLicence(world.state, datanetId, d.versionCount, agent.account)) continue;
    out.push({
      who: agent,
      call: "Attribution.purchaseLicence",
      args: { datanetId, version: d.versionCount },
    });
  }
  const model = models[0];
  const call = model && pay(agent, model, Math.round(pop.unitsPerEpoch));
  if (call) out.push(call);
  return out;
}
