// The close of an epoch at scale: how many blocks the emission pallet's bounded close takes, and
// what it costs per block, when the epoch's earning pools hold 1k, 10k or 100k contributions (one
// pool), or many small pools (1k pools × 10 contributions). The chain is the simulator's in-memory
// chain (sim/chain.ts) executing real blocks through the real runtime; the try-state invariants
// are off (they walk every pool entry each block). The versions are written straight into the
// registry's storage in one setup block (Versions, VersionEntries and a Contributions record per
// contribution) rather than submitted, reviewed and published through blocks, as in
// attribution-pool.ts; the models too. The payments that make the pools earn are real signed
// Attribution.payInference extrinsics from alice (not the models' owner: eligible fees).
//
// Each case runs twice, at emissionMaxStepsPerBlock 256 (the default) and 4096 (its maximum): the
// epoch's empty blocks after the payments give the baseline block time, then empty blocks run until
// the epoch's health record exists. Correctness only is asserted: the record exists, its earners
// equal the distinct contributors, and every pool was rewarded.
import { Session } from "node:inspector/promises";
import { u128ToBytes } from "../../primitives/amount.ts";
import { concatBytes, u32be, u64be } from "../../primitives/bytes.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { storage as attributionStorage } from "../../runtime/pallets/attribution/storage.ts";
import { storage as authorityStorage, currentEpoch } from "../../runtime/pallets/authorities.ts";
import { healthRecord } from "../../runtime/pallets/emission/index.ts";
import { storage as emissionStorage } from "../../runtime/pallets/emission/storage.ts";
import { param } from "../../runtime/pallets/params.ts";
import { storage as registryStorage } from "../../runtime/pallets/registry/storage.ts";
import { type Contribution, ContributionStatus } from "../../runtime/pallets/registry/types.ts";
import type { DecodedEvent } from "../../sim/chain.ts";
import { devSpecWith, TestChain } from "../unit/runtime/fixtures/test-chain.ts";

export interface EmissionCloseOptions {
  /** Contribution counts of the single earning pool, one case each. */
  sizes: number[];
  /** The many-pools case: this many earning pools of `entriesPerPool` contributions (0: none). */
  pools: number;
  entriesPerPool: number;
  /** Step budgets the close is measured at. */
  budgets: number[];
  /** Profile the close blocks of the largest single-pool case at the first budget. */
  cpuProfile: boolean;
}

export interface Distribution {
  p50: number;
  p95: number;
  max: number;
}

export interface CloseFigures {
  pools: number;
  contributions: number;
  /** Distinct contributor accounts (the record's expected `earners`). */
  contributors: number;
  budget: number;
  /** Seconds to write the versions and make the payments (not timed below). */
  setupSeconds: number;
  /** Blocks from the first block of the next epoch to the one that wrote the record. */
  closeBlocks: number;
  /** Blocks whose events include ValidatorRewarded/PoolRewarded (1-based within the close). */
  mintingLastBlock: number;
  poolRewarded: number;
  /** Whole-block time (initialize, close, finalize, trie commit) of the close's blocks, ms. */
  closeBlockMs: Distribution;
  /** The same for empty blocks of the paying epoch, after the payments, in the same state. */
  emptyBlockMs: Distribution;
  /** closeBlockMs.p50 / emptyBlockMs.p50 and the same for p95. */
  ratioP50: number;
  ratioP95: number;
  /**
   * Work items the close walks (authors + earning pools + version entries + earners for the Gini
   * walk; no new contributors or retention cohort here) per second of close-block time.
   */
  steps: number;
  stepsPerSecond: number;
  /** process.memoryUsage().heapUsed after the close minus before it, MiB (GC-dependent). */
  heapDeltaMiB: number;
}

export interface EmissionCloseMeasurement {
  cases: CloseFigures[];
  /** The CPU profile of the close of the largest single pool at the first budget, if asked. */
  profile: object | null;
}

const PRICE = 10n ** 12n;
const EMPTY_SAMPLE_BLOCKS = 30;

const weightOf = (id: number) => 1 + ((id * 2_654_435_761) % 100);

/** A distinct 32-byte account per index (never funded: earnings are only recorded). */
function account(i: number): Uint8Array {
  const a = new Uint8Array(32);
  a[0] = 0xbe;
  new DataView(a.buffer).setUint32(28, i);
  return a;
}

