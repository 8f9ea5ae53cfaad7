// The informant: Substrate's console lines, byte for byte, because operators grep for them and
// their log pipelines parse them (sc-informant `display.rs`/`lib.rs`, basic-authorship, sc-consensus-
// slots). The formatting functions are pure; `Informant` only adds the 5-second timer.

/** A block as the informant prints it; `hash` is 0x-prefixed hex. */
export interface BlockRef {
  readonly number: number;
  readonly hash: string;
}

export type SyncStatus =
  | { readonly kind: "idle" }
  /** Downloading blocks towards `target` (Substrate's "Syncing"). */
  | { readonly kind: "syncing"; readonly target: number }
  /** Importing what was downloaded (Substrate's "Preparing"). */
  | { readonly kind: "preparing"; readonly target: number };

export interface StatusLine {
  readonly sync: SyncStatus;
  readonly peers: number;
  readonly best: BlockRef;
  readonly finalized: BlockRef;
  /** Blocks imported over the last interval; undefined before the first interval, like Substrate. */
  readonly speed?: { readonly blocks: number; readonly elapsedMs: number } | undefined;
  readonly bytesInPerSecond: number;
  readonly bytesOutPerSecond: number;
}

export interface HashFormat {
  /** Substrate prints full hashes when debug logging is on; short ones otherwise. */
  readonly fullHashes?: boolean;
}

/** `0x0a4a…c92c`: the first and last two bytes, as Substrate's `Display` for H256. */
export function shortHash(hash: string): string {
  if (hash.length <= 2 + 8) return hash;
  return `${hash.slice(0, 6)}…${hash.slice(-4)}`;
}

function displayHash(hash: string, format: HashFormat | undefined): string {
  return format?.fullHashes === true ? hash : shortHash(hash);
}

/**
 * Rust's `{:.1}` of `numerator / denominator`, computed on integers. Rust rounds exact ties to
 * even where `toFixed` would round them up, and x/1024 hits exact ties (256 B is 0.25 kiB).
 */
function oneDecimal(numerator: number, denominator: number): string {
  const scaled = numerator * 10;
  let tenths = Math.floor(scaled / denominator);
  const twiceRemainder = (scaled - tenths * denominator) * 2;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && tenths % 2 === 1)) {
    tenths += 1;
  }
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/** `0`, `N B/s` under 100 bytes, `x.xkiB/s` under 1 MiB, else `x.xMiB/s` (Substrate's TransferRateFormat). */
export function formatTransferRate(bytesPerSecond: number): string {
  const rate = Math.max(0, Math.floor(bytesPerSecond));
  if (rate === 0) return "0";
  if (rate < 100) return `${rate} B/s`;
  if (rate < 1024 * 1024) return `${oneDecimal(rate, 1024)}kiB/s`;
  return `${oneDecimal(rate, 1024 * 1024)}MiB/s`;
}

/** ` 41.2 bps`, ` 0.0 bps` (width 4, truncated to tenths), or "" before the first interval. */
export function formatSyncSpeed(speed: StatusLine["speed"]): string {
  if (speed === undefined) return "";
  const blocks = Math.max(0, speed.blocks);
  const tenths = speed.elapsedMs > 0 ? Math.floor((blocks * 10_000) / speed.elapsedMs) : 0;
  return ` ${`${Math.floor(tenths / 10)}.${tenths % 10}`.padStart(4)} bps`;
}

/**
 * The status line printed every 5 seconds:
 * `💤 Idle (12 peers), best: #1234 (0x0a4a…c92c), finalized #1231 (0x0069…1832), ⬇ 8.3kiB/s ⬆ 7.5kiB/s`
 */
export function formatStatusLine(status: StatusLine, format?: HashFormat): string {
  let head: string;
  switch (status.sync.kind) {
    case "idle":
      head = "💤 Idle";
      break;
    case "syncing":
      // "⚙️ " (with its own space) then the separator: two spaces, as in Substrate.
      head = `⚙️  Syncing${formatSyncSpeed(status.speed)}, target=#${status.sync.target}`;
      break;
    case "preparing":
      head = `⚙️  Preparing${formatSyncSpeed(status.speed)}, target=#${status.sync.target}`;
      break;
  }
  return (
    `${head} (${status.peers} peers), ` +
    `best: #${status.best.number} (${displayHash(status.best.hash, format)}), ` +
    `finalized #${status.finalized.number} (${displayHash(status.finalized.hash, format)}), ` +
    `⬇ ${formatTransferRate(status.bytesInPerSecond)} ⬆ ${formatTransferRate(status.bytesOutPerSecond)}`
  );
}

export interface ImportedBlock {
  readonly number: number;
  readonly hash: string;
  readonly parentHash: string;
  readonly isNewBest: boolean;
}

/** `🏆 Imported #N (0xparent… → 0xhash…)` for a new best block, `🆕 Imported …` for any other. */
export function formatImportedLine(block: ImportedBlock, format?: HashFormat): string {
  const indicator = block.isNewBest ? "🏆" : "🆕";
  return `${indicator} Imported #${block.number} (${displayHash(block.parentHash, format)} → ${displayHash(block.hash, format)})`;
}

