// Peer reputation: a score that misbehaviour lowers and time heals. The score decays
// exponentially towards 0 (half-life `halfLifeMs`), so an old offence is forgiven; below
// `disconnectThreshold` the peer is dropped and its connections refused until the score recovers;
// below `banThreshold` it is banned for `banDurationMs` whatever its score does meanwhile. A ban
// can also be imposed directly (a peer on another chain). The book is bounded: peers whose score
// has healed back to ~0 and who are not banned are forgotten first.

export interface PeerScoreConfig {
  /** Time for a score to halve on its way back to 0. */
  readonly halfLifeMs: number;
  /** Below this the peer is disconnected and refused until its score recovers. */
  readonly disconnectThreshold: number;
  /** Below this the peer is banned for banDurationMs. */
  readonly banThreshold: number;
  readonly banDurationMs: number;
  /** Scores are clamped to [minScore, maxScore]. */
  readonly minScore: number;
  readonly maxScore: number;
  /** At most this many peers are remembered. */
  readonly capacity: number;
}

export const DEFAULT_PEER_SCORE_CONFIG: PeerScoreConfig = {
  halfLifeMs: 10 * 60_000,
  disconnectThreshold: -50,
  banThreshold: -80,
  banDurationMs: 10 * 60_000,
  minScore: -100,
  maxScore: 100,
  capacity: 4096,
};

export type ScoreAction = "none" | "disconnect" | "ban";

/** Why a peer's connections are refused, if they are. */
export type Exclusion = { reason: "banned" | "low-score"; until?: number } | null;

interface Entry {
  score: number;
  at: number;
  bannedUntil: number;
  banReason: string;
}

export class PeerScores {
  readonly #config: PeerScoreConfig;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(config: Partial<PeerScoreConfig> = {}, now: () => number = Date.now) {
    this.#config = { ...DEFAULT_PEER_SCORE_CONFIG, ...config };
    if (!(this.#config.banThreshold <= this.#config.disconnectThreshold)) {
      throw new RangeError("banThreshold must not be above disconnectThreshold");
    }
    this.#now = now;
  }

  get config(): PeerScoreConfig {
    return this.#config;
  }

  /** The decayed score now (0 for a peer never reported). */
  score(peer: string): number {
    const entry = this.#entries.get(peer);
    return entry ? this.#decayed(entry, this.#now()) : 0;
  }

  /**
   * Lowers (positive `penalty`) or raises (negative) a peer's score and says what to do about it.
   * "ban" when this report takes the peer below the ban threshold (or it is banned already).
   */
  report(peer: string, penalty: number): ScoreAction {
    const now = this.#now();
    const entry = this.#entry(peer, now);
    entry.score = this.#clamp(this.#decayed(entry, now) - penalty);
    entry.at = now;
    if (entry.score < this.#config.banThreshold) {
      if (entry.bannedUntil <= now) {
        entry.bannedUntil = now + this.#config.banDurationMs;
        entry.banReason = "low-score";
      }
      return "ban";
    }
    if (entry.bannedUntil > now) return "ban";
    return entry.score < this.#config.disconnectThreshold ? "disconnect" : "none";
  }

  /** Bans a peer outright for `durationMs` (e.g. one on another chain), score unchanged. */
  ban(peer: string, durationMs: number, reason: string): void {
    const now = this.#now();
    const entry = this.#entry(peer, now);
    entry.bannedUntil = Math.max(entry.bannedUntil, now + durationMs);
    entry.banReason = reason;
  }

  /** Whether the peer's connections are to be refused now, and why. */
  exclusion(peer: string): Exclusion {
    const entry = this.#entries.get(peer);
    if (!entry) return null;
    const now = this.#now();
    if (entry.bannedUntil > now) return { reason: "banned", until: entry.bannedUntil };
    if (this.#decayed(entry, now) < this.#config.disconnectThreshold)
      return { reason: "low-score" };
    return null;
  }

  banReason(peer: string): string | undefined {
    const entry = this.#entries.get(peer);
    return entry && entry.bannedUntil > this.#now() ? entry.banReason : undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  #decayed(entry: Entry, now: number): number {
    const elapsed = Math.max(0, now - entry.at);
    return entry.score * 0.5 ** (elapsed / this.#config.halfLifeMs);
  }

  #clamp(score: number): number {
    return Math.min(this.#config.maxScore, Math.max(this.#config.minScore, score));
  }

  #entry(peer: string, now: number): Entry {
    let entry = this.#entries.get(peer);
    if (!entry) {
      if (this.#entries.size >= this.#config.capacity) this.#evict(now);
      entry = { score: 0, at: now, bannedUntil: 0, banReason: "" };
      this.#entries.set(peer, entry);
    }
    return entry;
  }

  /** Forgets healed, unbanned peers; if none, the oldest entry that is not banned, else the oldest. */
  #evict(now: number): void {
    for (const [peer, entry] of this.#entries) {
      if (entry.bannedUntil <= now && Math.abs(this.#decayed(entry, now)) < 1) {
        this.#entries.delete(peer);
      }
    }
    if (this.#entries.size < this.#config.capacity) return;
    let victim: string | undefined;
    for (const [peer, entry] of this.#entries) {
      victim ??= peer;
      if (entry.bannedUntil <= now) {
        victim = peer;
        break;
      }
    }
    if (victim !== undefined) this.#entries.delete(victim);
  }
}
