// The wallet against a running dev node: `lineage tx transfer` as a child process, then the block
// it reports is checked over RPC, comparing state at its parent and at the block itself, so that
// the only change is the transfer's: balances, nonce, fee and its split, and the extrinsic's
// events. `lineage query balance` must then print the new balance.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatLin, parseLin, u128FromBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { extrinsicHash } from "../../primitives/chain.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import { RpcClient } from "../../rpc/client.ts";
import type { Hex } from "../../rpc/node-api.ts";
import { blockEvents, type DecodedEvent, EVENTS_KEY } from "../../runtime/events.ts";
import { storage as balancesStorage } from "../../runtime/pallets/balances.ts";
import {
  type AccountInfo,
  readAccount,
  storage as systemStorage,
} from "../../runtime/pallets/system.ts";
import { TREASURY_ACCOUNT } from "../../runtime/pallets/transaction-payment.ts";
import {
  type CliResult,
  type RunningNode,
  runCli,
  startNode,
  storageAt,
} from "./fixtures/index.ts";

const alice = devKeypair("alice").publicKey;
const bob = devKeypair("bob").publicKey;
const AMOUNT = "12.5";

interface Snapshot {
  alice: AccountInfo;
  bob: AccountInfo;
  treasury: AccountInfo;
  issuance: bigint;
  events: DecodedEvent[];
}

async function snapshot(client: RpcClient, at: Hex): Promise<Snapshot> {
  const accountKey = systemStorage.account.key;
  const state = await storageAt(
    client,
    [
      accountKey(alice),
      accountKey(bob),
      accountKey(TREASURY_ACCOUNT),
      balancesStorage.totalIssuance.key,
      EVENTS_KEY,
    ],
    at,
  );
  return {
    alice: readAccount(state, alice),
    bob: readAccount(state, bob),
    treasury: readAccount(state, TREASURY_ACCOUNT),
    issuance: balancesStorage.totalIssuance.get(state),
    events: blockEvents(state),
  };
}

const amountOf = (event: DecodedEvent, field: string) =>
  u128FromBytes(event.data[field] as Uint8Array);

describe("lineage tx transfer against a dev node", () => {
  let node: RunningNode;
  let client: RpcClient;
  let cli: CliResult;
  let txHash: Hex;
  let blockHash: Hex;
  let blockNumber: number;
  let before_: Snapshot;
  let after_: Snapshot;
  let events: DecodedEvent[];

  before(async () => {
    node = await startNode(["--dev"]);
    client = await RpcClient.connect(node.wsUrl);
  });
  after(async () => {
    await client?.close();
    await node?.dispose();
  });

  it("prints the transaction hash and the block it was finalized in", async () => {
    cli = await runCli([
      "tx",
      "transfer",
      "--from",
      "alice",
      "--to",
      ss58Encode(bob),
      "--amount",
      AMOUNT,
      "--rpc",
      node.wsUrl,
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stderr, "");
    txHash = cli.stdout.match(/^Transaction hash: (0x[0-9a-f]{64})$/m)?.[1] as Hex;
    assert.ok(txHash, cli.stdout);
    const block = cli.stdout.match(/^Finalized: #(\d+) \((0x[0-9a-f]{64})\)$/m);
    assert.ok(block, cli.stdout);
    blockNumber = Number(block[1]);
    blockHash = block[2] as Hex;

    const header = (await client.chain.getHeader(blockHash))!;
    assert.equal(Number.parseInt(header.number, 16), blockNumber);
    assert.equal(await client.chain.getBlockHash(blockNumber), blockHash, "on the best chain");
    const body = (await client.chain.getBlock(blockHash))!;
    const index = body.block.extrinsics.findIndex(
      (xt) => toHex(extrinsicHash(fromHex(xt))) === txHash,
    );
    assert.ok(index >= 0, "the block holds the transaction");
    before_ = await snapshot(client, header.parentHash);
    after_ = await snapshot(client, blockHash);
    events = after_.events.filter((event) => event.extrinsicIndex === index);
  });

  it("emits TransactionFeePaid, Balances.Transfer and System.ExtrinsicSuccess for it", () => {
    assert.deepEqual(
      events.map((e) => `${e.pallet}.${e.name}`),
      ["TransactionPayment.TransactionFeePaid", "Balances.Transfer", "System.ExtrinsicSuccess"],
    );
    const transfer = events[1]!;
    assert.deepEqual(transfer.data.from, alice);
    assert.deepEqual(transfer.data.to, bob);
    assert.equal(amountOf(transfer, "amount"), parseLin(AMOUNT));
    // The wallet prints the same events, in the same order.
    const printed = cli.stdout
      .split("\n")
      .filter((line) => line.startsWith("  "))
      .map((line) => line.trim().split(" ")[0]);
    assert.deepEqual(
      printed,
      events.map((e) => `${e.pallet}.${e.name}`),
    );
  });

  it("moves exactly the amount to bob and charges alice the amount plus the fee", () => {
    const amount = parseLin(AMOUNT);
    assert.equal(amount, 12_500_000_000_000n);
    assert.equal(after_.bob.free - before_.bob.free, amount);
    assert.equal(before_.alice.nonce, 0);
    assert.equal(after_.alice.nonce, 1);

    const paid = events[0]!;
    assert.deepEqual(paid.data.who, alice);
    const fee = amountOf(paid, "fee");
    const burned = amountOf(paid, "burned");
    const toTreasury = amountOf(paid, "toTreasury");
    const toAuthor = amountOf(paid, "toAuthor");
    assert.ok(fee > 0n);
    assert.equal(amountOf(paid, "tip"), 0n);
    assert.equal(burned + toTreasury + toAuthor, fee);
    // Alice is the dev chain's only authority, so she authored the block and got its share back.
    assert.equal(before_.alice.free - after_.alice.free, amount + fee - toAuthor);
    assert.equal(after_.treasury.free - before_.treasury.free, toTreasury);
    assert.equal(before_.issuance - after_.issuance, burned);
  });

  it("`lineage query balance` prints bob's new balance", async () => {
    const query = await runCli(["query", "balance", ss58Encode(bob), "--rpc", node.wsUrl]);
    assert.equal(query.code, 0, query.stderr);
    assert.match(query.stdout, new RegExp(`^Account: +${ss58Encode(bob)}$`, "m"));
    assert.match(query.stdout, new RegExp(`^Free: +${formatLin(after_.bob.free)}$`, "m"));
    assert.match(query.stdout, /^Nonce: +0$/m);
  });
});
