import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { descendsFrom, headerOf } from "../../../consensus/chain-view.ts";
import {
  decodeJustification,
  decodeVote,
  encodeVote,
  FinalityVoter,
  type Justification,
  type SignedVote,
  Stage,
  signPrecommit,
  signVote,
  thresholdWeight,
  type VoteEquivocation,
  verifyJustification,
} from "../../../consensus/finality.ts";
import { treeRoute } from "../../../consensus/tree-route.ts";
import { bytesEqual, toHex } from "../../../primitives/bytes.ts";
import type { Block } from "../../../primitives/chain.ts";
import { type DevAccountName, devKeypair } from "../../../primitives/dev-accounts.ts";
import { authorities } from "../../../runtime/pallets/authorities.ts";
import type { BlockRef } from "../../../state/chain-store.ts";
import { build, extend, openChain, refOf, type TestChain } from "./fixtures/dev-chain.ts";

const chains: TestChain[] = [];
after(async () => {
  for (const chain of chains) await chain.close();
});

async function open(spec: "dev" | "local"): Promise<TestChain> {
  const chain = await openChain({ spec });
  chains.push(chain);
  return chain;
}

/** Builds and imports `count` blocks on `parent` in `source`, at consecutive slots from `slot`. */
async function buildChain(
  source: TestChain,
  parent: { hash: Uint8Array; header: Block["header"] },
  count: number,
  slot: number,
): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) {
    const built = build(source, parent, slot + i);
    await source.importer.importBlock(built.block);
    blocks.push(built.block);
    parent = refOf(built.block);
  }
  return blocks;
}

const AUTHORITIES: DevAccountName[] = ["alice", "bob", "charlie", "dave"];

interface Net {
  chains: TestChain[];
  voters: FinalityVoter[];
  /** Votes in flight, delivered by `settle` or a test. */
  queue: { to: number; vote: SignedVote }[];
  up: boolean[];
  equivocations: VoteEquivocation[];
  finalized: BlockRef[][];
  now: number;
}

/** Four voters (alice…dave) on the local chain, each with its own store holding the same blocks. */
/**
 * With `twin`, a fifth voter holds alice's key too (its own node and store): alice equivocates
 * whenever the two see different chains.
 */
async function network(blocks: number, twin = false): Promise<Net> {
  const keys = twin ? [...AUTHORITIES, "alice" as const] : AUTHORITIES;
  const local: TestChain[] = [];
  for (let i = 0; i < keys.length; i++) local.push(await open("local"));
  const net: Net = {
    chains: local,
    voters: [],
    queue: [],
    up: keys.map(() => true),
    equivocations: [],
    finalized: keys.map(() => []),
    now: 0,
  };
  for (const [i, chain] of local.entries()) {
    net.voters.push(
      new FinalityVoter({
        store: chain.store,
        genesisHash: chain.genesisHash,
        localKeys: () => [devKeypair(keys[i]!)],
        broadcast: (vote) => {
          if (!net.up[i]) return;
          for (let to = 0; to < keys.length; to++) if (to !== i) net.queue.push({ to, vote });
        },
        onFinalized: (block) => net.finalized[i]!.push(block),
        onEquivocation: (e) => net.equivocations.push(e),
        roundTimeoutMs: 4000,
        rebroadcastMs: 1000,
      }),
    );
  }
  await importAll(net, await buildChain(local[0]!, local[0]!.genesis, blocks, 1));
  return net;
}

async function importAll(net: Net, blocks: Block[]): Promise<void> {
  for (const block of blocks) {
    for (const chain of net.chains) {
      if (!chain.store.getBlockMeta(refOf(block).hash)) await chain.importer.importBlock(block);
    }
  }
  for (const [i, voter] of net.voters.entries()) if (net.up[i]) voter.onBlock();
}

/** Delivers queued votes to voters that are up, ticking the clock, until nothing moves. */
async function settle(net: Net, ticks = 20): Promise<void> {
  for (let t = 0; t < ticks; t++) {
    while (net.queue.length > 0) {
      const { to, vote } = net.queue.shift()!;
      if (net.up[to]) net.voters[to]!.onVote(decodeVote(encodeVote(vote)));
    }
    for (const voter of net.voters) await voter.idle();
    net.now += 500;
    for (const [i, voter] of net.voters.entries()) if (net.up[i]) voter.tick(net.now);
  }
}

