// `npm run bench`: block import throughput of signed transfers against the machine's ed25519
// verification ceiling, block propagation latency across local validators, and the speed at which
// an empty node syncs a chain, and attribution payments and claims against a version pool of 1k,
// 100k and 1M contributions, and the emission pallet's bounded epoch close over earning pools of
// 1k/10k/100k contributions and over 1k small pools, and measured attribution: the knn-shapley v1
// method over 1k/10k/100k contributions on one thread and two, and what the chain pays for a
// report and for each claim as the report grows from 1k to 1M leaves; printed and written to
// bench-results/bench-<timestamp>.json.
//
//   npm run bench -- --blocks 50 --accounts 4000 --verify-seconds 10
//   npm run bench -- --only network          # propagation and sync only
//   npm run bench -- --only attribution      # pool payments and claims at 1k/100k/1M contributions
//   npm run bench -- --only emission         # epoch close: blocks, ms per block, steps/s
//   npm run bench -- --only measured         # knn-shapley v1 throughput, report and claim costs
//
// Every option can also come from the environment (BENCH_BLOCKS, BENCH_ACCOUNTS, …). Perf code
// reports numbers; it asserts correctness (every block imports, every signature verifies), never time.
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BlockImporter } from "../../consensus/block-import.ts";
import { SignatureVerifier } from "../../primitives/signature-verifier.ts";
import type { ChainStore } from "../../state/chain-store.ts";
import { type AttributionPoolThroughput, measureAttributionPool } from "./attribution-pool.ts";
import { profiled } from "./cpu-profile.ts";
import { devGenesis, openDevStore } from "./dev-chain.ts";
import { type CloseFigures, measureEmissionClose } from "./emission-close.ts";
import { type ImportThroughput, measureImport } from "./import-throughput.ts";
import { type MachineFacts, machineFacts } from "./machine.ts";
import {
  type MeasuredAttributionFigures,
  measureMeasuredAttribution,
} from "./measured-attribution.ts";
import { measurePropagation, type PropagationLatency } from "./propagation.ts";
import { measureSyncSpeed, type SyncSpeed } from "./sync-speed.ts";
import { buildTransferChain, MAX_ACCOUNTS, type TransferChainOptions } from "./transfer-chain.ts";
import { measureRawOpenssl, measureVerifier, type VerifyThroughput } from "./verify-ceiling.ts";

const MEASUREMENTS = [
  "import",
  "propagation",
  "sync",
  "attribution",
  "emission",
  "measured",
] as const;
type Measurement = (typeof MEASUREMENTS)[number];
/** Names `--only` accepts besides the measurements themselves. */
const GROUPS: Record<string, readonly Measurement[]> = {
  all: MEASUREMENTS,
  network: ["propagation", "sync"],
};

interface BenchOptions extends TransferChainOptions {
  verifySeconds: number;
  propagationValidators: number;
  propagationSlotMs: number;
  propagationBlocks: number;
  syncBlocks: number;
  syncTransfersPerBlock: number;
  attributionSeconds: number;
  emissionMaxContributions: number;
  measuredMaxContributions: number;
  measuredMaxLeaves: number;
  measuredSeconds: number;
  only: Measurement[];
  outDir: string;
  cpuProfile: boolean;
}

/**
 * The JSON written per run. Keys are stable: add new ones, never rename or repurpose. A
 * measurement left out by `--only` has `null` under its keys.
 */
