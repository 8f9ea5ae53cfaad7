// Measured attribution at scale: the method an attestor runs (measured-method.ts), then what the
// chain pays for a window settled by report, and for each claim against it, as the report grows
// from 1k to 1M leaves. The issue asks that per-claim cost grow no faster than log n.
//
// The chain is the attestation tests' measured market (test/unit/runtime/fixtures/
// measured-market.ts): a TestChain whose every block runs the real executive, checks signatures
// and runs the try-state invariants. For each report size one window goes the real way, untimed:
// Eve pays the measured model, the window opens once its emission is minted, Dave commits the
// query log; the report is the window's distributable pot allocated over n leaves (weights 1–100)
// with its Merkle tree built once (merkleLevels); the selected attestors' commitReport and
// revealReport are sealed in blocks until the window is Finalized. Bob then signs claimMeasured
// for up to CLAIM_SAMPLE random leaves (ids 4 and up: the market's own contributions 0–3 belong to
// others), each with its proof from the levels; their registry records are written straight into
// storage, accepted and Bob's, as the attribution bench does, so the state holds the sampled
// contributions, not all n.
//
// Timed afterwards, the sizes in turn so that a change in the machine's load falls on every size
// alike, on fresh blocks that are never sealed:
//
// - Report: on the state each window had in its commit phase, the same commitReport and
//   revealReport extrinsics, then the attestation pallet's onInitialize at the dispute deadline,
//   which finalizes the window (judge, fees, settleMeasured). Each sequence must settle the
//   window by its report's root, leaf count and total.
// - Claims: on the final state, every sampled claim of every size through the executive (decode,
//   checks, fee, dispatch; the signature check is left out, the same for every extrinsic), claim
//   i of each size before claim i + 1, each timed alone. Every claim must succeed and raise its
//   settlement's claimed total by exactly its leaf, the attribution account must pay out exactly
//   their sum, and the whole try-state must hold after the first, untimed round.
import { u128ToBytes } from "../../primitives/amount.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import { ENGINE_AURA } from "../../primitives/chain.ts";
import type { DevAccountName } from "../../primitives/dev-accounts.ts";
import { type MerkleProof, merkleLevels, proofFromLevels } from "../../primitives/merkle.ts";
import {
  type ApplyOutcome,
  BlockExecution,
  checkInvariants as checkRuntimeInvariants,
  encodeSlot,
} from "../../runtime/executive.ts";
import { allocate, reportLeaf, verifyReportProof } from "../../runtime/measurement/index.ts";
import {
  attestation,
  commitmentOf,
  getWindow,
  WindowPhase,
} from "../../runtime/pallets/attestation/index.ts";
import { ATTRIBUTION_ACCOUNT, getSettlement } from "../../runtime/pallets/attribution/index.ts";
import {
  keys as registryKeys,
  storage as registryStorage,
} from "../../runtime/pallets/registry/storage.ts";
import { type Contribution, ContributionStatus } from "../../runtime/pallets/registry/types.ts";
import { readAccount } from "../../runtime/pallets/system.ts";
import { Random } from "../../sim/random.ts";
import { StateOverlay } from "../../state/overlay.ts";
import type { TrieState } from "../../state/trie-state.ts";
import {
  buildMeasuredMarket,
  MODEL,
  measuredChain,
  pay,
  selectedNames,
  submitQueryLog,
  until,
} from "../unit/runtime/fixtures/measured-market.ts";
import { contextOver, pub, type TestChain } from "../unit/runtime/fixtures/test-chain.ts";
import { type MethodThroughput, measureMethod } from "./measured-method.ts";

export interface MeasuredAttributionOptions {
  /** Contribution counts the method is run at (empty: the method is left out). */
  methodSizes: number[];
  workers: number;
  /** Report sizes (leaves), ascending. */
  leafSizes: number[];
  /** Seconds of timed report sequences, and again of claim rounds, per report size. */
  seconds: number;
}

export interface Micros {
  p50: number;
  p95: number;
}

