// Issue 5's scenario on a running dev node, through RPC only (keys stay here; the node sees signed
// bytes), with issue 13's curation: a vision datanet with a paid licence curated by a bonded
// curator, 50 contributors (each reserving a bond and the review fee), 40 accepted with varied
// quality and 10 rejected, one challenge upheld (the curator slashed too) and one dismissed, one
// rejection overturned on appeal and one appeal dismissed (the owner judges both), a version
// whose every inclusion proof a client checks against a finalized state root. After each step every account's free and reserved
// balance and the total issuance are compared exactly with a model moved by the rules (amounts
// from the parameters read from state) and by the fees the blocks' events report. The spam costs
// too: a fresh account's tenth pending submission fails, and the bond reserved rises after a
// rejection and falls after accepted work.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UNIT, u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { devKeypair, keypairFromSuri } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import type { Keypair } from "../../primitives/keys.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { Hex, RpcContribution } from "../../rpc/node-api.ts";
import {
  keys,
  storage as registryStorage,
  verifyVersionProof,
} from "../../runtime/pallets/registry/index.ts";
import { TREASURY_ACCOUNT } from "../../runtime/pallets/transaction-payment.ts";
import { verifyProof } from "../../state/trie/proof.ts";
import { type InProcessNode, startDevNode } from "./fixtures/in-process-node.ts";
import {
  type Included,
  Ledger,
  type PendingTx,
  readParams,
  shareOf,
  TxDriver,
} from "./fixtures/registry-ledger.ts";

const WAIT_MS = 30_000;
const CONTRIBUTORS = 50;
const ACCEPTED = 40;
const FUND = 20n * UNIT;
const MIN_BOND = 2n * UNIT;
const PARAM_NAMES = [
  "feeBurnPpm",
  "feeTreasuryPpm",
  "registryDatanetDeposit",
  "registryChallengeBond",
  "registryRejectSlashPpm",
  "registryReviewFee",
  "registryCuratorBond",
  "registryCuratorSlashPpm",
  "registryChallengeSlashPpm",
  "registryChallengeRewardPpm",
  "registryDismissSlashPpm",
  "registryDefaultPendingLimit",
  "registryReputationBound",
  "registryReputationPerQuality",
  "registryRejectPenalty",
  "registrySlashPenalty",
  "registryBondFactorMaxPpm",
  "registryBondFactorMinPpm",
] as const;
type Params = Record<(typeof PARAM_NAMES)[number], bigint>;

/** The bond rule as documented: linear in the score, minBond at 0, ×max at −bound, ×min at +bound. */
function expectedBond(p: Params, minBond: bigint, score: number): bigint {
  const s = BigInt(score);
  const b = p.registryReputationBound;
  const factor =
    s >= 0n
      ? 1_000_000n - ((1_000_000n - p.registryBondFactorMinPpm) * s) / b
      : 1_000_000n + ((p.registryBondFactorMaxPpm - 1_000_000n) * -s) / b;
  return (minBond * factor) / 1_000_000n;
}

const quality = (i: number) => 10 + ((i * 37) % 91);
const contentOf = (label: string) => hash(new TextEncoder().encode(`vision frames: ${label}`));
const amount = (e: Included, name: string, field: string) => {
  const event = e.events.find((x) => x.pallet === "Registry" && x.name === name);
  assert.ok(event, `${e.label}: a ${name} event`);
  return u128FromBytes(event.data[field] as Uint8Array);
};

