// One thread of the raw OpenSSL ceiling: prepares KeyObjects, warms up, waits for "start", then
// verifies the same signatures round and round in fixed-length rounds and reports the counts.
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import type { SignedMessage } from "../../primitives/keys.ts";

export interface RawVerifyTask {
  items: SignedMessage[];
  warmUpMs: number;
  roundMs: number;
  rounds: number;
}

export interface RawVerifyReport {
  rounds: { verifications: number; seconds: number }[];
  rejected: number;
}

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** Reading the clock costs too; look at it once per this many verifications. */
const CLOCK_EVERY = 256;

const task = workerData as RawVerifyTask;
const keys = new Map<string, KeyObject>();
const prepared = task.items.map((item) => {
  const id = Buffer.from(item.publicKey).toString("hex");
  let key = keys.get(id);
  if (key === undefined) {
    key = createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, item.publicKey]),
      format: "der",
      type: "spki",
    });
    keys.set(id, key);
  }
  return { key, message: item.message, signature: item.signature };
});
let next = 0;
let rejected = 0;

function verifyFor(ms: number): { verifications: number; seconds: number } {
  let verifications = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < CLOCK_EVERY; i++) {
      const item = prepared[next++ % prepared.length]!;
      if (!verify(null, item.message, item.key, item.signature)) rejected++;
    }
    verifications += CLOCK_EVERY;
    now = performance.now();
  }
  return { verifications, seconds: (now - start) / 1000 };
}

parentPort?.once("message", () => {
  const rounds = Array.from({ length: task.rounds }, () => verifyFor(task.roundMs));
  const report: RawVerifyReport = { rounds, rejected };
  parentPort?.postMessage(report);
});
verifyFor(task.warmUpMs);
parentPort?.postMessage("ready");