interface BenchReport {
  schema: 1;
  startedAt: string;
  machine: MachineFacts;
  options: Omit<BenchOptions, "outDir" | "cpuProfile">;
  setupSeconds: number | null;
  import: ImportThroughput | null;
  verifier: VerifyThroughput | null;
  rawOpenssl: VerifyThroughput | null;
  /**
   * Import throughput (transfers/s) as a fraction of each verification ceiling, taken as its
   * median one-second round (robust to a neighbour's burst of load).
   */
  ratio: { importToVerifier: number; importToRawOpenssl: number } | null;
  propagation: PropagationLatency | null;
  sync: SyncSpeed | null;
  /** Payments and claims per second against one version pool at each contribution count. */
  attribution: AttributionPoolThroughput | null;
  /**
   * The emission pallet's close of an epoch whose pools earned: one case per pool shape and step
   * budget (blocks to close, close-block vs empty-block ms, steps/s, heap delta).
   */
  emission: { cases: CloseFigures[] } | null;
  /**
   * Measured attribution: knn-shapley v1's throughput per contribution count (one thread and two
   * workers, with the time split into decode, collapse and valuation), and per report size the
   * commit → reveal → finalize sequence and the claims against the settled root.
   */
  measured: MeasuredAttributionFigures | null;
}

const OPTIONS = {
  blocks: { default: 10, min: 1, max: 10_000, doc: "blocks of transfers to import (timed)" },
  "transfers-per-block": {
    default: 0,
    min: 0,
    max: 1_000_000,
    doc: "transfers per block; 0 fills blocks to the weight/length limit",
  },
  accounts: { default: 1000, min: 2, max: MAX_ACCOUNTS, doc: "fresh accounts sending transfers" },
  "verify-seconds": {
    default: 5,
    min: 1,
    max: 600,
    doc: "one-second rounds per verification ceiling",
  },
  "propagation-validators": {
    default: 4,
    min: 2,
    max: 6,
    doc: "validator processes in the propagation devnet",
  },
  "propagation-slot-ms": {
    default: 1000,
    min: 100,
    max: 60_000,
    doc: "slot duration of the propagation devnet",
  },
  "propagation-blocks": {
    default: 30,
    min: 1,
    max: 1000,
    doc: "blocks whose propagation is measured, after warm-up",
  },
  "sync-blocks": { default: 1000, min: 1, max: 100_000, doc: "length of the chain to sync" },
  "sync-transfers-per-block": {
    default: 0,
    min: 0,
    max: 1000,
    doc: "transfers in each block of that chain (0: empty blocks)",
  },
  "attribution-seconds": {
    default: 3,
    min: 1,
    max: 30,
    doc: "seconds of timed payments, and again of claims, per attribution pool size",
  },
  "emission-max-contributions": {
    default: 100_000,
    min: 1_000,
    max: 1_000_000,
    doc: "largest single earning pool in the emission close (sizes 1k, 10k, 100k, 1M up to this)",
  },
  "measured-max-contributions": {
    default: 100_000,
    min: 1_000,
    max: 1_000_000,
    doc: "largest contribution count knn-shapley v1 is run at (sizes 1k, 10k, 100k, 1M up to this)",
  },
  "measured-max-leaves": {
    default: 1_000_000,
    min: 1_000,
    max: 1_000_000,
    doc: "largest report whose on-chain costs are measured (1k, 10k, 100k, 1M leaves up to this)",
  },
  "measured-seconds": {
    default: 1,
    min: 1,
    max: 30,
    doc: "seconds of timed report sequences, and again of claim rounds, per report size",
  },
} as const;
/** Contribution counts of the attribution pool, measured in this order within one run. */
const ATTRIBUTION_SIZES = [1_000, 100_000, 1_000_000];
/** Single-pool sizes of the emission close (capped by --emission-max-contributions). */
const EMISSION_SIZES = [1_000, 10_000, 100_000, 1_000_000];
/** The emission close's many-pools case: pools × contributions each. */
const EMISSION_POOLS = 1_000;
const EMISSION_ENTRIES_PER_POOL = 10;
/** Step budgets: emissionMaxStepsPerBlock's default and its maximum. */
const EMISSION_BUDGETS = [256, 4096];
/** Contribution counts of the method and leaf counts of the reports (capped by the options). */
const MEASURED_SIZES = [1_000, 10_000, 100_000, 1_000_000];
/** The figure is for 2 cores: the method's valuation is split over this many workers. */
const MEASURED_WORKERS = 2;
/** Seconds node B gets to sync, per block of the chain, beyond its start. */
const SYNC_TIMEOUT_BASE_SECONDS = 120;
const SYNC_TIMEOUT_PER_BLOCK_SECONDS = 0.5;
/** A sync whose best block does not move for this long has stalled: stop and say so. */
const SYNC_STALL_SECONDS = 15;
const PROPAGATION_WARM_UP_BLOCKS = 3;
type OptionName = keyof typeof OPTIONS;