const sampleContribution: Contribution = {
  datanetId: 0,
  contributor: new Uint8Array(32),
  contentHash: new Uint8Array(32),
  size: 1,
  metadataUri: "",
  bond: 0n,
  status: ContributionStatus.accepted,
  quality: 50,
  weight: 50,
  submittedAt: 1,
  reviewedAt: 1,
  releaseAt: 0,
  reviewer: new Uint8Array(32),
  reason: "",
  reviewFee: 0n,
  decisionOpen: false,
  appealed: false,
};

interface Case {
  pools: number;
  entriesPerPool: number;
}

/**
 * `pools` versions (datanet p, version 1) of `entriesPerPool` contributions each and one model per
 * version, owned by charlie. Contributions are spread over half as many accounts (each account
 * contributes twice), so the earners walk both adds and updates earnings.
 */
function writeVersions(chain: TestChain, c: Case): number {
  const total = c.pools * c.entriesPerPool;
  const contributors = Math.max(1, Math.floor(total / 2));
  const block = chain.open();
  const s = block.overlay;
  const owner = devKeypair("charlie").publicKey;
  let id = 0;
  for (let p = 0; p < c.pools; p++) {
    const versionKey = concatBytes(u64be(p), u32be(1));
    let weight = 0;
    for (let k = 0; k < c.entriesPerPool; k++, id++) {
      const w = weightOf(id);
      weight += w;
      registryStorage.versionEntries.set(s, concatBytes(versionKey, u64be(id)), w);
      registryStorage.contributions.set(s, id, {
        ...sampleContribution,
        datanetId: p,
        contributor: account(id % contributors),
        weight: w,
      });
    }
    registryStorage.versions.set(s, versionKey, {
      root: new Uint8Array(32),
      totalWeight: weight,
      count: c.entriesPerPool,
      publishedAt: 1,
      metadataUri: "",
    });
    attributionStorage.models.set(s, p, {
      owner,
      measurement: null,
      metadataUri: "",
      manifest: [{ datanetId: p, version: 1, weightPpm: 1_000_000 }],
      pricePerUnit: PRICE,
      dataSharePpm: 500_000,
      retired: false,
      registeredAt: 1,
    });
  }
  chain.seal(block);
  return contributors;
}

/** One 1-unit payment per model from alice, 50 per block; every one must succeed. */
function payEveryModel(chain: TestChain, models: number): void {
  const PER_BLOCK = 50;
  for (let first = 0; first < models; first += PER_BLOCK) {
    const nonce = chain.nonceOf("alice");
    const xts = [];
    for (let m = first; m < Math.min(models, first + PER_BLOCK); m++) {
      xts.push(
        chain.sign(
          "alice",
          "Attribution.payInference",
          { modelId: m, units: 1, maxTotal: u128ToBytes(PRICE) },
          { nonce: nonce + (m - first) },
        ),
      );
    }
    const { outcomes } = chain.block(xts);
    for (const [i, o] of outcomes.entries()) {
      if (!o.success) throw new Error(`payment ${first + i}: ${o.error}`);
    }
  }
}

function timedBlock(chain: TestChain): { ms: number; events: DecodedEvent[] } {
  const start = performance.now();
  const { events } = chain.block();
  return { ms: performance.now() - start, events };
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}

