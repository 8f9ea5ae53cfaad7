// Hashes of transactions the pool refuses for a while (invalid or evicted), as Substrate's
// rotator. Bounded twice: entries expire after `banTimeMs`, and past `capacity` the oldest ban is
// forgotten first, so a flood of invalid transactions cannot grow memory.
import type { Hex } from "../../rpc/node-api.ts";

export class BanList {
  readonly #banTimeMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  // Insertion order is expiry order: every ban lasts the same time and a re-ban moves to the end.
  readonly #expiries = new Map<Hex, number>();

  constructor(options: { banTimeMs: number; capacity: number; now: () => number }) {
    this.#banTimeMs = options.banTimeMs;
    this.#capacity = options.capacity;
    this.#now = options.now;
  }

  get size(): number {
    return this.#expiries.size;
  }

  ban(hashes: Iterable<Hex>): void {
    if (this.#banTimeMs <= 0 || this.#capacity <= 0) return;
    const expiry = this.#now() + this.#banTimeMs;
    for (const hash of hashes) {
      this.#expiries.delete(hash);
      this.#expiries.set(hash, expiry);
    }
    this.purgeExpired();
    while (this.#expiries.size > this.#capacity) {
      const oldest = this.#expiries.keys().next();
      if (oldest.done) break;
      this.#expiries.delete(oldest.value);
    }
  }

  isBanned(hash: Hex): boolean {
    const expiry = this.#expiries.get(hash);
    if (expiry === undefined) return false;
    if (expiry > this.#now()) return true;
    this.#expiries.delete(hash);
    return false;
  }

  purgeExpired(): void {
    const now = this.#now();
    for (const [hash, expiry] of this.#expiries) {
      // A clock stepping backwards could leave a later entry expiring earlier; stopping at the first
      // live entry only delays its removal, it never unbans early.
      if (expiry > now) break;
      this.#expiries.delete(hash);
    }
  }
}