function usage(): string {
  const lines = Object.entries(OPTIONS).map(
    ([name, o]) => `  --${name} N  (env BENCH_${envName(name)}, default ${o.default}): ${o.doc}`,
  );
  return [
    "usage: npm run bench -- [options]",
    ...lines,
    `  --only LIST  (env BENCH_ONLY, default all): comma-separated, of ${[...MEASUREMENTS, ...Object.keys(GROUPS)].join(", ")}`,
    "  --out DIR  (env BENCH_OUT, default bench-results): where the JSON goes",
    "  --cpu-profile: also write a V8 CPU profile of the main thread during the timed import",
    "                 (and of the largest emission close at the default budget)",
  ].join("\n");
}

function envName(option: string): string {
  return option.toUpperCase().replaceAll("-", "_");
}

function readOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: "string" }])),
      out: { type: "string" },
      only: { type: "string" },
      "cpu-profile": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    } as Record<string, { type: "string" | "boolean"; short?: string }>,
    strict: true,
  });
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  const number = (name: OptionName): number => {
    const spec = OPTIONS[name];
    const text = (values[name] as string | undefined) ?? process.env[`BENCH_${envName(name)}`];
    if (text === undefined) return spec.default;
    const value = Number(text);
    if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
      throw new UsageError(
        `--${name} must be an integer in [${spec.min}, ${spec.max}], not ${text}`,
      );
    }
    return value;
  };
  const perBlock = number("transfers-per-block");
  return {
    blocks: number("blocks"),
    transfersPerBlock: perBlock === 0 ? null : perBlock,
    accounts: number("accounts"),
    verifySeconds: number("verify-seconds"),
    propagationValidators: number("propagation-validators"),
    propagationSlotMs: number("propagation-slot-ms"),
    propagationBlocks: number("propagation-blocks"),
    syncBlocks: number("sync-blocks"),
    syncTransfersPerBlock: number("sync-transfers-per-block"),
    attributionSeconds: number("attribution-seconds"),
    emissionMaxContributions: number("emission-max-contributions"),
    measuredMaxContributions: number("measured-max-contributions"),
    measuredMaxLeaves: number("measured-max-leaves"),
    measuredSeconds: number("measured-seconds"),
    only: readOnly((values.only as string | undefined) ?? process.env.BENCH_ONLY ?? "all"),
    outDir: (values.out as string | undefined) ?? process.env.BENCH_OUT ?? "bench-results",
    cpuProfile: values["cpu-profile"] === true,
  };
}