export interface ReportSizeFigures {
  leaves: number;
  window: number;
  /** allocate, reportLeaf and merkleLevels over the leaves, the attestor's report (untimed). */
  treeSeconds: number;
  /** Blocks that open the window and take its query log, and that settle it (not timed below). */
  windowSeconds: number;
  report: {
    attestors: number;
    sequences: number;
    /** Per sequence: every selected attestor's commitReport extrinsic, together. */
    commitMicros: Micros;
    /** Every revealReport, the last of which tallies the round. */
    revealMicros: Micros;
    /** attestation.onInitialize at the dispute deadline: finalize, judge, fees, settleMeasured. */
    finalizeMicros: Micros;
    totalMicros: Micros;
  };
  claims: {
    /** Distinct leaves claimed per round; every round claims them all on a fresh overlay. */
    perRound: number;
    rounds: number;
    claimsPerSecond: number;
    /** Mean microseconds per claimMeasured through the executive (no signature check). */
    claimMicros: number;
    /** The same, p50 and p95 of the single claims (the median shrugs off a neighbour's burst). */
    claimPercentileMicros: Micros;
    /** Mean microseconds of verifyReportProof alone over the same leaves. */
    proofCheckMicros: number;
    siblings: { min: number; max: number; mean: number };
    /** Mean encoded length of the signed extrinsic. */
    extrinsicBytes: number;
    /** Mean weight charged, as microseconds (1 weight = 1 ps). */
    weightMicros: number;
  };
}

export interface MeasuredAttributionFigures {
  method: MethodThroughput | null;
  bySize: ReportSizeFigures[];
  /**
   * Each size over the smallest: the report sequence's p50 (1 = flat), the claim's p50, and
   * log2(leaves) / log2(smallest leaves) for comparison (the proof's length grows as log2 n).
   */
  ratio: { reportVsSmallest: number[]; claimVsSmallest: number[]; log2VsSmallest: number[] };
}

/** Units Eve pays per window: the query log must count as many queries. */
const UNITS = 10;
const SALT = new Uint8Array(32).fill(9);
const CLAIMER: DevAccountName = "bob";
/** The market's contributions 0–3 have other contributors; sampled claims start above them. */
const FIRST_CLAIMABLE = 4;
const CLAIM_SAMPLE = 500;
/** Report sequences run untimed first, for at least this long and this many. */
const WARM_UP_MS = 500;
const WARM_UP_SEQUENCES = 20;
const MIN_SEQUENCES = 20;
const MIN_CLAIM_ROUNDS = 2;
const PROOF_PASSES = 5;
const SEED = 0x6c6561;

const weightOf = (id: number) => BigInt(1 + ((id * 2_654_435_761) % 100));

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

interface Report {
  leaves: number;
  window: number;
  total: bigint;
  amounts: bigint[];
  levels: Uint8Array[][];
  root: Uint8Array;
}

function expectSuccess(outcome: ApplyOutcome, what: string): ApplyOutcome {
  if (!outcome.success) throw new Error(`${what}: ${outcome.error}`);
  return outcome;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function micros(values: number[]): Micros {
  const sorted = values.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5) * 1000, p95: at(0.95) * 1000 };
}

/** A window paid, opened and given its query log: its number and distributable pot. */
function openWindow(chain: TestChain): { window: number; total: bigint } {
  pay(chain, "eve", UNITS);
  const window = until(chain, "WindowOpened", 60).event.data.window as number;
  expectSuccess(submitQueryLog(chain, window, UNITS).outcomes[0]!, "submitQueryLog");
  return { window, total: getWindow(chain.state, MODEL, window)!.distributable };
}

/** The window's pot allocated over `n` leaves by weights 1–100, and its Merkle tree. */
function buildReport(n: number, window: number, total: bigint): Report {
  const amounts = allocate(
    total,
    Array.from({ length: n }, (_, id) => ({ contributionId: id, value: weightOf(id) })),
  );
  const levels = merkleLevels(amounts.map((amount, id) => reportLeaf(id, amount)));
  return { leaves: n, window, total, amounts, levels, root: levels.at(-1)![0]! };
}

