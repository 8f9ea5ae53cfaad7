// How many cores the machine gives right now. These machines are shared: a figure that compares
// one thread with several means little unless the same run says what several threads of plain
// arithmetic gained at that moment.
import { Worker } from "node:worker_threads";

/**
 * `threads` worker threads run the same arithmetic loop together, and their combined rate is
 * divided by one thread's alone: 2.0 is two free cores on a 2-core machine, near 1.0 when a
 * neighbour holds one of them.
 */
export async function parallelCeiling(
  threads: number,
  loopIterations = 30_000_000,
): Promise<number> {
  const code = `
    const { parentPort } = require("node:worker_threads");
    parentPort.on("message", (n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x += Math.sqrt(i);
      parentPort.postMessage(x);
    });`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
  const run = (w: Worker, n: number) =>
    new Promise<void>((resolve, reject) => {
      w.once("message", () => resolve());
      w.once("error", reject);
      w.postMessage(n);
    });
  try {
    await Promise.all(workers.map((w) => run(w, loopIterations / 10)));
    let start = performance.now();
    await run(workers[0]!, loopIterations);
    const alone = performance.now() - start;
    start = performance.now();
    await Promise.all(workers.map((w) => run(w, loopIterations)));
    const together = performance.now() - start;
    return (threads * alone) / together;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