function readOnly(text: string): Measurement[] {
  const chosen = new Set<Measurement>();
  for (const name of text.split(",").map((n) => n.trim())) {
    const group = GROUPS[name] ?? (MEASUREMENTS as readonly string[]).includes(name);
    if (group === false) {
      throw new UsageError(
        `--only: unknown measurement ${JSON.stringify(name)}; expected ${[...MEASUREMENTS, ...Object.keys(GROUPS)].join(", ")}`,
      );
    }
    for (const m of group === true ? [name as Measurement] : group) chosen.add(m);
  }
  return MEASUREMENTS.filter((m) => chosen.has(m));
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const machine = machineFacts();
  const startedAt = new Date();
  console.log(
    `machine: ${machine.cpuModel}, ${machine.cpus} cpus (parallelism ${machine.availableParallelism}), ` +
      `node ${machine.nodeVersion}, openssl ${machine.opensslVersion}, load ${machine.loadAverage.map((l) => l.toFixed(2)).join(" ")}`,
  );
  const { outDir, cpuProfile, ...measuredWith } = options;
  const report: BenchReport = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    machine,
    options: measuredWith,
    setupSeconds: null,
    import: null,
    verifier: null,
    rawOpenssl: null,
    ratio: null,
    propagation: null,
    sync: null,
    attribution: null,
    emission: null,
    measured: null,
  };
  let profile: object | null = null;
  if (options.only.includes("import")) {
    const measured = await inTempDir("lineage-bench-", (dir) => runImport(dir, options));
    profile = measured.profile;
    Object.assign(report, measured.figures);
  }
  if (options.only.includes("propagation")) {
    report.propagation = await inTempDir("lineage-bench-propagation-", (dir) =>
      measurePropagation(
        dir,
        {
          validators: options.propagationValidators,
          slotMs: options.propagationSlotMs,
          blocks: options.propagationBlocks,
          warmUpBlocks: PROPAGATION_WARM_UP_BLOCKS,
        },
        console.log,
      ),
    );
    printPropagation(report.propagation);
  }
  if (options.only.includes("sync")) {
    report.sync = await inTempDir("lineage-bench-sync-", (dir) =>
      measureSyncSpeed(
        dir,
        {
          blocks: options.syncBlocks,
          transfersPerBlock: options.syncTransfersPerBlock,
          timeoutSeconds:
            SYNC_TIMEOUT_BASE_SECONDS + options.syncBlocks * SYNC_TIMEOUT_PER_BLOCK_SECONDS,
          stallSeconds: SYNC_STALL_SECONDS,
        },
        console.log,
      ),
    );
    printSync(report.sync);
  }
  if (options.only.includes("attribution")) {
    report.attribution = measureAttributionPool(
      {
        sizes: ATTRIBUTION_SIZES,
        paymentSeconds: options.attributionSeconds,
        claimSeconds: options.attributionSeconds,
      },
      console.log,
    );
    printAttribution(report.attribution);
  }
  let emissionProfile: object | null = null;
  if (options.only.includes("emission")) {
    const measured = await measureEmissionClose(
      {
        sizes: EMISSION_SIZES.filter((n) => n <= options.emissionMaxContributions),
        pools: EMISSION_POOLS,
        entriesPerPool: EMISSION_ENTRIES_PER_POOL,
        budgets: EMISSION_BUDGETS,
        cpuProfile,
      },
      console.log,
    );
    report.emission = { cases: measured.cases };
    emissionProfile = measured.profile;
  }
  if (options.only.includes("measured")) {
    report.measured = await measureMeasuredAttribution(
      {
        methodSizes: MEASURED_SIZES.filter((n) => n <= options.measuredMaxContributions),
        workers: MEASURED_WORKERS,
        leafSizes: MEASURED_SIZES.filter((n) => n <= options.measuredMaxLeaves),
        seconds: options.measuredSeconds,
      },
      console.log,
    );
    printMeasured(report.measured);
  }

  if (report.sync?.completed === false) {
    // Recorded, and the run fails: a node that cannot sync is a bug, not a figure.
    process.exitCode = 1;
  }
  await mkdir(outDir, { recursive: true });
  const stamp = startedAt.toISOString().replaceAll(":", "-");
  const file = join(outDir, `bench-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${file}`);
  if (cpuProfile && profile !== null) {
    const profileFile = join(outDir, `import-${stamp}.cpuprofile`);
    await writeFile(profileFile, JSON.stringify(profile));
    console.log(
      `wrote ${profileFile} (summary: npx node test/perf/profile-summary.ts ${profileFile})`,
    );
  }
  if (emissionProfile !== null) {
    const profileFile = join(outDir, `emission-${stamp}.cpuprofile`);
    await writeFile(profileFile, JSON.stringify(emissionProfile));
    console.log(
      `wrote ${profileFile} (summary: npx node test/perf/profile-summary.ts ${profileFile})`,
    );
  }
}

/** Runs `measure` in a fresh temporary directory, removed afterwards whatever happens. */
async function inTempDir<T>(prefix: string, measure: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // Also when the process dies on an uncaught error or a signal, after its nodes are killed.
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.on("exit", removeOnExit);
  try {
    return await measure(dir);
  } finally {
    process.off("exit", removeOnExit);
    await rm(dir, { recursive: true, force: true });
  }
}