/** Each selected attestor's commitReport and revealReport of `r`, signed for consecutive nonces. */
function reportExtrinsics(chain: TestChain, r: Report) {
  const names = selectedNames(chain, r.window, 0);
  const at = { modelId: MODEL, window: r.window, round: 0 };
  const commits: Uint8Array[] = [];
  const reveals: Uint8Array[] = [];
  for (const name of names) {
    const nonce = chain.nonceOf(name);
    const commitment = commitmentOf({
      ...at,
      attestor: pub(name),
      root: r.root,
      total: r.total,
      leafCount: r.leaves,
      salt: SALT,
    });
    commits.push(chain.sign(name, "Attestation.commitReport", { ...at, commitment }, { nonce }));
    reveals.push(
      chain.sign(
        name,
        "Attestation.revealReport",
        {
          ...at,
          root: r.root,
          total: u128ToBytes(r.total),
          leafCount: r.leaves,
          salt: SALT,
          reportUri: "file:///report.json",
        },
        { nonce: nonce + 1 },
      ),
    );
  }
  return { commits, reveals };
}

/** A chain head to build a block on: the state after it, its number and hash. */
interface Head {
  state: TrieState;
  number: number;
  hash: Uint8Array;
}

/** A window in its commit phase, with the attestors' extrinsics that will settle it. */
interface CommitPhase {
  report: Pick<Report, "leaves" | "window" | "root" | "total">;
  head: Head;
  commits: Uint8Array[];
  reveals: Uint8Array[];
}

/**
 * A fresh block on `head`, as MemoryChain.open() builds one on the chain's own head: initialized
 * (every pallet's onInitialize) and with its timestamp inherent. Never sealed.
 */
function openOn(chain: TestChain, head: Head, slot: number) {
  const overlay = new StateOverlay(head.state);
  const execution = new BlockExecution(
    overlay,
    {
      number: head.number + 1,
      parentHash: head.hash,
      digest: [{ preRuntime: { engine: ENGINE_AURA, data: encodeSlot(slot) } }],
    },
    { genesisHash: chain.genesisHash },
  );
  execution.initialize();
  execution.applyExtrinsic(chain.timestampInherent(slot), null);
  return { execution, overlay };
}

interface Sequence {
  commit: number;
  reveal: number;
  finalize: number;
}

/** Commits, reveals, then the attestation hook at the dispute deadline; checks the settlement. */
function reportSequence(chain: TestChain, phase: CommitPhase, slot: number): Sequence {
  const { report: r } = phase;
  const block = openOn(chain, phase.head, slot);
  let start = performance.now();
  for (const xt of phase.commits)
    expectSuccess(block.execution.applyExtrinsic(xt, null), "commitReport");
  const commit = performance.now() - start;
  start = performance.now();
  for (const xt of phase.reveals)
    expectSuccess(block.execution.applyExtrinsic(xt, null), "revealReport");
  const reveal = performance.now() - start;
  const win = getWindow(block.overlay, MODEL, r.window)!;
  if (win.phase !== WindowPhase.dispute) throw new Error(`window in phase ${win.phase}`);
  const hook = attestation.onInitialize;
  if (!hook) throw new Error("the attestation pallet has no onInitialize");
  const ctx = { ...contextOver(block.overlay), blockNumber: win.deadline };
  start = performance.now();
  hook(ctx);
  const finalize = performance.now() - start;
  const settled = getSettlement(block.overlay, MODEL, r.window);
  if (
    !settled?.measured ||
    !bytesEqual(settled.root, r.root) ||
    settled.leafCount !== r.leaves ||
    settled.distributable !== r.total
  )
    throw new Error(`window ${r.window} did not settle by its ${r.leaves}-leaf report`);
  return { commit, reveal, finalize };
}

/**
 * Report sequences for every size in turn, each on a fresh block over its window's commit-phase
 * state, so that a change in the machine's load falls on every size alike: untimed first, then
 * timed for `seconds` per size.
 */
