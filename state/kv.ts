// A thin synchronous-read wrapper over an abstract-level database. Reads use `getSync` so that the
// runtime never awaits; writes always go out as one atomic batch, which is what makes block import
// crash-safe. Only the repositories under store/ use this directly.
import { ClassicLevel } from "classic-level";
import { MemoryLevel } from "memory-level";
import { StateError } from "./errors.ts";

export type KvOp =
  | { type: "put"; key: Uint8Array; value: Uint8Array }
  | { type: "del"; key: Uint8Array };

/** A key range: every bound is optional; `prefix` is shorthand for [prefix, prefix+1). */
export interface KvRange {
  prefix?: Uint8Array;
  gte?: Uint8Array;
  gt?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
  limit?: number;
}

/** The part of abstract-level this wrapper uses (classic-level and memory-level both provide it). */
interface Db {
  open(): Promise<void>;
  close(): Promise<void>;
  getSync(key: Uint8Array): Uint8Array | undefined;
  batch(ops: KvOp[], options: { sync: boolean }): Promise<void>;
  iterator(options: Record<string, unknown>): AsyncIterable<[Uint8Array, Uint8Array]>;
  keys(options: Record<string, unknown>): AsyncIterable<Uint8Array>;
}

/** Level returns Buffers; callers compare with deepStrictEqual, so hand out plain views. */
function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The smallest key greater than every key starting with `prefix`, or undefined for all-0xff. */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  const out = Uint8Array.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}

export class Kv {
  readonly #db: Db;
  #open = false;

  private constructor(db: Db) {
    this.#db = db;
  }

  /** LevelDB on disk (classic-level). */
  static async openDisk(path: string): Promise<Kv> {
    const kv = new Kv(
      new ClassicLevel<Uint8Array, Uint8Array>(path, {
        keyEncoding: "view",
        valueEncoding: "view",
      }) as unknown as Db,
    );
    try {
      await kv.open();
    } catch (error) {
      throw openError(path, error);
    }
    return kv;
  }

  /** An in-memory database for tests and ephemeral (--tmp style) nodes. */
  static async openMemory(): Promise<Kv> {
    const kv = new Kv(
      new MemoryLevel<Uint8Array, Uint8Array>({
        keyEncoding: "view",
        valueEncoding: "view",
      }) as unknown as Db,
    );
    await kv.open();
    return kv;
  }

  async open(): Promise<void> {
    await this.#db.open();
    this.#open = true;
  }

  async close(): Promise<void> {
    this.#open = false;
    await this.#db.close();
  }

  get isOpen(): boolean {
    return this.#open;
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    this.#assertOpen();
    const value = this.#db.getSync(key);
    return value === undefined ? undefined : plain(value);
  }

  /** Atomic: either every op lands or none does. `sync` forces an fsync (survives power loss). */
  async batch(ops: readonly KvOp[], options: { sync?: boolean } = {}): Promise<void> {
    this.#assertOpen();
    if (ops.length === 0) return;
    await this.#db.batch(ops as KvOp[], { sync: options.sync ?? false });
  }

  async *entries(range: KvRange = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
    this.#assertOpen();
    for await (const [k, v] of this.#db.iterator(levelRange(range))) yield [plain(k), plain(v)];
  }

  async *keys(range: KvRange = {}): AsyncGenerator<Uint8Array> {
    this.#assertOpen();
    for await (const k of this.#db.keys(levelRange(range))) yield plain(k);
  }

  #assertOpen(): void {
    if (!this.#open) throw new StateError("STORE_CLOSED", "the database is closed");
  }
}

function levelRange(range: KvRange): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (range.prefix !== undefined) {
    out.gte = range.prefix;
    const upper = prefixUpperBound(range.prefix);
    if (upper !== undefined) out.lt = upper;
  }
  for (const k of ["gte", "gt", "lt", "lte", "reverse", "limit"] as const) {
    if (range[k] !== undefined) out[k] = range[k];
  }
  return out;
}

/**
 * Why LevelDB would not open, in an operator's words: level wraps the cause (a lock another
 * process holds, a missing or damaged file) in a bare "Database failed to open".
 */
function openError(path: string, error: unknown): StateError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "LEVEL_LOCKED")
    return new StateError(
      "DATABASE_LOCKED",
      `the database at ${path} is in use by another process (a second node on this base path?): stop it, or choose another --base-path`,
    );
  const why = cause?.message ?? (error as Error).message;
  return new StateError(
    "DATABASE_OPEN_FAILED",
    `the database at ${path} cannot be opened: ${why}; if its files are damaged, restore them from a backup or remove the chain's data with \`lineage purge-chain\` and sync again`,
  );
}