describe("the registry scenario on a dev node (issues 5 and 13)", () => {
  let node: InProcessNode;
  let tx: TxDriver;
  let ledger: Ledger;
  let p: Params;
  const started = Date.now();
  const timings: string[] = [];
  const mark = (what: string) =>
    timings.push(`${what} @${((Date.now() - started) / 1000).toFixed(1)}s`);

  before(async () => {
    node = await startDevNode();
    const genesisHash = fromHex((await node.client.chain.getBlockHash(0))!);
    tx = new TxDriver(node.client, genesisHash, WAIT_MS);
    p = await readParams(node.client, PARAM_NAMES);
    ledger = new Ledger(node.client, TREASURY_ACCOUNT, devKeypair("alice").publicKey, {
      burnPpm: p.feeBurnPpm,
      treasuryPpm: p.feeTreasuryPpm,
    });
    await ledger.start();
    mark("node up");
  });
  after(async () => {
    await node?.stop();
    console.log(`registry scenario timings: ${timings.join(", ")}`);
  });

  it("runs datanet, curation, challenges, a version and spam costs with exact books", async () => {
    const owner = devKeypair("dave");
    const curator = keypairFromSuri("//Curator");
    const upholder = devKeypair("bob");
    const dismissed = devKeypair("charlie");
    const funders = (["alice", "bob", "charlie", "eve", "ferdie"] as const).map(devKeypair);
    const contributors: Keypair[] = [];
    for (let i = 0; i < CONTRIBUTORS; i++)
      contributors.push(keypairFromSuri(`//Contributor//${i}`));
    const spammer = keypairFromSuri("//Spammer");
    const address = (k: Keypair) => ss58Encode(k.publicKey);

    // ---- 1. the datanet (paid licence, one curator, default pending limit) and the funding ----
    const funded = [...contributors, spammer, curator];
    const funding: PendingTx[] = funded.map((to, i) => ({
      label: `fund ${i}`,
      signer: funders[i % funders.length]!,
      call: "Balances.transfer",
      args: { dest: to.publicKey, value: u128ToBytes(FUND) },
    }));
    await tx.batchOk([
      {
        label: "createDatanet",
        signer: owner,
        call: "Registry.createDatanet",
        args: {
          name: "warehouse-vision",
          modality: 1,
          description: "pallet-picking camera frames, labelled",
          metadataUri: "ipfs://warehouse-vision",
          licence: {
            kind: 1,
            fee: u128ToBytes(250n * UNIT),
            allowList: [],
            commercial: true,
            attribution: true,
          },
          policy: {
            curators: [curator.publicKey],
            minBond: u128ToBytes(MIN_BOND),
            reviewWindow: 5_000,
            challengeWindow: 5_000,
            pendingLimit: 0,
          },
        },
      },
      ...funding,
    ]);
    ledger.reserve(owner.publicKey, p.registryDatanetDeposit);
    for (const [i, f] of funding.entries())
      ledger.transfer(f.signer.publicKey, funded[i]!.publicKey, FUND);
    await ledger.settle("create and fund");
    const datanet = (await node.client.registry.datanets()).items[0]!;
    assert.equal(datanet.licence.kind, "paid");
    assert.equal(datanet.licence.fee, (250n * UNIT).toString());
    assert.equal(datanet.modality, "image");
    assert.equal(datanet.deposit, p.registryDatanetDeposit.toString());
    assert.equal(datanet.owner, address(owner));
    mark("datanet and 52 transfers");

    // ---- 2. 50 contributors submit; a fresh account submits ten: the tenth is refused ----
    const submit = (who: Keypair, label: string): PendingTx => ({
      label: `submit ${label}`,
      signer: who,
      call: "Registry.submitContribution",
      args: {
        datanetId: datanet.id,
        contentHash: contentOf(label),
        size: 4_000_000,
        metadataUri: `ipfs://${label}`,
      },
    });
    const limit = Number(p.registryDefaultPendingLimit);
    const spam = Array.from({ length: limit + 1 }, (_, i) => submit(spammer, `spam ${i}`));
    const results = await tx.batch([
      ...contributors.map((c, i) => submit(c, `contributor ${i}`)),
      ...spam,
      {
        label: "bondCurator",
        signer: curator,
        call: "Registry.bondCurator",
        args: { datanetId: datanet.id, amount: u128ToBytes(p.registryCuratorBond) },
      },
    ]);
    const bonded = results.pop()!;
    assert.ok(!("refused" in bonded) && bonded.failed === null, "the curator bonds");
    ledger.reserve(curator.publicKey, p.registryCuratorBond);
    const bond0 = expectedBond(p, MIN_BOND, 0);
    const fee = p.registryReviewFee;
    assert.equal(bond0, MIN_BOND, "a fresh account posts the policy's minimum bond");
    for (const [i, r] of results.entries()) {
      const last = i === results.length - 1;
      if (!last) {
        assert.ok(!("refused" in r) && r.failed === null, `${r.label} succeeded`);
        assert.equal(amount(r, "ContributionSubmitted", "amount"), bond0);
        // The bond and the review fee, both reserved.
        ledger.reserve(
          i < CONTRIBUTORS ? contributors[i]!.publicKey : spammer.publicKey,
          bond0 + fee,
        );
        continue;
      }
      // The pool does not dispatch calls: the tenth is included, pays its fee and fails.
      assert.ok(!("refused" in r), `the tenth submission reaches a block (${r.label})`);
      assert.equal(
        r.failed,
        "Registry.PendingLimit",
        "the tenth pending submission fails with PendingLimit",
      );
    }
    await ledger.settle("submissions");
    const spammed = await node.client.registry.contributions({ contributor: address(spammer) });
    assert.equal(spammed.items.length, limit, `the fresh account holds ${limit} pending, no more`);
    const pending = await node.client.registry.contributions({
      datanet: datanet.id,
      status: "pending",
    });
    assert.equal(pending.items.length, CONTRIBUTORS + limit);
    const byContent = new Map(pending.items.map((c) => [c.contentHash, c]));
    const mine: RpcContribution[] = contributors.map(
      (_, i) => byContent.get(toHex(contentOf(`contributor ${i}`)) as Hex)!,
    );
    mine.forEach((c, i) => {
      assert.equal(c.contributor, address(contributors[i]!));
      assert.equal(c.bond, bond0.toString());
      assert.equal(c.reviewFee, fee.toString());
    });
    const stake = await node.client.registry.curator(datanet.id, address(curator));
    assert.equal(stake!.bond, p.registryCuratorBond.toString());
    assert.equal(stake!.standing, true);
    mark("60 submissions");

    // ---- 3. the curator accepts 40 with varied quality and rejects 10 ----
    const curation = await tx.batchOk(
      mine.map((c, i) =>
        i < ACCEPTED
          ? {
              label: `accept ${i}`,
              signer: curator,
              call: "Registry.acceptContribution",
              args: { contributionId: c.id, quality: quality(i) },
            }
          : {
              label: `reject ${i}`,
              signer: curator,
              call: "Registry.rejectContribution",
              args: { contributionId: c.id, reason: "motion blur, unusable labels" },
            },
      ),
    );
    const rejectSlash = shareOf(bond0, p.registryRejectSlashPpm);
    for (let i = ACCEPTED; i < CONTRIBUTORS; i++) {
      const r = curation[i]!;
      // What the rejection takes if it stands; nothing moves during the appeal window.
      assert.equal(amount(r, "ContributionRejected", "slashed"), rejectSlash);
      assert.equal(amount(r, "ContributionRejected", "returned"), bond0 - rejectSlash);
    }
    await ledger.settle("curation");
    // Bonds and fees stay reserved through the challenge and appeal windows.
    for (let i = 0; i < CONTRIBUTORS; i++) {
      const reserved = ledger.balance(contributors[i]!.publicKey).reserved;
      assert.equal(reserved, bond0 + fee, `contributor ${i}'s reserve`);
    }
    const accepted = await node.client.registry.contributions({
      datanet: datanet.id,
      status: "accepted",
    });
    assert.deepEqual(
      accepted.items.map((c) => [c.id, c.quality]),
      mine.slice(0, ACCEPTED).map((c, i) => [c.id, quality(i)]),
    );
    const scoreAccepted = (i: number) => quality(i) * Number(p.registryReputationPerQuality);
    const repGood = await node.client.registry.reputation(address(contributors[0]!));
    assert.equal(repGood.score, scoreAccepted(0));
    const repBad = await node.client.registry.reputation(address(contributors[ACCEPTED]!));
    assert.equal(repBad.score, -Number(p.registryRejectPenalty));
    assert.equal(repBad.rejected, 1);
    mark("40 accepted, 10 rejected");

    // ---- 4. two challenges; the rejected and the accepted contributor submit again ----
    const upheldIdx = 3;
    const dismissedIdx = 7;
    const [good, bad] = [0, ACCEPTED];
    const challenge = (who: Keypair, i: number): PendingTx => ({
      label: `challenge ${i}`,
      signer: who,
      call: "Registry.challenge",
      args: { contributionId: mine[i]!.id, evidenceUri: `ipfs://evidence-${i}` },
    });
    const round2 = await tx.batchOk([
      challenge(upholder, upheldIdx),
      challenge(dismissed, dismissedIdx),
      submit(contributors[good]!, "contributor 0, second set"),
      submit(contributors[bad]!, `contributor ${bad}, second set`),
    ]);
    const cb = p.registryChallengeBond;
    ledger.reserve(upholder.publicKey, cb);
    ledger.reserve(dismissed.publicKey, cb);
    for (const k of [good, bad]) ledger.reserve(contributors[k]!.publicKey, fee);
    const bondGood = expectedBond(p, MIN_BOND, repGood.score);
    const bondBad = expectedBond(p, MIN_BOND, repBad.score);
    assert.ok(bondBad > bond0, "the bond rises after a rejection");
    assert.ok(bondGood < bond0, "the bond falls after accepted work");
    assert.equal(amount(round2[2]!, "ContributionSubmitted", "amount"), bondGood);
    assert.equal(amount(round2[3]!, "ContributionSubmitted", "amount"), bondBad);
    ledger.reserve(contributors[good]!.publicKey, bondGood);
    ledger.reserve(contributors[bad]!.publicKey, bondBad);
    await ledger.settle("challenges and second submissions");
    assert.equal(
      ledger.balance(contributors[good]!.publicKey).reserved,
      bond0 + bondGood + 2n * fee,
    );
    assert.equal(ledger.balance(contributors[bad]!.publicKey).reserved, bond0 + bondBad + 2n * fee);
    const challenged = await node.client.registry.contribution(mine[upheldIdx]!.id);
    assert.equal(challenged!.challenge!.challenger, address(upholder));
    assert.equal(challenged!.challenge!.bond, cb.toString());
    mark("challenges");

    // ---- 5. one challenge upheld, one dismissed: the owner judges the curator's decisions ----
    const resolved = await tx.batchOk([
      {
        label: "uphold",
        signer: owner,
        call: "Registry.resolveChallenge",
        args: { contributionId: mine[upheldIdx]!.id, uphold: true },
      },
      {
        label: "dismiss",
        signer: owner,
        call: "Registry.resolveChallenge",
        args: { contributionId: mine[dismissedIdx]!.id, uphold: false },
      },
    ]);
    {
      const who = contributors[upheldIdx]!.publicKey;
      const slashed = shareOf(bond0, p.registryChallengeSlashPpm);
      const reward = shareOf(slashed, p.registryChallengeRewardPpm);
      const r = resolved[0]!;
      assert.equal(amount(r, "ChallengeUpheld", "slashed"), slashed);
      assert.equal(amount(r, "ChallengeUpheld", "toChallenger"), reward);
      assert.equal(amount(r, "ChallengeUpheld", "toTreasury"), slashed - reward);
      assert.equal(amount(r, "ChallengeUpheld", "returned"), bond0 - slashed);
      ledger.slashTo(who, upholder.publicKey, reward);
      ledger.slashTo(who, TREASURY_ACCOUNT, slashed - reward);
      ledger.unreserve(who, bond0 - slashed);
      ledger.unreserve(upholder.publicKey, cb);
      // The review fee goes to the challenger, and the accepting curator loses part of its stake.
      ledger.slashTo(who, upholder.publicKey, fee);
      const curatorSlash = shareOf(p.registryCuratorBond, p.registryCuratorSlashPpm);
      const curatorReward = shareOf(curatorSlash, p.registryChallengeRewardPpm);
      assert.equal(amount(r, "CuratorSlashed", "slashed"), curatorSlash);
      assert.equal(amount(r, "CuratorSlashed", "toRecipient"), curatorReward);
      assert.equal(amount(r, "ReviewFeePaid", "amount"), fee);
      ledger.slashTo(curator.publicKey, upholder.publicKey, curatorReward);
      ledger.slashTo(curator.publicKey, TREASURY_ACCOUNT, curatorSlash - curatorReward);
    }
    {
      const slashed = shareOf(cb, p.registryDismissSlashPpm);
      const r = resolved[1]!;
      assert.equal(amount(r, "ChallengeDismissed", "slashed"), slashed);
      assert.equal(amount(r, "ChallengeDismissed", "toTreasury"), slashed);
      assert.equal(amount(r, "ChallengeDismissed", "returned"), cb - slashed);
      ledger.slashTo(dismissed.publicKey, TREASURY_ACCOUNT, slashed);
      ledger.unreserve(dismissed.publicKey, cb - slashed);
    }
    await ledger.settle("resolutions");
    assert.equal(ledger.balance(contributors[upheldIdx]!.publicKey).reserved, 0n);
    assert.equal(ledger.balance(contributors[dismissedIdx]!.publicKey).reserved, bond0 + fee);
    const curatorRecord = (await node.client.registry.curator(datanet.id, address(curator)))!;
    assert.deepEqual(
      [curatorRecord.decisions, curatorRecord.open, curatorRecord.stood, curatorRecord.overturned],
      [CONTRIBUTORS, CONTRIBUTORS - 1, 0, 1],
    );
    assert.equal(
      curatorRecord.standing,
      false,
      "slashed below the curator bond, it may not review",
    );
    assert.equal((await node.client.registry.contribution(mine[upheldIdx]!.id))!.status, "slashed");
    assert.equal(
      (await node.client.registry.contribution(mine[dismissedIdx]!.id))!.status,
      "accepted",
    );
    const repSlashed = await node.client.registry.reputation(address(contributors[upheldIdx]!));
    assert.equal(repSlashed.score, scoreAccepted(upheldIdx) - Number(p.registrySlashPenalty));
    assert.equal(repSlashed.slashed, 1);
    mark("resolutions");

    // ---- 5b. two rejected contributors appeal: one overturned (accepted at 77), one dismissed ----
    const [overturnedIdx, deniedIdx] = [ACCEPTED + 1, ACCEPTED + 2];
    const appeal = (i: number): PendingTx => ({
      label: `appeal ${i}`,
      signer: contributors[i]!,
      call: "Registry.appealRejection",
      args: { contributionId: mine[i]!.id, evidenceUri: `ipfs://appeal-${i}` },
    });
    await tx.batchOk([appeal(overturnedIdx), appeal(deniedIdx)]);
    for (const i of [overturnedIdx, deniedIdx]) ledger.reserve(contributors[i]!.publicKey, cb);
    await ledger.settle("appeals");
    const judged = await tx.batchOk([
      {
        label: "overturn",
        signer: owner,
        call: "Registry.resolveAppeal",
        args: { contributionId: mine[overturnedIdx]!.id, overturn: true, quality: 77 },
      },
      {
        label: "deny",
        signer: owner,
        call: "Registry.resolveAppeal",
        args: { contributionId: mine[deniedIdx]!.id, overturn: false, quality: 0 },
      },
    ]);
    {
      // Overturned: the appellant's bond and the fee back, the curator slashed again (half of
      // what is left), the contribution accepted with its bond reserved through a new window.
      const who = contributors[overturnedIdx]!.publicKey;
      const r = judged[0]!;
      const left =
        p.registryCuratorBond - shareOf(p.registryCuratorBond, p.registryCuratorSlashPpm);
      const curatorSlash = shareOf(left, p.registryCuratorSlashPpm);
      const curatorReward = shareOf(curatorSlash, p.registryChallengeRewardPpm);
      assert.equal(amount(r, "CuratorSlashed", "slashed"), curatorSlash);
      ledger.unreserve(who, cb + fee);
      ledger.slashTo(curator.publicKey, who, curatorReward);
      ledger.slashTo(curator.publicKey, TREASURY_ACCOUNT, curatorSlash - curatorReward);
    }
    {
      // Dismissed: the appellant loses part of its appeal bond and the rejection stands at once.
      const who = contributors[deniedIdx]!.publicKey;
      const r = judged[1]!;
      const appealSlash = shareOf(cb, p.registryDismissSlashPpm);
      assert.equal(amount(r, "AppealDismissed", "slashed"), appealSlash);
      assert.equal(amount(r, "RejectionStood", "slashed"), rejectSlash);
      ledger.slashTo(who, TREASURY_ACCOUNT, appealSlash);
      ledger.unreserve(who, cb - appealSlash);
      ledger.slashTo(who, TREASURY_ACCOUNT, rejectSlash);
      ledger.unreserve(who, bond0 - rejectSlash);
      ledger.slashTo(who, curator.publicKey, fee);
    }
    await ledger.settle("appeal resolutions");
    const reinstated = (await node.client.registry.contribution(mine[overturnedIdx]!.id))!;
    assert.equal(reinstated.status, "accepted");
    assert.equal(reinstated.quality, 77);
    assert.equal(reinstated.reviewer, address(owner));
    assert.equal(
      (await node.client.registry.reputation(address(contributors[overturnedIdx]!))).score,
      77 * Number(p.registryReputationPerQuality),
      "the rejection's penalty is given back",
    );
    assert.equal(
      (await node.client.registry.contribution(mine[deniedIdx]!.id))!.decisionOpen,
      false,
    );
    mark("appeals");

    // ---- 6. a version; every inclusion proof verifies client-side, tampered ones fail ----
    const [published] = await tx.batchOk([
      {
        label: "publishVersion",
        signer: owner,
        call: "Registry.publishVersion",
        args: { datanetId: datanet.id, metadataUri: "ipfs://warehouse-vision/v1" },
      },
    ]);
    await ledger.settle("version");
    const at = published!.blockHash;
    const version = (await node.client.registry.datanet(datanet.id, at))!.versionCount;
    assert.equal(version, 1);
    // Pending when `mine` was read: the weights are the qualities the curator gave, and the
    // owner's for the rejection it overturned.
    const included = mine
      .slice(0, ACCEPTED)
      .map((c, i) => ({ id: c.id, quality: quality(i) }))
      .filter((_, i) => i !== upheldIdx);
    included.push({ id: mine[overturnedIdx]!.id, quality: 77 });
    included.sort((x, y) => x.id - y.id);
    const totalWeight = included.reduce((sum, c) => sum + c.quality, 0);
    const record = (await node.client.registry.version(datanet.id, version, at))!;
    assert.equal(record.count, ACCEPTED);
    assert.equal(record.totalWeight, totalWeight);
    // The client trusts the header only: the version record comes by a state proof against it.
    const header = (await node.client.chain.getHeader(at))!;
    const { proof: stateProof } = await node.client.state.getReadProof([record.storageKey], at);
    const proven = verifyProof(
      fromHex(header.stateRoot),
      fromHex(record.storageKey),
      stateProof.map((n) => fromHex(n)),
    );
    assert.ok(proven.found, "the version record is in the finalized state");
    assert.equal(
      record.storageKey,
      toHex(registryStorage.versions.key(keys.version(datanet.id, version))) as Hex,
    );
    const value = proven.value;
    const stored = registryStorage.versions.get(
      { get: () => value },
      keys.version(datanet.id, version),
    )!;
    assert.equal(stored.totalWeight, totalWeight);
    const proofs = await Promise.all(
      included.map((c) => node.client.registry.proof(datanet.id, version, c.id, at)),
    );
    proofs.forEach((proof, k) => {
      const c = included[k]!;
      assert.ok(proof, `a proof for contribution ${c.id}`);
      assert.equal(proof.weight, c.quality, `contribution ${c.id}'s weight is its quality`);
      const merkle = {
        index: proof.proof.index,
        count: proof.proof.count,
        siblings: proof.proof.siblings.map((h) => fromHex(h)),
      };
      assert.ok(verifyVersionProof(stored.root, c.id, proof.weight, merkle), `${c.id} verifies`);
      assert.ok(!verifyVersionProof(stored.root, c.id, proof.weight + 1, merkle), "forged weight");
      const flipped = merkle.siblings.map((s, j) =>
        j === 0 ? s.map((b, n) => (n === 0 ? b ^ 1 : b)) : s,
      );
      assert.ok(
        !verifyVersionProof(stored.root, c.id, proof.weight, { ...merkle, siblings: flipped }),
      );
      const other = included[(k + 1) % included.length]!;
      assert.ok(!verifyVersionProof(stored.root, other.id, proof.weight, merkle), "wrong id");
    });
    // Neither the slashed, nor a rejected, nor a pending contribution is in the version.
    for (const c of [mine[upheldIdx]!, mine[ACCEPTED]!, spammed.items[0]!])
      assert.equal(await node.client.registry.proof(datanet.id, version, c.id, at), null);
    mark(`version of ${record.count} verified`);
  });
});