function measureReports(
  chain: TestChain,
  phases: CommitPhase[],
  seconds: number,
): ReportSizeFigures["report"][] {
  const slot = chain.nextSlot;
  const round = () => phases.map((phase) => reportSequence(chain, phase, slot));
  const warm = performance.now() + WARM_UP_MS * phases.length;
  for (let i = 0; i < WARM_UP_SEQUENCES || performance.now() < warm; i++) round();
  const done: Sequence[][] = [];
  const end = performance.now() + seconds * phases.length * 1000;
  while (done.length < MIN_SEQUENCES || performance.now() < end) done.push(round());
  return phases.map((phase, i) => {
    const mine = done.map((r) => r[i]!);
    return {
      attestors: phase.commits.length,
      sequences: mine.length,
      commitMicros: micros(mine.map((d) => d.commit)),
      revealMicros: micros(mine.map((d) => d.reveal)),
      finalizeMicros: micros(mine.map((d) => d.finalize)),
      totalMicros: micros(mine.map((d) => d.commit + d.reveal + d.finalize)),
    };
  });
}

/** The same commits and reveals in real blocks, then blocks until the window is final. */
function settle(chain: TestChain, r: Report, xts: Pick<CommitPhase, "commits" | "reveals">) {
  for (const batch of [xts.commits, xts.reveals])
    for (const o of chain.block(batch).outcomes) expectSuccess(o, "report block");
  const { event } = until(chain, "Finalized");
  if (!bytesEqual(event.data.root as Uint8Array, r.root))
    throw new Error(`window ${r.window} finalized another root`);
}

interface Claim {
  id: number;
  amount: bigint;
  proof: MerkleProof;
  xt: Uint8Array;
  /** The weight the executive charged: 0 until the claim is first applied. */
  weight: bigint;
}

