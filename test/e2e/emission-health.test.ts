// The economic health record on a running dev node (half-second slots, six-block epochs), driven
// through RPC only: a scripted marketplace — two datanets, four contributors, two models, honest
// payments, a wash-trading model owner paying himself, a quiet epoch — and then every field of
// every epoch's record read by emission_health is compared with the same figures recomputed in
// the test from what the test itself did (fixtures/health-model.ts). The supply in each record is
// checked against the state at the block that wrote it, the record's absence one block earlier,
// the schedule's projection against its formula, and the Prometheus gauges against the latest
// record.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UNIT, u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import type { Keypair } from "../../primitives/keys.ts";
import type { Hex, RpcHealthRecord } from "../../rpc/node-api.ts";
import { builtinChainSpec, type ChainSpec } from "../../runtime/chain-spec.ts";
import { storage as balancesStorage } from "../../runtime/pallets/balances.ts";
import { PARAMS } from "../../runtime/pallets/params.ts";
import {
  defaultModelParams,
  type ExpectedRecord,
  HealthModel,
} from "../unit/runtime/fixtures/health-model.ts";
import { type InProcessNode, startDevNode } from "./fixtures/in-process-node.ts";
import { runCli } from "./fixtures/node-process.ts";
import { type Included, reachBlock as reachBlockOf, TxDriver } from "./fixtures/registry-ledger.ts";

const EPOCH = 6;
const WAIT_MS = 30_000;
const PRICE = UNIT / 10n;
const DATA_SHARE = 500_000;

function spec(): ChainSpec {
  const dev = structuredClone(builtinChainSpec("dev")!);
  if (!("runtimeGenesis" in dev.genesis)) throw new Error("dev spec is raw");
  const config = dev.genesis.runtimeGenesis.config;
  config.authorities.slotDuration = 500;
  config.params = {
    ...config.params,
    epochLength: String(EPOCH),
    emissionPassiveEpochs: "2",
    emissionRetentionEpochs: "2",
  };
  return dev;
}

const OPEN = { kind: 0, fee: u128ToBytes(0n), allowList: [], commercial: true, attribution: true };
const datanet = (name: string) => ({
  name,
  modality: 1,
  description: "",
  metadataUri: `ipfs://${name}`,
  licence: OPEN,
  policy: {
    curators: [],
    minBond: u128ToBytes(UNIT),
    reviewWindow: 500,
    challengeWindow: 5,
    pendingLimit: 0,
  },
});

