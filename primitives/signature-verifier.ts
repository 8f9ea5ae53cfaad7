// Batch signature verification on a pool of worker threads, so that importing a block with thousands
// of transactions uses every core. Answers are exactly verifyFast's (and so noble's) answers.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { PrimitiveError } from "./errors.ts";
import { type SignedMessage, verifyFast } from "./keys.ts";
import type { VerifyRequest, VerifyResponse } from "./signature-worker.ts";

export interface SignatureVerifierOptions {
  /** Worker threads; defaults to the available cores. */
  readonly workers?: number;
  /** Batches smaller than this verify on the calling thread: posting to a worker costs more. */
  readonly inlineBelow?: number;
}

interface PendingChunk {
  readonly resolve: (results: boolean[]) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly thread: Worker;
  readonly pending: Map<number, PendingChunk>;
}

const DEFAULT_INLINE_BELOW = 16;

export class SignatureVerifier {
  readonly size: number;
  readonly #inlineBelow: number;
  // Started on the first batch big enough to need them: a node that never sees one pays nothing.
  #workers: PoolWorker[] = [];
  #nextChunkId = 0;
  #closed = false;

  constructor(options: SignatureVerifierOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.#inlineBelow = options.inlineBelow ?? DEFAULT_INLINE_BELOW;
  }

  async verifyBatch(items: readonly SignedMessage[]): Promise<boolean[]> {
    if (this.#closed) throw new PrimitiveError("VERIFIER_CLOSED", "signature verifier is closed");
    if (items.length < this.#inlineBelow) {
      return items.map((item) => verifyFast(item.signature, item.message, item.publicKey));
    }
    const workers = this.#startedWorkers();
    const chunkSize = Math.max(this.#inlineBelow, Math.ceil(items.length / workers.length));
    const chunks: Promise<boolean[]>[] = [];
    for (let start = 0; start < items.length; start += chunkSize) {
      chunks.push(this.#dispatch(items.slice(start, start + chunkSize)));
    }
    return (await Promise.all(chunks)).flat();
  }

  /** Terminates the workers; batches still in flight reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(
      workers.map((worker) => this.#retire(worker, "VERIFIER_CLOSED", "signature verifier closed")),
    );
  }

  #startedWorkers(): PoolWorker[] {
    while (this.#workers.length < this.size) this.#workers.push(this.#spawn());
    return this.#workers;
  }

  #spawn(): PoolWorker {
    const thread = new Worker(new URL("./signature-worker.ts", import.meta.url));
    const worker: PoolWorker = { thread, pending: new Map() };
    // An idle pool must not keep the process alive; a worker with work in flight must.
    thread.unref();
    thread.on("message", (response: VerifyResponse) => {
      const chunk = worker.pending.get(response.id);
      if (chunk === undefined) return;
      worker.pending.delete(response.id);
      if (worker.pending.size === 0) thread.unref();
      chunk.resolve(response.results);
    });
    thread.on("error", (error) => {
      this.#workers = this.#workers.filter((w) => w !== worker);
      void this.#retire(
        worker,
        "VERIFIER_WORKER_FAILED",
        `signature worker failed: ${error.message}`,
      );
    });
    return worker;
  }

  #dispatch(items: SignedMessage[]): Promise<boolean[]> {
    let worker = this.#workers[0]!;
    for (const candidate of this.#workers) {
      if (candidate.pending.size < worker.pending.size) worker = candidate;
    }
    const id = this.#nextChunkId++;
    return new Promise<boolean[]>((resolve, reject) => {
      worker.pending.set(id, { resolve, reject });
      worker.thread.ref();
      const request: VerifyRequest = { id, items };
      worker.thread.postMessage(request);
    });
  }

  async #retire(worker: PoolWorker, code: string, reason: string): Promise<void> {
    const error = new PrimitiveError(code, reason);
    for (const chunk of worker.pending.values()) chunk.reject(error);
    worker.pending.clear();
    await worker.thread.terminate();
  }
}
