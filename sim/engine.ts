// The simulation engine: a chain spec built from the scenario, the real runtime executing every
// block in memory (signature checks skipped: agents sign nothing), the agents' calls applied in
// phases each epoch (measured attribution's in any block where a window waits for them), and
// per-epoch figures read from the chain's state and events.
import { u128FromBytes } from "../primitives/amount.ts";
import { toHex } from "../primitives/bytes.ts";
import { encodeExtrinsic } from "../primitives/chain.ts";
import { TransactionError } from "../runtime/errors.ts";
import { checkInvariants } from "../runtime/executive.ts";
import {
  claimableByContributor,
  epochCounters,
  getMethod,
  getModel,
  type ManifestEntry,
} from "../runtime/pallets/attribution/index.ts";
import { totalIssuance } from "../runtime/pallets/balances.ts";
import { healthRecord } from "../runtime/pallets/emission/index.ts";
import { param } from "../runtime/pallets/params.ts";
import { readAccount } from "../runtime/pallets/system.ts";
import { RUNTIME_VERSION } from "../runtime/runtime.ts";
import { encodeCall } from "../runtime/signing.ts";
import {
  type Agent,
  type ModelOwner,
  manifestSkewPpm,
  netReturn,
  PHASE,
  type World,
} from "./agents.ts";
import { attestationCalls } from "./attestors.ts";
import { type DecodedEvent, MemoryChain } from "./chain.ts";
import { datanetEmission, type HealthFigures } from "./health.ts";
import { METHOD, MeasuredMarket, type SettledReport } from "./measured.ts";
import {
  type AttestorFigures,
  type ContributionFigures,
  MeasuredBooks,
  type MeasuredEpochFigures,
} from "./measured-books.ts";
import { newMarket, phaseCalls } from "./phases.ts";
import { allAgents, datanetIds, genesisSpec, type Populations, populate } from "./population.ts";
import { Random } from "./random.ts";
import { MIN_EPOCH_LENGTH, paramOverrides, type Scenario, SimulatorError } from "./scenario.ts";

export interface SimOptions {
  epochs: number;
  seed: number;
  /** Overrides applied over the scenario's parameters (a sweep value). */
  params?: Record<string, bigint>;
  /** Run the runtime's invariants (try-state) at the end of every epoch; default true. */
  checkInvariants?: boolean;
  /**
   * Blocks the run may go on after the last epoch for the health records and measured windows
   * to complete; default RUN_OUT × epochs × epochLength (at least an epoch and a window's tail).
   */
  runOutLimit?: number;
}

/**
 * The run-out's bound, in runs' lengths: however far the emission pallet's closes have fallen
 * behind the epochs, ten times the run's own blocks are enough for them to catch up unless an
 * epoch's close needs more than ten epochs' blocks.
 */
export const RUN_OUT = 10;

/** One epoch's figures; amounts in planck. `health` is null if the record was not completed. */
export interface EpochFigures {
  epoch: number;
  health: HealthFigures | null;
  /** From attribution's epoch counters (what the health record also reports). */
  volume: bigint;
  selfDealing: bigint;
  suspectedWash: bigint;
  payers: number;
  accepted: number;
  rejected: number;
  totalIssuance: bigint;
  submissions: number;
  spamSubmissions: number;
  challengesOpened: number;
  challengesUpheld: number;
  failedCalls: number;
  /** Spammers' cumulative net return (holdings − endowment) and bonds posted, at epoch end. */
  spamNetReturn: bigint;
  spamBondsPosted: bigint;
  /** Null when the scenario has no spammers (the figure does not exist), like the return on bond. */
  spammersActive: number | null;
  honestActive: number;
  /**
   * Claims honest contributors received in the epoch, in all, and how many of them claimed (paused
   * contributors too: their old contributions keep earning). A claim in epoch e collects what the
   * pools were paid up to the end of epoch e − 1: claims lag payments by one epoch.
   */
  honestClaimed: bigint;
  honestClaimants: number;
  /**
   * What the wash traders paid their own models in the epoch, from either account; null when the
   * scenario has no wash traders.
   */
  washTraderPayments: bigint | null;
  /** Licences bought in the epoch and their fees, and inference payments; self-dealing excluded. */
  licencesPurchased: number;
  licenceFees: bigint;
  inferencePayments: bigint;
  /**
   * Emission paid for the epoch into the wash traders' datanet pools (0 until recorded); null when
   * the scenario has no wash traders.
   */
  washTraderEmission: bigint | null;
  /** Emission paid for the epoch into the other datanets' pools (0 until recorded). */
  honestPoolEmission: bigint;
  /** Honest contributors' claims from the start of the run to the end of the epoch. */
  honestClaimedTotal: bigint;
  /**
   * Each attacking population's net return at the epoch's end, all its accounts together: what
   * they hold (free and reserved) plus what their contributions can claim from pools, less their
   * endowments; null when the scenario has no such population. The wash traders' includes their
   * payers, the colluders' both curators and partners.
   */
  washTraderReturn: bigint | null;
  copierReturn: bigint | null;
  colluderReturn: bigint | null;
  manifestGamerReturn: bigint | null;
  /**
   * What the manifest gamers' skew moved to their own datanets in the epoch: of each payment to
   * their models, the data share × (own entry's weight − its share of the manifest's data).
   */
  manifestSkewGain: bigint | null;
  /** Measured attribution's figures; null when the scenario has none. */
  measured: MeasuredEpochFigures | null;
}

