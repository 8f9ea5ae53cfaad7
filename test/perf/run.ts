// `npm run bench`: block import throughput of signed transfers against the machine's ed25519
// verification ceiling, printed and written to bench-results/bench-<timestamp>.json.
//
//   npm run bench -- --blocks 50 --accounts 4000 --verify-seconds 10
//
// Every option can also come from the environment (BENCH_BLOCKS, BENCH_ACCOUNTS, …). Perf code
// reports numbers; it asserts correctness (every block imports, every signature verifies), never time.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BlockImporter } from "../../consensus/block-import.ts";
import { SignatureVerifier } from "../../primitives/signature-verifier.ts";
import type { ChainStore } from "../../state/chain-store.ts";
import { profiled } from "./cpu-profile.ts";
import { devGenesis, openDevStore } from "./dev-chain.ts";
import { type ImportThroughput, measureImport } from "./import-throughput.ts";
import { type MachineFacts, machineFacts } from "./machine.ts";
import { buildTransferChain, MAX_ACCOUNTS, type TransferChainOptions } from "./transfer-chain.ts";
import { measureRawOpenssl, measureVerifier, type VerifyThroughput } from "./verify-ceiling.ts";

interface BenchOptions extends TransferChainOptions {
  verifySeconds: number;
  outDir: string;
  cpuProfile: boolean;
}

/** The JSON written per run. Keys are stable: add new ones, never rename or repurpose. */
interface BenchReport {
  schema: 1;
  startedAt: string;
  machine: MachineFacts;
  options: Omit<BenchOptions, "outDir" | "cpuProfile">;
  setupSeconds: number;
  import: ImportThroughput;
  verifier: VerifyThroughput;
  rawOpenssl: VerifyThroughput;
  /**
   * Import throughput (transfers/s) as a fraction of each verification ceiling, taken as its
   * median one-second round (robust to a neighbour's burst of load).
   */
  ratio: { importToVerifier: number; importToRawOpenssl: number };
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
} as const;
type OptionName = keyof typeof OPTIONS;

function usage(): string {
  const lines = Object.entries(OPTIONS).map(
    ([name, o]) => `  --${name} N  (env BENCH_${envName(name)}, default ${o.default}): ${o.doc}`,
  );
  return [
    "usage: npm run bench -- [options]",
    ...lines,
    "  --out DIR  (env BENCH_OUT, default bench-results): where the JSON goes",
    "  --cpu-profile: also write a V8 CPU profile of the main thread during the timed import",
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
    outDir: (values.out as string | undefined) ?? process.env.BENCH_OUT ?? "bench-results",
    cpuProfile: values["cpu-profile"] === true,
  };
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

  const dir = await mkdtemp(join(tmpdir(), "lineage-bench-"));
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

    const { outDir, cpuProfile, ...measuredWith } = options;
    const report: BenchReport = {
      schema: 1,
      startedAt: startedAt.toISOString(),
      machine,
      options: measuredWith,
      setupSeconds,
      import: imported,
      verifier: verified,
      rawOpenssl: raw,
      ratio,
    };
    await mkdir(outDir, { recursive: true });
    const stamp = startedAt.toISOString().replaceAll(":", "-");
    const file = join(outDir, `bench-${stamp}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${file}`);
    if (profile !== null) {
      const profileFile = join(outDir, `import-${stamp}.cpuprofile`);
      await writeFile(profileFile, JSON.stringify(profile));
      console.log(
        `wrote ${profileFile} (summary: npx node test/perf/profile-summary.ts ${profileFile})`,
      );
    }
  } finally {
    await verifier.close();
    for (const store of stores) await store.close();
    await rm(dir, { recursive: true, force: true });
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
