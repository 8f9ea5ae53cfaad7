// The machine's ed25519 verification ceiling on all cores, two ways:
// - through the node's own SignatureVerifier (verifyFast: strict RFC 8032 encoding rules, then
//   OpenSSL with cached KeyObjects, on a worker pool sized to the cores), one batch at a time as
//   the importer submits them;
// - raw node:crypto verify with prepared KeyObjects in plain worker threads and nothing else: what
//   OpenSSL alone does, the bound the verifier can approach.
// Both run in one-second rounds so that a burst of load from a neighbour shows up as one bad round.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { SignedMessage } from "../../primitives/keys.ts";
import { SignatureVerifier } from "../../primitives/signature-verifier.ts";
import type { RawVerifyReport, RawVerifyTask } from "./openssl-verify-worker.ts";

/** Fresh workers run well below speed at first; they verify this long before the clock starts. */
const WARM_UP_MS = 1000;
const ROUND_MS = 1000;
/** Signatures each raw-OpenSSL thread cycles through. */
const RAW_ITEMS = 4096;

export interface VerifyThroughput {
  workers: number;
  verifications: number;
  seconds: number;
  /** The mean of the rounds' rates. */
  verificationsPerSecond: number;
  /** Each round's rate, in order. */
  roundsPerSecond: number[];
  medianRoundPerSecond: number;
  bestRoundPerSecond: number;
}

interface Round {
  verifications: number;
  seconds: number;
}

function summarize(workers: number, rounds: Round[][]): VerifyThroughput {
  // rounds[r][w]: round r of worker w (the verifier counts as one worker per round).
  const rates = rounds.map((round) =>
    round.reduce((sum, w) => sum + w.verifications / w.seconds, 0),
  );
  const verifications = rounds.flat().reduce((sum, w) => sum + w.verifications, 0);
  const seconds = rounds.reduce((sum, round) => sum + Math.max(...round.map((w) => w.seconds)), 0);
  const sorted = rates.toSorted((a, b) => a - b);
  return {
    workers,
    verifications,
    seconds,
    verificationsPerSecond: rates.reduce((sum, rate) => sum + rate, 0) / rates.length,
    roundsPerSecond: rates,
    medianRoundPerSecond: sorted[Math.floor(sorted.length / 2)]!,
    bestRoundPerSecond: sorted[sorted.length - 1]!,
  };
}

/** Batches of `batchSize` through a fresh SignatureVerifier, for `seconds` one-second rounds. */
export async function measureVerifier(
  items: readonly SignedMessage[],
  options: { seconds: number; batchSize: number },
): Promise<VerifyThroughput> {
  const workers = availableParallelism();
  const verifier = new SignatureVerifier({ workers });
  const batches: SignedMessage[][] = [];
  for (let start = 0; start < items.length; start += options.batchSize) {
    batches.push(items.slice(start, start + options.batchSize));
  }
  if (batches.length === 0) throw new Error("no signatures to verify");
  let next = 0;
  const verifyNext = async (): Promise<number> => {
    const batch = batches[next++ % batches.length]!;
    const results = await verifier.verifyBatch(batch);
    if (results.includes(false)) throw new Error("a benchmark signature failed to verify");
    return batch.length;
  };
  const verifyFor = async (ms: number): Promise<Round> => {
    let verifications = 0;
    const start = performance.now();
    while (performance.now() - start < ms) verifications += await verifyNext();
    return { verifications, seconds: (performance.now() - start) / 1000 };
  };
  try {
    await verifyFor(WARM_UP_MS);
    const rounds: Round[][] = [];
    for (let r = 0; r < options.seconds; r++) rounds.push([await verifyFor(ROUND_MS)]);
    return summarize(workers, rounds);
  } finally {
    await verifier.close();
  }
}

/** Plain node:crypto verify on availableParallelism() worker threads, all started together. */
export async function measureRawOpenssl(
  items: readonly SignedMessage[],
  seconds: number,
): Promise<VerifyThroughput> {
  const workers = availableParallelism();
  const task: RawVerifyTask = {
    items: items.slice(0, RAW_ITEMS),
    warmUpMs: WARM_UP_MS,
    roundMs: ROUND_MS,
    rounds: seconds,
  };
  const threads = Array.from(
    { length: workers },
    () => new Worker(new URL("./openssl-verify-worker.ts", import.meta.url), { workerData: task }),
  );
  try {
    const ready: Promise<void>[] = [];
    const reports = threads.map((thread) => {
      let markReady: () => void = () => {};
      ready.push(new Promise<void>((resolve) => (markReady = resolve)));
      return new Promise<RawVerifyReport>((resolve, reject) => {
        thread.on("message", (message: RawVerifyReport | "ready") => {
          if (message === "ready") markReady();
          else resolve(message);
        });
        thread.once("error", reject);
        thread.once("exit", (code) => reject(new Error(`verify worker exited with ${code}`)));
      });
    });
    await Promise.all(ready);
    for (const thread of threads) thread.postMessage("start");
    const done = await Promise.all(reports);
    if (done.some((report) => report.rejected > 0)) {
      throw new Error("a benchmark signature failed to verify");
    }
    const rounds = Array.from({ length: seconds }, (_, r) =>
      done.map((report) => report.rounds[r]!),
    );
    return summarize(workers, rounds);
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
