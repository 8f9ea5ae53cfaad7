// A dev node run in-process (NodeService with `--dev`, runtime invariants checked after every block)
// and driven only through RpcClient over WebSocket: transaction validity and pool behaviour as
// Substrate's author_* reports them, transaction status streams, blocks with justifications that a
// client verifies itself, read proofs, fees and the runtime's self-description.
//
// Blocks come every 2 s (the dev slot). Nothing sleeps: tests wait for heads and statuses, each
// wait bounded. Senders are split by test (bob, charlie, dave, eve, ferdie) so nonces never race.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeJustification, verifyJustification } from "../../consensus/finality.ts";
import { chainGenesis } from "../../node/service.ts";
import { u128FromBytes } from "../../primitives/amount.ts";
import { bytesEqual, fromHex, toHex, utf8 } from "../../primitives/bytes.ts";
import { decodeExtrinsic, encodeExtrinsic, headerHash } from "../../primitives/chain.ts";
import { DEV_ACCOUNT_NAMES, devKeypair, keypairFromSuri } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import { RpcClientError } from "../../rpc/client.ts";
import type { Hex, RpcHeader, RpcTransactionStatus } from "../../rpc/node-api.ts";
import { builtinChainSpec } from "../../runtime/chain-spec.ts";
import { decodeEventRecords, EVENTS_KEY } from "../../runtime/events.ts";
import { storage as authorityStorage } from "../../runtime/pallets/authorities.ts";
import { readAccount, storage as systemStorage } from "../../runtime/pallets/system.ts";
import { TREASURY_ACCOUNT } from "../../runtime/pallets/transaction-payment.ts";
import { RUNTIME_VERSION } from "../../runtime/runtime.ts";
import { verifyProof } from "../../state/trie/proof.ts";
import { hexOf, signedTransfer } from "./fixtures/dev-transfers.ts";
import { type InProcessNode, startDevNode } from "./fixtures/in-process-node.ts";
import { NotificationLog } from "./fixtures/notification-log.ts";
import { HeaderIndex, headerFromRpc } from "./fixtures/rpc-light-client.ts";

/** Bound on waiting for one transaction to be included or finalized (a few 2 s slots). */
const BLOCK_WAIT_MS = 15_000;

/** Substrate's runtime API ids, blake2b-64 of the API name, as polkadot-js knows them. */
const SUBSTRATE_API_IDS: Record<string, Hex> = {
  Core: "0xdf6acb689907609b",
  BlockBuilder: "0x40fe3ad401f8959a",
  TaggedTransactionQueue: "0xd2bc9897eed08f15",
  AuraApi: "0xdd718d5cc53262d4",
  GrandpaApi: "0xed99c5acb25eedf5",
  TransactionPaymentApi: "0x37c8bb1350a9a2a8",
  Metadata: "0x37e397fc7c91f5e4",
};

function numberOf(header: RpcHeader): number {
  return Number.parseInt(header.number.slice(2), 16);
}

function isInBlock(status: RpcTransactionStatus): status is { inBlock: Hex } {
  return typeof status === "object" && "inBlock" in status;
}

function isFinalized(status: RpcTransactionStatus): status is { finalized: Hex } {
  return typeof status === "object" && "finalized" in status;
}

/** The JSON-RPC error a call was refused with (fails the test if it was accepted). */
async function rpcError(call: Promise<unknown>): Promise<RpcClientError> {
  try {
    const result = await call;
    assert.fail(`expected a JSON-RPC error, got ${JSON.stringify(result)}`);
  } catch (error) {
    if (!(error instanceof RpcClientError)) throw error;
    return error;
  }
}