export interface SimResult {
  scenario: Scenario;
  seed: number;
  /** The parameter overrides the chain ran with (scenario, then options), as decimal strings. */
  params: Record<string, string>;
  epochs: EpochFigures[];
  /** Blocks executed: the epochs' and the run-out's after them. */
  blocks: number;
  /** Blocks executed after the last epoch, for the health records and measured windows. */
  runOutBlocks: number;
  /**
   * Epochs whose health record the emission pallet had not written when the run-out's bound was
   * reached (their health columns are empty); normally none.
   */
  missingRecords: number[];
  /** Failed calls by error code, over the whole run. */
  failures: Record<string, number>;
  /**
   * Measured attribution after the run (every window paid in it settled): one row per
   * contribution and one per attestor; null when the scenario has none.
   */
  measured: { contributions: ContributionFigures[]; attestors: AttestorFigures[] } | null;
}

const PHASE_OFFSETS: ReadonlySet<number> = new Set(Object.values(PHASE));

/** Runs `scenario` for `options.epochs` epochs of agent activity. */
export function simulate(scenario: Scenario, options: SimOptions): SimResult {
  const rng = new Random(options.seed);
  const pops = populate(scenario, rng.fork("populations"));
  const params = { ...paramOverrides(scenario), ...(options.params ?? {}) };
  const chain = new MemoryChain(genesisSpec(pops, params), { checkInvariants: false });
  // A sweep may change the epoch length: the phases follow the chain's.
  const L = Number(params.epochLength);
  if (L < MIN_EPOCH_LENGTH) {
    throw new SimulatorError(
      "SCENARIO_INVALID",
      `epochLength ${L} is too short: the agents' phases need ${MIN_EPOCH_LENGTH} blocks per epoch`,
    );
  }
  const N = options.epochs;
  const byAccount = new Map<string, Agent>();
  for (const a of allAgents(pops)) byAccount.set(toHex(a.account), a);

  const ids = datanetIds(pops);
  const truth = new Map<string, number>();
  const market = newMarket();
  const failures: Record<string, number> = {};
  const figures: EpochFigures[] = [];
  let tally = freshTally();

  const agentRng = rng.fork("agents");
  const measured = measuredMarket(scenario, chain, rng);
  const books = measured ? new MeasuredBooks(measured, byAccount) : null;
  // Pools paid into, and measured windows settled, since the last claim phase.
  const paidPools = new Map<string, { datanetId: number; version: number }>();
  let settledReports: SettledReport[] = [];
  const world = (block: number, epoch: number): World => ({
    state: chain.state,
    block,
    epoch,
    truth,
    paidPools: [...paidPools.values()],
    settledReports,
    measured,
    rng: agentRng,
  });
  const paid = (datanetId: unknown, version: unknown) => {
    const pool = { datanetId: Number(datanetId), version: Number(version) };
    const key = `${pool.datanetId}/${pool.version}`;
    if (!paidPools.has(key)) paidPools.set(key, pool);
  };

  // The manifest gamers' models, by how far each tilts towards the gamer's own datanet (ppm).
  const gamerSkew = new Map<number, bigint>();
  let honestClaimedTotal = 0n;
  // A model's manifest never changes (updateModel sets only its URI and price).
  const manifests = new Map<number, ManifestEntry[]>();
  const manifestOf = (modelId: number): ManifestEntry[] => {
    let manifest = manifests.get(modelId);
    if (!manifest) {
      manifest = getModel(chain.state, modelId)?.manifest;
      if (!manifest) return [];
      manifests.set(modelId, manifest);
    }
    return manifest;
  };

  const observe = (events: DecodedEvent[]) => {
    for (const e of events) {
      const d = e.data;
      const agent = (field: string) =>
        d[field] instanceof Uint8Array ? byAccount.get(toHex(d[field] as Uint8Array)) : undefined;
      const amount = (field: string) =>
        d[field] instanceof Uint8Array ? u128FromBytes(d[field] as Uint8Array) : 0n;
      const key = `${e.pallet}.${e.name}`;
      if (key === "Registry.ContributionSubmitted") {
        const a = agent("account");
        tally.submissions++;
        if (a) {
          const datanetId = Number(d.datanetId);
          const ids = a.books.contributions.get(datanetId) ?? [];
          ids.push(Number(d.contributionId));
          a.books.contributions.set(datanetId, ids);
          a.books.bondsPosted += amount("amount");
          a.books.submissions++;
          a.books.activeEpochs.add(tally.epoch);
          if (a.role === "spammer") tally.spamSubmissions++;
        }
      } else if (key === "Registry.ContributionAccepted") tally.accepted++;
      else if (key === "Registry.ContributionRejected") tally.rejected++;
      else if (key === "Registry.ChallengeOpened") {
        market.openChallenges.add(Number(d.contributionId));
        tally.challengesOpened++;
      } else if (key === "Registry.ChallengeUpheld") {
        market.openChallenges.delete(Number(d.contributionId));
        tally.challengesUpheld++;
      } else if (key === "Registry.ChallengeDismissed" || key === "Registry.ChallengeExpired") {
        market.openChallenges.delete(Number(d.contributionId));
      } else if (key === "Attribution.Claimed") {
        const a = agent("account");
        if (a) {
          const paid = amount("amount");
          a.books.claimedTotal += paid;
          a.books.claimedByEpoch.set(
            tally.epoch,
            (a.books.claimedByEpoch.get(tally.epoch) ?? 0n) + paid,
          );
          if (a.role === "honest") {
            tally.honestClaimed += paid;
            tally.honestClaimants.add(a.index);
          }
        }
      } else if (key === "Attribution.ModelRegistered") {
        const a = agent("account") as ModelOwner | undefined;
        if (
          a &&
          (a.role === "modelOwner" || a.role === "washTrader" || a.role === "manifestGamer")
        ) {
          a.modelId = Number(d.modelId);
          if (a.role !== "washTrader") market.honestModels.push(a.modelId);
          if (a.role === "manifestGamer")
            gamerSkew.set(a.modelId, manifestSkewPpm(chain.state, manifestOf(a.modelId)));
        }
      } else if (key === "Attribution.InferencePaid") {
        if (d.selfDealing !== true) tally.inferencePayments += amount("total");
        const payer = agent("payer")?.role;
        if (payer === "washTrader" || payer === "washPayer")
          tally.washTraderPayments += amount("total");
        const skew = gamerSkew.get(Number(d.modelId));
        if (skew !== undefined) tally.manifestSkewGain += (amount("dataShare") * skew) / 1_000_000n;
        for (const entry of manifestOf(Number(d.modelId))) paid(entry.datanetId, entry.version);
      } else if (key === "Attribution.LicencePurchased") {
        if (d.selfDealing !== true && amount("fee") > 0n) {
          tally.licencesPurchased++;
          tally.licenceFees += amount("fee");
        }
        paid(d.datanetId, d.version);
      } else if (key === "Attribution.SlashNoted" || key === "Emission.PoolRewarded") {
        paid(d.datanetId, d.version);
      } else if (key === "Attribution.MeasuredClaimed") {
        const a = agent("account");
        if (a && d.toTreasury !== true) {
          const paid = amount("amount");
          a.books.claimedTotal += paid;
          a.books.claimedByEpoch.set(
            tally.epoch,
            (a.books.claimedByEpoch.get(tally.epoch) ?? 0n) + paid,
          );
          if (a.role === "honest") {
            tally.honestClaimed += paid;
            tally.honestClaimants.add(a.index);
          }
        }
      } else if (key === "Attribution.WindowSettled" && d.measured !== true) {
        // Paid by the declared manifest: into the model's version pools, to be claimed there.
        for (const entry of manifestOf(Number(d.modelId))) paid(entry.datanetId, entry.version);
      } else if (key === "System.ExtrinsicFailed") {
        tally.failedCalls++;
        const code = String(d.error);
        failures[code] = (failures[code] ?? 0) + 1;
      }
      books?.observe(chain.state, e, tally.epoch);
    }
  };

  // After the last epoch the run goes on, with empty blocks, until the emission pallet has
  // written every epoch's health record and every measured window paid in the run has settled.
  // An epoch's close does bounded work per block, so with many contributors it can take more
  // blocks than an epoch has, and the records fall behind the epochs; the run-out lets them catch
  // up, within a bound (then the result names the epochs left without a record).
  const runOutLimit =
    options.runOutLimit ??
    Math.max(L + (measured ? measuredTail(chain.state) : 0), RUN_OUT * N * L);
  const lastBlock = N * L - 1 + runOutLimit;
  const disputeBond = param(chain.state, "attestationDisputeBond");
  let blocks = 0;
  for (let number = 1; number <= lastBlock; number++) {
    const epoch = Math.floor(number / L);
    const offset = number % L;
    if (offset === 0 && epoch <= N) tally = { ...freshTally(), epoch };
    const open = chain.open();
    const planned: ReturnType<typeof phaseCalls> = [];
    if (epoch < N && PHASE_OFFSETS.has(offset)) {
      if (offset === PHASE.submit && books) settledReports = books.takeSettled();
      planned.push(...phaseCalls(scenario, pops, ids, market, world(number, epoch), offset, L));
      if (offset === PHASE.submit) {
        paidPools.clear();
        settledReports = [];
      }
    }
    if (measured && books) {
      const windows = books.openWindows();
      if (windows.length > 0)
        planned.push(
          ...attestationCalls(
            world(number, epoch),
            measured,
            pops.modelOwners,
            pops.attestors,
            windows,
            disputeBond,
          ),
        );
    }
    for (const call of planned) {
      const nonce = readAccount(open.overlay, call.who.account).nonce;
      const bytes = encodeExtrinsic({
        signer: call.who.account,
        signature: new Uint8Array(64),
        nonce,
        era: null,
        tip: new Uint8Array(),
        call: encodeCall(call.call, call.args),
        specVersion: RUNTIME_VERSION.specVersion,
        chainTag: chain.genesisHash.subarray(0, 4),
      });
      try {
        open.execution.applyExtrinsic(bytes, null);
      } catch (error) {
        // Not includable (e.g. the account cannot pay the fee): the agent's call is dropped.
        if (!(error instanceof TransactionError)) throw error;
        const code = error.code;
        failures[code] = (failures[code] ?? 0) + 1;
        tally.failedCalls++;
      }
    }
    const result = chain.seal(open);
    blocks++;
    observe(result.events);
    if (offset === L - 1 && epoch < N) {
      if (options.checkInvariants ?? true) checkInvariants(result.overlay);
      honestClaimedTotal += tally.honestClaimed;
      const f = closeEpoch(chain.state, epoch, tally, pops, honestClaimedTotal);
      f.measured = books?.epochFigures(chain.state, epoch, pops.attestors) ?? null;
      figures.push(f);
    }
    // Records are written in epoch order: the last epoch's is the last to complete.
    if (epoch >= N && healthRecord(chain.state, N - 1) !== undefined && (books?.allSettled ?? true))
      break;
  }
  for (const f of figures) {
    f.health = healthRecord(chain.state, f.epoch) ?? null;
    f.washTraderEmission =
      ids.wash.length > 0 ? datanetEmission(chain.state, f.epoch, ids.wash) : null;
    f.honestPoolEmission = datanetEmission(chain.state, f.epoch, ids.main);
  }
  if (books)
    books.settleFigures(
      chain.state,
      new Map(figures.flatMap((f) => (f.measured ? [[f.epoch, f.measured] as const] : []))),
    );
  return {
    scenario,
    seed: options.seed,
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.toString()])),
    epochs: figures,
    blocks,
    runOutBlocks: blocks - N * L + 1,
    missingRecords: figures.filter((f) => f.health === null).map((f) => f.epoch),
    failures,
    measured: books
      ? {
          contributions: books.contributions(chain.state, ids.main),
          attestors: books.attestors(chain.state, pops.attestors),
        }
      : null,
  };
}

