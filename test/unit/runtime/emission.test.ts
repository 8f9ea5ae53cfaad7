// Emission in real blocks: the schedule, its shares, the usage-backed cap, wash trading, the
// supply cap over many epochs, the bounded close, and the health record recomputed independently.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { u128FromBytes } from "../../../primitives/amount.ts";
import { bytesEqual, concatBytes, toHex, u64be } from "../../../primitives/bytes.ts";
import type { DevAccountName } from "../../../primitives/dev-accounts.ts";
import {
  storage as attributionStorage,
  claimableFor,
  getPool,
} from "../../../runtime/pallets/attribution/index.ts";
import { currentEpoch } from "../../../runtime/pallets/authorities.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import {
  storage as emissionStorage,
  type HealthRecord,
  healthRecord,
  latestHealthEpoch,
  poolEmission,
  scheduledSupply,
} from "../../../runtime/pallets/emission/index.ts";
import { PARAMS } from "../../../runtime/pallets/params.ts";
import {
  getContribution,
  storage as registryStorage,
  versionEntries,
} from "../../../runtime/pallets/registry/index.ts";
import { readAccount } from "../../../runtime/pallets/system.ts";
import { TREASURY_ACCOUNT } from "../../../runtime/pallets/transaction-payment.ts";
import { defaultModelParams, HealthModel } from "./fixtures/health-model.ts";
import { buildMarketplace, chainWith, PRICE, pay } from "./fixtures/marketplace.ts";
import { contentHash } from "./fixtures/registry-harness.ts";
import { type DecodedEvent, pub, type TestChain } from "./fixtures/test-chain.ts";

const PPM = 1_000_000n;
const EPOCH = 8;
const amount = (e: DecodedEvent, field = "amount") => u128FromBytes(e.data[field] as Uint8Array);
const named = (events: DecodedEvent[], name: string) => events.filter((e) => e.name === name);

/** Empty blocks until the health record of `epoch` exists; the events of those blocks. */
function closeEpoch(chain: TestChain, epoch: number, limit = 10 * EPOCH): DecodedEvent[] {
  const events: DecodedEvent[] = [];
  for (let i = 0; i < limit && !healthRecord(chain.state, epoch); i++)
    events.push(...chain.block().events);
  assert.ok(healthRecord(chain.state, epoch), `epoch ${epoch} closed within ${limit} blocks`);
  return events;
}

/** Empty blocks up to the last block of `epoch` (epochs of EPOCH blocks; epoch 0 is 1..EPOCH−1). */
function runToEndOf(chain: TestChain, epoch: number): void {
  while (chain.headNumber < (epoch + 1) * EPOCH - 1) chain.block();
}

/** Empty blocks until the chain is in `epoch`. */
function reachEpoch(chain: TestChain, epoch: number): void {
  while (currentEpoch(chain.state) < epoch) chain.block();
}

const defaults = {
  rate: PARAMS.emissionRatePpm.default,
  validators: PARAMS.emissionValidatorPpm.default,
  contributors: PARAMS.emissionContributorPpm.default,
  treasury: PARAMS.emissionTreasuryPpm.default,
  k: PARAMS.emissionVolumeFactorPpm.default,
  max: PARAMS.emissionMaxSupply.default,
};

