// The stall seen in the network e2e test (alice, bob and charlie stuck in a round with three
// prevotes but one precommit): charlie prevoted a block of its own that never reached the others
// (it authored it as it stopped), and after its restart re-sent that prevote. The others hold the
// vote but cannot count it without its block, and range sync never brings a fork block shorter
// than the best chain. ChainSync must fetch a vote's block by hash, so that the round completes.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import pino from "pino";
import {
  encodeVote,
  FinalityVoter,
  type SignedVote,
  Stage,
  signVote,
} from "../../../consensus/finality.ts";
import { chainProvider } from "../../../node/block-provider.ts";
import type { SyncNetwork, Verdict } from "../../../node/sync.ts";
import { ChainSync } from "../../../node/sync.ts";
import type { TransactionPool } from "../../../node/txpool/index.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { devKeypair } from "../../../primitives/dev-accounts.ts";
import type { BlockRef } from "../../../state/chain-store.ts";
import { build, openChain, refOf, type TestChain } from "../consensus/fixtures/dev-chain.ts";

const chains: TestChain[] = [];
after(async () => {
  for (const chain of chains) await chain.close();
});

async function open(): Promise<TestChain> {
  const chain = await openChain({ spec: "local" });
  chains.push(chain);
  return chain;
}

/** A network of one peer, "charlie", that serves blocks from `served` and forwards nothing. */
function oneFakePeer(served: TestChain, bestNumber: number) {
  const provider = chainProvider(served.store, served.genesisHash, "authority");
  const requests: string[] = [];
  let validate: ((data: Uint8Array, from: string) => Verdict | Promise<Verdict>) | undefined;
  const network: SyncNetwork = {
    peers: () => [
      { peerId: "charlie", bestNumber, bestHash: served.store.best().hash, finalizedNumber: 0 },
    ],
    onPeerStatus: () => () => {},
    setGossipValidator: (topic, validator) => {
      if (topic === "finality") validate = validator;
    },
    publish: async () => {},
    requestBlocks: async (_peerId, request) => {
      requests.push("fromHash" in request ? "hash" : "range");
      return "fromHash" in request
        ? provider.byHash(request.fromHash, request.count)
        : provider.byNumberRange(request.fromNumber, request.count);
    },
    reportPeer: (peerId, _penalty, reason) => assert.fail(`${peerId} penalized: ${reason}`),
    announceStatus: () => {},
  };
  const gossip = (vote: SignedVote) => validate!(encodeVote(vote), "charlie");
  return { network, requests, gossip };
}

describe("ChainSync and votes for blocks it lacks", () => {
  it("fetches a vote's fork block by hash, so a round whose votes name it completes", async () => {
    const alice = await open();
    const charlie = await open();
    // #1 and #2 on both; charlie also has #2' on #1, which it prevoted and never gossiped.
    const b1 = build(alice, alice.genesis, 1).block;
    for (const chain of [alice, charlie]) await chain.importer.importBlock(b1);
    const b2 = build(alice, refOf(b1), 2).block;
    for (const chain of [alice, charlie]) await chain.importer.importBlock(b2);
    const fork = build(charlie, refOf(b1), 3).block;
    await charlie.importer.importBlock(fork);
    const ref = (hash: Uint8Array, number: number): BlockRef => ({ hash, number });
    const one = ref(refOf(b1).hash, 1);
    const two = ref(refOf(b2).hash, 2);
    const twoPrime = ref(refOf(fork).hash, 2);

    const sent: SignedVote[] = [];
    const roundTimeoutMs = 2000;
    const voter = new FinalityVoter({
      store: alice.store,
      genesisHash: alice.genesisHash,
      localKeys: () => [devKeypair("alice")],
      broadcast: (vote) => sent.push(vote),
      onFinalized: () => {},
      roundTimeoutMs,
      rebroadcastMs: 1000,
    });
    alice.importer.onImported(() => voter.onBlock());
    const { network, requests, gossip } = oneFakePeer(charlie, 2);
    const sync = new ChainSync({
      store: alice.store,
      importer: alice.importer,
      voter,
      pool: {} as TransactionPool,
      network,
      log: pino({ level: "silent" }),
    });
    sync.start();
    let now = 1;
    voter.tick(now);
    voter.onBlock();
    assert.ok(
      sent.some((v) => v.stage === Stage.prevote && bytesEqual(v.targetHash, two.hash)),
      "alice prevotes #2",
    );

    // Round 1, dave down: bob prevotes #2, charlie #2'; charlie, which sees all three, precommits
    // their GHOST #1, and so does bob once he does.
    const context = { genesisHash: alice.genesisHash, setId: 0, round: voter.round };
    await gossip(signVote(devKeypair("bob"), context, Stage.prevote, two));
    await gossip(signVote(devKeypair("charlie"), context, Stage.prevote, twoPrime));
    await gossip(signVote(devKeypair("charlie"), context, Stage.precommit, one));
    await gossip(signVote(devKeypair("bob"), context, Stage.precommit, one));
    assert.deepEqual(
      voter.missingTargets().map((t) => t.number),
      [2],
      "charlie's prevote is held, waiting for its block",
    );

    const deadline = Date.now() + 10_000;
    while (alice.store.finalized().number < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now += roundTimeoutMs / 4;
      voter.tick(now);
      await voter.idle();
    }
    await sync.stop();
    assert.ok(alice.store.getBlockMeta(twoPrime.hash), "charlie's fork block was fetched");
    assert.ok(requests.includes("hash"), "by hash");
    assert.ok(
      sent.some((v) => v.stage === Stage.precommit && bytesEqual(v.targetHash, one.hash)),
      "alice precommits the GHOST of the three prevotes",
    );
    assert.equal(alice.store.finalized().number, 1, "the round finalizes #1");
    assert.deepEqual(voter.missingTargets(), []);
  });
});