describe("dev node over JSON-RPC (in-process, WebSocket)", () => {
  let node: InProcessNode;
  let genesisHash: Uint8Array;
  const heads = new NotificationLog<RpcHeader>();
  const finalizedHeads = new NotificationLog<RpcHeader>();

  before(async () => {
    node = await startDevNode();
    genesisHash = chainGenesis(builtinChainSpec("dev")!).hash;
    await node.client.subscribeNewHeads(heads.push);
    await node.client.subscribeFinalizedHeads(finalizedHeads.push);
  });

  after(async () => {
    await node?.stop();
  });

  const client = () => node.client;

  /** Resolves with the first new head above the current best: a slot has just begun. */
  async function nextHead(): Promise<RpcHeader> {
    const best = await client().chain.getHeader();
    const above = best ? numberOf(best) : 0;
    return heads.waitFor((h) => numberOf(h) > above, `a head above #${above}`, BLOCK_WAIT_MS);
  }

  /** Submits with a watch; the log records every status. */
  async function watch(extrinsic: Uint8Array): Promise<NotificationLog<RpcTransactionStatus>> {
    const statuses = new NotificationLog<RpcTransactionStatus>();
    await client().author.submitAndWatchExtrinsic(hexOf(extrinsic), statuses.push);
    return statuses;
  }

  async function nonceInState(who: Uint8Array, at?: Hex): Promise<number> {
    const raw = await client().state.getStorage(hexOf(systemStorage.account.key(who)), at);
    return raw === null
      ? 0
      : readAccount(valueStore(systemStorage.account.key(who), raw), who).nonce;
  }

  it("chain_getBlockHash(0) is the genesis; runtime version and metadata have Substrate's shapes", async () => {
    const zero = await client().chain.getBlockHash(0);
    assert.equal(zero, toHex(genesisHash));
    const header = await client().chain.getHeader(zero!);
    assert.ok(header);
    assert.equal(header.number, "0x0");
    assert.equal(header.parentHash, toHex(new Uint8Array(32)));
    assert.deepEqual(headerHash(headerFromRpc(header)), genesisHash);

    const version = await client().state.getRuntimeVersion();
    assert.deepEqual(Object.keys(version).sort(), [
      "apis",
      "authoringVersion",
      "implName",
      "implVersion",
      "specName",
      "specVersion",
      "stateVersion",
      "systemVersion",
      "transactionVersion",
    ]);
    assert.equal(version.specName, RUNTIME_VERSION.specName);
    assert.equal(version.specVersion, RUNTIME_VERSION.specVersion);
    assert.equal(version.transactionVersion, RUNTIME_VERSION.transactionVersion);
    assert.equal(version.systemVersion, version.stateVersion);
    for (const [id, apiVersion] of version.apis) {
      assert.match(id, /^0x[0-9a-f]{16}$/);
      assert.ok(Number.isInteger(apiVersion) && apiVersion >= 1);
    }
    const ids = new Set(version.apis.map(([id]) => id));
    for (const [name, id] of Object.entries(SUBSTRATE_API_IDS)) {
      assert.ok(ids.has(id), `${name} (${id}) is listed`);
    }
    assert.deepEqual(await client().state.getRuntimeVersion(zero!), version);

    const metadata = (await client().state.getMetadata()) as {
      magic: string;
      version: number;
      runtime: { specVersion: number };
      pallets: { name: string; index: number; storage: { name: string; prefix: Hex }[] }[];
      types: Record<string, unknown>;
    };
    assert.equal(metadata.magic, "lineage-metadata");
    assert.equal(metadata.version, 1);
    assert.equal(metadata.runtime.specVersion, version.specVersion);
    const system = metadata.pallets.find((p) => p.name === "System");
    const account = system?.storage.find((s) => s.name === "Account");
    assert.equal(account?.prefix, toHex(systemStorage.account.prefix));
    assert.ok(metadata.pallets.some((p) => p.name === "Balances"));
    assert.ok(Object.keys(metadata.types).length > 0);
  });

  it("state_getKeysPaged over System.Account lists the six dev accounts and the treasury, page by page", async () => {
    const prefix = hexOf(systemStorage.account.prefix);
    const all = await client().state.getKeysPaged(prefix, 100);
    const accountOf = (key: Hex) =>
      toHex(fromHex(key).subarray(systemStorage.account.prefix.length + 16));
    const expected = [
      ...DEV_ACCOUNT_NAMES.map((n) => toHex(devKeypair(n).publicKey)),
      toHex(TREASURY_ACCOUNT),
    ].sort();
    assert.deepEqual(all.map(accountOf).sort(), expected);
    assert.deepEqual(all, [...all].sort(), "keys come in key order");
    for (const key of all) assert.ok(key.startsWith(prefix));

    const first = await client().state.getKeysPaged(prefix, 4);
    const rest = await client().state.getKeysPaged(prefix, 100, first.at(-1));
    assert.deepEqual([...first, ...rest], all, "startKey continues after the last key");
  });

  it("author_submitAndWatchExtrinsic: ready, inBlock, finalized; chain_getBlock carries it with a FRNK justification the client verifies", async () => {
    const extrinsic = signedTransfer({ from: "bob", nonce: 0, genesisHash });
    const statuses = await watch(extrinsic);
    const finalized = await statuses.waitFor(isFinalized, "finalized", BLOCK_WAIT_MS);
    const inBlock = statuses.items.find(isInBlock);
    assert.ok(inBlock, "inBlock came before finalized");
    assert.deepEqual(statuses.items, ["ready", { inBlock: inBlock.inBlock }, finalized]);
    assert.equal(finalized.finalized, inBlock.inBlock, "dev finalizes the including block itself");

    const blockHash = fromHex(inBlock.inBlock, 32);
    const signed = await client().chain.getBlock(inBlock.inBlock);
    assert.ok(signed);
    assert.ok(signed.block.extrinsics.includes(hexOf(extrinsic)));
    const header = headerFromRpc(signed.block.header);
    assert.deepEqual(headerHash(header), blockHash, "the header hashes to the block hash");

    assert.ok(signed.justifications, "a finalized block has a justification");
    assert.equal(signed.justifications.length, 1);
    const [[engine, bytes]] = signed.justifications as [[number[], number[]]];
    assert.deepEqual(Uint8Array.from(engine), utf8("FRNK"));
    const justification = decodeJustification(Uint8Array.from(bytes));
    const set = await authoritySetAt(inBlock.inBlock);
    assert.deepEqual(set, [devKeypair("alice").publicKey], "dev: alice alone");
    const index = new HeaderIndex();
    index.add(blockHash, header);
    const target = { hash: blockHash, number: header.number };
    verifyJustification(index.asStore(), justification, target, set, genesisHash);

    const forged = structuredClone(justification);
    forged.precommits[0]!.signature[0]! ^= 1;
    assert.throws(() => verifyJustification(index.asStore(), forged, target, set, genesisHash), {
      code: "BAD_SIGNATURE",
    });
    assert.throws(
      () => verifyJustification(index.asStore(), justification, target, set, hash(genesisHash)),
      { code: "BAD_SIGNATURE" },
      "a justification is bound to its chain",
    );
  });

  it("chain_getFinalizedHead advances with chain_subscribeFinalizedHeads", async () => {
    const before = await client().chain.getFinalizedHead();
    const beforeHeader = await client().chain.getHeader(before);
    assert.ok(beforeHeader);
    const later = await finalizedHeads.waitFor(
      (h) => numberOf(h) > numberOf(beforeHeader),
      `a finalized head above #${numberOf(beforeHeader)}`,
      BLOCK_WAIT_MS,
    );
    const now = await client().chain.getFinalizedHead();
    const nowHeader = await client().chain.getHeader(now);
    assert.ok(nowHeader);
    assert.ok(numberOf(nowHeader) >= numberOf(later));
    assert.equal(
      await client().chain.getBlockHash(numberOf(nowHeader)),
      now,
      "finalized is canonical",
    );
    const block = await client().chain.getBlock(now);
    assert.ok(block?.justifications, "the finalized head has its justification");
  });

  it("system_accountNextIndex counts pooled transactions; author_pendingExtrinsics lists the ready ones; a future nonce waits until the gap is filled", async () => {
    const charlie = devKeypair("charlie");
    const address = ss58Encode(charlie.publicKey, 42);
    // Right after a head the slot has ~2 s to go: the pool is not drained while we look at it.
    await nextHead();
    const nonce = await client().system.accountNextIndex(address);
    const gapped = signedTransfer({ from: "charlie", nonce: nonce + 1, genesisHash });
    const gappedStatuses = await watch(gapped);
    assert.deepEqual(gappedStatuses.items, ["future"]);
    assert.equal(await client().system.accountNextIndex(address), nonce, "a gap is not counted");
    assert.ok(!(await client().author.pendingExtrinsics()).includes(hexOf(gapped)));

    const filler = signedTransfer({ from: "charlie", nonce, genesisHash });
    const fillerHash = await client().author.submitExtrinsic(hexOf(filler));
    assert.equal(fillerHash, toHex(hash(filler)), "the tx hash is blake2b-256 of the bytes");
    assert.equal(await client().system.accountNextIndex(address), nonce + 2);
    assert.equal(await nonceInState(charlie.publicKey), nonce, "both are still only in the pool");
    const pending = await client().author.pendingExtrinsics();
    assert.ok(pending.indexOf(hexOf(filler)) >= 0);
    assert.ok(
      pending.indexOf(hexOf(filler)) < pending.indexOf(hexOf(gapped)),
      "ready, dependencies first",
    );

    const inBlock = await gappedStatuses.waitFor(isInBlock, "inBlock", BLOCK_WAIT_MS);
    assert.deepEqual(gappedStatuses.items.slice(0, 2), ["future", "ready"]);
    const block = await client().chain.getBlock(inBlock.inBlock);
    const extrinsics = block?.block.extrinsics ?? [];
    assert.ok(extrinsics.indexOf(hexOf(filler)) >= 0, "the filler is in the same block");
    assert.ok(extrinsics.indexOf(hexOf(filler)) < extrinsics.indexOf(hexOf(gapped)));
    assert.equal(await nonceInState(charlie.publicKey, inBlock.inBlock), nonce + 2);
    assert.equal(await client().system.accountNextIndex(address), nonce + 2);
    await gappedStatuses.waitFor(isFinalized, "finalized", BLOCK_WAIT_MS);
  });

  it("a higher tip replaces a pooled transaction (usurped), a lower one gets 1014, a resubmission 1013", async () => {
    // A nonce far ahead keeps all of them in the future queue: no block can take them meanwhile.
    const nonce = 50;
    const original = signedTransfer({
      from: "ferdie",
      to: devKeypair("eve").publicKey,
      nonce,
      genesisHash,
    });
    const originalStatuses = await watch(original);
    assert.deepEqual(originalStatuses.items, ["future"]);

    const better = signedTransfer({
      from: "ferdie",
      to: devKeypair("eve").publicKey,
      nonce,
      genesisHash,
      tip: 1_000n,
    });
    const betterHash = await client().author.submitExtrinsic(hexOf(better));
    assert.deepEqual(await originalStatuses.waitFor((s) => s !== "future", "usurped", 5_000), {
      usurped: betterHash,
    });

    const worse = signedTransfer({
      from: "ferdie",
      to: devKeypair("eve").publicKey,
      nonce,
      genesisHash,
      tip: 10n,
    });
    const tooLow = await rpcError(client().author.submitExtrinsic(hexOf(worse)));
    assert.equal(tooLow.code, 1014);
    assert.match(tooLow.message, /^Priority is too low: \(\d+ vs \d+\)$/);
    assert.equal(
      tooLow.data,
      "The transaction has too low priority to replace another transaction already in the pool.",
    );

    const again = await rpcError(client().author.submitExtrinsic(hexOf(better)));
    assert.equal(again.code, 1013);
    assert.equal(again.message, "Transaction Already Imported");
    const watchedAgain = await rpcError(
      client().author.submitAndWatchExtrinsic(hexOf(better), () => {}),
    );
    assert.equal(watchedAgain.code, 1013, "submitAndWatch refuses the same way");
  });

  it("1013's data is the transaction hash, as Substrate sends it", async () => {
    const extrinsic = signedTransfer({ from: "ferdie", nonce: 60, genesisHash });
    const txHash = await client().author.submitExtrinsic(hexOf(extrinsic));
    const again = await rpcError(client().author.submitExtrinsic(hexOf(extrinsic)));
    assert.equal(again.data, txHash);
  });

  it("every invalid transaction gets 1010 with Substrate's reason; undecodable bytes get 1001", async () => {
    // bob's nonce 0 was used (and finalized) by the watch test above.
    assert.ok((await nonceInState(devKeypair("bob").publicKey)) >= 1);
    const best = await client().chain.getHeader();
    assert.ok(best);
    const valid = signedTransfer({ from: "eve", nonce: 0, genesisHash });
    const badSignature = decodeExtrinsic(valid);
    badSignature.signature = Uint8Array.from(badSignature.signature, (b, i) =>
      i === 0 ? b ^ 1 : b,
    );

    const cases: [string, Uint8Array, string][] = [
      ["a bad signature", encodeExtrinsic(badSignature), "Transaction has a bad signature"],
      [
        "a stale nonce",
        signedTransfer({ from: "bob", nonce: 0, genesisHash }),
        "Transaction is outdated",
      ],
      [
        "an unfunded sender",
        signedTransfer({ from: keypairFromSuri("//E2eUnfunded"), nonce: 0, genesisHash }),
        "Inability to pay some fees (e.g. account balance too low)",
      ],
      [
        "a birth block the chain does not know",
        signedTransfer({
          from: "eve",
          nonce: 0,
          genesisHash,
          era: { period: 64, birth: numberOf(best) + 10, birthHash: new Uint8Array(32) },
        }),
        "Transaction has an ancient birth block",
      ],
      [
        "another chain's genesis",
        signedTransfer({ from: "eve", nonce: 0, genesisHash: hash(utf8("another chain")) }),
        "Transaction was signed for another chain (genesis hash mismatch)",
      ],
      [
        "another spec version",
        signedTransfer({
          from: "eve",
          nonce: 0,
          genesisHash,
          version: { ...RUNTIME_VERSION, specVersion: RUNTIME_VERSION.specVersion + 1 },
        }),
        "Transaction was signed for another runtime (spec version mismatch)",
      ],
    ];
    for (const [what, extrinsic, reason] of cases) {
      const error = await rpcError(client().author.submitExtrinsic(hexOf(extrinsic)));
      assert.deepEqual(
        { code: error.code, message: error.message, data: error.data },
        { code: 1010, message: "Invalid Transaction", data: reason },
        what,
      );
    }

    const undecodable = await rpcError(client().author.submitExtrinsic("0xdeadbeef"));
    assert.equal(undecodable.code, 1001);
    assert.match(undecodable.message, /^Extrinsic has invalid format: /);
    assert.equal(
      (await rpcError(client().author.submitAndWatchExtrinsic("0xdeadbeef", () => {}))).code,
      1001,
    );
    assert.equal(
      await client().system.accountNextIndex(ss58Encode(devKeypair("eve").publicKey)),
      0,
    );
  });

  it("a mortal transaction whose era has ended gets 1010", async () => {
    await heads.waitFor((h) => numberOf(h) >= 4, "head #4", BLOCK_WAIT_MS);
    const expired = signedTransfer({
      from: "eve",
      nonce: 0,
      genesisHash,
      era: { period: 4, birth: 0, birthHash: genesisHash },
    });
    const error = await rpcError(client().author.submitExtrinsic(hexOf(expired)));
    assert.equal(error.code, 1010);
  });

  it("payment_queryInfo's partialFee is the fee the block charged (TransactionFeePaid minus tip)", async () => {
    const dave = devKeypair("dave");
    const tip = 7_000_000n;
    const extrinsic = signedTransfer({ from: "dave", nonce: 0, genesisHash, tip });
    const statuses = await watch(extrinsic);
    const { inBlock } = await statuses.waitFor(isInBlock, "inBlock", BLOCK_WAIT_MS);
    const block = await client().chain.getBlock(inBlock);
    assert.ok(block);
    const index = block.block.extrinsics.indexOf(hexOf(extrinsic));
    assert.ok(index > 0, "after the timestamp inherent");

    // The fee is computed against the parent's state (its fee multiplier).
    const info = await client().payment.queryInfo(hexOf(extrinsic), block.block.header.parentHash);
    assert.deepEqual(Object.keys(info).sort(), ["class", "partialFee", "weight"]);
    assert.equal(info.class, "normal");
    assert.ok(Number.isInteger(info.weight.ref_time) && info.weight.ref_time > 0);
    assert.equal(info.weight.proof_size, 0);
    assert.match(info.partialFee, /^\d+$/);

    const raw = await client().state.getStorage(hexOf(EVENTS_KEY), inBlock);
    assert.ok(raw);
    const events = decodeEventRecords(
      systemStorage.events.get(valueStore(EVENTS_KEY, raw)).records,
    );
    const paid = events.filter(
      (e) => e.pallet === "TransactionPayment" && e.name === "TransactionFeePaid",
    );
    const mine = paid.find((e) => e.extrinsicIndex === index);
    assert.ok(mine, `TransactionFeePaid for extrinsic ${index} in ${JSON.stringify(paid)}`);
    assert.ok(bytesEqual(mine.data.who as Uint8Array, dave.publicKey));
    const charged = u128FromBytes(mine.data.fee as Uint8Array);
    assert.equal(u128FromBytes(mine.data.tip as Uint8Array), tip);
    assert.equal(BigInt(info.partialFee), charged - tip);
  });

  it("state_getReadProof verifies against the header's stateRoot and agrees with state_getStorage; a tampered proof fails", async () => {
    const at = await client().chain.getBlockHash();
    assert.ok(at);
    const header = await client().chain.getHeader(at);
    assert.ok(header);
    const stateRoot = fromHex(header.stateRoot, 32);
    const alice = devKeypair("alice").publicKey;
    const present = systemStorage.account.key(alice);
    const absent = systemStorage.account.key(keypairFromSuri("//E2eUnfunded").publicKey);

    const { at: provedAt, proof } = await client().state.getReadProof(
      [hexOf(present), hexOf(absent)],
      at,
    );
    assert.equal(provedAt, at);
    const nodes = proof.map((n) => fromHex(n));
    const found = verifyProof(stateRoot, present, nodes);
    assert.ok(found.found);
    assert.equal(toHex(found.value), await client().state.getStorage(hexOf(present), at));
    assert.ok(readAccount(valueStore(present, found.value), alice).free > 0n);
    assert.deepEqual(verifyProof(stateRoot, absent, nodes), { found: false });
    assert.equal(await client().state.getStorage(hexOf(absent), at), null);

    for (let i = 0; i < nodes.length; i++) {
      const tampered = nodes.map((n, j) =>
        j === i ? Uint8Array.from(n, (b, k) => (k === n.length - 1 ? b ^ 1 : b)) : n,
      );
      assert.throws(
        () => verifyProof(stateRoot, present, tampered),
        { code: "INVALID_PROOF" },
        `node ${i} altered`,
      );
    }
    assert.throws(() => verifyProof(stateRoot, present, nodes.slice(1)), { code: "INVALID_PROOF" });
  });

  it("kept producing blocks with the invariants checked after each (no import failed)", async () => {
    const best = await client().chain.getHeader();
    assert.ok(best);
    const next = await nextHead();
    assert.equal(next.parentHash, toHex(headerHash(headerFromRpc(best))));
  });

  async function authoritySetAt(at: Hex): Promise<Uint8Array[]> {
    const key = authorityStorage.authorities.key;
    const raw = await client().state.getStorage(hexOf(key), at);
    assert.ok(raw, "the authority set is stored");
    return authorityStorage.authorities.get(valueStore(key, raw)).accounts;
  }
});

/** A one-entry storage view, to decode a value fetched over RPC with the runtime's own codecs. */
function valueStore(key: Uint8Array, value: Hex | Uint8Array) {
  const bytes = typeof value === "string" ? fromHex(value) : value;
  return { get: (k: Uint8Array) => (bytesEqual(k, key) ? bytes : undefined) };
}