/** `♻️  Reorg on #old,hash to #new,hash, common ancestor #n,hash` (two spaces after the emoji). */
export function formatReorgLine(
  from: BlockRef,
  to: BlockRef,
  commonAncestor: BlockRef,
  format?: HashFormat,
): string {
  const ref = (block: BlockRef) => `#${block.number},${displayHash(block.hash, format)}`;
  return `♻️  Reorg on ${ref(from)} to ${ref(to)}, common ancestor ${ref(commonAncestor)}`;
}

/**
 * `🙌 Starting consensus session on top of parent 0x<full hash>`; newer Substrate appends the parent
 * number as ` (#N)`, printed here when given.
 */
export function formatConsensusSessionLine(parentHash: string, parentNumber?: number): string {
  const suffix = parentNumber === undefined ? "" : ` (#${parentNumber})`;
  return `🙌 Starting consensus session on top of parent ${parentHash}${suffix}`;
}

export interface PreparedBlock {
  readonly number: number;
  readonly tookMs: number;
  readonly hash: string;
  readonly parentHash: string;
  readonly extrinsicHashes: readonly string[];
}

/**
 * `🎁 Prepared block for proposing at N (X ms) [hash: 0x<full>; parent_hash: 0x12…; extrinsics (k): [0x12…, …]]`.
 * The block hash is full (Substrate prints it with `{:?}`), the others short. We keep the 2022–23
 * form with balanced brackets; the 2024 one dropped the final `]` by accident.
 */
export function formatPreparedBlockLine(block: PreparedBlock): string {
  const extrinsics = block.extrinsicHashes.map(shortHash).join(", ");
  return (
    `🎁 Prepared block for proposing at ${block.number} (${Math.floor(block.tookMs)} ms) ` +
    `[hash: ${block.hash}; parent_hash: ${shortHash(block.parentHash)}; ` +
    `extrinsics (${block.extrinsicHashes.length}): [${extrinsics}]]`
  );
}

/** `🔖 Pre-sealed block for proposal at N. Hash now 0x<full>, previously 0x<full>.` */
export function formatPreSealedLine(
  number: number,
  sealedHash: string,
  preSealHash: string,
): string {
  return `🔖 Pre-sealed block for proposal at ${number}. Hash now ${sealedHash}, previously ${preSealHash}.`;
}

/** What the node reports each interval; byte counts are running totals, as libp2p keeps them. */
export interface StatusSnapshot {
  readonly sync: SyncStatus;
  readonly peers: number;
  readonly best: BlockRef;
  readonly finalized: BlockRef;
  readonly totalBytesInbound: number;
  readonly totalBytesOutbound: number;
}

export interface InformantLog {
  info(message: string): void;
}

export interface InformantOptions {
  readonly status: () => StatusSnapshot | Promise<StatusSnapshot>;
  /** Usually `logger.child("substrate")`, the target Substrate prints these lines under. */
  readonly log: InformantLog;
  readonly intervalMs?: number;
  readonly fullHashes?: boolean;
  /** Milliseconds clock, injectable for tests. */
  readonly now?: () => number;
}

export const DEFAULT_INFORMANT_INTERVAL_MS = 5000;

/** Prints the status line every `intervalMs` (5 s like Substrate), computing speed and rates. */
export class Informant {
  readonly #options: InformantOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  // Starts at construction with zero bytes, like Substrate's InformantDisplay::new.
  #last: { at: number; bestNumber: number | undefined; bytesIn: number; bytesOut: number };

  constructor(options: InformantOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#last = { at: this.#now(), bestNumber: undefined, bytesIn: 0, bytesOut: 0 };
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      // A failing status provider must not kill the informant; the next tick tries again.
      this.tick().catch(() => {});
    }, this.#options.intervalMs ?? DEFAULT_INFORMANT_INTERVAL_MS);
    // The informant alone should never keep the process alive.
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes one status snapshot, logs the line and returns it. */
  async tick(): Promise<string> {
    const snapshot = await this.#options.status();
    const at = this.#now();
    const last = this.#last;
    const elapsedMs = Math.max(0, at - last.at);
    const speed: StatusLine["speed"] =
      last.bestNumber === undefined
        ? undefined
        : { blocks: snapshot.best.number - last.bestNumber, elapsedMs };
    // Average over whole elapsed seconds; under one second Substrate prints the raw difference and
    // keeps the old byte baseline.
    const seconds = Math.floor(elapsedMs / 1000);
    let bytesIn = Math.max(0, snapshot.totalBytesInbound - last.bytesIn);
    let bytesOut = Math.max(0, snapshot.totalBytesOutbound - last.bytesOut);
    if (seconds > 0) {
      bytesIn = Math.floor(bytesIn / seconds);
      bytesOut = Math.floor(bytesOut / seconds);
    }
    this.#last = {
      at,
      bestNumber: snapshot.best.number,
      bytesIn: seconds > 0 ? snapshot.totalBytesInbound : last.bytesIn,
      bytesOut: seconds > 0 ? snapshot.totalBytesOutbound : last.bytesOut,
    };
    const line = formatStatusLine(
      {
        sync: snapshot.sync,
        peers: snapshot.peers,
        best: snapshot.best,
        finalized: snapshot.finalized,
        speed,
        bytesInPerSecond: bytesIn,
        bytesOutPerSecond: bytesOut,
      },
      { fullHashes: this.#options.fullHashes ?? false },
    );
    this.#options.log.info(line);
    return line;
  }
}