/** Every node's finalized block lies on one chain: the lower is an ancestor of the higher. */
function assertOneFinalizedChain(net: Net): void {
  const tips = net.chains.map((chain) => ({ chain, tip: chain.store.finalized() }));
  for (const [i, a] of tips.entries()) {
    for (const b of tips.slice(i + 1)) {
      const [low, high] = a.tip.number <= b.tip.number ? [a, b] : [b, a];
      assert.ok(
        descendsFrom(high.chain.store, high.tip.hash, low.tip),
        `conflicting finality: ${tips.map((t) => `#${t.tip.number} ${toHex(t.tip.hash).slice(0, 10)}`).join(", ")}`,
      );
    }
  }
}

function finalizedNumbers(net: Net): number[] {
  return net.chains.map((c) => c.store.finalized().number);
}

describe("finality threshold", () => {
  it("needs more than two thirds of the set", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 10, 100].map(thresholdWeight),
      [1, 2, 3, 3, 4, 5, 5, 7, 67],
    );
  });
});

describe("FinalityVoter", () => {
  it("a sole authority finalizes each block with a justification anyone can verify", async () => {
    const chain = await open("dev");
    const finalized: number[] = [];
    const voter = new FinalityVoter({
      store: chain.store,
      genesisHash: chain.genesisHash,
      localKeys: () => [devKeypair("alice")],
      broadcast: () => {},
      onFinalized: (block) => finalized.push(block.number),
      roundTimeoutMs: 4000,
      rebroadcastMs: 1000,
    });
    let parent = chain.genesis;
    const refs: BlockRef[] = [];
    for (let slot = 1; slot <= 3; slot++) {
      parent = await extend(chain, parent, slot);
      refs.push({ hash: parent.hash, number: parent.header.number });
      voter.onBlock();
      await voter.idle();
    }
    assert.deepEqual(finalized, [1, 2, 3]);
    for (const ref of refs) {
      const justification = decodeJustification(chain.store.getJustification(ref.hash)!);
      const set = authorities(chain.store.stateAtBlock(ref.hash));
      verifyJustification(chain.store, justification, ref, set, chain.genesisHash, 0);
    }
  });

  it("a full node (no keys) votes nothing and finalizes nothing alone", async () => {
    const chain = await open("dev");
    const sent: SignedVote[] = [];
    const voter = new FinalityVoter({
      store: chain.store,
      genesisHash: chain.genesisHash,
      localKeys: () => [devKeypair("bob")],
      broadcast: (vote) => sent.push(vote),
      onFinalized: () => assert.fail("nothing to finalize"),
      roundTimeoutMs: 4000,
      rebroadcastMs: 1000,
    });
    await extend(chain, chain.genesis, 1);
    voter.onBlock();
    voter.tick(10_000);
    assert.deepEqual(sent, []);
    assert.equal(chain.store.finalized().number, 0);
  });

  it("four voters finalize the same chain", async () => {
    const net = await network(3);
    await settle(net);
    assert.deepEqual(finalizedNumbers(net), [3, 3, 3, 3]);
    const heads = net.chains.map((c) => toHex(c.store.finalized().hash));
    assert.equal(new Set(heads).size, 1);
  });

  it("with one of four down finality continues; with two down it stalls, and resumes when one returns", async () => {
    const net = await network(2);
    net.up[3] = false;
    await settle(net);
    assert.deepEqual(finalizedNumbers(net).slice(0, 3), [2, 2, 2]);

    net.up[2] = false;
    const source = net.chains[0]!;
    const best = source.store.best();
    const parent = { hash: best.hash, header: headerOf(source.store, best.hash)! };
    await importAll(net, await buildChain(source, parent, 3, 10));
    await settle(net, 30);
    assert.deepEqual(finalizedNumbers(net).slice(0, 2), [2, 2], "2 of 4 cannot finalize");

    net.up[2] = true;
    net.voters[2]!.onBlock();
    await settle(net, 30);
    assert.deepEqual(finalizedNumbers(net).slice(0, 3), [5, 5, 5], "finality resumes");
  });

  it("detects an equivocating voter and counts it for each of its targets", async () => {
    const net = await network(2);
    const chain = net.chains[0]!;
    const voter = net.voters[0]!;
    const b1 = chain.store.getCanonicalHash(1)!;
    const b2 = chain.store.getCanonicalHash(2)!;
    const context = { genesisHash: chain.genesisHash, setId: 0, round: voter.round };
    const bob = devKeypair("bob");
    assert.equal(
      voter.onVote(signVote(bob, context, Stage.prevote, { hash: b1, number: 1 })),
      true,
    );
    assert.equal(
      voter.onVote(signVote(bob, context, Stage.prevote, { hash: b2, number: 2 })),
      true,
      "the second vote counts too, as GRANDPA counts equivocators for every target",
    );
    assert.equal(net.equivocations.length, 1);
    const evidence = net.equivocations[0]!;
    assert.ok(bytesEqual(evidence.authority, bob.publicKey));
    assert.equal(evidence.stage, Stage.prevote);
    assert.ok(bytesEqual(evidence.first.targetHash, b1));
    assert.ok(bytesEqual(evidence.second.targetHash, b2));
    // The same vote again is a duplicate, not a second equivocation.
    assert.equal(
      voter.onVote(signVote(bob, context, Stage.prevote, { hash: b2, number: 2 })),
      false,
    );
    assert.equal(net.equivocations.length, 1);
  });

  it("refuses votes with bad signatures or from outside the set", async () => {
    const net = await network(1);
    const chain = net.chains[0]!;
    const voter = net.voters[0]!;
    const target = { hash: chain.store.getCanonicalHash(1)!, number: 1 };
    const context = { genesisHash: chain.genesisHash, setId: 0, round: voter.round };
    const forged = signVote(devKeypair("bob"), context, Stage.precommit, target);
    forged.signature = forged.signature.slice();
    forged.signature[0]! ^= 1;
    assert.throws(() => voter.onVote(forged), { code: "BAD_SIGNATURE" });
    const asPrevote = {
      ...signVote(devKeypair("bob"), context, Stage.precommit, target),
      stage: Stage.prevote,
    };
    assert.throws(() => voter.onVote(asPrevote), { code: "BAD_SIGNATURE" });
    assert.throws(() => voter.onVote(signVote(devKeypair("eve"), context, Stage.prevote, target)), {
      code: "NOT_AN_AUTHORITY",
    });
    assert.equal(
      voter.onVote(signVote(devKeypair("bob"), { ...context, setId: 7 }, Stage.prevote, target)),
      false,
    );
    assert.throws(() => decodeVote(new Uint8Array([0xff, 0xff])), { code: "BAD_VOTE" });
  });

  it("re-sends its votes with fresh bytes each time, so gossip does not drop them as seen", async () => {
    const chain = await open("local");
    const sent: SignedVote[] = [];
    const voter = new FinalityVoter({
      store: chain.store,
      genesisHash: chain.genesisHash,
      localKeys: () => [devKeypair("alice")],
      broadcast: (vote) => sent.push(vote),
      onFinalized: () => {},
      roundTimeoutMs: 4000,
      rebroadcastMs: 1000,
    });
    await extend(chain, chain.genesis, 1);
    voter.onBlock();
    assert.equal(sent.length, 1, "one prevote");
    voter.tick(1000);
    voter.tick(2000);
    const encodings = sent.map((v) => toHex(encodeVote(v)));
    assert.equal(new Set(encodings).size, 3);
    const decoded = sent.map((v) => decodeVote(encodeVote(v)));
    for (const vote of decoded) assert.ok(bytesEqual(vote.signature, sent[0]!.signature));
  });

  it("holds a vote for a block it lacks, lists the block as missing, and counts the vote once it is imported", async () => {
    // Alice, bob and charlie (dave down) prevote; charlie's prevote is for a fork block that only
    // charlie had, so alice cannot count it, and with two countable prevotes cannot precommit.
    const net = await network(2);
    const alice = net.chains[0]!;
    const charlie = net.chains[2]!;
    const b1 = {
      hash: alice.store.getCanonicalHash(1)!,
      header: headerOf(alice.store, alice.store.getCanonicalHash(1)!)!,
    };
    const [fork] = await buildChain(charlie, b1, 1, 7);
    const forkRef = { hash: refOf(fork!).hash, number: 2 };
    const voter = net.voters[0]!;
    const context = { genesisHash: alice.genesisHash, setId: 0, round: voter.round };
    const two = { hash: alice.store.getCanonicalHash(2)!, number: 2 };
    net.up[3] = false;
    voter.tick(1);
    net.queue = [];
    voter.onBlock();
    voter.onVote(signVote(devKeypair("bob"), context, Stage.prevote, two));
    assert.equal(
      voter.onVote(signVote(devKeypair("charlie"), context, Stage.prevote, forkRef)),
      true,
    );
    voter.tick(10_000);
    const precommits = () => net.queue.filter((m) => m.vote.stage === Stage.precommit);
    assert.equal(precommits().length, 0, "two countable prevotes of four: no GHOST");
    assert.deepEqual(
      voter.missingTargets().map((t) => toHex(t.hash)),
      [toHex(forkRef.hash)],
    );
    await alice.importer.importBlock(fork!);
    voter.onBlock();
    assert.deepEqual(voter.missingTargets(), []);
    assert.ok(precommits().length > 0, "the held prevote counts: alice precommits");
    assert.ok(bytesEqual(precommits()[0]!.vote.targetHash, b1.hash), "for the GHOST, #1");
  });

  it("a restarted voter resumes its round with its own votes, never contradicting them", async () => {
    const chain = await open("local");
    const cast: SignedVote[] = [];
    const options = {
      store: chain.store,
      genesisHash: chain.genesisHash,
      localKeys: () => [devKeypair("alice")],
      onFinalized: () => {},
      roundTimeoutMs: 4000,
      rebroadcastMs: 1000,
    };
    const before = new FinalityVoter({
      ...options,
      broadcast: () => {},
      onVoted: (v) => cast.push(v),
    });
    const b1 = await extend(chain, chain.genesis, 1);
    before.onBlock();
    assert.equal(cast.length, 1);
    assert.equal(cast[0]!.targetNumber, 1);
    // The chain grows while the node is down; after the restart its prevote must stay #1.
    await extend(chain, b1, 2);
    const sent: SignedVote[] = [];
    const after = new FinalityVoter({
      ...options,
      broadcast: (v) => sent.push(v),
      initialRound: before.round,
      initialVotes: cast,
    });
    after.onBlock();
    after.tick(1000);
    assert.equal(after.round, before.round);
    assert.ok(sent.length > 0, "the old vote is sent again");
    for (const vote of sent) {
      assert.equal(vote.stage, Stage.prevote);
      assert.ok(bytesEqual(vote.targetHash, b1.hash), "no second, different prevote");
    }
  });

  it("a voter that missed rounds catches up from the others' rebroadcasts", async () => {
    const net = await network(2);
    net.up[3] = false;
    await settle(net);
    const source = net.chains[0]!;
    const best = source.store.best();
    await importAll(
      net,
      await buildChain(
        source,
        { hash: best.hash, header: headerOf(source.store, best.hash)! },
        2,
        10,
      ),
    );
    await settle(net);
    assert.ok(net.voters[0]!.round > net.voters[3]!.round + 1, "dave is rounds behind");
    net.up[3] = true;
    await settle(net, 10);
    assert.equal(net.voters[3]!.round, net.voters[0]!.round);
    assert.equal(net.chains[3]!.store.finalized().number, 4);
  });

  it("counts an equivocator for both its targets, so a later round cannot finalize against an earlier one", async () => {
    // Voters 0…3 are alice, bob, charlie, dave; voter 4 is a second node with alice's key.
    // Forks X and Y at #1: alice (0) and charlie (2) prefer X; alice's twin (4), bob (1) and
    // dave (3) prefer Y. Bob and dave see the twin's votes before alice's.
    const net = await network(0, true);
    const source = net.chains[0]!;
    const [x] = await buildChain(source, source.genesis, 1, 1);
    const [y] = await buildChain(source, source.genesis, 1, 2);
    const prefersX = [true, false, true, false, false];
    for (const [i, chain] of net.chains.entries()) {
      for (const block of prefersX[i] ? [x!, y!] : [y!, x!]) {
        if (!chain.store.getBlockMeta(refOf(block).hash)) await chain.importer.importBlock(block);
      }
      net.voters[i]!.onBlock();
    }
    const yHash = refOf(y!).hash;
    /** Delivers the queued votes to `to`, those from `first` (an index) before the others. */
    const deliverTo = (to: number, first: number, stage: Stage) => {
      const mine = net.queue.filter((m) => m.to === to && m.vote.stage === stage);
      net.queue = net.queue.filter((m) => !mine.includes(m));
      const from = (m: { vote: SignedVote }) =>
        net.voters.findIndex(
          (_, i) => i === first && bytesEqual(m.vote.targetHash, firstTarget(i)),
        );
      const firstTarget = (i: number) => (prefersX[i] ? refOf(x!).hash : yHash);
      mine.sort((a, b) => (from(b) === first ? 1 : 0) - (from(a) === first ? 1 : 0));
      for (const m of mine) net.voters[to]!.onVote(m.vote);
    };
    // Prevotes: bob and dave hear the twin (Y) first; everyone else in queue order.
    deliverTo(1, 4, Stage.prevote);
    deliverTo(3, 4, Stage.prevote);
    for (const to of [0, 2, 4]) deliverTo(to, 0, Stage.prevote);
    for (const voter of net.voters) await voter.idle();
    // Precommits: dave hears the twin first and may finalize Y; bob hears alice first.
    deliverTo(3, 4, Stage.precommit);
    deliverTo(1, 0, Stage.precommit);
    for (const voter of net.voters) await voter.idle();
    // The X fork grows; bob now prefers it. Rounds go on with every vote delivered.
    const [x2] = await buildChain(source, refOf(x!), 1, 5);
    for (const chain of net.chains) {
      // A node that finalized Y has discarded the X fork and refuses x2; so be it.
      const known = chain.store.getBlockMeta(refOf(x2!).hash);
      if (!known && chain.store.getBlockMeta(refOf(x!).hash)) await chain.importer.importBlock(x2!);
    }
    for (const voter of net.voters) voter.onBlock();
    await settle(net, 30);
    assertOneFinalizedChain(net);
  });

  it("never finalizes two conflicting blocks, whatever the delivery order, drops, forks and an equivocating voter", async () => {
    let deepest = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(1000), { minLength: 40, maxLength: 120 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        async (choices, forkSides, twin) => {
          // With `twin`, alice's key also votes from a fifth node that may prefer the other fork.
          const net = await network(1, twin);
          const source = net.chains[0]!;
          const base = source.store.best();
          const parent = { hash: base.hash, header: headerOf(source.store, base.hash)! };
          // Two forks from block 1; each voter imports both, in an order that sets its best.
          const left = await buildChain(source, parent, 3, 20);
          const right = await buildChain(source, parent, 3, 40);
          for (const [i, chain] of net.chains.entries()) {
            const [first, second] = forkSides[i] ? [left, right] : [right, left];
            for (const block of [...first, ...second]) {
              if (!chain.store.getBlockMeta(refOf(block).hash))
                await chain.importer.importBlock(block);
            }
            net.voters[i]!.onBlock();
          }
          // Each voter's preferred fork (chain 0 built both, the left one first, and prefers it).
          const bestsBefore = net.chains.map((chain) => chain.store.best().hash);
          let c = 0;
          for (let step = 0; step < 200; step++) {
            const pick = choices[c++ % choices.length]!;
            if (net.queue.length > 0 && pick % 5 !== 0) {
              // A burst of messages in a random order; about one in seven is lost.
              for (let k = 0; k < 8 && net.queue.length > 0; k++) {
                const r = choices[c++ % choices.length]! + k;
                const [message] = net.queue.splice(r % net.queue.length, 1);
                if (r % 7 !== 0) net.voters[message!.to]!.onVote(message!.vote);
              }
            } else {
              net.now += 500;
              for (const voter of net.voters) voter.tick(net.now);
            }
            for (const voter of net.voters) await voter.idle();
          }
          // Then the network heals: every vote arrives (re-sent ones included), nothing is lost.
          await settle(net, 20);
          const tips = net.chains.map((chain) => chain.store.finalized());
          for (const tip of tips) deepest = Math.max(deepest, tip.number);
          // Liveness: with three voters on one fork, that fork's tip ends up final everywhere.
          const onLeft = bestsBefore.filter((hash) =>
            bytesEqual(hash, refOf(left[2]!).hash),
          ).length;
          if (!twin && onLeft !== 2) {
            assert.deepEqual(
              tips.map((t) => t.number),
              [4, 4, 4, 4],
            );
          }

          assertOneFinalizedChain(net);
          for (const chain of net.chains) chains.splice(chains.indexOf(chain), 1);
          for (const chain of net.chains) await chain.close();
        },
      ),
      { numRuns: 12 },
    );
    // The property is not vacuous: some runs finalized a block on one of the forks.
    assert.ok(deepest > 1, `deepest finalized block #${deepest}`);
  });
});

