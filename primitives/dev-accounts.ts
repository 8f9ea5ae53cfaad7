// Dev accounts and secret URIs (`//Alice`, `0x<seed>//stash`), derived exactly as Substrate's
// sp-core/sp-keyring derive ed25519 keys, so that `//Alice` names the same key in both worlds.
import { concatBytes, fromHex, utf8 } from "./bytes.ts";
import { PrimitiveError } from "./errors.ts";
import { blake2b256 } from "./hash.ts";
import { type Keypair, keypairFromSeed } from "./keys.ts";

/** Substrate's well-known development phrase; `//Alice` is this phrase plus the hard junction `Alice`. */
export const DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
/** The BIP39 mini-secret of DEV_PHRASE (no password), as sp-core computes it. */
export const DEV_MINI_SECRET = "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";

export const DEV_ACCOUNT_NAMES = ["alice", "bob", "charlie", "dave", "eve", "ferdie"] as const;
export type DevAccountName = (typeof DEV_ACCOUNT_NAMES)[number];

/**
 * The sr25519 addresses (prefix 42) Substrate users know as Alice…Ferdie. Lineage signs with ed25519,
 * so these are NOT Lineage's dev accounts; `key inspect` prints them beside ours to avoid confusion.
 */
export const DEV_SR25519_SS58: Readonly<Record<DevAccountName, string>> = {
  alice: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
  bob: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
  charlie: "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
  dave: "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy",
  eve: "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw",
  ferdie: "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL",
};

export function devKeypair(name: DevAccountName): Keypair {
  if (!DEV_ACCOUNT_NAMES.includes(name)) {
    throw new PrimitiveError("INVALID_SURI", `unknown dev account ${String(name)}`);
  }
  return keypairFromSuri(`//${name[0]!.toUpperCase()}${name.slice(1)}`);
}

// --- SCALE, only as much as junction encoding needs ---------------------------------------------

function compactLength(n: number): Uint8Array {
  if (n < 1 << 6) return Uint8Array.of(n << 2);
  if (n < 1 << 14) return Uint8Array.of(((n << 2) | 1) & 0xff, n >> 6);
  if (n < 1 << 30) {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, ((n << 2) | 2) >>> 0, true);
    return out;
  }
  throw new PrimitiveError("INVALID_SURI", "derivation junction too long");
}

function scaleString(text: string): Uint8Array {
  const bytes = utf8(text);
  return concatBytes(compactLength(bytes.length), bytes);
}

// --- Derivation --------------------------------------------------------------------------------

const ED25519_HDKD = scaleString("Ed25519HDKD");
const U64_MAX = 2n ** 64n - 1n;

/**
 * A junction's 32-byte chain code, as sp-core's DeriveJunction: text that parses as a u64 is encoded
 * as 8 bytes little-endian, any other text as a SCALE string; longer than 32 bytes is hashed.
 */
function chainCode(junction: string): Uint8Array {
  let encoded: Uint8Array;
  if (/^\d+$/.test(junction) && BigInt(junction) <= U64_MAX) {
    encoded = new Uint8Array(8);
    new DataView(encoded.buffer).setBigUint64(0, BigInt(junction), true);
  } else {
    encoded = scaleString(junction);
  }
  if (encoded.length > 32) return blake2b256(encoded);
  const code = new Uint8Array(32);
  code.set(encoded);
  return code;
}

/** sp-core ed25519 hard derivation: blake2b-256(SCALE("Ed25519HDKD") ‖ seed ‖ chainCode). */
function deriveHard(seed: Uint8Array, junction: string): Uint8Array {
  return blake2b256(concatBytes(ED25519_HDKD, seed, chainCode(junction)));
}

// sp-core's SURI grammar: phrase, then junctions (`//hard` or `/soft`), then `///password`.
const SURI_RE = /^(?<phrase>[\p{L}\p{N} ]+)?(?<path>(?:\/\/?[^/]+)*)(?:\/\/\/(?<password>.*))?$/u;
const JUNCTION_RE = /\/\/?[^/]+/g;

/**
 * A keypair from a secret URI: `//Alice`, `//stash//1`, `<dev phrase>//Alice`, `0x<32-byte seed>`
 * optionally followed by hard junctions.
 *
 * Refused, with an INVALID_SURI or UNSUPPORTED_SURI error: soft junctions (`/x`: ed25519 has no soft
 * derivation, in Substrate either), passwords (`///pw`), and BIP39 phrases other than the dev phrase.
 * Turning an arbitrary phrase into a mini-secret needs the BIP39 word list and substrate-bip39's
 * PBKDF2 step; Lineage's keystore stores raw seeds instead, so that code is not worth carrying.
 */
export function keypairFromSuri(suri: string): Keypair {
  const match = SURI_RE.exec(suri.trim());
  if (match?.groups === undefined) {
    throw new PrimitiveError("INVALID_SURI", `not a secret URI: ${JSON.stringify(suri)}`);
  }
  const { phrase, path = "", password } = match.groups;
  if (password !== undefined) {
    throw new PrimitiveError("UNSUPPORTED_SURI", "secret URI passwords (///…) are not supported");
  }
  let seed = rootSeed(phrase?.trim());
  for (const junction of path.match(JUNCTION_RE) ?? []) {
    if (!junction.startsWith("//")) {
      throw new PrimitiveError(
        "UNSUPPORTED_SURI",
        `soft junction ${junction} cannot derive an ed25519 key; use //${junction.slice(1)}`,
      );
    }
    seed = deriveHard(seed, junction.slice(2));
  }
  return keypairFromSeed(seed);
}

function rootSeed(phrase: string | undefined): Uint8Array {
  if (phrase === undefined || phrase === "") return fromHex(DEV_MINI_SECRET);
  if (phrase.startsWith("0x")) {
    try {
      return fromHex(phrase, 32);
    } catch (cause) {
      throw new PrimitiveError("INVALID_SURI", "a 0x seed must be 32 bytes of hex", { cause });
    }
  }
  if (phrase.split(/\s+/).join(" ") === DEV_PHRASE) return fromHex(DEV_MINI_SECRET);
  throw new PrimitiveError(
    "UNSUPPORTED_SURI",
    "only the dev phrase or a 0x-prefixed 32-byte seed is accepted, not other mnemonics",
  );
}