async function measureCase(
  c: Case,
  budget: number,
  profile: boolean,
): Promise<{ figures: CloseFigures; profile: object | null }> {
  const setupStart = performance.now();
  const chain = new TestChain(
    devSpecWith((config) => {
      config.params = { ...config.params, emissionMaxStepsPerBlock: String(budget) };
    }),
    { checkInvariants: false },
  );
  const contributors = writeVersions(chain, c);
  payEveryModel(chain, c.pools);
  const epoch = currentEpoch(chain.state);
  const setupSeconds = (performance.now() - setupStart) / 1000;

  // The paying epoch's remaining blocks: empty, no close work; the last EMPTY_SAMPLE_BLOCKS timed.
  const empty: number[] = [];
  const nextEpochStart =
    Number(authorityStorage.epochStart.get(chain.state)) +
    Number(param(chain.state, "epochLength"));
  while (chain.headNumber + 1 < nextEpochStart) empty.push(timedBlock(chain).ms);
  if (currentEpoch(chain.state) !== epoch || empty.length === 0)
    throw new Error("the payments did not leave empty blocks in their epoch");
  const emptyMs = empty.slice(-EMPTY_SAMPLE_BLOCKS);

  const heapBefore = process.memoryUsage().heapUsed;
  const session = profile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 500 });
    await session.post("Profiler.start");
  }
  const closeMs: number[] = [];
  let mintingLastBlock = 0;
  let poolRewarded = 0;
  let validatorRewarded = 0;
  const limit = 100_000;
  while (!healthRecord(chain.state, epoch)) {
    if (closeMs.length >= limit) throw new Error(`epoch ${epoch} not closed in ${limit} blocks`);
    const { ms, events } = timedBlock(chain);
    closeMs.push(ms);
    const mints = events.filter(
      (e) =>
        (e.name === "PoolRewarded" || e.name === "ValidatorRewarded") && e.data.epoch === epoch,
    );
    if (mints.length > 0) mintingLastBlock = closeMs.length;
    poolRewarded += mints.filter((e) => e.name === "PoolRewarded").length;
    validatorRewarded += mints.filter((e) => e.name === "ValidatorRewarded").length;
  }
  let cpuProfile: object | null = null;
  if (session) {
    cpuProfile = (await session.post("Profiler.stop")).profile;
    session.disconnect();
  }
  const heapDeltaMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

  const record = healthRecord(chain.state, epoch)!;
  if (record.earners !== contributors)
    throw new Error(`record earners ${record.earners}, expected ${contributors} contributors`);
  if (poolRewarded !== c.pools)
    throw new Error(`${poolRewarded} PoolRewarded events, expected ${c.pools}`);
  if (validatorRewarded !== 1) throw new Error(`${validatorRewarded} ValidatorRewarded events`);
  if (emissionStorage.nextToMint.get(chain.state) <= epoch) throw new Error("minting incomplete");

  const contributions = c.pools * c.entriesPerPool;
  // Author, pools, entries, the Gini walk over the earners, and the prune (each earner's entry,
  // plus the epoch's one payer and one author).
  const steps = 1 + c.pools + contributions + contributors + (contributors + 2);
  const closeDist = distribution(closeMs);
  const emptyDist = distribution(emptyMs);
  const closeSeconds = closeMs.reduce((a, b) => a + b, 0) / 1000;
  return {
    figures: {
      pools: c.pools,
      contributions,
      contributors,
      budget,
      setupSeconds,
      closeBlocks: closeMs.length,
      mintingLastBlock,
      poolRewarded,
      closeBlockMs: closeDist,
      emptyBlockMs: emptyDist,
      ratioP50: closeDist.p50 / emptyDist.p50,
      ratioP95: closeDist.p95 / emptyDist.p95,
      steps,
      stepsPerSecond: steps / closeSeconds,
      heapDeltaMiB,
    },
    profile: cpuProfile,
  };
}

export async function measureEmissionClose(
  options: EmissionCloseOptions,
  log: (line: string) => void,
): Promise<EmissionCloseMeasurement> {
  const cases: Case[] = options.sizes.map((n) => ({ pools: 1, entriesPerPool: n }));
  if (options.pools > 0)
    cases.push({ pools: options.pools, entriesPerPool: options.entriesPerPool });
  const largest = Math.max(0, ...options.sizes);
  const out: CloseFigures[] = [];
  let profile: object | null = null;
  for (const c of cases) {
    for (const [b, budget] of options.budgets.entries()) {
      const profileThis =
        options.cpuProfile && b === 0 && c.pools === 1 && c.entriesPerPool === largest;
      const measured = await measureCase(c, budget, profileThis);
      if (measured.profile) profile = measured.profile;
      const f = measured.figures;
      out.push(f);
      const ms = (d: Distribution) => `p50 ${d.p50.toFixed(1)} / p95 ${d.p95.toFixed(1)} ms`;
      log(
        `emission: ${f.pools.toLocaleString("en-US")} pool(s) × ${c.entriesPerPool.toLocaleString("en-US")} = ` +
          `${f.contributions.toLocaleString("en-US")} contributions (${f.contributors.toLocaleString("en-US")} accounts), ` +
          `budget ${budget}: closed in ${f.closeBlocks} blocks (minting done in block ${f.mintingLastBlock}), ` +
          `close block ${ms(f.closeBlockMs)} vs empty ${ms(f.emptyBlockMs)} ` +
          `(×${f.ratioP50.toFixed(1)} / ×${f.ratioP95.toFixed(1)}), ` +
          `${Math.round(f.stepsPerSecond).toLocaleString("en-US")} steps/s, heap ${f.heapDeltaMiB >= 0 ? "+" : ""}${f.heapDeltaMiB.toFixed(0)} MiB ` +
          `(setup ${f.setupSeconds.toFixed(1)} s)`,
      );
    }
  }
  return { cases: out, profile };
}
