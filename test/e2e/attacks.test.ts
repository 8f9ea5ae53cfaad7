// Issue 13's attacks on a running dev node (half-second slots, eight-block epochs), through RPC
// only, next to an honest marketplace, across an epoch boundary and its emission:
//
// - the wash trader at its best: it owns a datanet, both contributions in it (two accounts) and a
//   model on it with a 100% data share, and pays the model from three fresh accounts, none of
//   which the chain can link to it; after the epoch's emission its contributors claim;
// - a colluding curator and partner: the bonded curator of the honest datanet accepts its
//   partner's junk at quality 100; an honest challenger challenges, the curator may not judge its
//   own decision, the owner upholds;
// - a near-duplicate farm: three fresh accounts submit near copies of an honest contribution; the
//   curator rejects them, one appeals and the owner dismisses it, the others' rejections stand;
// - a self-serving manifest: refused.
//
// Every attacker's accounts are summed (free + reserved) before and after; each group must end
// with less, the wash trader by at least (1 − λ) × the protocol fees it paid, while the honest
// contributors end with more. The refusals carry their typed errors and move nothing but the fee.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UNIT, u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { devKeypair, keypairFromSuri } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import type { Keypair } from "../../primitives/keys.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import { builtinChainSpec, type ChainSpec } from "../../runtime/chain-spec.ts";
import { TREASURY_ACCOUNT } from "../../runtime/pallets/transaction-payment.ts";
import { type InProcessNode, startDevNode } from "./fixtures/in-process-node.ts";
import {
  type Included,
  Ledger,
  type PendingTx,
  PPM,
  reachBlock as reachBlockOf,
  readParams,
  TxDriver,
} from "./fixtures/registry-ledger.ts";

const EPOCH = 8;
const WAIT_MS = 30_000;
const WINDOW = 16; // both datanets' challenge (and appeal) window, in blocks
const FUND = 200n * UNIT;

function spec(): ChainSpec {
  const dev = structuredClone(builtinChainSpec("dev")!);
  if (!("runtimeGenesis" in dev.genesis)) throw new Error("dev spec is raw");
  const config = dev.genesis.runtimeGenesis.config;
  config.authorities.slotDuration = 500;
  config.params = { ...config.params, epochLength: String(EPOCH) };
  return dev;
}

const OPEN = { kind: 0, fee: u128ToBytes(0n), allowList: [], commercial: true, attribution: true };
const datanet = (name: string, curators: Uint8Array[]) => ({
  name,
  modality: 1,
  description: "",
  metadataUri: `ipfs://${name}`,
  licence: OPEN,
  policy: {
    curators,
    minBond: u128ToBytes(UNIT),
    reviewWindow: 500,
    challengeWindow: WINDOW,
    pendingLimit: 0,
  },
});
const content = (label: string) => hash(new TextEncoder().encode(label));

