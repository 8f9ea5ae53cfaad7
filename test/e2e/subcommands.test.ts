// The subcommands as a user runs them: build-spec (readable and raw), a node started from an
// edited build-spec output, key inspect and key generate. purge-chain is covered with restarts in
// node-lifecycle.test.ts.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { peerIdFromNodeKey } from "../../node/network/index.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { DEV_ACCOUNT_NAMES, devKeypair } from "../../primitives/dev-accounts.ts";
import { keypairFromSeed } from "../../primitives/keys.ts";
import { ss58Decode, ss58Encode } from "../../primitives/ss58.ts";
import { RpcClient } from "../../rpc/client.ts";
import type { RpcHeader } from "../../rpc/node-api.ts";
import type { ChainSpec } from "../../runtime/chain-spec.ts";
import { PARAMS, param, storage as paramsStorage } from "../../runtime/pallets/params.ts";
import { storage as systemStorage } from "../../runtime/pallets/system.ts";
import {
  collectNotifications,
  headerNumber,
  type RunningNode,
  runCli,
  startNode,
  storageAt,
  tempDir,
} from "./fixtures/index.ts";

const BLOCKS_TIMEOUT_MS = 20_000;

interface ReadableSpec {
  id: string;
  name: string;
  genesis: {
    runtimeGenesis: {
      config: {
        balances: { balances: [string, string][] };
        authorities: { authorities: string[]; slotDuration: number };
        params: Record<string, string>;
      };
    };
  };
}