type ImportFigures = Pick<
  BenchReport,
  "setupSeconds" | "import" | "verifier" | "rawOpenssl" | "ratio"
>;

async function runImport(
  dir: string,
  options: BenchOptions,
): Promise<{ figures: ImportFigures; profile: object | null }> {
  const stores: ChainStore[] = [];
  const verifier = new SignatureVerifier();
  try {
    const dev = devGenesis();
    const setupStart = performance.now();
    const authorStore = await openDevStore(join(dir, "author"), dev);
    stores.push(authorStore);
    const chain = await buildTransferChain(
      authorStore,
      // The author's clock: its own blocks are never in its future.
      new BlockImporter({
        store: authorStore,
        verifier,
        genesisHash: dev.genesisHash,
        now: () => Number.MAX_SAFE_INTEGER,
      }),
      dev,
      options,
    );
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const transfers = chain.transfersPerBlock.reduce((a, b) => a + b, 0);
    console.log(
      `setup: ${chain.setupBlocks.length} funding blocks for ${options.accounts} accounts, ` +
        `${chain.blocks.length} blocks with ${transfers} transfers built in ${setupSeconds.toFixed(1)} s`,
    );

    const importStore = await openDevStore(join(dir, "import"), dev);
    stores.push(importStore);
    const importer = new BlockImporter({
      store: importStore,
      verifier,
      genesisHash: dev.genesisHash,
      now: () => chain.endTime,
    });
    const { result: imported, profile } = await profiled(options.cpuProfile, () =>
      measureImport(importer, chain.setupBlocks, chain.blocks, chain.transfersPerBlock),
    );
    console.log(
      `import: ${imported.transfers} transfers in ${imported.blocks} blocks in ${imported.seconds.toFixed(2)} s: ` +
        `${fmt(imported.transfersPerSecond)} transfers/s, ${imported.blocksPerSecond.toFixed(2)} blocks/s ` +
        `(block ms min/median/max ${imported.blockMs.min.toFixed(0)}/${imported.blockMs.median.toFixed(0)}/${imported.blockMs.max.toFixed(0)})`,
    );
    await verifier.close();
    for (const store of stores.splice(0)) await store.close();

    const batchSize = Math.max(...chain.transfersPerBlock);
    const verified = await measureVerifier(chain.signatures, {
      seconds: options.verifySeconds,
      batchSize,
    });
    console.log(
      `SignatureVerifier (${verified.workers} workers, batches of ${batchSize}): ${describeRounds(verified)}`,
    );
    const raw = await measureRawOpenssl(chain.signatures, options.verifySeconds);
    console.log(`raw OpenSSL verify (${raw.workers} threads): ${describeRounds(raw)}`);

    const ratio = {
      importToVerifier: imported.transfersPerSecond / verified.medianRoundPerSecond,
      importToRawOpenssl: imported.transfersPerSecond / raw.medianRoundPerSecond,
    };
    console.log(
      `ratio: import runs at ${(ratio.importToVerifier * 100).toFixed(1)}% of the SignatureVerifier ceiling, ` +
        `${(ratio.importToRawOpenssl * 100).toFixed(1)}% of raw OpenSSL`,
    );
    return {
      figures: { setupSeconds, import: imported, verifier: verified, rawOpenssl: raw, ratio },
      profile,
    };
  } finally {
    await verifier.close();
    for (const store of stores) await store.close();
  }
}

function printPropagation(p: PropagationLatency): void {
  const ms = (d: { p50: number; p95: number; max: number }) =>
    `p50 ${d.p50.toFixed(0)} ms, p95 ${d.p95.toFixed(0)} ms, max ${d.max.toFixed(0)} ms`;
  console.log(
    `propagation: ${p.blocks} blocks across ${p.validators} validators (${p.slotMs} ms slots): ` +
      `per node ${ms(p.perNodeMs)}; to all nodes ${ms(p.allNodesMs)}` +
      ` (${p.incompleteBlocks} blocks not seen by every node, ${p.firstNotAuthor} first seen away from their author)`,
  );
  console.log(
    `ratio: a block reaches every node at p50 in ${((p.allNodesMs.p50 / p.slotMs) * 100).toFixed(1)}% ` +
      `of a slot, p95 in ${((p.allNodesMs.p95 / p.slotMs) * 100).toFixed(1)}%`,
  );
}