/** Up to CLAIM_SAMPLE distinct leaves from FIRST_CLAIMABLE up, in random order. */
function sampleLeaves(n: number, rng: Random): number[] {
  const count = Math.min(CLAIM_SAMPLE, n - FIRST_CLAIMABLE);
  const chosen = new Set<number>();
  if (count === n - FIRST_CLAIMABLE) for (let id = FIRST_CLAIMABLE; id < n; id++) chosen.add(id);
  while (chosen.size < count) chosen.add(FIRST_CLAIMABLE + rng.int(n - FIRST_CLAIMABLE));
  const ids = [...chosen];
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

/**
 * Raises the count of datanet 0's version 1 to `n`, in one sealed block: a report may have at most
 * one leaf per contribution of the manifest's versions, and the bench's state holds only the
 * sampled contributions (their records are written below), not all n.
 */
function holdContributions(chain: TestChain, n: number): void {
  const block = chain.open();
  const key = registryKeys.version(0, 1);
  const version = registryStorage.versions.get(block.overlay, key)!;
  if (version.count < n) registryStorage.versions.set(block.overlay, key, { ...version, count: n });
  chain.seal(block);
}

/** Registry records for the sampled leaves (Bob's, accepted), in one sealed block. */
function writeContributions(chain: TestChain, ids: number[], n: number): void {
  const block = chain.open();
  const contributor = pub(CLAIMER);
  for (const id of ids)
    registryStorage.contributions.set(block.overlay, id, { ...sampleContribution, contributor });
  const next = registryStorage.nextContributionId.get(block.overlay);
  if (next < n) registryStorage.nextContributionId.set(block.overlay, n);
  chain.seal(block);
}

function signClaims(chain: TestChain, r: Report, ids: number[]): Claim[] {
  const nonce = chain.nonceOf(CLAIMER);
  return ids.map((id, i) => {
    const amount = r.amounts[id]!;
    const proof = proofFromLevels(r.levels, id);
    const xt = chain.sign(
      CLAIMER,
      "Attribution.claimMeasured",
      {
        modelId: MODEL,
        window: r.window,
        contributionId: id,
        amount: u128ToBytes(amount),
        proofIndex: proof.index,
        proofCount: proof.count,
        siblings: proof.siblings,
      },
      { nonce: nonce + i },
    );
    return { id, amount, proof, xt, weight: 0n };
  });
}

interface ClaimSet {
  report: Pick<Report, "leaves" | "window" | "root">;
  claims: Claim[];
}

/** Samples a settled report's leaves, writes their records and signs Bob's claims of them. */
function prepareClaims(chain: TestChain, r: Report): ClaimSet {
  const ids = sampleLeaves(r.leaves, new Random(SEED ^ r.leaves));
  writeContributions(chain, ids, r.leaves);
  return {
    report: { leaves: r.leaves, window: r.window, root: r.root },
    claims: signClaims(chain, r, ids),
  };
}

/**
 * One round: a fresh block per size over the final state, the sizes' claims applied in turn (claim
 * i of every size, then claim i + 1), so that a change in the machine's load falls on every size
 * alike. Checks that each claim pays exactly its leaf and the account pays out exactly their sum.
 * Returns each size's claim times (ms).
 */
function claimRound(chain: TestChain, sets: ClaimSet[], checkInvariants: boolean): number[][] {
  const blocks = sets.map((set) => {
    const block = chain.open();
    const settlement = getSettlement(block.overlay, MODEL, set.report.window)!;
    return {
      ...block,
      claimed: settlement.claimed,
      pot: readAccount(block.overlay, ATTRIBUTION_ACCOUNT).free,
      paid: 0n,
      ms: [] as number[],
    };
  });
  const longest = Math.max(...sets.map((set) => set.claims.length));
  for (let i = 0; i < longest; i++) {
    for (const [k, set] of sets.entries()) {
      const c = set.claims[i];
      if (!c) continue;
      const b = blocks[k]!;
      const start = performance.now();
      const outcome = b.execution.applyExtrinsic(c.xt, null);
      b.ms.push(performance.now() - start);
      c.weight = expectSuccess(outcome, `claim of leaf ${c.id}`).weight;
      const claimed = getSettlement(b.overlay, MODEL, set.report.window)!.claimed;
      if (claimed - b.claimed !== c.amount)
        throw new Error(`leaf ${c.id} paid ${claimed - b.claimed}, its amount is ${c.amount}`);
      b.claimed = claimed;
      b.paid += c.amount;
    }
  }
  for (const b of blocks) {
    if (b.pot - readAccount(b.overlay, ATTRIBUTION_ACCOUNT).free !== b.paid)
      throw new Error("the attribution account did not pay out exactly the claimed leaves");
    if (checkInvariants) checkRuntimeInvariants(b.overlay);
  }
  return blocks.map((b) => b.ms);
}

/** An untimed round with the try-state checks, then timed rounds for `seconds` per size. */
function measureClaims(
  chain: TestChain,
  sets: ClaimSet[],
  seconds: number,
): ReportSizeFigures["claims"][] {
  claimRound(chain, sets, true);
  const rounds: number[][][] = [];
  const end = performance.now() + seconds * sets.length * 1000;
  while (rounds.length < MIN_CLAIM_ROUNDS || performance.now() < end)
    rounds.push(claimRound(chain, sets, false));
  // The proofs alone, the sizes in turn again; the first pass is untimed.
  const proofMs = sets.map(() => 0);
  for (let pass = 0; pass <= PROOF_PASSES; pass++) {
    for (const [i, { report: r, claims }] of sets.entries()) {
      const start = performance.now();
      for (const c of claims)
        if (!verifyReportProof(r.root, c.id, c.amount, c.proof))
          throw new Error(`leaf ${c.id}'s proof does not verify`);
      if (pass > 0) proofMs[i]! += performance.now() - start;
    }
  }
  return sets.map(({ claims }, i) => {
    const each = rounds.flatMap((round) => round[i]!);
    const totalMs = each.reduce((a, b) => a + b, 0);
    const siblings = claims.map((c) => c.proof.siblings.length);
    return {
      perRound: claims.length,
      rounds: rounds.length,
      claimsPerSecond: each.length / (totalMs / 1000),
      claimMicros: (totalMs * 1000) / each.length,
      claimPercentileMicros: micros(each),
      proofCheckMicros: (proofMs[i]! * 1000) / (claims.length * PROOF_PASSES),
      siblings: { min: Math.min(...siblings), max: Math.max(...siblings), mean: mean(siblings) },
      extrinsicBytes: mean(claims.map((c) => c.xt.length)),
      weightMicros: mean(claims.map((c) => Number(c.weight))) / 1e6,
    };
  });
}

const us = (m: Micros) => `${m.p50.toFixed(0)}/${m.p95.toFixed(0)} µs`;

export async function measureMeasuredAttribution(
  options: MeasuredAttributionOptions,
  log: (line: string) => void,
): Promise<MeasuredAttributionFigures> {
  const method =
    options.methodSizes.length > 0
      ? await measureMethod({ sizes: options.methodSizes, workers: options.workers }, log)
      : null;

  const chain = measuredChain();
  buildMeasuredMarket(chain);
  const phases: CommitPhase[] = [];
  const sets: ClaimSet[] = [];
  const setup: Pick<ReportSizeFigures, "leaves" | "window" | "treeSeconds" | "windowSeconds">[] =
    [];
  for (const n of options.leafSizes) {
    holdContributions(chain, n);
    let start = performance.now();
    const { window, total } = openWindow(chain);
    let windowSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    const r = buildReport(n, window, total);
    const treeSeconds = (performance.now() - start) / 1000;
    const head = { state: chain.state, number: chain.headNumber, hash: chain.headHash };
    const xts = reportExtrinsics(chain, r);
    phases.push({ report: { leaves: n, window, root: r.root, total }, head, ...xts });
    start = performance.now();
    settle(chain, r, xts);
    windowSeconds += (performance.now() - start) / 1000;
    sets.push(prepareClaims(chain, r));
    setup.push({ leaves: n, window, treeSeconds, windowSeconds });
    log(
      `measured: settled window ${window} by a report of ${n.toLocaleString("en-US")} leaves ` +
        `(tree built in ${treeSeconds.toFixed(1)} s, blocks ${windowSeconds.toFixed(1)} s)`,
    );
  }
  const reports = measureReports(chain, phases, options.seconds);
  const claims = measureClaims(chain, sets, options.seconds);
  const bySize = setup.map((f, i) => ({ ...f, report: reports[i]!, claims: claims[i]! }));
  for (const { leaves, report: r, claims: c } of bySize) {
    log(
      `measured: report of ${leaves.toLocaleString("en-US")} leaves: ${r.attestors} commits ${us(r.commitMicros)}, ` +
        `reveals ${us(r.revealMicros)}, finalize ${us(r.finalizeMicros)}, in all ${us(r.totalMicros)} ` +
        `(p50/p95 of ${r.sequences}); claims: ${Math.round(c.claimsPerSecond).toLocaleString("en-US")}/s, ` +
        `${c.claimMicros.toFixed(0)} µs each (p50/p95 ${us(c.claimPercentileMicros)}; proof check ${c.proofCheckMicros.toFixed(0)} µs, ` +
        `${c.siblings.mean.toFixed(1)} siblings, ${c.extrinsicBytes.toFixed(0)} bytes, weight ${c.weightMicros.toFixed(0)} µs; ` +
        `${c.rounds} rounds of ${c.perRound})`,
    );
  }
  const first = bySize[0]!;
  return {
    method,
    bySize,
    ratio: {
      reportVsSmallest: bySize.map((f) => f.report.totalMicros.p50 / first.report.totalMicros.p50),
      claimVsSmallest: bySize.map(
        (f) => f.claims.claimPercentileMicros.p50 / first.claims.claimPercentileMicros.p50,
      ),
      log2VsSmallest: bySize.map((f) => Math.log2(f.leaves) / Math.log2(first.leaves)),
    },
  };
}