describe("emission health on a running node", () => {
  let node: InProcessNode;
  let tx: TxDriver;

  before(async () => {
    node = await startDevNode(spec());
    const genesisHash = fromHex((await node.client.chain.getBlockHash(0))!);
    tx = new TxDriver(node.client, genesisHash, WAIT_MS);
  });
  after(() => node?.stop());

  const bestNumber = async () => Number((await node.client.chain.getHeader())!.number);
  const reachBlock = (n: number) => reachBlockOf(node.client, n, WAIT_MS);

  it("every field of every epoch's record matches the test's own computation", async () => {
    const [alice, bob, charlie, dave, eve, ferdie] = (
      ["alice", "bob", "charlie", "dave", "eve", "ferdie"] as const
    ).map(devKeypair) as Keypair[] as [Keypair, Keypair, Keypair, Keypair, Keypair, Keypair];
    const genesis = await node.client.chain.getBlockHash(0);
    const issuanceKey = toHex(balancesStorage.totalIssuance.key) as Hex;
    const issuanceAt = async (at: Hex) => {
      const raw = await node.client.state.getStorage(issuanceKey, at);
      return balancesStorage.totalIssuance.get({
        get: () => (raw === null ? undefined : fromHex(raw)),
      });
    };
    const model = new HealthModel(
      await issuanceAt(genesis!),
      defaultModelParams({ passiveEpochs: 2, retentionEpochs: 2 }),
    );
    const epochOf = (i: Included) => Math.floor(i.blockNumber / EPOCH);
    const contributorOf = new Map<number, string>();
    const datanetOfModel = new Map<number, number>();
    const datanetOfContribution = new Map<number, number>();
    const observe = (included: Included[]) => {
      for (const i of included)
        for (const e of i.events) {
          if (e.name === "DatanetCreated")
            model.datanetCreated(e.data.datanetId as number, toHex(e.data.account as Uint8Array));
          if (e.name === "ContributionSubmitted") {
            datanetOfContribution.set(
              e.data.contributionId as number,
              Number(e.data.datanetId as number),
            );
            contributorOf.set(e.data.contributionId as number, toHex(e.data.account as Uint8Array));
            model.submitted(epochOf(i), toHex(e.data.account as Uint8Array));
          }
          if (e.name === "ContributionAccepted")
            model.accepted(
              epochOf(i),
              contributorOf.get(e.data.contributionId as number)!,
              e.data.quality as number,
              datanetOfContribution.get(e.data.contributionId as number)!,
            );
          if (e.name === "ModelRegistered")
            datanetOfModel.set(e.data.modelId as number, datanetOfModel.size);
          if (e.name === "InferencePaid")
            model.paid(epochOf(i), {
              payer: toHex(e.data.payer as Uint8Array),
              total: u128FromBytes(e.data.total as Uint8Array),
              selfDealing: e.data.selfDealing as boolean,
              datanet: datanetOfModel.get(e.data.modelId as number)!,
              dataSharePpm: BigInt(DATA_SHARE),
            });
        }
    };
    const submit = (who: Keypair, datanetId: number, n: number) => ({
      label: `submit ${n}`,
      signer: who,
      call: "Registry.submitContribution",
      args: { datanetId, contentHash: hash(new Uint8Array([n])), size: 1, metadataUri: "" },
    });
    const accept = (curator: Keypair, contributionId: number, quality: number) => ({
      label: `accept ${contributionId}`,
      signer: curator,
      call: "Registry.acceptContribution",
      args: { contributionId, quality },
    });
    const registerModel = (owner: Keypair, datanetId: number) => ({
      label: `model on ${datanetId}`,
      signer: owner,
      call: "Attribution.registerModel",
      args: {
        metadataUri: `ipfs://model-${datanetId}`,
        manifest: [{ datanetId, version: 1, weightPpm: 1_000_000 }],
        pricePerUnit: u128ToBytes(PRICE),
        dataSharePpm: DATA_SHARE,
      },
    });
    const pay = (who: Keypair, modelId: number, units: number) => ({
      label: `pay ${modelId} × ${units}`,
      signer: who,
      call: "Attribution.payInference",
      args: { modelId, units, maxTotal: u128ToBytes(BigInt(units) * PRICE) },
    });

    // The marketplace: datanet 0 (alice) with bob q10, charlie q90 (the high-quality cohort),
    // dave q40; datanet 1 (ferdie) with eve q50; dave's model on 0, eve's model on 1.
    observe(
      await tx.batchOk([
        { label: "datanet 0", signer: alice, call: "Registry.createDatanet", args: datanet("a") },
        { label: "datanet 1", signer: ferdie, call: "Registry.createDatanet", args: datanet("b") },
      ]),
    );
    observe(
      await tx.batchOk([
        submit(bob, 0, 0),
        submit(charlie, 0, 1),
        submit(dave, 0, 2),
        submit(eve, 1, 3),
      ]),
    );
    observe(
      await tx.batchOk([
        accept(alice, 0, 10),
        accept(alice, 1, 90),
        accept(alice, 2, 40),
        accept(ferdie, 3, 50),
      ]),
    );
    observe(
      await tx.batchOk([
        {
          label: "v1 of 0",
          signer: alice,
          call: "Registry.publishVersion",
          args: { datanetId: 0, metadataUri: "" },
        },
        {
          label: "v1 of 1",
          signer: ferdie,
          call: "Registry.publishVersion",
          args: { datanetId: 1, metadataUri: "" },
        },
      ]),
    );
    observe(await tx.batchOk([registerModel(dave, 0), registerModel(eve, 1)]));
    // Honest use of both models, and dave paying his own model (self-dealing).
    observe(await tx.batchOk([pay(ferdie, 0, 30), pay(bob, 1, 7), pay(dave, 0, 5)]));
    // The next epoch: a little more use of model 0; then a quiet epoch; then model 1 again.
    let epoch = Math.floor((await bestNumber()) / EPOCH);
    await reachBlock((epoch + 1) * EPOCH);
    observe(await tx.batchOk([pay(ferdie, 0, 3)]));
    epoch = Math.floor((await bestNumber()) / EPOCH);
    await reachBlock((epoch + 2) * EPOCH);
    // Charlie pays for the model trained on his own datanet: suspected wash volume.
    observe(await tx.batchOk([pay(bob, 1, 2), pay(charlie, 0, 2)]));
    const lastEpoch = Math.floor((await bestNumber()) / EPOCH) + 1;
    // Wait for the close of `lastEpoch` (it finishes in the first block after it).
    await reachBlock((lastEpoch + 1) * EPOCH + 1);

    const page = await node.client.emission.health(0);
    const latestClosed = page.latest;
    assert.ok(latestClosed !== null && latestClosed >= lastEpoch, `latest ${latestClosed}`);
    assert.deepEqual(
      page.items.map((r) => r.epoch),
      Array.from({ length: latestClosed + 1 }, (_, i) => i),
    );
    const entries = (d: number) =>
      [...contributorOf.entries()]
        .filter(([id]) => (d === 0 ? id <= 2 : id === 3))
        .map(([id, contributor]) => ({ contributor, weight: BigInt([10, 90, 40, 50][id]!) }));
    const asJson = (r: ExpectedRecord): Omit<RpcHealthRecord, "closedAt" | "totalIssuance"> => ({
      epoch: r.epoch,
      scheduled: r.scheduled.toString(),
      validators: r.validators.toString(),
      contributors: r.contributors.toString(),
      treasury: r.treasury.toString(),
      emitted: (r.validators + r.contributors + r.treasury).toString(),
      contributorCap: r.contributorCap.toString(),
      volume: r.volume.toString(),
      selfDealing: r.selfDealing.toString(),
      suspectedWash: r.suspectedWash.toString(),
      eligibleFees: r.eligibleFees.toString(),
      protocolFees: r.protocolFees.toString(),
      emissionPerVolumePpm: r.emissionPerVolumePpm?.toString() ?? null,
      payers: r.payers,
      activeContributors: r.activeContributors,
      passiveContributors: r.passiveContributors,
      accepted: r.accepted,
      rejected: r.rejected,
      cohort: r.cohort,
      retained: r.retained,
      retentionPpm: r.retentionPpm,
      earners: r.earners,
      giniPpm: r.giniPpm,
    });
    for (const record of page.items) {
      const { closedAt, totalIssuance, ...rest } = record;
      assert.deepEqual(rest, asJson(model.close(record.epoch, entries)), `epoch ${record.epoch}`);
      // The record was written by block closedAt, in the epoch after its own, and not before.
      assert.ok(
        closedAt >= (record.epoch + 1) * EPOCH,
        `epoch ${record.epoch} closed at ${closedAt}`,
      );
      // The supply in the record is the state's at the end of the epoch's last block.
      const lastBlock = (await node.client.chain.getBlockHash((record.epoch + 1) * EPOCH - 1))!;
      assert.equal(BigInt(totalIssuance), await issuanceAt(lastBlock));
      const before = (await node.client.chain.getBlockHash(closedAt - 1))!;
      const earlier = await node.client.emission.health(record.epoch, record.epoch, before);
      assert.deepEqual(earlier.items, []);
    }
    // The scenario reached what it meant to: real and self-dealt volume, a passive spell, a
    // cohort measured, several earners with unequal earnings.
    const items = page.items;
    // (The self-dealt and honest payments of one batch may straddle an epoch boundary.)
    assert.ok(items.some((r) => r.selfDealing !== "0"));
    assert.ok(items.some((r) => r.volume !== "0"));
    assert.ok(items.some((r) => r.suspectedWash !== "0"));
    assert.ok(items.some((r) => r.passiveContributors > 0));
    assert.ok(items.some((r) => r.retentionPpm !== null));
    assert.ok(items.some((r) => r.earners >= 3 && r.giniPpm > 0));

    // The schedule's projection continues from the supply scheduled so far.
    const schedule = await node.client.emission.schedule(3);
    const max = PARAMS.emissionMaxSupply.default;
    const rate = PARAMS.emissionRatePpm.default;
    let supply = BigInt(schedule.scheduledSupply);
    for (const e of schedule.epochs) {
      const expected = ((max - supply) * rate) / 1_000_000n;
      assert.equal(e.scheduled, expected.toString());
      supply += expected;
      assert.equal(e.scheduledSupply, supply.toString());
    }
    assert.ok(schedule.epochs[0]!.epoch > latestClosed);

    // The wallet prints the same records and schedule.
    const cli = await runCli([
      "query",
      "emission",
      "health",
      "--from",
      "0",
      "--to",
      "1",
      "--rpc",
      node.url,
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).items, page.items.slice(0, 2));
    const bad = await runCli([
      "query",
      "emission",
      "health",
      "--from",
      "3",
      "--to",
      "1",
      "--rpc",
      node.url,
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--to: the range ends \(1\) before it starts \(3\) \[INVALID_CLI\]/);

    // Prometheus shows the latest record the best block has.
    const latest = (await node.client.emission.health(0)).latest!;
    const metrics = await node.service.metrics.render();
    const shown = Number(/lineage_health_epoch\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(shown >= latestClosed && shown <= latest, `${shown}`);
  });
});
