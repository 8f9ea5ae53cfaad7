// attribution_* over a real dev node, through RPC only (keys stay here; the node sees signed
// bytes): the robotics startup story. Alice creates a paid vision datanet, bob and charlie
// contribute, alice accepts them with different quality and publishes v1; dave (the startup) buys
// a licence; eve registers a model trained on v1 and dave pays for 1,000 inferences in several
// transactions after checking attribution_quote. The pool, the contributors' claimable amounts
// and their claims are compared with the arithmetic of the quote and the licence split: each
// contribution is owed floor(weight · deposited / totalWeight), and a claim raises the
// contributor's balance by exactly that (less the claim's own transaction fee, from its event).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UNIT, u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import type { Keypair } from "../../primitives/keys.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { Hex, RpcQuote } from "../../rpc/node-api.ts";
import { readAccount, storage as systemStorage } from "../../runtime/pallets/system.ts";
import { type InProcessNode, startDevNode } from "./fixtures/in-process-node.ts";
import { type Included, readParams, shareOf, TxDriver } from "./fixtures/registry-ledger.ts";

const WAIT_MS = 30_000;
const LICENCE_FEE = 20n * UNIT;
const PRICE_PER_UNIT = UNIT / 1000n + 7n; // an odd price so that every split rounds
const DATA_SHARE_PPM = 300_000;
const PAYMENTS = [400, 350, 250]; // 1,000 inferences in three transactions

const eventAmount = (e: Included, pallet: string, name: string, field: string) => {
  const event = e.events.find((x) => x.pallet === pallet && x.name === name);
  assert.ok(event, `${e.label}: a ${pallet}.${name} event`);
  return u128FromBytes(event.data[field] as Uint8Array);
};

