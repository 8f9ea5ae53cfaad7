// Produces test/vectors/ed25519-suri.json: ed25519 keys for secret URIs as @polkadot/util-crypto
// derives them (the same derivation as Substrate's sp-core). Not run by the tests; to rerun:
//
//   mkdir -p /tmp/pjs && cd /tmp/pjs && npm init -y && npm i @polkadot/util-crypto @polkadot/util
//   NODE_PATH=/tmp/pjs/node_modules node --input-type=module < test/vectors/generate-ed25519-suri.mjs > test/vectors/ed25519-suri.json
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.NODE_PATH ?? "/tmp/pjs/node_modules", "noop.js"));
const utilCrypto = require("@polkadot/util-crypto");
const { u8aToHex, hexToU8a } = require("@polkadot/util");
const { packageInfo } = require("@polkadot/util-crypto/packageInfo");
const {
  cryptoWaitReady,
  ed25519PairFromSeed,
  encodeAddress,
  keyExtractPath,
  keyExtractSuri,
  keyFromPath,
} = utilCrypto;
const { mnemonicToMiniSecret } = utilCrypto;

const DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const suris = [
  "//Alice",
  "//Bob",
  "//Charlie",
  "//Dave",
  "//Eve",
  "//Ferdie",
  `${DEV_PHRASE}//Alice`,
  DEV_PHRASE,
  "//Alice//stash",
  "//0",
  "//1",
  "//18446744073709551615",
  // Not "//18446744073709551616": Substrate parses a junction as u64 or else as a string, while
  // polkadot-js encodes any decimal number numerically; Lineage follows Substrate (see the unit test).
  "//a-junction-name-longer-than-thirty-two-bytes",
  `//${"x".repeat(63)}`,
  `//${"y".repeat(64)}`,
  "//Élodie",
  "0x0101010101010101010101010101010101010101010101010101010101010101",
  "0x0101010101010101010101010101010101010101010101010101010101010101//Alice//7",
];

await cryptoWaitReady();
const vectors = suris.map((suri) => {
  // polkadot-js wants a phrase; a bare path means the dev phrase, as in Substrate.
  const { phrase, path, password } = suri.startsWith("/")
    ? { phrase: DEV_PHRASE, path: keyExtractPath(suri).path }
    : keyExtractSuri(suri);
  if (password) throw new Error("no passwords");
  const root = phrase.startsWith("0x") ? hexToU8a(phrase) : mnemonicToMiniSecret(phrase || DEV_PHRASE);
  const pair = keyFromPath(ed25519PairFromSeed(root), path, "ed25519");
  return {
    suri,
    publicKeyHex: u8aToHex(pair.publicKey),
    seedHex: u8aToHex(pair.secretKey.subarray(0, 32)),
    ss58: encodeAddress(pair.publicKey, 42),
  };
});
process.stdout.write(
  `${JSON.stringify({ source: `@polkadot/util-crypto ${packageInfo.version} keyFromPath ed25519`, vectors }, null, 2)}\n`,
);