describe("attacks on a dev node (issue 13)", () => {
  let node: InProcessNode;
  let tx: TxDriver;
  let ledger: Ledger;

  before(async () => {
    node = await startDevNode(spec());
    const genesisHash = fromHex((await node.client.chain.getBlockHash(0))!);
    tx = new TxDriver(node.client, genesisHash, WAIT_MS);
    // Only its chain reads are used: every account's free and reserved balance at a block.
    ledger = new Ledger(node.client, TREASURY_ACCOUNT, devKeypair("alice").publicKey, {
      burnPpm: 0n,
      treasuryPpm: 0n,
    });
  });
  after(() => node?.stop());

  const bestNumber = async () => Number((await node.client.chain.getHeader())!.number);
  const reachBlock = (n: number) => reachBlockOf(node.client, n, WAIT_MS);
  /** Free + reserved of each account at the finalized head, summed. */
  async function holdings(accounts: Keypair[]): Promise<bigint> {
    const all = await ledger.accountsAt(await node.client.chain.getFinalizedHead());
    let sum = 0n;
    for (const k of accounts) {
      const b = all.get(toHex(k.publicKey));
      sum += (b?.free ?? 0n) + (b?.reserved ?? 0n);
    }
    return sum;
  }
  const call = (label: string, signer: Keypair, name: string, args: object): PendingTx => ({
    label,
    signer,
    call: name,
    args,
  });
  const event = (i: Included, pallet: string, name: string) => {
    const e = i.events.find((x) => x.pallet === pallet && x.name === name);
    assert.ok(e, `${i.label}: a ${pallet}.${name} event`);
    return e;
  };
  const feeOf = (i: Included) =>
    u128FromBytes(event(i, "TransactionPayment", "TransactionFeePaid").data.fee as Uint8Array);
  /** Runs one transaction that must fail with `code`; checks that only its fee moved. */
  async function refused(pending: PendingTx, code: string, also: () => Promise<unknown>) {
    const stateBefore = await also();
    const before = await holdings([pending.signer]);
    const [result] = await tx.batch([pending]);
    assert.ok(result && !("refused" in result), `${pending.label} was included`);
    assert.equal(result.failed, code, pending.label);
    assert.equal(await holdings([pending.signer]), before - feeOf(result), `${pending.label}: fee`);
    assert.deepEqual(await also(), stateBefore, `${pending.label}: nothing else moved`);
  }

  it("wash trading, collusion, a near-duplicate farm and a skewed manifest all lose", async () => {
    const [alice, bob, charlie, dave, eve, ferdie] = (
      ["alice", "bob", "charlie", "dave", "eve", "ferdie"] as const
    ).map(devKeypair) as [Keypair, Keypair, Keypair, Keypair, Keypair, Keypair];
    const k = (suri: string) => keypairFromSuri(suri);
    const washOwner = k("//Wash");
    const washData = [k("//Wash//data//0"), k("//Wash//data//1")];
    const washPayers = [0, 1, 2].map((i) => k(`//Wash//payer//${i}`));
    const wash = [washOwner, ...washData, ...washPayers];
    const curator = k("//Colluder");
    const partner = k("//Colluder//partner");
    const farm = [0, 1, 2].map((i) => k(`//Farm//${i}`));
    const p = await readParams(node.client, [
      "attributionProtocolFeePpm",
      "emissionFeeMultiplePpm",
      "registryCuratorBond",
    ]);

    // ---- funding, then the two datanets: alice's curated by the colluder, the wash trader's own
    await tx.batchOk(
      [...wash, curator, partner, ...farm].map((to, i) =>
        call(`fund ${i}`, alice, "Balances.transfer", {
          dest: to.publicKey,
          value: u128ToBytes(FUND),
        }),
      ),
    );
    const start = {
      wash: await holdings(wash),
      colluders: await holdings([curator, partner]),
      farm: await holdings(farm),
      honest: await holdings([bob, charlie]),
    };
    await tx.batchOk([
      call(
        "honest datanet",
        alice,
        "Registry.createDatanet",
        datanet("warehouse", [curator.publicKey]),
      ),
    ]);
    // One after the other, so that the honest datanet is #0 and the trader's #1.
    await tx.batchOk([
      call("wash datanet", washOwner, "Registry.createDatanet", datanet("mirror", [])),
    ]);
    const bond = p.registryCuratorBond;
    // A bond below the minimum is refused.
    await refused(
      call("low bond", curator, "Registry.bondCurator", {
        datanetId: 0,
        amount: u128ToBytes(bond - 1n),
      }),
      "Registry.BondTooLow",
      () => node.client.registry.curator(0, ss58Encode(curator.publicKey)),
    );
    await tx.batchOk([
      call("bond", curator, "Registry.bondCurator", { datanetId: 0, amount: u128ToBytes(bond) }),
    ]);

    // ---- submissions: honest data, the partner's junk, the farm's near copies, the wash data
    const submit = (label: string, who: Keypair, datanetId: number) =>
      call(label, who, "Registry.submitContribution", {
        datanetId,
        contentHash: content(label),
        size: 1,
        metadataUri: "",
      });
    const submitted = await tx.batchOk([
      submit("bob's frames", bob, 0),
      submit("charlie's frames", charlie, 0),
      submit("junk", partner, 0),
      ...farm.map((f, i) => submit(`bob's frames, re-encoded ${i}`, f, 0)),
      ...washData.map((w, i) => submit(`mirror ${i}`, w, 1)),
    ]);
    const id = (label: string) =>
      event(submitted.find((s) => s.label === label)!, "Registry", "ContributionSubmitted").data
        .contributionId as number;
    const [bobId, charlieId, junkId] = [id("bob's frames"), id("charlie's frames"), id("junk")];
    const farmIds = farm.map((_, i) => id(`bob's frames, re-encoded ${i}`));
    const washIds = washData.map((_, i) => id(`mirror ${i}`));

    // ---- reviews: honest ones, the colluding acceptance, the farm rejected, the trader's own
    const accept = (label: string, who: Keypair, contributionId: number, quality: number) =>
      call(label, who, "Registry.acceptContribution", { contributionId, quality });
    const reviewed = await tx.batchOk([
      accept("accept bob", curator, bobId, 60),
      accept("accept charlie", curator, charlieId, 80),
      accept("accept junk", curator, junkId, 100),
      ...farmIds.map((contributionId, i) =>
        call(`reject copy ${i}`, curator, "Registry.rejectContribution", {
          contributionId,
          reason: "a near copy of #0",
        }),
      ),
      ...washIds.map((c, i) => accept(`wash accept ${i}`, washOwner, c, 100)),
    ]);
    const rejectedAt = Math.max(
      ...reviewed.filter((r) => r.label.startsWith("reject")).map((r) => r.blockNumber),
    );

    // ---- the challenge of the junk; the curator may not judge its own decision
    await tx.batchOk([
      call("challenge junk", eve, "Registry.challenge", {
        contributionId: junkId,
        evidenceUri: "ipfs://junk",
      }),
      call("appeal", farm[0]!, "Registry.appealRejection", {
        contributionId: farmIds[0]!,
        evidenceUri: "ipfs://it-is-new",
      }),
      call("wash v1", washOwner, "Registry.publishVersion", { datanetId: 1, metadataUri: "" }),
    ]);
    await refused(
      call("own decision", curator, "Registry.resolveChallenge", {
        contributionId: junkId,
        uphold: false,
      }),
      "Registry.OwnDecision",
      () => node.client.registry.contribution(junkId),
    );
    await tx.batchOk([
      call("uphold", alice, "Registry.resolveChallenge", { contributionId: junkId, uphold: true }),
      call("dismiss appeal", alice, "Registry.resolveAppeal", {
        contributionId: farmIds[0]!,
        overturn: false,
        quality: 0,
      }),
      call("honest v1", alice, "Registry.publishVersion", { datanetId: 0, metadataUri: "" }),
    ]);
    const colluder = (await node.client.registry.curator(0, ss58Encode(curator.publicKey)))!;
    assert.equal(colluder.overturned, 1);
    assert.equal(BigInt(colluder.bond), bond - (bond * 500_000n) / PPM);
    assert.equal(colluder.standing, false, "below the minimum bond it may not review");

    // ---- models: the skewed manifest refused; the trader's at 100% data share; dave's honest
    const model = (manifest: object[], price: bigint, dataSharePpm: number) => ({
      metadataUri: "",
      manifest,
      pricePerUnit: u128ToBytes(price),
      dataSharePpm,
    });
    const skewed = [
      { datanetId: 0, version: 1, weightPpm: 1 },
      { datanetId: 1, version: 1, weightPpm: 999_999 },
    ];
    await refused(
      call("skewed", washOwner, "Attribution.registerModel", model(skewed, UNIT, 1_000_000)),
      "Attribution.ManifestSkew",
      () => node.client.attribution.models(0),
    );
    const models = await tx.batchOk([
      call(
        "wash model",
        washOwner,
        "Attribution.registerModel",
        model([{ datanetId: 1, version: 1, weightPpm: 1_000_000 }], UNIT, 1_000_000),
      ),
      call(
        "dave's model",
        dave,
        "Attribution.registerModel",
        model([{ datanetId: 0, version: 1, weightPpm: 1_000_000 }], UNIT / 10n, 500_000),
      ),
    ]);
    const modelId = (i: Included) =>
      event(i, "Attribution", "ModelRegistered").data.modelId as number;
    const [washModel, daveModel] = models.map(modelId);

    // ---- one epoch of use: the wash payers and one stakeholder, next to honest consumers
    await reachBlock((Math.floor((await bestNumber()) / EPOCH) + 1) * EPOCH);
    const pay = (label: string, who: Keypair, modelId: number, units: number, price: bigint) =>
      call(label, who, "Attribution.payInference", {
        modelId,
        units,
        maxTotal: u128ToBytes(BigInt(units) * price),
      });
    const paid = await tx.batchOk([
      ...washPayers.map((w, i) => pay(`wash pay ${i}`, w, washModel!, 40, UNIT)),
      pay("stakeholder pays", washData[0]!, washModel!, 1, UNIT),
      pay("eve pays", eve, daveModel!, 30, UNIT / 10n),
      pay("ferdie pays", ferdie, daveModel!, 30, UNIT / 10n),
    ]);
    const epochs = [...new Set(paid.map((i) => Math.floor(i.blockNumber / EPOCH)))];
    const protocolFee = (i: Included) =>
      (u128FromBytes(event(i, "Attribution", "InferencePaid").data.total as Uint8Array) *
        p.attributionProtocolFeePpm) /
      PPM;
    const washFees = paid
      .filter((i) => i.label.startsWith("wash") || i.label === "stakeholder pays")
      .reduce((s, i) => s + protocolFee(i), 0n);

    // ---- across the boundary: the epochs' records, then everyone claims what it is owed
    const last = Math.max(...epochs);
    for (;;) {
      const page = await node.client.emission.health(last, last);
      if (page.items.length > 0) break;
      await reachBlock((await bestNumber()) + 1);
    }
    const records = (await node.client.emission.health(Math.min(...epochs), last)).items;
    for (const r of records) {
      // Contributors' emission never reaches what the payments gave up.
      assert.ok(
        BigInt(r.contributors) <= (BigInt(r.protocolFees) * p.emissionFeeMultiplePpm) / PPM,
        `epoch ${r.epoch}`,
      );
    }
    // The stakeholder's payment, and only it, is suspected wash; the fresh payers are invisible.
    const stakeholder = paid.find((i) => i.label === "stakeholder pays")!;
    const suspected = records.reduce((s, r) => s + BigInt(r.suspectedWash), 0n);
    assert.equal(
      suspected,
      u128FromBytes(event(stakeholder, "Attribution", "InferencePaid").data.total as Uint8Array),
    );
    assert.ok(
      records.some((r) => BigInt(r.contributors) > 0n),
      "emission was minted",
    );
    const claim = (label: string, who: Keypair, datanetId: number, contributionIds: number[]) =>
      call(label, who, "Attribution.claim", { datanetId, version: 1, contributionIds });
    await tx.batchOk([
      ...washData.map((w, i) => claim(`wash claim ${i}`, w, 1, [washIds[i]!])),
      claim("bob claims", bob, 0, [bobId]),
      claim("charlie claims", charlie, 0, [charlieId]),
    ]);
    // The farm's remaining rejections stand when their appeal window ends.
    await reachBlock(rejectedAt + WINDOW + 2);
    for (const c of farmIds) {
      const r = await node.client.registry.contribution(c);
      assert.equal(r?.decisionOpen, false, `copy #${c} settled`);
    }
    for (const c of [bobId, charlieId, ...washIds])
      assert.equal((await node.client.registry.contribution(c))?.decisionOpen, false);

    // ---- the books: every attacker group ends with less, the honest contributors with more
    const end = {
      wash: await holdings(wash),
      colluders: await holdings([curator, partner]),
      farm: await holdings(farm),
      honest: await holdings([bob, charlie]),
    };
    const lin = (x: bigint) => (Number(x) / Number(UNIT)).toFixed(4);
    console.log(
      `attack books (LIN): wash ${lin(end.wash - start.wash)} (protocol fees ${lin(washFees)}), ` +
        `colluders ${lin(end.colluders - start.colluders)}, farm ${lin(end.farm - start.farm)}, ` +
        `honest ${lin(end.honest - start.honest)}`,
    );
    const lambdaShare = (washFees * p.emissionFeeMultiplePpm) / PPM;
    assert.ok(
      end.wash - start.wash <= -(washFees - lambdaShare),
      `wash trader ${end.wash - start.wash} ≤ −(1 − λ) × ${washFees}`,
    );
    assert.ok(end.colluders < start.colluders, "colluders lose");
    assert.ok(end.farm < start.farm, "the farm loses");
    assert.ok(end.honest > start.honest, "honest contributors gain");
  });
});