/** The scenario's measured market, over the method the chain registered; null when unmeasured. */
function measuredMarket(
  scenario: Scenario,
  chain: MemoryChain,
  rng: Random,
): MeasuredMarket | null {
  if (!scenario.measured) return null;
  const method = getMethod(chain.state, METHOD.name, METHOD.version);
  if (!method || method.retired)
    throw new SimulatorError(
      "SCENARIO_INVALID",
      `measured: the chain spec does not register ${METHOD.name} v${METHOD.version}, which measured models use`,
    );
  return new MeasuredMarket(scenario.measured, rng.fork("measured"), method.params);
}

/**
 * Blocks a window can take from its opening to its settlement when nobody acts early: the query
 * log, every round's commit, reveal and dispute phases, and the council.
 */
function measuredTail(s: MemoryChain["state"]): number {
  const rounds = param(s, "attestationMaxRounds");
  const round =
    param(s, "attestationCommitBlocks") +
    param(s, "attestationRevealBlocks") +
    param(s, "attestationDisputeBlocks");
  return Number(
    param(s, "attestationQueryLogBlocks") + rounds * round + param(s, "attestationCouncilBlocks"),
  );
}

interface Tally {
  epoch: number;
  submissions: number;
  spamSubmissions: number;
  accepted: number;
  rejected: number;
  challengesOpened: number;
  challengesUpheld: number;
  failedCalls: number;
  honestClaimed: bigint;
  honestClaimants: Set<number>;
  licencesPurchased: number;
  licenceFees: bigint;
  inferencePayments: bigint;
  washTraderPayments: bigint;
  manifestSkewGain: bigint;
}

