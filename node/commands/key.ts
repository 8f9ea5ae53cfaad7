// `lineage key generate` and `lineage key inspect`: ed25519 keys, their account ids and SS58
// addresses. For the dev accounts it also prints the sr25519 address a Substrate user knows, so
// nobody sends funds to the wrong Alice.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { Command } from "commander";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import {
  DEV_ACCOUNT_NAMES,
  DEV_SR25519_SS58,
  type DevAccountName,
  keypairFromSuri,
} from "../../primitives/dev-accounts.ts";
import { LineageError } from "../../primitives/errors.ts";
import { type Keypair, keypairFromSeed } from "../../primitives/keys.ts";
import { DEFAULT_SS58_PREFIX, ss58Decode, ss58Encode } from "../../primitives/ss58.ts";
import { loadNodeKey, loadOrCreateNodeKey } from "../keystore.ts";
import { peerIdFromNodeKey } from "../network/index.ts";

interface KeyReport {
  secretSeed?: string;
  publicKey: string;
  accountId: string;
  ss58Address: string;
  substrateSr25519Address?: string;
}

function network(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 16383) {
    throw new LineageError(
      "INVALID_CLI",
      `--network: expected an SS58 prefix 0..16383, got ${text}`,
    );
  }
  return n;
}

function report(pair: Keypair | { publicKey: Uint8Array }, prefix: number): KeyReport {
  const publicKey = toHex(pair.publicKey);
  return {
    ...("secretKey" in pair ? { secretSeed: toHex(pair.secretKey) } : {}),
    publicKey,
    accountId: publicKey,
    ss58Address: ss58Encode(pair.publicKey, prefix),
  };
}

function render(title: string, r: KeyReport, json: boolean): string {
  if (json) return `${JSON.stringify(r, null, 2)}\n`;
  const rows: [string, string | undefined][] = [
    ["Secret seed", r.secretSeed],
    ["Public key (hex)", r.publicKey],
    ["Account ID", r.accountId],
    ["SS58 Address", r.ss58Address],
    ["Substrate sr25519 (not Lineage's)", r.substrateSr25519Address],
  ];
  const lines = rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${`${k}:`.padEnd(36)}${v}`);
  return `${title}\n  Key scheme:                         ed25519\n${lines.join("\n")}\n`;
}

/** The dev account a SURI names (`//Alice`, `alice`), if any. */
function devName(suri: string): DevAccountName | undefined {
  const name = suri.replace(/^\/\//, "").toLowerCase();
  return DEV_ACCOUNT_NAMES.find((n) => n === name);
}

export function keyCommand(print: (text: string) => void): Command {
  const key = new Command("key").description("Generate and inspect ed25519 keys and node keys.");
  key
    .command("generate-node-key")
    .description(
      "Generate a network (libp2p) key: its secret as hex on stdout, or raw into --file; the peer id on stderr.",
    )
    .option("--file <path>", "write the 32 raw bytes here (mode 0600; refused if the file exists)")
    .action(async (o: { file?: string }) => {
      if (o.file !== undefined && existsSync(o.file)) {
        throw new LineageError("FILE_EXISTS", `${o.file} exists; not overwriting a node key`);
      }
      const secret = o.file ? loadOrCreateNodeKey(o.file).secret : new Uint8Array(randomBytes(32));
      process.stderr.write(`${await peerIdFromNodeKey(secret)}\n`);
      if (!o.file) print(`${toHex(secret).slice(2)}\n`);
    });
  key
    .command("inspect-node-key")
    .description("Print the peer id of a node key file (32 raw bytes or 64 hex characters).")
    .requiredOption(
      "--file <path>",
      "the node key file, e.g. <base>/chains/<id>/network/secret_ed25519",
    )
    .action(async (o: { file: string }) => {
      print(`${await peerIdFromNodeKey(loadNodeKey(o.file))}\n`);
    });
  key
    .command("generate")
    .description("Generate a random ed25519 key and print its seed and address.")
    .option("--scheme <scheme>", "key scheme (only ed25519)", "ed25519")
    .option("-n, --network <prefix>", "SS58 prefix of the address", String(DEFAULT_SS58_PREFIX))
    .option("--output-type <type>", "text or json", "text")
    .action((o: { scheme: string; network: string; outputType: string }) => {
      if (o.scheme !== "ed25519") {
        throw new LineageError(
          "INVALID_CLI",
          `--scheme: Lineage keys are ed25519, not ${o.scheme}`,
        );
      }
      const pair = keypairFromSeed(new Uint8Array(randomBytes(32)));
      print(
        render("Secret key generated.", report(pair, network(o.network)), o.outputType === "json"),
      );
    });
  key
    .command("inspect")
    .description(
      "Inspect a secret URI (//Alice, 0x<seed>, the dev phrase with //junctions), a dev name, an SS58 address or a 0x public key.",
    )
    .argument("<uri>", "secret URI, dev account name, SS58 address or 0x public key")
    .option("-n, --network <prefix>", "SS58 prefix of the address", String(DEFAULT_SS58_PREFIX))
    .option("--public", "the argument is a 0x public key")
    .option("--output-type <type>", "text or json", "text")
    .action((uri: string, o: { network: string; public?: boolean; outputType: string }) => {
      const prefix = network(o.network);
      const json = o.outputType === "json";
      const dev = devName(uri);
      if (o.public || (!dev && /^[1-9A-HJ-NP-Za-km-z]{40,}$/.test(uri))) {
        const publicKey = o.public ? publicKeyFromHex(uri) : ss58Decode(uri).publicKey;
        print(render(`Public Key \`${uri}\` is account:`, report({ publicKey }, prefix), json));
        return;
      }
      const pair = keypairFromSuri(dev ? `//${dev[0]!.toUpperCase()}${dev.slice(1)}` : uri);
      const r = report(pair, prefix);
      if (dev) r.substrateSr25519Address = DEV_SR25519_SS58[dev];
      print(render(`Secret Key URI \`${uri}\` is account:`, r, json));
    });
  return key;
}

function publicKeyFromHex(hex: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new LineageError("INVALID_CLI", "--public: expected a 0x-prefixed 32-byte hex key");
  }
  return fromHex(hex, 32);
}