function printSync(s: SyncSpeed): void {
  const reached = s.completed
    ? `#${s.blocks} in ${s.totalSeconds.toFixed(1)} s after node B's start`
    : `INCOMPLETE: node B stalled at #${s.reachedNumber} of #${s.blocks} ` +
      `(${s.peersAtEnd} peers left; last import ${s.totalSeconds.toFixed(1)} s after its start)`;
  console.log(
    `sync: ${reached}: ${s.blocksPerSecond.toFixed(0)} blocks/s from its first peer, ` +
      `${s.blocksPerSecondFromStart.toFixed(0)} blocks/s from its start ` +
      `(RPC up ${s.rpcReadyMs.toFixed(0)} ms, first peer ${s.firstPeerMs.toFixed(0)} ms, ` +
      `first block ${s.timeToFirstBlockMs.toFixed(0)} ms after start)`,
  );
  if (!s.completed) {
    for (const [node, lines] of Object.entries(s.warnings)) {
      for (const line of lines) console.log(`  node ${node.toUpperCase()}: ${line}`);
    }
  }
  console.log(
    `ratio: sync runs at ${(s.syncToImport * 100).toFixed(1)}% of in-process import ` +
      `(${s.importBlocksPerSecond.toFixed(0)} blocks/s)`,
  );
}

function printAttribution(a: AttributionPoolThroughput): void {
  const sizes = a.bySize.map((f) => fmt(f.contributions)).join(" / ");
  const ratios = (r: number[]) => r.map((x) => x.toFixed(2)).join(" / ");
  console.log(
    `ratio: at ${sizes} contributions, payments/s relative to the smallest pool ${ratios(a.ratio.paymentsVsSmallest)}, ` +
      `claims/s ${ratios(a.ratio.claimsVsSmallest)} (1.00 = cost independent of the pool's size)`,
  );
}

function printMeasured(m: MeasuredAttributionFigures): void {
  const sizes = m.bySize.map((f) => fmt(f.leaves)).join(" / ");
  const ratios = (r: number[]) => r.map((x) => x.toFixed(2)).join(" / ");
  console.log(
    `ratio: at ${sizes} leaves, the report sequence's p50 relative to the smallest ${ratios(m.ratio.reportVsSmallest)} ` +
      `(1.00 = flat), the time per claim ${ratios(m.ratio.claimVsSmallest)} ` +
      `against log2(n) / log2(smallest) ${ratios(m.ratio.log2VsSmallest)}`,
  );
  const largest = m.method?.bySize.at(-1);
  if (largest) {
    console.log(
      `ratio: knn-shapley v1 at ${fmt(largest.contributions)} contributions: ${largest.workers.count} workers value ` +
        `×${largest.workers.valuationSpeedup.toFixed(2)} as fast as one thread (plain arithmetic: ×${largest.workers.ceiling.toFixed(2)}), ` +
        `the whole method ×${largest.workers.methodSpeedup.toFixed(2)}; the collapse is ` +
        `${((largest.collapseSeconds / largest.methodSeconds) * 100).toFixed(0)}% of its single-threaded time`,
    );
  }
}

function describeRounds(v: VerifyThroughput): string {
  const rounds = v.roundsPerSecond.map(fmt).join(" ");
  return `median ${fmt(v.medianRoundPerSecond)} verifications/s (rounds: ${rounds})`;
}

function fmt(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en-US");
}

main().catch((error: unknown) => {
  // A mistyped option gets one line, not a stack trace.
  const code = (error as { code?: unknown }).code;
  const isUsage =
    error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
  console.error(isUsage ? `${(error as Error).message}\n${usage()}` : error);
  process.exitCode = 1;
});
