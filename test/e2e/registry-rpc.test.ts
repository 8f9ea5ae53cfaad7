// registry_* over a real dev node: a datanet, two contributions accepted with different quality, a
// version, and an inclusion proof a client checks without trusting the node (the version record
// is read with state_getReadProof against a finalized header's state root).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UNIT, u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { type DevAccountName, devKeypair } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { Hex, RpcTransactionStatus } from "../../rpc/node-api.ts";
import {
  keys,
  storage as registryStorage,
  verifyVersionProof,
} from "../../runtime/pallets/registry/index.ts";
import { encodeCall, signTransaction } from "../../runtime/signing.ts";
import { verifyProof } from "../../state/trie/proof.ts";
import { type InProcessNode, startDevNode } from "./fixtures/in-process-node.ts";

const WAIT_MS = 30_000;

describe("registry_* on a dev node", () => {
  let node: InProcessNode;
  let genesisHash: Uint8Array;
  const nonces = new Map<string, number>();

  before(async () => {
    node = await startDevNode();
    genesisHash = fromHex((await node.client.chain.getBlockHash(0))!);
  });
  after(() => node.stop());

  /** Signs and submits a call; resolves with the finalized block hash once it is final. */
  async function send(from: DevAccountName, name: string, args: object): Promise<Hex> {
    const key = devKeypair(from);
    const nonce = nonces.get(from) ?? 0;
    nonces.set(from, nonce + 1);
    const bytes = signTransaction({
      call: encodeCall(name, args),
      seed: key.secretKey,
      nonce,
      genesisHash,
      era: null,
    });
    return await new Promise<Hex>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not final`)), WAIT_MS);
      node.client.author
        .submitAndWatchExtrinsic(toHex(bytes) as Hex, (status: RpcTransactionStatus) => {
          if (typeof status === "object" && "finalized" in status) {
            clearTimeout(timer);
            resolve(status.finalized);
          } else if (status === "invalid" || status === "dropped") {
            clearTimeout(timer);
            reject(new Error(`${name}: ${status}`));
          }
        })
        .catch((error) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  }

  it("serves a datanet, its contributions, a version and a proof the client checks", async () => {
    await send("alice", "Registry.createDatanet", {
      name: "warehouse-vision",
      modality: 1,
      description: "pallet-picking camera frames",
      metadataUri: "ipfs://datanet",
      licence: {
        kind: 1,
        fee: u128ToBytes(20n * UNIT),
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
    });
    const page = await node.client.registry.datanets();
    assert.equal(page.items.length, 1);
    const datanet = page.items[0]!;
    assert.equal(datanet.name, "warehouse-vision");
    assert.equal(datanet.modality, "image");
    assert.equal(datanet.licence.kind, "paid");
    assert.equal(datanet.licence.fee, (20n * UNIT).toString());
    assert.equal(datanet.owner, ss58Encode(devKeypair("alice").publicKey));
    assert.deepEqual(await node.client.registry.datanet(datanet.id), datanet);

    for (const who of ["bob", "charlie"] as const) {
      await send(who, "Registry.submitContribution", {
        datanetId: datanet.id,
        contentHash: hash(new TextEncoder().encode(`frames of ${who}`)),
        size: 1_000_000,
        metadataUri: `ipfs://${who}`,
      });
    }
    const pending = await node.client.registry.contributions({
      datanet: datanet.id,
      status: "pending",
    });
    assert.equal(pending.items.length, 2);
    const [bobs, charlies] = pending.items;
    assert.equal(bobs!.contributor, ss58Encode(devKeypair("bob").publicKey));
    await send("alice", "Registry.acceptContribution", { contributionId: bobs!.id, quality: 40 });
    await send("alice", "Registry.acceptContribution", {
      contributionId: charlies!.id,
      quality: 90,
    });
    const accepted = await node.client.registry.contributions({ status: "accepted" });
    assert.deepEqual(
      accepted.items.map((c) => [c.id, c.quality]),
      [
        [bobs!.id, 40],
        [charlies!.id, 90],
      ],
    );
    const byBob = await node.client.registry.contributions({
      contributor: ss58Encode(devKeypair("bob").publicKey),
    });
    assert.deepEqual(
      byBob.items.map((c) => c.id),
      [bobs!.id],
    );
    const bobReputation = await node.client.registry.reputation(
      ss58Encode(devKeypair("bob").publicKey),
    );
    assert.equal(bobReputation.accepted, 1);

    const finalized = await send("alice", "Registry.publishVersion", {
      datanetId: datanet.id,
      metadataUri: "ipfs://v0",
    });
    const after = await node.client.registry.datanet(datanet.id);
    assert.equal(after!.versionCount, 1);
    const version = after!.versionCount; // versions are numbered from 1
    const record = await node.client.registry.version(datanet.id, version, finalized);
    assert.ok(record);
    assert.equal(record.count, 2);

    // The client trusts only the finalized header: it reads the version record by a state proof.
    const header = (await node.client.chain.getHeader(finalized))!;
    const { proof: stateProof } = await node.client.state.getReadProof(
      [record.storageKey],
      finalized,
    );
    const proven = verifyProof(
      fromHex(header.stateRoot),
      fromHex(record.storageKey),
      stateProof.map((n) => fromHex(n)),
    );
    assert.ok(proven.found, "the version record is in the finalized state");
    const provenValue = proven.value;
    const stored = registryStorage.versions.get(
      { get: () => provenValue },
      keys.version(datanet.id, version),
    )!;
    assert.equal(toHex(stored.root), record.root);

    for (const c of [bobs!, charlies!]) {
      const proof = await node.client.registry.proof(datanet.id, version, c.id, finalized);
      assert.ok(proof, `a proof for contribution ${c.id}`);
      const merkle = {
        index: proof.proof.index,
        count: proof.proof.count,
        siblings: proof.proof.siblings.map((h) => fromHex(h)),
      };
      assert.ok(verifyVersionProof(stored.root, c.id, proof.weight, merkle));
      assert.ok(
        !verifyVersionProof(stored.root, c.id, proof.weight + 1, merkle),
        "a forged weight fails",
      );
      const tampered = { ...merkle, siblings: merkle.siblings.map((s) => s.map((b) => b ^ 1)) };
      if (tampered.siblings.length > 0) {
        assert.ok(!verifyVersionProof(stored.root, c.id, proof.weight, tampered));
      }
    }
    assert.equal(await node.client.registry.proof(datanet.id, version, 999), null);
  });
});