function freshTally(): Tally {
  return {
    epoch: 0,
    submissions: 0,
    spamSubmissions: 0,
    accepted: 0,
    rejected: 0,
    challengesOpened: 0,
    challengesUpheld: 0,
    failedCalls: 0,
    honestClaimed: 0n,
    honestClaimants: new Set(),
    licencesPurchased: 0,
    licenceFees: 0n,
    inferencePayments: 0n,
    washTraderPayments: 0n,
    manifestSkewGain: 0n,
  };
}

/**
 * A population's net return (EpochFigures.washTraderReturn): holdings plus what its contributions
 * can claim from pools, less endowments; null for an empty population.
 */
function populationReturn(s: MemoryChain["state"], agents: Agent[]): bigint | null {
  if (agents.length === 0) return null;
  let total = 0n;
  for (const a of agents) {
    total += netReturn(s, a);
    for (const e of claimableByContributor(s, a.account, 0, 100_000)) total += e.amount;
  }
  return total;
}

function closeEpoch(
  s: MemoryChain["state"],
  epoch: number,
  tally: Tally,
  pops: Populations,
  honestClaimedTotal: bigint,
): EpochFigures {
  const counters = epochCounters(s, epoch);
  const activeIn = (agents: Agent[]) =>
    agents.filter((a) => a.books.activeEpochs.has(epoch)).length;
  let spamNet = 0n;
  let spamBonds = 0n;
  for (const a of pops.spammers) {
    spamNet += netReturn(s, a);
    spamBonds += a.books.bondsPosted;
  }
  return {
    epoch,
    health: null,
    volume: counters.volume,
    selfDealing: counters.selfDealing,
    suspectedWash: counters.suspectedWash,
    payers: counters.distinctPayers,
    accepted: tally.accepted,
    rejected: tally.rejected,
    totalIssuance: totalIssuance(s),
    submissions: tally.submissions,
    spamSubmissions: tally.spamSubmissions,
    challengesOpened: tally.challengesOpened,
    challengesUpheld: tally.challengesUpheld,
    failedCalls: tally.failedCalls,
    spamNetReturn: spamNet,
    spamBondsPosted: spamBonds,
    spammersActive: pops.spammers.length > 0 ? activeIn(pops.spammers) : null,
    honestActive: activeIn(pops.honest),
    honestClaimed: tally.honestClaimed,
    honestClaimants: tally.honestClaimants.size,
    licencesPurchased: tally.licencesPurchased,
    licenceFees: tally.licenceFees,
    inferencePayments: tally.inferencePayments,
    washTraderPayments: pops.washTraders.length > 0 ? tally.washTraderPayments : null,
    washTraderEmission: pops.washTraders.length > 0 ? 0n : null,
    honestPoolEmission: 0n,
    honestClaimedTotal,
    washTraderReturn: populationReturn(s, [...pops.washTraders, ...pops.washPayers]),
    copierReturn: populationReturn(s, pops.copiers),
    colluderReturn: populationReturn(s, [...pops.colludingCurators, ...pops.colludingPartners]),
    manifestGamerReturn: populationReturn(s, pops.manifestGamers),
    manifestSkewGain: pops.manifestGamers.length > 0 ? tally.manifestSkewGain : null,
    measured: null,
  };
}
