// A multi-validator network of real `lineage` processes talking libp2p over 127.0.0.1: alice, bob,
// charlie and dave author (Aura, 1 s slots) and finalize (the GRANDPA-like gadget); then, on that
// one network, in order: a transaction travels from one node into another's block; a full node
// joins late, syncs and follows, is SIGKILLed and catches up again; finality survives one stopped
// validator, stalls with two stopped and resumes when one returns; a peer gossiping garbage is
// disconnected while the honest nodes keep finalizing; a node of another chain never becomes a
// peer; a second process with alice's key is caught equivocating; and last, no two nodes (those
// running and those stopped along the way) ever finalized different blocks at one height.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeJustification } from "../../consensus/finality.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { decodeMessage, messageType } from "../../primitives/codec.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { RpcClient } from "../../rpc/client.ts";
import type { Hex, RpcHeader, RpcTransactionStatus } from "../../rpc/node-api.ts";
import { slotFromDigest } from "../../runtime/executive.ts";
import { metricSample, withTimeout } from "./fixtures/chain-reads.ts";
import { signedTransfer } from "./fixtures/dev-transfers.ts";
import {
  allFinalized,
  finalizedChain,
  heights,
  LocalNetwork,
  type NetNode,
  until,
} from "./fixtures/network-devnet.ts";
import { startMaliciousPeer } from "./fixtures/network-malicious-peer.ts";

const SLOT_MS = 1000;
const VALIDATORS = ["alice", "bob", "charlie", "dave"] as const;
/** Generous bounds for waits measured in slots: a loaded 2-core CI box runs late. */
const FINALITY_WAIT_MS = 30_000;
const SYNC_WAIT_MS = 45_000;

const DIGEST_ITEM = messageType("chain.proto", "lineage.v1.DigestItem");

/** The validator whose Aura slot a header names (authorities[slot % 4]). */
function authorOf(header: RpcHeader): string {
  const digest = header.digest.logs.map((log) =>
    decodeMessage<Parameters<typeof slotFromDigest>[0][number]>(DIGEST_ITEM, fromHex(log), 1 << 16),
  );
  const slot = slotFromDigest(digest);
  if (slot === undefined) throw new Error(`header #${header.number} has no slot digest`);
  return VALIDATORS[slot % VALIDATORS.length]!;
}

const best = async (node: NetNode) => (await heights(node)).best;