describe("verifyJustification", () => {
  it("refuses tampered, duplicated, foreign and insufficient justifications", async () => {
    const chain = await open("local");
    const ref = await extend(chain, chain.genesis, 1);
    const target = { hash: ref.hash, number: 1 };
    const set = authorities(chain.store.stateAtBlock(target.hash));
    const context = { genesisHash: chain.genesisHash, setId: 0, round: 1 };
    const votes = (["alice", "bob", "charlie"] as const).map((n) =>
      signPrecommit(devKeypair(n), context, target),
    );
    const base: Justification = {
      round: 1,
      setId: 0,
      blockHash: target.hash,
      blockNumber: 1,
      precommits: votes,
    };
    const check = (j: Justification) =>
      verifyJustification(chain.store, j, target, set, chain.genesisHash, 0);
    check(base);
    assert.throws(() => check({ ...base, precommits: votes.slice(0, 2) }), {
      code: "NOT_ENOUGH_VOTES",
    });
    assert.throws(() => check({ ...base, precommits: [votes[0]!, votes[0]!, votes[1]!] }), {
      code: "DUPLICATE_VOTE",
    });
    assert.throws(() => check({ ...base, round: 7 }), { code: "BAD_SIGNATURE" });
    assert.throws(() => check({ ...base, setId: 1 }), { code: "BAD_JUSTIFICATION" });
    assert.throws(
      () => verifyJustification(chain.store, base, target, set, new Uint8Array(32).fill(9)),
      { code: "BAD_SIGNATURE" },
    );
    assert.throws(() => check({ ...base, blockNumber: 5 }), { code: "BAD_JUSTIFICATION" });
    const eve = signPrecommit(devKeypair("eve"), context, target);
    assert.throws(() => check({ ...base, precommits: [...votes, eve] }), {
      code: "NOT_AN_AUTHORITY",
    });
  });
});