async function buildSpec(args: string[]): Promise<unknown> {
  const result = await runCli(["build-spec", ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe("lineage build-spec", () => {
  it("prints the dev chain spec as JSON with the dev accounts' genesis balances", async () => {
    const spec = (await buildSpec(["--chain", "dev"])) as ReadableSpec;
    assert.equal(spec.id, "dev");
    const config = spec.genesis.runtimeGenesis.config;
    const accounts = DEV_ACCOUNT_NAMES.map((name) => ss58Encode(devKeypair(name).publicKey));
    assert.deepEqual(
      config.balances.balances.map(([who]) => who),
      accounts,
    );
    for (const [, amount] of config.balances.balances) assert.ok(BigInt(amount) > 0n, amount);
    assert.deepEqual(config.authorities.authorities, [accounts[0]]);
    assert.equal(config.authorities.slotDuration, 2000);
  });

  it("lists every runtime parameter at its default under params", async () => {
    const spec = (await buildSpec(["--chain", "dev"])) as ReadableSpec;
    const defaults = Object.fromEntries(
      Object.entries(PARAMS).map(([name, def]) => [name, def.default.toString()]),
    );
    assert.deepEqual(spec.genesis.runtimeGenesis.config.params, defaults);
  });

  it("prints genesis.raw.top with --raw: storage keys and values as hex", async () => {
    const spec = (await buildSpec(["--chain", "dev", "--raw"])) as ChainSpec & {
      genesis: { raw: { top: Record<string, string> } };
    };
    assert.equal(spec.id, "dev");
    assert.deepEqual(Object.keys(spec.genesis), ["raw"]);
    const top = spec.genesis.raw.top;
    for (const [key, value] of Object.entries(top)) {
      assert.match(key, /^0x[0-9a-f]+$/);
      assert.match(value, /^0x[0-9a-f]*$/);
    }
    for (const name of DEV_ACCOUNT_NAMES) {
      const key = toHex(systemStorage.account.key(devKeypair(name).publicKey));
      assert.ok(top[key] !== undefined, `System.Account of ${name} is in the raw genesis`);
    }
  });
});

describe("a node on an edited chain spec file (--chain <file>)", () => {
  const dir = tempDir();
  const BASE_FEE = 1_234_567n;
  let node: RunningNode;
  let client: RpcClient;

  before(async () => {
    const spec = (await buildSpec(["--chain", "dev"])) as ReadableSpec;
    spec.id = "e2e_custom";
    spec.name = "E2E Custom";
    const config = spec.genesis.runtimeGenesis.config;
    assert.ok(BASE_FEE >= PARAMS.baseFee.min && BASE_FEE <= PARAMS.baseFee.max);
    assert.notEqual(BASE_FEE, PARAMS.baseFee.default);
    config.params.baseFee = BASE_FEE.toString();
    config.authorities.slotDuration = 1000;
    const file = join(dir.path, "custom.json");
    writeFileSync(file, JSON.stringify(spec, null, 2));
    // Alice is the spec's only authority; --alice puts her key in the keystore.
    node = await startNode(["--chain", file, "--alice"], {
      basePath: join(dir.path, "base"),
    });
    client = await RpcClient.connect(node.wsUrl);
  });
  after(async () => {
    await client?.close();
    await node?.dispose();
    dir.remove();
  });

  it("runs the spec's chain under its own id and name", async () => {
    await node.waitForLine(/📋 Chain specification: E2E Custom$/);
    assert.equal(await client.system.chain(), "E2E Custom");
    assert.ok(existsSync(join(node.basePath, "chains", "e2e_custom", "db", "full")));
  });

  it("produces blocks", async () => {
    const heads = await collectNotifications<RpcHeader>(
      (onHead) => client.chain.subscribeNewHeads(onHead),
      3,
      BLOCKS_TIMEOUT_MS,
      "chain_subscribeNewHeads",
    );
    const numbers = heads.map(headerNumber);
    assert.deepEqual(numbers, [numbers[0]!, numbers[0]! + 1, numbers[0]! + 2]);
    assert.ok(numbers[2]! >= 2);
    const errors = node.lines().filter((line) => / ERROR /.test(line));
    assert.deepEqual(errors, [], "no ERROR lines in the node's log");
  });

  it("serves the edited parameter through params_list", async () => {
    const listed = (await client.params.list()).find((p) => p.name === "baseFee");
    assert.equal(listed?.value, BASE_FEE.toString());
    assert.equal(listed?.default, PARAMS.baseFee.default.toString());
  });

  it("has the overridden parameter in its genesis state", async () => {
    const key = paramsStorage.values.key("baseFee");
    const genesis = (await client.chain.getBlockHash(0))!;
    assert.equal(param(await storageAt(client, [key], genesis), "baseFee"), BASE_FEE);
  });
});

describe("lineage key", () => {
  it("inspect //Alice prints Lineage's ed25519 address and Substrate's sr25519 one", async () => {
    const result = await runCli(["key", "inspect", "//Alice"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^ {2}SS58 Address: +5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu$/m,
    );
    assert.match(
      result.stdout,
      /^ {2}Substrate sr25519 \(not Lineage's\): +5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY$/m,
    );
    assert.equal(
      ss58Encode(devKeypair("alice").publicKey),
      "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu",
    );
  });

  it("generate --output-type json prints a key whose SS58 address decodes to its public key", async () => {
    const result = await runCli(["key", "generate", "--output-type", "json"]);
    assert.equal(result.code, 0, result.stderr);
    const key = JSON.parse(result.stdout) as {
      secretSeed: string;
      publicKey: string;
      accountId: string;
      ss58Address: string;
    };
    assert.match(key.secretSeed, /^0x[0-9a-f]{64}$/);
    assert.match(key.publicKey, /^0x[0-9a-f]{64}$/);
    assert.equal(key.accountId, key.publicKey);
    const decoded = ss58Decode(key.ss58Address);
    assert.equal(decoded.prefix, 42);
    assert.equal(toHex(decoded.publicKey), key.publicKey);
    assert.equal(toHex(keypairFromSeed(fromHex(key.secretSeed)).publicKey), key.publicKey);
  });

  it("generate-node-key writes a node key whose peer id inspect-node-key and the network agree on", async () => {
    const dir = tempDir("lineage-e2e-nodekey-");
    try {
      const file = join(dir.path, "secret_ed25519");
      const made = await runCli(["key", "generate-node-key", "--file", file]);
      assert.equal(made.code, 0, made.stderr);
      assert.equal(made.stdout, "", "the secret goes to the file, not the terminal");
      const peerId = made.stderr.trim();
      assert.match(peerId, /^12D3Koo\w+$/);
      assert.equal(readFileSync(file).length, 32);
      assert.equal(await peerIdFromNodeKey(new Uint8Array(readFileSync(file))), peerId);
      const inspected = await runCli(["key", "inspect-node-key", "--file", file]);
      assert.equal(inspected.stdout.trim(), peerId);
      const again = await runCli(["key", "generate-node-key", "--file", file]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /\[FILE_EXISTS\]/);
      const printed = await runCli(["key", "generate-node-key"]);
      assert.match(printed.stdout.trim(), /^[0-9a-f]{64}$/);
      assert.equal(
        await peerIdFromNodeKey(fromHex(`0x${printed.stdout.trim()}`)),
        printed.stderr.trim(),
      );
    } finally {
      dir.remove();
    }
  });
});
