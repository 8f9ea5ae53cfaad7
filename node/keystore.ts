// The file keystore and the network key, laid out like Substrate's so that operators find them where
// they expect: `<base>/chains/<id>/keystore/<key type hex><public key hex>` holding the JSON-quoted
// secret, and `<base>/chains/<id>/network/secret_ed25519` holding 32 raw bytes. Secrets are 32-byte
// ed25519 seeds. Directories are 0700 and files 0600. File I/O is synchronous: the files are tiny,
// read at startup or by rare RPC calls, and atomic rename keeps a crash from leaving half a key.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { bytesEqual, fromHex, toHex } from "../primitives/bytes.ts";
import { LineageError } from "../primitives/errors.ts";
import { keypairFromSeed } from "../primitives/keys.ts";

/** Keystore and node-key failures: bad input, a corrupt file, a missing network key. */
export class KeystoreError extends LineageError {}

export const SEED_LENGTH = 32;
export const PUBLIC_KEY_LENGTH = 32;
export const KEY_TYPE_LENGTH = 4;

/** Derives the public key from a 32-byte seed (ed25519 by default). */
export type PublicKeyDeriver = (seed: Uint8Array) => Uint8Array;

const defaultDeriver: PublicKeyDeriver = (seed) => keypairFromSeed(seed).publicKey;

const KEY_TYPE_RE = /^[\x21-\x7e]{4}$/;
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

function assertKeyType(keyType: string): void {
  if (typeof keyType !== "string" || !KEY_TYPE_RE.test(keyType)) {
    throw new KeystoreError(
      "INVALID_KEY_TYPE",
      `a key type is 4 printable ASCII characters such as "aura" or "gran", got ${JSON.stringify(keyType)}`,
    );
  }
}

function assertLength(bytes: Uint8Array, length: number, code: string, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new KeystoreError(code, `${what} must be ${length} bytes`);
  }
}

function hex(bytes: Uint8Array): string {
  return toHex(bytes).slice(2);
}

/** The 8 hex characters Substrate uses for a key type in file names (`aura` → `61757261`). */
export function keyTypeHex(keyType: string): string {
  assertKeyType(keyType);
  return Buffer.from(keyType, "latin1").toString("hex");
}

/** Creates a directory (and parents) private to the owner, tightening one that already exists. */
function ensurePrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
  chmodSync(path, DIR_MODE);
}

/** Writes through a temporary file and a rename, so readers never see a partial secret. */
function writePrivateFile(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, "w", FILE_MODE);
  try {
    if (typeof data === "string") writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, FILE_MODE);
  renameSync(temporary, path);
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

export interface KeystoreOptions {
  readonly derivePublicKey?: PublicKeyDeriver;
}

export class Keystore {
  readonly directory: string;
  readonly #derive: PublicKeyDeriver;

  /** Opens (creating if needed) the keystore directory. */
  constructor(directory: string, options: KeystoreOptions = {}) {
    this.directory = directory;
    this.#derive = options.derivePublicKey ?? defaultDeriver;
    ensurePrivateDirectory(directory);
  }

  /** The keystore of one chain: `<base>/chains/<spec id>/keystore`. */
  static forChain(chainDirectory: string, options: KeystoreOptions = {}): Keystore {
    return new Keystore(join(chainDirectory, "keystore"), options);
  }