describe("attribution_* on a dev node: the robotics startup story", () => {
  let node: InProcessNode;
  let tx: TxDriver;

  before(async () => {
    node = await startDevNode();
    const genesisHash = fromHex((await node.client.chain.getBlockHash(0))!);
    tx = new TxDriver(node.client, genesisHash, WAIT_MS);
  });
  after(() => node?.stop());

  async function freeAt(who: Uint8Array, at: Hex): Promise<bigint> {
    const key = systemStorage.account.key(who);
    const raw = await node.client.state.getStorage(toHex(key) as Hex, at);
    return readAccount({ get: () => (raw === null ? undefined : fromHex(raw)) }, who).free;
  }
  const parentOf = async (block: Hex) => (await node.client.chain.getHeader(block))!.parentHash;

  it("licence, model, quoted payments and exact claims", async () => {
    const [alice, bob, charlie, dave, eve] = (
      ["alice", "bob", "charlie", "dave", "eve"] as const
    ).map(devKeypair) as [Keypair, Keypair, Keypair, Keypair, Keypair];
    const address = (k: Keypair) => ss58Encode(k.publicKey);
    const p = await readParams(node.client, [
      "attributionProtocolFeePpm",
      "attributionFeeBurnPpm",
      "attributionLicenceOwnerPpm",
    ] as const);

    // ---- the datanet, two contributions accepted with different quality, version 1 ----
    await tx.batchOk([
      {
        label: "create datanet",
        signer: alice,
        call: "Registry.createDatanet",
        args: {
          name: "warehouse-vision",
          modality: 1,
          description: "pallet-picking camera frames",
          metadataUri: "ipfs://vision",
          licence: {
            kind: 1,
            fee: u128ToBytes(LICENCE_FEE),
            allowList: [],
            commercial: true,
            attribution: true,
          },
          policy: {
            curators: [],
            minBond: u128ToBytes(UNIT),
            reviewWindow: 1000,
            challengeWindow: 1000,
            pendingLimit: 5,
          },
        },
      },
    ]);
    const datanet = (await node.client.registry.datanets()).items[0]!;
    await tx.batchOk(
      [bob, charlie].map((who, i) => ({
        label: `contribution ${i}`,
        signer: who,
        call: "Registry.submitContribution",
        args: {
          datanetId: datanet.id,
          contentHash: hash(new TextEncoder().encode(`frames ${i}`)),
          size: 1_000_000,
          metadataUri: `ipfs://frames/${i}`,
        },
      })),
    );
    const pending = (await node.client.registry.contributions({ datanet: datanet.id })).items;
    const bobs = pending.find((c) => c.contributor === address(bob))!;
    const charlies = pending.find((c) => c.contributor === address(charlie))!;
    await tx.batchOk([
      {
        label: "accept bob",
        signer: alice,
        call: "Registry.acceptContribution",
        args: { contributionId: bobs.id, quality: 40 },
      },
      {
        label: "accept charlie",
        signer: alice,
        call: "Registry.acceptContribution",
        args: { contributionId: charlies.id, quality: 90 },
      },
      {
        label: "publish v1",
        signer: alice,
        call: "Registry.publishVersion",
        args: { datanetId: datanet.id, metadataUri: "ipfs://vision/v1" },
      },
    ]);
    const version = (await node.client.registry.datanet(datanet.id))!.versionCount;
    assert.equal(version, 1);
    const v1 = (await node.client.registry.version(datanet.id, version))!;
    assert.equal(v1.totalWeight, 130);
    assert.equal(await node.client.attribution.pool(datanet.id, version), null, "no pool yet");

    // ---- the startup buys a licence: the protocol fee, the owner's cut of the rest to alice,
    // what remains into the pool ----
    const licenceProtocol = shareOf(LICENCE_FEE, p.attributionProtocolFeePpm);
    const ownerCut = shareOf(LICENCE_FEE - licenceProtocol, p.attributionLicenceOwnerPpm);
    const licenceToPool = LICENCE_FEE - licenceProtocol - ownerCut;
    const [licence] = await tx.batchOk([
      {
        label: "dave buys a licence",
        signer: dave,
        call: "Attribution.purchaseLicence",
        args: { datanetId: datanet.id, version },
      },
    ]);
    let pool = (await node.client.attribution.pool(datanet.id, version, licence!.blockHash))!;
    assert.equal(pool.deposited, licenceToPool.toString());
    assert.equal(pool.balance, pool.deposited);
    assert.equal(pool.claimed, "0");
    assert.equal(pool.totalWeight, "130");
    assert.equal(pool.liveWeight, "130");

    // ---- eve registers a model trained on v1 (paying the licence fee too) ----
    await tx.batchOk([
      {
        label: "eve registers a model",
        signer: eve,
        call: "Attribution.registerModel",
        args: {
          metadataUri: "ipfs://grasp-net",
          manifest: [{ datanetId: datanet.id, version, weightPpm: 1_000_000 }],
          pricePerUnit: u128ToBytes(PRICE_PER_UNIT),
          dataSharePpm: DATA_SHARE_PPM,
        },
      },
    ]);
    const models = await node.client.attribution.models();
    assert.equal(models.items.length, 1);
    assert.equal(models.next, null);
    const model = models.items[0]!;
    assert.deepEqual(model, {
      id: model.id,
      owner: address(eve),
      metadataUri: "ipfs://grasp-net",
      manifest: [{ datanet: datanet.id, version, weightPpm: 1_000_000 }],
      pricePerUnit: PRICE_PER_UNIT.toString(),
      dataSharePpm: DATA_SHARE_PPM,
      retired: false,
      registeredAt: model.registeredAt,
      measurement: null,
    });
    assert.deepEqual(await node.client.attribution.model(model.id), model);
    assert.equal(await node.client.attribution.model(model.id + 1), null);
    assert.equal(await node.client.attribution.quote(model.id + 1, 10), null);
    let deposited = 2n * licenceToPool;
    pool = (await node.client.attribution.pool(datanet.id, version))!;
    assert.equal(pool.deposited, deposited.toString());

    // ---- the startup checks the quote and pays for 1,000 inferences in three transactions ----
    for (const units of PAYMENTS) {
      const quote: RpcQuote = (await node.client.attribution.quote(model.id, units))!;
      const total = PRICE_PER_UNIT * BigInt(units);
      const protocol = shareOf(total, p.attributionProtocolFeePpm);
      const burned = shareOf(protocol, p.attributionFeeBurnPpm);
      const dataShare = shareOf(total - protocol, BigInt(DATA_SHARE_PPM));
      assert.deepEqual(quote, {
        model: model.id,
        units,
        pricePerUnit: PRICE_PER_UNIT.toString(),
        total: total.toString(),
        burned: burned.toString(),
        toTreasury: (protocol - burned).toString(),
        toOwner: (total - protocol - dataShare).toString(),
        dataShare: dataShare.toString(),
        perEntry: [
          { datanet: datanet.id, version, weightPpm: 1_000_000, amount: dataShare.toString() },
        ],
      });
      const [paid] = await tx.batchOk([
        {
          label: `dave pays for ${units} inferences`,
          signer: dave,
          call: "Attribution.payInference",
          args: { modelId: model.id, units, maxTotal: u128ToBytes(BigInt(quote.total)) },
        },
      ]);
      assert.equal(eventAmount(paid!, "Attribution", "InferencePaid", "total"), total);
      assert.equal(eventAmount(paid!, "Attribution", "InferencePaid", "dataShare"), dataShare);
      deposited += dataShare;
    }
    // A price above maxTotal fails and moves nothing into the pool.
    const [tooDear] = await tx.batch([
      {
        label: "dave caps the price too low",
        signer: dave,
        call: "Attribution.payInference",
        args: { modelId: model.id, units: 10, maxTotal: u128ToBytes(PRICE_PER_UNIT * 10n - 1n) },
      },
    ]);
    assert.ok(tooDear && !("refused" in tooDear) && tooDear.failed !== null, "refused on chain");
    assert.match(tooDear.failed!, /PriceAboveMax/);

    pool = (await node.client.attribution.pool(datanet.id, version))!;
    assert.equal(pool.deposited, deposited.toString());
    assert.equal(pool.balance, deposited.toString());

    // ---- claimable: each contribution's weight share of everything deposited, floored ----
    const owed = new Map([
      [bobs.id, (40n * deposited) / 130n],
      [charlies.id, (90n * deposited) / 130n],
    ]);
    assert.ok(owed.get(bobs.id)! + owed.get(charlies.id)! <= deposited);
    assert.ok(
      deposited - owed.get(bobs.id)! - owed.get(charlies.id)! < 2n,
      "at most 1 planck waits",
    );
    for (const [who, c] of [
      [bob, bobs],
      [charlie, charlies],
    ] as const) {
      const byContribution = await node.client.attribution.claimable({
        contribution: { datanet: datanet.id, version, id: c.id },
      });
      assert.deepEqual(byContribution, {
        items: [
          { datanet: datanet.id, version, contribution: c.id, amount: owed.get(c.id)!.toString() },
        ],
        total: owed.get(c.id)!.toString(),
        next: null,
      });
      const byContributor = await node.client.attribution.claimable({ contributor: address(who) });
      assert.deepEqual(byContributor, byContribution);
    }
    const nothing = await node.client.attribution.claimable({ contributor: address(dave) });
    assert.deepEqual(nothing, { items: [], total: "0", next: null });
    // Bob cannot claim charlie's contribution.
    const [stolen] = await tx.batch([
      {
        label: "bob claims charlie's",
        signer: bob,
        call: "Attribution.claim",
        args: { datanetId: datanet.id, version, contributionIds: [charlies.id] },
      },
    ]);
    assert.ok(stolen && !("refused" in stolen));
    assert.match(stolen.failed ?? "", /NotContributor/);

    // ---- the claims: each balance rises by exactly the claimable amount (less its fee) ----
    let claimedTotal = 0n;
    for (const [who, c] of [
      [bob, bobs],
      [charlie, charlies],
    ] as const) {
      const [claimed] = await tx.batchOk([
        {
          label: `claim ${c.id}`,
          signer: who,
          call: "Attribution.claim",
          args: { datanetId: datanet.id, version, contributionIds: [c.id] },
        },
      ]);
      const block = claimed!.blockHash;
      const before = await freeAt(who.publicKey, await parentOf(block));
      const afterClaim = await freeAt(who.publicKey, block);
      const fee = eventAmount(claimed!, "TransactionPayment", "TransactionFeePaid", "fee");
      assert.equal(eventAmount(claimed!, "Attribution", "Claimed", "amount"), owed.get(c.id));
      assert.equal(
        afterClaim - before,
        owed.get(c.id)! - fee,
        `${c.id}: balance rises by the claim`,
      );
      claimedTotal += owed.get(c.id)!;
      const left = await node.client.attribution.claimable({
        contribution: { datanet: datanet.id, version, id: c.id },
      });
      assert.equal(left.total, "0");
    }
    pool = (await node.client.attribution.pool(datanet.id, version))!;
    assert.equal(pool.claimed, claimedTotal.toString());
    assert.equal(pool.balance, (deposited - claimedTotal).toString());
    assert.ok(BigInt(pool.balance) < 2n, "only the rounding remainder stays in the pool");
  });
});