describe("a 4-validator network on 127.0.0.1", { timeout: 300_000 }, () => {
  let net: LocalNetwork;
  /** Finalized chains of nodes stopped for good along the way, for the final comparison. */
  const retired: { name: string; chain: Hex[] }[] = [];
  const validators = () => VALIDATORS.map((name) => net.node(name));

  before(async () => {
    net = new LocalNetwork(VALIDATORS.length, SLOT_MS);
    for (const name of VALIDATORS) await net.plan(name, [`--${name}`]);
    await Promise.all(VALIDATORS.map((name) => net.start(name)));
  });

  after(async () => {
    await net?.dispose();
  });

  it("authors blocks by every validator and finalizes them on all four", async () => {
    const nodes = validators();
    await allFinalized(nodes, 4, FINALITY_WAIT_MS);
    for (const node of nodes) {
      const health = await node.rpc.system.health();
      assert.equal(health.peers, 3, `${node.plan.name} sees the other three`);
      const peers = (await node.rpc.system.peers()).map((p) => p.peerId).sort();
      const others = nodes.filter((n) => n !== node).map((n) => n.plan.peerId);
      assert.deepEqual(peers, others.sort(), `${node.plan.name}'s system_peers`);
    }
    const alice = net.node("alice");
    const { finalized } = await heights(alice);
    const authors = new Set<string>();
    for (let n = 1; n <= finalized; n++) {
      const header = await alice.rpc.chain.getHeader((await alice.rpc.chain.getBlockHash(n))!);
      authors.add(authorOf(header!));
    }
    assert.ok(authors.size >= 3, `finalized blocks by ${[...authors].join(", ")}`);
  });

  it("includes a transaction sent to dave in a block another validator authored", async () => {
    const dave = net.node("dave");
    const client = await RpcClient.connect(dave.process.wsUrl, { timeoutMs: 10_000 });
    try {
      const genesisHash = fromHex((await client.chain.getBlockHash(0))!);
      const sender = devKeypair("eve");
      // dave includes the transaction himself when his slot comes first; then send another.
      for (let attempt = 1; ; attempt++) {
        const nonce = await client.system.accountNextIndex(toHex(sender.publicKey));
        const bytes = signedTransfer({ from: "eve", nonce, genesisHash });
        const included = await withTimeout(
          new Promise<Hex>((resolve, reject) => {
            const onStatus = (status: RpcTransactionStatus) => {
              if (typeof status === "object" && "inBlock" in status) resolve(status.inBlock);
              else if (status === "invalid" || status === "dropped") {
                reject(new Error(`transaction ${status}`));
              }
            };
            client.author.submitAndWatchExtrinsic(toHex(bytes) as Hex, onStatus).catch(reject);
          }),
          15_000,
          `transfer ${attempt} into a block`,
        );
        const block = await client.chain.getBlock(included);
        assert.ok(block, "dave has the block that includes it");
        assert.ok(block.block.extrinsics.includes(toHex(bytes) as Hex), "the block holds it");
        if (authorOf(block.block.header) !== "dave") return;
        assert.ok(attempt < 6, `dave authored the block of all ${attempt} transfers`);
      }
    } finally {
      await client.close();
    }
  });

  it("syncs a full node started late to the head, follows, and catches up after SIGKILL", async () => {
    const alice = net.node("alice");
    const startHeight = await until(
      "alice reaches #10",
      async () => ((await best(alice)) >= 10 ? best(alice) : undefined),
      FINALITY_WAIT_MS,
    );
    await net.plan("ferdie", ["--name", "Ferdie"]);
    let ferdie = await net.start("ferdie");
    assert.deepEqual(await ferdie.rpc.system.nodeRoles(), ["Full"]);

    // Caught up: at alice's height when it started, with alice's finalized block as its own.
    const caughtUp = async (target: number) => {
      const sync = await ferdie.rpc.system.syncState();
      if (sync.currentBlock < target || sync.currentBlock < sync.highestBlock) return undefined;
      const [mine, theirs] = [await heights(ferdie), await heights(alice)];
      const hash = await ferdie.rpc.chain.getFinalizedHead();
      const aliceHash = await alice.rpc.chain.getBlockHash(mine.finalized);
      if (mine.finalized < startHeight - 3 || hash !== aliceHash) return undefined;
      return { ...mine, aliceBest: theirs.best };
    };
    const synced = await until("ferdie syncs", () => caughtUp(startHeight), SYNC_WAIT_MS);
    // ...and follows: a later block of alice's chain arrives by gossip, the same block.
    const later = synced.aliceBest + 3;
    await until(
      `ferdie follows to #${later}`,
      async () => {
        const hash = await ferdie.rpc.chain.getBlockHash(later);
        return hash !== null && hash === (await alice.rpc.chain.getBlockHash(later))
          ? true
          : undefined;
      },
      FINALITY_WAIT_MS,
    );
    assert.equal((await ferdie.rpc.system.health()).isSyncing, false);

    const before = (await heights(ferdie)).best;
    await net.stop("ferdie", "SIGKILL");
    const downAt = await best(alice);
    await until(
      "the network moves on while ferdie is down",
      async () => ((await best(alice)) >= downAt + 4 ? true : undefined),
      FINALITY_WAIT_MS,
    );
    ferdie = await net.start("ferdie");
    const restart = await ferdie.process.waitForLine(/Highest known block at #(\d+)/);
    assert.ok(Number(restart[1]) >= before - 1, `ferdie kept its chain (#${restart[1]})`);
    const target = await best(alice);
    await until("ferdie catches up after SIGKILL", () => caughtUp(target), SYNC_WAIT_MS);
    retired.push({ name: "ferdie", chain: await finalizedChain(ferdie) });
    await net.stop("ferdie");
  });

  it("keeps finalizing with 1 of 4 stopped, stalls with 2 stopped, resumes when one returns", async () => {
    await net.stop("dave");
    const three = () => ["alice", "bob", "charlie"].map((name) => net.node(name));
    const atOneDown = Math.max(
      ...(await Promise.all(three().map(heights))).map((h) => h.finalized),
    );
    await allFinalized(three(), atOneDown + 3, FINALITY_WAIT_MS);

    await net.stop("charlie");
    const two = () => ["alice", "bob"].map((name) => net.node(name));
    const alice = net.node("alice");
    const stoppedAt = await best(alice);
    // Votes in flight when charlie stopped may still land: let two slots' blocks pass first.
    await until(
      "alice and bob author on",
      async () => ((await best(alice)) >= stoppedAt + 2 ? true : undefined),
      FINALITY_WAIT_MS,
    );
    const stalled = await Promise.all(two().map(heights));
    const stallBest = Math.max(...stalled.map((h) => h.best));
    const stalledBlocks = 3;
    await until(
      `${stalledBlocks} more blocks with 2 of 4 validators`,
      async () => ((await best(alice)) >= stallBest + stalledBlocks ? true : undefined),
      FINALITY_WAIT_MS,
    );
    const after = await Promise.all(two().map(heights));
    for (const [i, h] of after.entries()) {
      assert.equal(h.finalized, stalled[i]!.finalized, "finality stalls with 2 of 4 validators");
      assert.ok(h.best >= h.finalized + stalledBlocks, "while blocks are still authored");
    }

    await net.start("charlie");
    const stuckAt = Math.max(...after.map((h) => h.finalized));
    await allFinalized(three(), stuckAt + 2, SYNC_WAIT_MS);
    await net.start("dave");
    const resumed = Math.max(...(await Promise.all(three().map(heights))).map((h) => h.finalized));
    await allFinalized(validators(), resumed + 1, SYNC_WAIT_MS);
  });

  it("disconnects and refuses a peer gossiping garbage while the others keep finalizing", async () => {
    const alice = net.node("alice");
    const peer = await startMaliciousPeer(net.spec, alice.plan.multiaddr);
    try {
      const badId = peer.service.peerId;
      await until(
        "alice handshakes with the malicious peer",
        async () =>
          peer.handshaken.has(alice.plan.peerId) &&
          (await alice.rpc.system.peers()).some((p) => p.peerId === badId)
            ? true
            : undefined,
        15_000,
      );
      const before = Math.max(
        ...(await Promise.all(validators().map(heights))).map((h) => h.finalized),
      );
      const since = alice.process.lineCount();
      let sent = 0;
      const droppedAt = await until(
        "alice drops the malicious peer",
        async () => {
          if (peer.disconnected.has(alice.plan.peerId)) return peer.log.length;
          await peer.publishGarbage("blocks");
          sent++;
          return undefined;
        },
        20_000,
        100,
      );
      const dropped = await alice.process.waitForLine(
        new RegExp(`(banning|disconnecting) peer ${badId}: (.*)`),
        { since },
      );
      assert.match(dropped[2]!, /block|gossip/, `the reason names the bad gossip (${sent} sent)`);
      const metrics = await (await fetch(alice.process.metricsUrl!)).text();
      const rejected = metricSample(metrics, "lineage_gossip_messages_total", {
        topic: "blocks",
        verdict: "reject",
      });
      assert.ok((rejected ?? 0) >= 1, `alice counted rejected block gossip (${rejected})`);

      // The peer keeps redialing alice (its bootnode) and is refused every time: each new
      // connection closes before the status handshake, while the honest nodes finalize on.
      const aliceShort = `…${alice.plan.peerId.slice(-8)}`;
      const refusedRedials = () =>
        peer.log
          .slice(droppedAt)
          .filter((l) => l.startsWith(`DEBUG status exchange with ${aliceShort} failed`)).length;
      await until(
        "the malicious peer is refused on 2 redials",
        async () => (refusedRedials() >= 2 ? true : undefined),
        15_000,
      );
      await allFinalized(validators(), before + 3, FINALITY_WAIT_MS);
      const rehandshakes = peer.log
        .slice(droppedAt)
        .filter((l) => l.startsWith(`DEBUG peer ${aliceShort} (`));
      assert.deepEqual(rehandshakes, [], "alice never completes a handshake with it again");
      const handshakesAfter = peer.service.peers().some((p) => p.peerId === alice.plan.peerId);
      assert.equal(handshakesAfter, false, "the malicious peer is not alice's peer again");
      const peers = (await alice.rpc.system.peers()).map((p) => p.peerId);
      assert.ok(!peers.includes(badId), "alice's system_peers no longer lists it");
      assert.equal(peers.length, 3, "alice keeps her honest peers");
    } finally {
      await peer.stop();
    }
  });

  it("never peers with a node whose genesis differs", async () => {
    await net.plan("stranger", ["--name", "Stranger"], "local");
    const stranger = await net.start("stranger", {
      chain: "local",
      bootnodes: validators().map((v) => v.plan.multiaddr),
    });
    const strangerId = await stranger.rpc.system.localPeerId();
    // It dials every validator and refuses each (the validators may hang up first, before they
    // have identified it; then only the stranger has something to say).
    for (const v of validators()) {
      await stranger.process.waitForLine(new RegExp(`peer ${v.plan.peerId} is on another chain`), {
        timeoutMs: 20_000,
      });
    }
    assert.equal((await stranger.rpc.system.health()).peers, 0);
    assert.deepEqual(await stranger.rpc.system.peers(), []);
    assert.equal((await heights(stranger)).best, 0, "it learned no blocks of ours");
    for (const v of validators()) {
      const peers = (await v.rpc.system.peers()).map((p) => p.peerId);
      assert.ok(!peers.includes(strangerId), `${v.plan.name} does not list the stranger`);
    }
    await net.stop("stranger");
  });

  it("detects a second process sealing blocks with alice's key", async () => {
    await net.plan("alice-twin", ["--alice"]);
    const since = new Map(validators().map((v) => [v.plan.name, v.process.lineCount()]));
    const twin = await net.start("alice-twin");
    const watchers = [...validators(), twin].map((node) =>
      node.process
        .waitForLine(/⚠️ {2}Equivocation: (0x[0-9a-f]+) sealed two blocks in slot (\d+)/, {
          since: since.get(node.plan.name) ?? 0,
          timeoutMs: SYNC_WAIT_MS,
        })
        .then((match) => ({ node, match })),
    );
    const { node, match } = await Promise.any(watchers);
    assert.equal(match[1], toHex(devKeypair("alice").publicKey), "the equivocator is alice");
    assert.equal(Number(match[2]) % VALIDATORS.length, 0, "in one of alice's slots");
    const metrics = await (await fetch(node.process.metricsUrl!)).text();
    const count = metricSample(metrics, "lineage_equivocations_total", { kind: "block" });
    assert.ok((count ?? 0) > 0, `${node.plan.name} counts the block equivocation (${count})`);

    // Read with retries: on the equivocating node, a header was seen missing for a moment right
    // after the double authoring, under heavy load (noted for investigation in the issue).
    const twinChain = await until("the twin's finalized chain", () => finalizedChain(twin), 10_000);
    retired.push({ name: "alice-twin", chain: twinChain });
    await net.stop("alice-twin");
    const before = Math.max(
      ...(await Promise.all(validators().map(heights))).map((h) => h.finalized),
    );
    await allFinalized(validators(), before + 2, FINALITY_WAIT_MS);
  });

  it("never finalized two different blocks at one height on any node", async () => {
    const chains = [
      ...(await Promise.all(
        validators().map(async (v) => ({ name: v.plan.name, chain: await finalizedChain(v) })),
      )),
      ...retired,
    ];
    const longest = Math.max(...chains.map((c) => c.chain.length));
    assert.ok(longest > 20, `finalized up to #${longest - 1}`);
    for (let n = 0; n < longest; n++) {
      const seen = new Map<Hex, string[]>();
      for (const { name, chain } of chains) {
        const hash = chain[n];
        if (hash !== undefined) seen.set(hash, [...(seen.get(hash) ?? []), name]);
      }
      if (seen.size > 1) {
        // A safety failure: show each running node's justification covering this height.
        const proofs = await Promise.all(
          net.running().map(async (node) => {
            const proof = await node.rpc.grandpa.proveFinality(n).catch(() => null);
            if (!proof) return `${node.plan.name}: no justification`;
            const j = decodeJustification(fromHex(proof));
            const votes = j.precommits.map(
              (p) => `${toHex(p.authority).slice(0, 10)}→#${p.targetNumber} ${toHex(p.targetHash)}`,
            );
            return `${node.plan.name}: round ${j.round} #${j.blockNumber} ${toHex(j.blockHash)} [${votes.join(", ")}]`;
          }),
        );
        assert.fail(
          `#${n} finalized as ${JSON.stringify(Object.fromEntries(seen))}\n${proofs.join("\n")}`,
        );
      }
    }
  });
});
