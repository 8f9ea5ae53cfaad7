// Which configured peers (bootnodes, reserved peers) to dial next. A peer is dialed when it is
// not connected and its backoff has passed. Every attempt doubles the backoff (up to a maximum),
// and only a completed status handshake resets it: a peer that accepts the TCP connection and
// then refuses us is retried less and less often. The schedule only decides; the service dials.

export interface DialTarget {
  readonly peerId: string;
  readonly address: string;
  backoffMs: number;
  nextAttemptAt: number;
  dialing: boolean;
}

export interface BackoffConfig {
  readonly initialMs: number;
  readonly maxMs: number;
}

export class RedialSchedule {
  readonly #config: BackoffConfig;
  readonly #targets = new Map<string, DialTarget>();

  constructor(config: BackoffConfig) {
    this.#config = config;
  }

  add(peerId: string, address: string): void {
    const existing = this.#targets.get(peerId);
    if (existing?.address === address) return;
    this.#targets.set(peerId, {
      peerId,
      address,
      backoffMs: this.#config.initialMs,
      nextAttemptAt: 0,
      dialing: existing?.dialing ?? false,
    });
  }

  remove(peerId: string): boolean {
    return this.#targets.delete(peerId);
  }

  has(peerId: string): boolean {
    return this.#targets.has(peerId);
  }

  peerIds(): string[] {
    return [...this.#targets.keys()];
  }

  /** Targets not connected, not being dialed, and past their backoff. */
  due(now: number, isConnected: (peerId: string) => boolean): DialTarget[] {
    const out: DialTarget[] = [];
    for (const target of this.#targets.values()) {
      if (target.dialing || isConnected(target.peerId)) continue;
      if (now >= target.nextAttemptAt) out.push(target);
    }
    return out;
  }

  /** A dial begins: the next one waits the current backoff, which doubles for the time after. */
  started(peerId: string, now: number): void {
    const target = this.#targets.get(peerId);
    if (!target) return;
    target.dialing = true;
    target.nextAttemptAt = now + target.backoffMs;
    target.backoffMs = Math.min(this.#config.maxMs, target.backoffMs * 2);
  }

  finished(peerId: string): void {
    const target = this.#targets.get(peerId);
    if (target) target.dialing = false;
  }

  /** The peer completed a status handshake: it wants us, so the backoff starts over. */
  welcomed(peerId: string): void {
    const target = this.#targets.get(peerId);
    if (target) target.backoffMs = this.#config.initialMs;
  }

  /** Defers a target (e.g. a banned peer) until `until` without growing its backoff. */
  deferUntil(peerId: string, until: number): void {
    const target = this.#targets.get(peerId);
    if (target) target.nextAttemptAt = Math.max(target.nextAttemptAt, until);
  }
}