  #path(keyType: string, publicKey: Uint8Array): string {
    return join(this.directory, `${keyTypeHex(keyType)}${hex(publicKey)}`);
  }

  /**
   * Stores `seed` under `keyType`; the public key must be the one the seed derives, so a wrong
   * pairing (a typo in `key insert`) fails here rather than at the first signature. Re-inserting
   * the same key is a no-op overwrite.
   */
  insert(keyType: string, seed: Uint8Array, publicKey: Uint8Array): void {
    assertKeyType(keyType);
    assertLength(seed, SEED_LENGTH, "INVALID_SEED", "a seed");
    assertLength(publicKey, PUBLIC_KEY_LENGTH, "INVALID_PUBLIC_KEY", "a public key");
    if (!bytesEqual(this.#derive(seed), publicKey)) {
      throw new KeystoreError("KEY_MISMATCH", "the public key does not belong to the seed");
    }
    writePrivateFile(this.#path(keyType, publicKey), JSON.stringify(toHex(seed)));
  }

  /** Inserts a seed under the public key it derives, and returns that key. */
  insertSeed(keyType: string, seed: Uint8Array): Uint8Array {
    assertLength(seed, SEED_LENGTH, "INVALID_SEED", "a seed");
    const publicKey = this.#derive(seed);
    this.insert(keyType, seed, publicKey);
    return publicKey;
  }

  /** The seed for a key, or undefined when the keystore does not hold it. */
  get(keyType: string, publicKey: Uint8Array): Uint8Array | undefined {
    assertKeyType(keyType);
    assertLength(publicKey, PUBLIC_KEY_LENGTH, "INVALID_PUBLIC_KEY", "a public key");
    const path = this.#path(keyType, publicKey);
    let content: string;
    try {
      content = readFileSync(path, "utf8");
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const seed = parseSecret(content, path);
    if (!bytesEqual(this.#derive(seed), publicKey)) {
      throw new KeystoreError(
        "KEYSTORE_CORRUPT",
        `${path}: the secret does not match the file name`,
      );
    }
    return seed;
  }

  has(keyType: string, publicKey: Uint8Array): boolean {
    return this.get(keyType, publicKey) !== undefined;
  }

  /** Public keys held for a key type, in byte order. */
  list(keyType: string): Uint8Array[] {
    const prefix = keyTypeHex(keyType);
    const nameLength = prefix.length + PUBLIC_KEY_LENGTH * 2;
    const keys: string[] = [];
    for (const name of readdirSync(this.directory)) {
      if (name.length === nameLength && name.startsWith(prefix) && /^[0-9a-f]+$/.test(name)) {
        keys.push(name.slice(prefix.length));
      }
    }
    return keys.sort().map((key) => fromHex(`0x${key}`));
  }
}

/** A keystore file holds a JSON string: the 0x-hex seed. Anything else is reported, not guessed. */
function parseSecret(content: string, path: string): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    throw new KeystoreError("KEYSTORE_CORRUPT", `${path}: not a JSON string`);
  }
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new KeystoreError("KEYSTORE_CORRUPT", `${path}: expected a 0x-prefixed 32-byte hex seed`);
  }
  return fromHex(value);
}

/** `<chain directory>/network/secret_ed25519`, where Substrate keeps the libp2p identity. */
export function nodeKeyPath(chainDirectory: string): string {
  return join(chainDirectory, "network", "secret_ed25519");
}

/** Raw 32 bytes as Substrate writes them; 64 hex characters are accepted too, as Substrate does. */
function decodeNodeKey(content: Buffer, path: string): Uint8Array {
  if (content.length === SEED_LENGTH) return new Uint8Array(content);
  const text = content.toString("latin1").trim();
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(text)) {
    return fromHex(text.startsWith("0x") ? text : `0x${text}`);
  }
  throw new KeystoreError(
    "NODE_KEY_INVALID",
    `${path}: a node key is 32 raw bytes (or 64 hex characters), got ${content.length} bytes`,
  );
}

/** Reads the node key; a missing file is `NETWORK_KEY_NOT_FOUND` (a validator must not invent one). */
export function loadNodeKey(path: string): Uint8Array {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    if (isNotFound(error)) {
      throw new KeystoreError("NETWORK_KEY_NOT_FOUND", `no network key at ${path}`);
    }
    throw error;
  }
  return decodeNodeKey(content, path);
}

/**
 * Reads the node key, or creates one (32 random bytes, a valid ed25519 seed) when the file is
 * missing. `created` tells the caller so it can log the new identity.
 */
export function loadOrCreateNodeKey(
  path: string,
  generate: () => Uint8Array = () => new Uint8Array(randomBytes(SEED_LENGTH)),
): { secret: Uint8Array; created: boolean } {
  try {
    return { secret: loadNodeKey(path), created: false };
  } catch (error) {
    if (!(error instanceof KeystoreError && error.code === "NETWORK_KEY_NOT_FOUND")) throw error;
  }
  const secret = generate();
  assertLength(secret, SEED_LENGTH, "NODE_KEY_INVALID", "a node key");
  ensurePrivateDirectory(dirname(path));
  writePrivateFile(path, secret);
  return { secret, created: true };
}
