// Produces test/vectors/ss58.json from @polkadot/util-crypto, the implementation Lineage's SS58 must
// match. Not run by the tests; rerun only to extend the vectors:
//
//   mkdir -p /tmp/pjs && cd /tmp/pjs && npm init -y && npm i @polkadot/util-crypto @polkadot/util
//   NODE_PATH=/tmp/pjs/node_modules node --input-type=module < test/vectors/generate-ss58.mjs > test/vectors/ss58.json
//
// (run from the repository root; NODE_PATH is not used by ESM imports, hence the createRequire below).
// Keys are deterministic (blake2b of a label) so that rerunning gives the same file.
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.NODE_PATH ?? "/tmp/pjs/node_modules", "noop.js"));
const { blake2AsU8a, encodeAddress, decodeAddress } = require("@polkadot/util-crypto");
const { u8aToHex, hexToU8a } = require("@polkadot/util");
const { packageInfo } = require("@polkadot/util-crypto/packageInfo");

const prefixes = [0, 2, 42, 63, 64, 255, 1000, 16383];
const fixedKeys = [
  "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d", // sr25519 //Alice
  "0x0000000000000000000000000000000000000000000000000000000000000000",
  "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
].map((hex) => hexToU8a(hex));

const vectors = [];
const add = (publicKey, prefix) => {
  const address = encodeAddress(publicKey, prefix);
  if (u8aToHex(decodeAddress(address)) !== u8aToHex(publicKey)) throw new Error("round trip");
  vectors.push({ publicKeyHex: u8aToHex(publicKey), prefix, address });
};
for (const key of fixedKeys) for (const prefix of prefixes) add(key, prefix);
prefixes.forEach((prefix, i) => {
  for (let j = 0; j < 2; j++) add(blake2AsU8a(`lineage-ss58-${i}-${j}`, 256), prefix);
});
for (let i = 0; i < 4; i++) add(blake2AsU8a(`lineage-ss58-default-${i}`, 256), 42);

process.stdout.write(
  `${JSON.stringify({ source: `@polkadot/util-crypto ${packageInfo.version} encodeAddress`, vectors }, null, 2)}\n`,
);
