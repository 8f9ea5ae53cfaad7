// Quotas for inbound requests: one token bucket per (peer, protocol). A bucket holds up to
// `burst` tokens and refills at `perSecond`; a request that finds it empty is refused. Buckets of
// idle peers refill to full and are then indistinguishable from new ones, so they are the ones
// dropped when the table reaches its capacity.

export interface Quota {
  /** Requests a peer may make at once. */
  readonly burst: number;
  /** Sustained requests per second. */
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #quota: Quota;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(quota: Quota, capacity = 4096, now: () => number = Date.now) {
    if (!(quota.burst >= 1 && quota.perSecond > 0)) {
      throw new RangeError("a quota needs burst >= 1 and perSecond > 0");
    }
    this.#quota = quota;
    this.#capacity = capacity;
    this.#now = now;
  }

  /** Takes `cost` tokens from the key's bucket; false (nothing taken) when there are too few. */
  tryTake(key: string, cost = 1): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket) {
      bucket.tokens = this.#refilled(bucket, now);
      bucket.at = now;
      // Re-inserted so that the map's order is least recently used first.
      this.#buckets.delete(key);
      this.#buckets.set(key, bucket);
    } else {
      if (this.#buckets.size >= this.#capacity) this.#evict(now);
      bucket = { tokens: this.#quota.burst, at: now };
      this.#buckets.set(key, bucket);
    }
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  get size(): number {
    return this.#buckets.size;
  }

  #refilled(bucket: Bucket, now: number): number {
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    return Math.min(this.#quota.burst, bucket.tokens + elapsed * this.#quota.perSecond);
  }

  #evict(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (this.#refilled(bucket, now) >= this.#quota.burst) this.#buckets.delete(key);
    }
    // Still full: every peer is mid-burst; forget the least recently seen (first in the map).
    if (this.#buckets.size >= this.#capacity) {
      const first = this.#buckets.keys().next();
      if (!first.done) this.#buckets.delete(first.value);
    }
  }
}
