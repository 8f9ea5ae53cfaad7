import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { merkleProof, merkleRoot, verifyMerkleProof } from "../../../primitives/merkle.ts";
import {
  buildVersionProof,
  getDatanet,
  getVersion,
  verifyVersionProof,
  versionEntries,
  versionRoot,
} from "../../../runtime/pallets/registry/index.ts";
import { contentHash, datanetArgs, RegistryHarness } from "./fixtures/registry-harness.ts";
import { pub } from "./fixtures/test-chain.ts";

const alice = pub("alice");
const contributors = [pub("bob"), pub("charlie"), pub("dave"), pub("eve")];

/** Datanet 0 with 11 contributions: 0..7 accepted (quality 10·(i+1)), 8 rejected, 9 pending, 10 withdrawn. */
function populated(): RegistryHarness {
  const h = new RegistryHarness();
  h.ok(alice, "createDatanet", datanetArgs());
  for (let i = 0; i < 11; i++) {
    h.ok(contributors[i % 4]!, "submitContribution", {
      datanetId: 0,
      contentHash: contentHash(i),
      size: 10,
      metadataUri: "",
    });
  }
  for (let i = 0; i < 8; i++)
    h.ok(alice, "acceptContribution", { contributionId: i, quality: 10 * (i + 1) });
  h.ok(alice, "rejectContribution", { contributionId: 8, reason: "dup" });
  h.ok(contributors[10 % 4]!, "withdrawContribution", { contributionId: 10 });
  return h;
}

describe("registry: versions", () => {
  it("publishVersion freezes accepted contributions and their weights under a Merkle root", () => {
    const h = populated();
    assert.equal(
      h.call(pub("bob"), "publishVersion", { datanetId: 0, metadataUri: "" }),
      "Registry.NotOwner",
    );
    h.ok(alice, "publishVersion", { datanetId: 0, metadataUri: "ipfs://v1" });
    const version = getVersion(h.overlay, 0, 1)!;
    assert.equal(version.count, 8);
    assert.equal(version.totalWeight, 10 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
    assert.equal(version.metadataUri, "ipfs://v1");
    const entries = versionEntries(h.overlay, 0, 1);
    assert.deepEqual(
      entries,
      Array.from({ length: 8 }, (_, i) => ({ contributionId: i, weight: 10 * (i + 1) })),
    );
    assert.deepEqual(version.root, versionRoot(entries));
    assert.equal(getDatanet(h.overlay, 0)!.versionCount, 1);
    const [event] = h.named("VersionPublished");
    assert.deepEqual(event!.data.root, version.root);
  });

  it("every contribution's proof verifies on its own; tampered proofs fail", () => {
    const h = populated();
    h.ok(alice, "publishVersion", { datanetId: 0, metadataUri: "" });
    const { root } = getVersion(h.overlay, 0, 1)!;
    for (let id = 0; id < 8; id++) {
      const p = buildVersionProof(h.overlay, 0, 1, id)!;
      assert.equal(p.weight, 10 * (id + 1));
      assert.ok(verifyVersionProof(root, id, p.weight, p.proof), `proof of #${id}`);
      assert.equal(verifyVersionProof(root, id, p.weight + 1, p.proof), false, "weight inflated");
      assert.equal(verifyVersionProof(root, id + 100, p.weight, p.proof), false, "other id");
      const flipped = p.proof.siblings.map((s) => s.slice());
      flipped[0]![0]! ^= 1;
      assert.equal(
        verifyVersionProof(root, id, p.weight, { ...p.proof, siblings: flipped }),
        false,
      );
      assert.equal(
        verifyVersionProof(root, id, p.weight, { ...p.proof, index: (p.proof.index + 1) % 8 }),
        false,
      );
      assert.equal(
        verifyVersionProof(root, id, p.weight, { ...p.proof, siblings: p.proof.siblings.slice(1) }),
        false,
      );
      const otherRoot = root.slice();
      otherRoot[31]! ^= 1;
      assert.equal(verifyVersionProof(otherRoot, id, p.weight, p.proof), false);
    }
    // Rejected, pending and withdrawn contributions have no proof.
    for (const id of [8, 9, 10]) assert.equal(buildVersionProof(h.overlay, 0, 1, id), undefined);
    assert.equal(buildVersionProof(h.overlay, 0, 2, 0), undefined);
  });

  it("a slashed contribution leaves the next version; the old version is unchanged", () => {
    const h = populated();
    h.ok(alice, "publishVersion", { datanetId: 0, metadataUri: "" });
    const v1 = getVersion(h.overlay, 0, 1)!;
    h.ok(pub("ferdie"), "challenge", { contributionId: 3, evidenceUri: "ipfs://copy" });
    // Alice accepted it herself, so only root may judge the challenge.
    h.ok("root", "forceResolveChallenge", { contributionId: 3, uphold: true });
    h.ok(alice, "publishVersion", { datanetId: 0, metadataUri: "" });
    const v2 = getVersion(h.overlay, 0, 2)!;
    assert.equal(v2.count, 7);
    assert.equal(v2.totalWeight, v1.totalWeight - 40);
    assert.equal(buildVersionProof(h.overlay, 0, 2, 3), undefined);
    assert.ok(buildVersionProof(h.overlay, 0, 1, 3));
    assert.deepEqual(getVersion(h.overlay, 0, 1), v1);
  });

  it("an empty datanet has nothing to publish", () => {
    const h = new RegistryHarness();
    h.ok(alice, "createDatanet", datanetArgs());
    assert.equal(
      h.call(alice, "publishVersion", { datanetId: 0, metadataUri: "" }),
      "Registry.NothingToPublish",
    );
  });
});

describe("merkle proofs", () => {
  it("prove every leaf of trees of every size up to 40, and nothing else", () => {
    for (let n = 1; n <= 40; n++) {
      const items = Array.from({ length: n }, (_, i) => new Uint8Array([i, n]));
      const root = merkleRoot(items);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(items, i);
        assert.ok(verifyMerkleProof(root, items[i]!, proof), `${i} of ${n}`);
        assert.equal(verifyMerkleProof(root, new Uint8Array([i, n, 0]), proof), false);
        assert.equal(verifyMerkleProof(root, items[i]!, { ...proof, index: n }), false);
      }
    }
  });

  it("random tampering of a proof never verifies (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        fc.nat(255),
        (items, at, which, bit) => {
          const index = at % items.length;
          const root = merkleRoot(items);
          const proof = merkleProof(items, index);
          if (!verifyMerkleProof(root, items[index]!, proof)) return false;
          if (proof.siblings.length === 0) return true;
          const siblings = proof.siblings.map((s) => s.slice());
          const s = siblings[which % siblings.length]!;
          s[bit % s.length]! ^= 1 << (bit % 8);
          return !verifyMerkleProof(root, items[index]!, { ...proof, siblings });
        },
      ),
    );
  });
});
