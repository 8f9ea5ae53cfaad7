// Times the real import pipeline: encoded blocks from the network, decoded, header and seal
// checked, signatures verified on the worker pool, executed, state root compared, committed to
// LevelDB. Blocks go one at a time, as the importer's queue runs them anyway.
import type { BlockImporter } from "../../consensus/block-import.ts";

export interface ImportThroughput {
  blocks: number;
  transfers: number;
  seconds: number;
  transfersPerSecond: number;
  blocksPerSecond: number;
  blockMs: { min: number; median: number; max: number };
  /** Each block's import time in milliseconds, in import order. */
  blockMsEach: number[];
}

/** Imports `warmUp` untimed (it starts the verifier's workers and warms the JIT), then `blocks`. */
export async function measureImport(
  importer: BlockImporter,
  warmUp: readonly Uint8Array[],
  blocks: readonly Uint8Array[],
  transfersPerBlock: readonly number[],
): Promise<ImportThroughput> {
  for (const block of warmUp) await importer.importBlock(block, "network");
  const blockMs: number[] = [];
  const start = performance.now();
  for (const block of blocks) {
    const blockStart = performance.now();
    await importer.importBlock(block, "network");
    blockMs.push(performance.now() - blockStart);
  }
  const seconds = (performance.now() - start) / 1000;
  const transfers = transfersPerBlock.reduce((sum, n) => sum + n, 0);
  const sorted = blockMs.toSorted((a, b) => a - b);
  return {
    blocks: blocks.length,
    transfers,
    seconds,
    transfersPerSecond: transfers / seconds,
    blocksPerSecond: blocks.length / seconds,
    blockMs: {
      min: sorted[0] ?? 0,
      median: sorted[Math.floor(sorted.length / 2)] ?? 0,
      max: sorted[sorted.length - 1] ?? 0,
    },
    blockMsEach: blockMs.map((ms) => Math.round(ms * 10) / 10),
  };
}