describe("emission", () => {
  it("with no marketplace volume, contributors get nothing and validators their scheduled share", () => {
    const chain = chainWith({ epochLength: String(EPOCH) });
    const genesisIssuance = totalIssuance(chain.state);
    buildMarketplace(chain);
    let expectedScheduled = genesisIssuance;
    for (let epoch = 0; epoch < 3; epoch++) {
      runToEndOf(chain, epoch);
      const aliceBefore = readAccount(chain.state, pub("alice")).free;
      const treasuryBefore = readAccount(chain.state, TREASURY_ACCOUNT).free;
      const issuanceBefore = totalIssuance(chain.state);
      const events = closeEpoch(chain, epoch);
      const record = healthRecord(chain.state, epoch)!;
      const scheduled = ((defaults.max - expectedScheduled) * defaults.rate) / PPM;
      expectedScheduled += scheduled;
      assert.equal(record.scheduled, scheduled);
      assert.equal(scheduledSupply(chain.state), expectedScheduled);
      assert.equal(record.volume, 0n);
      assert.equal(record.contributors, 0n);
      assert.equal(named(events, "PoolRewarded").length, 0);
      assert.equal(record.validators, (scheduled * defaults.validators) / PPM);
      assert.equal(record.treasury, (scheduled * defaults.treasury) / PPM);
      // Alice authored every block of the dev chain: she receives the validators' share whole.
      const rewards = named(events, "ValidatorRewarded");
      assert.equal(rewards.length, 1);
      assert.ok(bytesEqual(rewards[0]!.data.account as Uint8Array, pub("alice")));
      assert.equal(amount(rewards[0]!), record.validators);
      assert.equal(readAccount(chain.state, pub("alice")).free - aliceBefore, record.validators);
      assert.equal(
        readAccount(chain.state, TREASURY_ACCOUNT).free - treasuryBefore,
        record.treasury,
      );
      assert.equal(
        totalIssuance(chain.state) - issuanceBefore,
        record.validators + record.treasury,
      );
      assert.equal(record.emissionPerVolumePpm, null);
    }
  });

  it("never mints more than the schedule, nor more than k × volume or λ × protocol fees to contributors", () => {
    fc.assert(
      fc.property(
        fc.record({
          k: fc.bigInt({ min: 0n, max: 3_000_000n }),
          lambda: fc.bigInt({ min: 0n, max: 999_999n }),
          rate: fc.bigInt({ min: 0n, max: 1_000_000n }),
          maxSupplyLin: fc.bigInt({ min: 1n, max: 20_000_000n }),
          units: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 2 }),
        }),
        ({ k, lambda, rate, maxSupplyLin, units }) => {
          const chain = chainWith({
            epochLength: String(EPOCH),
            emissionVolumeFactorPpm: String(k),
            emissionFeeMultiplePpm: String(lambda),
            emissionRatePpm: String(rate),
            emissionMaxSupply: String(maxSupplyLin * 10n ** 12n),
          });
          buildMarketplace(chain);
          for (const [i, u] of units.entries()) {
            reachEpoch(chain, i + 1);
            if (u > 0) chain.block([pay(chain, "bob", 1, u)]);
          }
          reachEpoch(chain, units.length + 1);
          closeEpoch(chain, units.length);
          for (let epoch = 0; epoch <= units.length; epoch++) {
            const r = healthRecord(chain.state, epoch)!;
            assert.ok(r.validators + r.contributors + r.treasury <= r.scheduled);
            assert.ok(r.contributors <= r.contributorCap);
            const byVolume = (r.volume * k) / PPM;
            const byFees = (r.protocolFees * lambda) / PPM;
            assert.equal(r.contributorCap, byVolume < byFees ? byVolume : byFees);
            assert.ok(r.contributors < r.protocolFees || r.protocolFees === 0n);
            const share = (r.scheduled * defaults.contributors) / PPM;
            // Bob pays eve's model, one pool with all the epoch's protocol fees: the cap is exact.
            const expected = share < r.contributorCap ? share : r.contributorCap;
            assert.equal(r.contributors, expected);
            assert.ok(
              totalIssuance(chain.state) <= maxSupplyLin * 10n ** 12n || r.scheduled === 0n,
            );
          }
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });

  it("a wash-trading model owner paying itself earns no emission; honest use does", () => {
    const chain = chainWith({ epochLength: String(EPOCH) });
    buildMarketplace(chain);
    reachEpoch(chain, 1);
    // Dave pays his own model (trained on datanet 0, where he contributes): self-dealing.
    // Alice pays eve's model (datanet 1): real use.
    const payments = chain.block([pay(chain, "dave", 0, 100), pay(chain, "alice", 1, 10)]);
    assert.ok(payments.outcomes.every((o) => o.success));
    const selfPool = getPool(chain.state, 0, 1)!;
    runToEndOf(chain, 1);
    const events = closeEpoch(chain, 1);
    const record = healthRecord(chain.state, 1)!;
    assert.equal(record.volume, 10n * PRICE);
    assert.equal(record.selfDealing, 100n * PRICE);
    assert.equal(record.payers, 1);
    assert.equal(poolEmission(chain.state, 1, 0, 1), 0n);
    assert.ok(record.contributors > 0n);
    assert.equal(poolEmission(chain.state, 1, 1, 1), record.contributors);
    const rewarded = named(events, "PoolRewarded");
    assert.deepEqual(
      rewarded.map((e) => [e.data.datanetId, e.data.version, amount(e)]),
      [[1, 1, record.contributors]],
    );
    // The self-dealt pool holds exactly what dave paid into it, no emission: dave's claim is his
    // weight's share of his own money.
    assert.equal(getPool(chain.state, 0, 1)!.deposited, selfPool.deposited);
    const daveWeight = 40n;
    const totalWeight = 10n + 90n + 40n;
    assert.equal(
      claimableFor(chain.state, 0, 1, 2),
      (selfPool.deposited * daveWeight) / totalWeight,
    );
  });

  it("holds the supply cap over 10,000 short epochs", () => {
    const genesis = totalIssuance(chainWith({}).state);
    const maxSupply = genesis + 5_000n * 10n ** 12n;
    const chain = chainWith({
      epochLength: "1",
      emissionRatePpm: "1000",
      emissionMaxSupply: String(maxSupply),
    });
    let previous = totalIssuance(chain.state);
    let scheduled = genesis;
    let minted = 0n;
    for (let block = 1; block <= 10_001; block++) {
      const events = chain.block().events;
      const issuance = totalIssuance(chain.state);
      assert.ok(issuance <= maxSupply, `block ${block}: ${issuance} > ${maxSupply}`);
      assert.ok(issuance >= previous, "no fees are burned in empty blocks: issuance only grows");
      previous = issuance;
      for (const e of named(events, "EpochClosed")) {
        const expected = ((maxSupply - scheduled) * 1000n) / PPM;
        assert.equal(amount(e, "scheduled"), expected, `epoch ${e.data.epoch}`);
        scheduled += expected;
        minted += amount(e, "validators") + amount(e, "contributors") + amount(e, "treasury");
      }
    }
    assert.equal(healthRecord(chain.state, 9_999)?.epoch, 9_999);
    assert.equal(totalIssuance(chain.state), genesis + minted);
    assert.ok(scheduled <= maxSupply);
    // The geometric decay: after 10,000 epochs at 0.1% the headroom is about e^-10 of what it was.
    const headroom = maxSupply - scheduled;
    assert.ok(headroom > 0n && headroom < (5_000n * 10n ** 12n) / 20_000n, `${headroom}`);
  });

  it("spreads an epoch's close over blocks with bounded work and reaches the same record", () => {
    const run = (steps: string) => {
      const chain = chainWith({ epochLength: String(EPOCH), emissionMaxStepsPerBlock: steps });
      buildMarketplace(chain);
      reachEpoch(chain, 1);
      chain.block([pay(chain, "ferdie", 0, 30), pay(chain, "bob", 1, 7)]);
      runToEndOf(chain, 1);
      const start = chain.headNumber + 1;
      closeEpoch(chain, 1);
      return { record: healthRecord(chain.state, 1)!, blocks: chain.headNumber + 1 - start };
    };
    const wide = run("1000");
    const narrow = run("1");
    assert.equal(wide.blocks, 1);
    // validators: 1 author; distribute: 2 pools; newContributors: none in epoch 1; earners: 2
    // pool visits + 4 entries; gini: 4 earners; retention: empty cohort. One step per block.
    assert.ok(narrow.blocks >= 10, `${narrow.blocks} blocks`);
    const { closedAt: _a, totalIssuance: _b, ...wideRest } = wide.record;
    const { closedAt: _c, totalIssuance: _d, ...narrowRest } = narrow.record;
    assert.deepEqual(narrowRest, wideRest);
  });

  it("pays each epoch's emission on time even when its health records fall behind", () => {
    const L = 4;
    const chain = chainWith({ epochLength: String(L), emissionMaxStepsPerBlock: "2" });
    buildMarketplace(chain); // blocks 1..5: epoch 0 and the start of epoch 1
    const paidIn = new Map<number, number>(); // epoch → block whose events paid its validators
    let behind = false;
    for (let block = chain.headNumber + 1; block <= 12 * L; block++) {
      const epoch = Math.floor(block / L);
      // Real use in every epoch: both pools earn, so every record walks all four contributors.
      const xts = block % L === 1 ? [pay(chain, "ferdie", 0, 3), pay(chain, "bob", 1, 2)] : [];
      const result = chain.block(xts);
      assert.ok(result.outcomes.every((o) => o.success));
      for (const e of named(result.events, "ValidatorRewarded"))
        paidIn.set(Number(e.data.epoch), block);
      const latest = latestHealthEpoch(chain.state) ?? -1;
      if (latest < epoch - 2) behind = true;
    }
    assert.ok(behind, "the statistics fell more than an epoch behind");
    for (let epoch = 1; epoch < 11; epoch++) {
      const block = paidIn.get(epoch);
      assert.ok(block !== undefined && block < (epoch + 2) * L, `epoch ${epoch} paid in ${block}`);
    }
    // With the chain quiet, the records catch up, and each states what was minted on time.
    closeEpoch(chain, 11, 40 * L);
    for (let epoch = 2; epoch <= 11; epoch++) {
      const record = healthRecord(chain.state, epoch)!;
      assert.ok(record.contributors > 0n, `epoch ${epoch}`);
      assert.equal(record.earners, 4, `epoch ${epoch}`);
    }
  });

  it("writes health records whose every field matches an independent computation", () => {
    const chain = chainWith({
      epochLength: String(EPOCH),
      emissionPassiveEpochs: "2",
      emissionRetentionEpochs: "2",
      emissionMaxStepsPerBlock: "3",
    });
    const model = new HealthModel(
      totalIssuance(chain.state),
      defaultModelParams({ passiveEpochs: 2, retentionEpochs: 2 }),
    );
    observe(model, 0, buildMarketplace(chain)); // epoch 0: 4 accepted, charlie's at 90
    const plan: ((c: TestChain) => Uint8Array[])[] = [
      // Epoch 1: bob's contribution 4 accepted at 95 puts him in epoch 1's high-quality cohort.
      (c) => [
        pay(c, "ferdie", 0, 30),
        pay(c, "bob", 1, 7),
        pay(c, "dave", 0, 5),
        submit(c, "bob", 10, 1),
        c.sign("alice", "Registry.acceptContribution", { contributionId: 4, quality: 95 }),
      ],
      // Epoch 2: charlie (epoch 0's cohort) earns a trickle but submits nothing: not retained.
      (c) => [pay(c, "ferdie", 0, 3)],
      // Epoch 3: bob (epoch 1's cohort) submits again: retained.
      (c) => [submit(c, "bob", 11)],
      // Charlie pays for the model trained on his own datanet: suspected wash.
      (c) => [pay(c, "bob", 1, 2), pay(c, "charlie", 0, 2)],
    ];
    for (const [i, step] of plan.entries()) {
      reachEpoch(chain, i + 1);
      const result = chain.block(step(chain));
      assert.ok(result.outcomes.every((o) => o.success));
      observe(model, i + 1, [result]);
    }
    reachEpoch(chain, plan.length + 1);
    closeEpoch(chain, plan.length);
    const entries = (datanet: number) =>
      versionEntries(chain.state, datanet, 1).map((e) => ({
        contributor: toHex(getContribution(chain.state, e.contributionId)!.contributor),
        weight: BigInt(e.weight),
      }));
    const records: HealthRecord[] = [];
    for (let epoch = 0; epoch <= plan.length; epoch++) {
      const record = healthRecord(chain.state, epoch)!;
      records.push(record);
      const { closedAt: _c, totalIssuance: _t, ...rest } = record;
      assert.deepEqual(rest, model.close(epoch, entries), `epoch ${epoch}`);
    }
    // Once an epoch's record is written, its per-account entries are gone; the totals stay.
    const keysUnder = (prefix: Uint8Array, epoch: number) =>
      [...chain.state.entries(concatBytes(prefix, u64be(epoch)))].length;
    const perAccount = [
      attributionStorage.epochPayers.prefix,
      emissionStorage.epochBlocks.prefix,
      emissionStorage.earned.prefix,
      emissionStorage.earnedSorted.prefix,
      registryStorage.epochSubmitters.prefix,
      registryStorage.newContributors.prefix,
    ];
    for (let epoch = 0; epoch <= plan.length; epoch++) {
      for (const prefix of perAccount) assert.equal(keysUnder(prefix, epoch), 0, `epoch ${epoch}`);
      if (epoch >= 2)
        assert.equal(
          keysUnder(registryStorage.highQuality.prefix, epoch - 2),
          0,
          `cohort ${epoch}`,
        );
    }
    assert.ok(keysUnder(emissionStorage.epochBlocks.prefix, plan.length + 1) > 0, "the open epoch");
    // The scenario exercises what it should: several earners, a passive spell, a retained cohort.
    assert.ok(records.some((r) => r.earners >= 2 && r.giniPpm > 0));
    assert.ok(records.some((r) => r.passiveContributors > 0));
    // Retention counts submissions, not earnings: a trickle does not keep charlie retained.
    assert.ok(records[2]!.earners > 0);
    assert.deepEqual([records[2]!.cohort, records[2]!.retained], [1, 0]);
    assert.deepEqual([records[3]!.cohort, records[3]!.retained], [1, 1]);
    assert.ok(records.some((r) => r.selfDealing > 0n));
    assert.ok(records[4]!.suspectedWash > 0n && records[4]!.suspectedWash < records[4]!.volume);
    assert.ok(records.slice(0, 4).every((r) => r.suspectedWash === 0n));
  });
});

/** Feeds the model what the blocks' events say happened in `epoch`. */
function observe(model: HealthModel, epoch: number, blocks: { events: DecodedEvent[] }[]): void {
  const models = [0n, 1n]; // model i trains on datanet i (fixtures/marketplace.ts)
  for (const { events } of blocks) {
    for (const e of events) {
      if (e.name === "DatanetCreated")
        model.datanetCreated(e.data.datanetId as number, toHex(e.data.account as Uint8Array));
      if (e.name === "ContributionSubmitted")
        model.submitted(epoch, toHex(e.data.account as Uint8Array));
      if (e.name === "ContributionAccepted") {
        const c = e.data.contributionId as number;
        model.accepted(epoch, CONTRIBUTORS[c]!, e.data.quality as number, DATANET_OF[c]!);
      }
      if (e.name === "InferencePaid")
        model.paid(epoch, {
          payer: toHex(e.data.payer as Uint8Array),
          total: amount(e, "total"),
          selfDealing: e.data.selfDealing as boolean,
          datanet: Number(models[e.data.modelId as number]),
          dataSharePpm: 500_000n,
        });
    }
  }
}

/** The contributor of each contribution id the marketplace creates. */
const CONTRIBUTORS = (["bob", "charlie", "dave", "eve", "bob"] as const).map((n) => toHex(pub(n)));
/** The datanet of each of those contributions. */
const DATANET_OF = [0, 0, 0, 1, 0];

/** A submission to datanet 0 with content `n`, after `before` other transactions of `who`. */
function submit(chain: TestChain, who: DevAccountName, n: number, before = 0): Uint8Array {
  const args = { datanetId: 0, contentHash: contentHash(n), size: 1, metadataUri: "" };
  return chain.sign(who, "Registry.submitContribution", args, {
    nonce: chain.nonceOf(who) + before,
  });
}