describe("treeRoute", () => {
  it("lists retracted and enacted blocks around the common ancestor", async () => {
    const chain = await open("dev");
    const a1 = await extend(chain, chain.genesis, 1);
    const a2 = await extend(chain, a1, 2);
    const f2 = await extend(chain, a1, 500);
    const f3 = await extend(chain, f2, 501);
    const ref = (r: { hash: Uint8Array; header: { number: number } }) => ({
      hash: r.hash,
      number: r.header.number,
    });
    const route = treeRoute(chain.store, ref(a2), ref(f3));
    assert.deepEqual(route.common, ref(a1));
    assert.deepEqual(route.retracted, [ref(a2)]);
    assert.deepEqual(route.enacted, [ref(f2), ref(f3)]);
    const back = treeRoute(chain.store, ref(f3), ref(a2));
    assert.deepEqual(back.retracted, [ref(f3), ref(f2)]);
    assert.deepEqual(back.enacted, [ref(a2)]);
    assert.deepEqual(treeRoute(chain.store, ref(a2), ref(a2)).retracted, []);
  });
});

describe("BlockImporter listeners", () => {
  it("a throwing listener neither fails the import nor silences the others", async () => {
    const chain = await open("dev");
    const seen: number[] = [];
    chain.importer.onImported(() => {
      throw new Error("listener bug");
    });
    chain.importer.onImported((block) => seen.push(block.header.number));
    const block = await extend(chain, chain.genesis, 1);
    assert.equal(block.header.number, 1);
    assert.deepEqual(seen, [1]);
    assert.equal(chain.store.best().number, 1);
  });
});
