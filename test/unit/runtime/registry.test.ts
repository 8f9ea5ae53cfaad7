import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128ToBytes } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import {
  ContributionStatus,
  contributorContributionIds,
  datanetContributionIds,
  getContribution,
  getDatanet,
  getReputation,
  heldBy,
  listContributions,
  listDatanets,
  pendingCount,
  registryInvariants,
  keys as registryKeys,
  storage as registryStorage,
  requiredBond,
} from "../../../runtime/pallets/registry/index.ts";
import { TREASURY_ACCOUNT } from "../../../runtime/pallets/transaction-payment.ts";
import {
  amountArgs,
  amountOf,
  CURATOR_BOND,
  contentHash,
  curatedArgs,
  datanetArgs,
  nobody,
  REVIEW_FEE,
  RegistryHarness,
  UNIT,
} from "./fixtures/registry-harness.ts";
import { devSpecWith, pub } from "./fixtures/test-chain.ts";

const alice = pub("alice");
const bob = pub("bob");
const charlie = pub("charlie");
const eve = pub("eve");
const ferdie = pub("ferdie");
const DEPOSIT = 10n * UNIT;
const BOND = UNIT;
const CHALLENGE_BOND = 5n * UNIT;
const FEE = REVIEW_FEE;

/** A harness with datanet 0 owned (and curated) by alice. */
function withDatanet(overrides: Record<string, unknown> = {}): RegistryHarness {
  const h = new RegistryHarness();
  h.ok(alice, "createDatanet", datanetArgs(overrides));
  return h;
}

const submit = (h: RegistryHarness, who: Uint8Array, n: number, datanetId = 0) =>
  h.call(who, "submitContribution", {
    datanetId,
    contentHash: contentHash(n),
    size: 1000 + n,
    metadataUri: `ipfs://object/${n}`,
  });

describe("registry: datanets", () => {
  it("createDatanet reserves the deposit and stores the datanet", () => {
    const h = new RegistryHarness();
    const free = h.free(alice);
    const issuance = totalIssuance(h.overlay);
    assert.equal(h.call(alice, "createDatanet", datanetArgs()), "ok");
    assert.equal(h.free(alice), free - DEPOSIT);
    assert.equal(h.reserved(alice), DEPOSIT);
    assert.equal(heldBy(h.overlay, alice), DEPOSIT);
    assert.equal(totalIssuance(h.overlay), issuance);
    const datanet = getDatanet(h.overlay, 0)!;
    assert.ok(bytesEqual(datanet.owner, alice));
    assert.equal(datanet.name, "street scenes");
    assert.equal(datanet.licence.fee, 50n * UNIT);
    assert.equal(datanet.policy.challengeWindow, 20);
    assert.equal(datanet.deposit, DEPOSIT);
    const [created] = h.named("DatanetCreated");
    assert.equal(created!.data.datanetId, 0);
    assert.equal(amountOf(created!.data.amount), DEPOSIT);
    h.ok(bob, "createDatanet", datanetArgs({ name: "second" }));
    assert.deepEqual(
      listDatanets(h.overlay, 0, 10).map((d) => [d.id, d.datanet.name]),
      [
        [0, "street scenes"],
        [1, "second"],
      ],
    );
    assert.equal(listDatanets(h.overlay, 1, 10).length, 1);
  });

  it("createDatanet refuses bad arguments with typed errors and writes nothing", () => {
    const h = new RegistryHarness();
    const policy = (datanetArgs().policy as Record<string, unknown>) ?? {};
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "" }, "Registry.InvalidName"],
      [{ name: "x".repeat(65) }, "Registry.TooLong"],
      [{ modality: 6 }, "Registry.InvalidModality"],
      [{ metadataUri: "u".repeat(257) }, "Registry.TooLong"],
      [{ licence: { kind: 1 } }, "Registry.InvalidLicence"],
      [{ licence: { kind: 0, fee: u128ToBytes(1n) } }, "Registry.InvalidLicence"],
      [{ licence: { kind: 2 } }, "Registry.InvalidLicence"],
      [{ licence: { kind: 3 } }, "Registry.InvalidLicence"],
      [{ licence: { kind: 2, allowList: [bob, bob] } }, "Registry.Duplicate"],
      [{ policy: { ...policy, minBond: u128ToBytes(UNIT - 1n) } }, "Registry.InvalidPolicy"],
      [{ policy: { ...policy, reviewWindow: 0 } }, "Registry.InvalidPolicy"],
      [{ policy: { ...policy, challengeWindow: 100_001 } }, "Registry.InvalidPolicy"],
      [{ policy: { ...policy, pendingLimit: 1001 } }, "Registry.InvalidPolicy"],
      [{ policy: { ...policy, curators: [new Uint8Array(31)] } }, "Registry.InvalidAccount"],
      [
        { policy: { ...policy, curators: Array.from({ length: 17 }, (_, i) => contentHash(i)) } },
        "Registry.TooMany",
      ],
    ];
    for (const [overrides, code] of cases) {
      assert.equal(
        h.call(alice, "createDatanet", datanetArgs(overrides)),
        code,
        JSON.stringify(Object.keys(overrides)),
      );
    }
    assert.equal(h.call(nobody, "createDatanet", datanetArgs()), "Registry.InsufficientBalance");
    assert.equal(h.call("root", "createDatanet", datanetArgs()), "Registry.BadOrigin");
    assert.equal(h.reserved(alice), 0n);
    assert.equal(h.events.length, 0);
    assert.equal(getDatanet(h.overlay, 0), undefined);
    // A restricted licence with an allow-list is fine.
    h.ok(alice, "createDatanet", datanetArgs({ licence: { kind: 2, allowList: [bob, charlie] } }));
  });

  it("the owner updates metadata, licence and curators; others may not", () => {
    const h = withDatanet();
    assert.equal(
      h.call(bob, "updateMetadata", { datanetId: 0, description: "d", metadataUri: "u" }),
      "Registry.NotOwner",
    );
    h.ok(alice, "updateMetadata", { datanetId: 0, description: "new", metadataUri: "ipfs://2" });
    assert.equal(getDatanet(h.overlay, 0)!.metadataUri, "ipfs://2");
    assert.equal(
      h.call(alice, "updateMetadata", { datanetId: 9, description: "", metadataUri: "" }),
      "Registry.UnknownDatanet",
    );
    h.ok(alice, "setLicence", { datanetId: 0, licence: { kind: 0, commercial: false } });
    assert.equal(getDatanet(h.overlay, 0)!.licence.kind, 0);
    assert.equal(
      h.call(alice, "setLicence", { datanetId: 0, licence: { kind: 1 } }),
      "Registry.InvalidLicence",
    );
    assert.equal(
      h.call(bob, "setCurators", { datanetId: 0, curators: [bob] }),
      "Registry.NotOwner",
    );
    h.ok(alice, "setCurators", { datanetId: 0, curators: [eve] });
    assert.equal(getDatanet(h.overlay, 0)!.policy.curators.length, 1);
    assert.deepEqual(
      h.events.filter((e) => e.pallet === "Registry").map((e) => e.name),
      ["DatanetCreated", "DatanetUpdated", "LicenceChanged", "CuratorsChanged"],
    );
  });

  it("transferOwnership moves the deposit to the new owner", () => {
    const h = withDatanet();
    assert.equal(
      h.call(alice, "transferOwnership", { datanetId: 0, newOwner: alice }),
      "Registry.SameOwner",
    );
    assert.equal(
      h.call(alice, "transferOwnership", { datanetId: 0, newOwner: nobody }),
      "Registry.InsufficientBalance",
    );
    assert.equal(
      h.call(alice, "transferOwnership", { datanetId: 0, newOwner: new Uint8Array(5) }),
      "Registry.InvalidAccount",
    );
    const [aliceFree, bobFree] = [h.free(alice), h.free(bob)];
    h.ok(alice, "transferOwnership", { datanetId: 0, newOwner: bob });
    assert.equal(h.free(alice), aliceFree + DEPOSIT);
    assert.equal(h.reserved(alice), 0n);
    assert.equal(h.free(bob), bobFree - DEPOSIT);
    assert.equal(h.reserved(bob), DEPOSIT);
    assert.ok(bytesEqual(getDatanet(h.overlay, 0)!.owner, bob));
    assert.equal(
      h.call(alice, "transferOwnership", { datanetId: 0, newOwner: alice }),
      "Registry.NotOwner",
    );
  });

  it("closeDatanet needs no pending contribution, returns the deposit and freezes the datanet", () => {
    const h = new RegistryHarness();
    h.ok(alice, "createDatanet", curatedArgs([eve]));
    h.ok(eve, "bondCurator", amountArgs(0, CURATOR_BOND));
    assert.equal(submit(h, bob, 1), "ok");
    assert.equal(h.call(alice, "closeDatanet", { datanetId: 0 }), "Registry.HasPending");
    h.ok(eve, "acceptContribution", { contributionId: 0, quality: 50 });
    assert.equal(h.call(bob, "closeDatanet", { datanetId: 0 }), "Registry.NotOwner");
    const free = h.free(alice);
    // The curator's open decision does not hold the owner's deposit.
    h.ok(alice, "closeDatanet", { datanetId: 0 });
    assert.equal(h.free(alice), free + DEPOSIT);
    assert.equal(h.reserved(alice), 0n);
    assert.equal(getDatanet(h.overlay, 0)!.closed, true);
    assert.equal(submit(h, bob, 2), "Registry.DatanetClosed");
    assert.equal(h.call(alice, "closeDatanet", { datanetId: 0 }), "Registry.DatanetClosed");
    assert.equal(
      h.call(alice, "publishVersion", { datanetId: 0, metadataUri: "" }),
      "Registry.DatanetClosed",
    );
    // The acceptance still stands when its window ends: bond released, fee to the curator.
    const eveFree = h.free(eve);
    h.advance(20);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(h.named("BondReleased").length, 1);
    assert.equal(h.free(eve), eveFree + FEE);
  });

  it("an owner curating its datanet keeps it until its own decisions stand", () => {
    const h = withDatanet();
    submit(h, bob, 1);
    h.ok(alice, "acceptContribution", { contributionId: 0, quality: 50 });
    assert.equal(h.call(alice, "closeDatanet", { datanetId: 0 }), "Registry.OpenDecisions");
    assert.equal(
      h.call(alice, "transferOwnership", { datanetId: 0, newOwner: bob }),
      "Registry.OpenDecisions",
    );
    h.advance(20);
    h.ok(alice, "closeDatanet", { datanetId: 0 });
  });

  it("closeDatanet waits for open challenges", () => {
    const h = withDatanet();
    submit(h, bob, 1);
    h.ok(alice, "acceptContribution", { contributionId: 0, quality: 50 });
    h.ok(ferdie, "challenge", { contributionId: 0, evidenceUri: "ipfs://evidence" });
    assert.equal(h.call(alice, "closeDatanet", { datanetId: 0 }), "Registry.HasChallenges");
  });
});

describe("registry: contributions", () => {
  it("submit reserves the bond; duplicates and bad arguments are refused", () => {
    const h = withDatanet();
    const free = h.free(bob);
    assert.equal(submit(h, bob, 1), "ok");
    assert.equal(h.free(bob), free - BOND - FEE);
    assert.equal(h.reserved(bob), BOND + FEE);
    assert.equal(heldBy(h.overlay, bob), BOND + FEE);
    const c = getContribution(h.overlay, 0)!;
    assert.equal(c.status, ContributionStatus.pending);
    assert.equal(c.bond, BOND);
    assert.equal(c.reviewFee, FEE);
    assert.equal(c.size, 1001);
    assert.equal(c.releaseAt, 1 + 50);
    assert.equal(pendingCount(h.overlay, 0, bob), 1);
    assert.equal(getDatanet(h.overlay, 0)!.pendingCount, 1);
    assert.equal(submit(h, bob, 1), "Registry.DuplicateContent");
    assert.equal(submit(h, charlie, 1), "Registry.DuplicateContent");
    assert.equal(submit(h, bob, 2, 7), "Registry.UnknownDatanet");
    const base = { datanetId: 0, contentHash: contentHash(3), size: 1, metadataUri: "" };
    assert.equal(
      h.call(bob, "submitContribution", { ...base, contentHash: new Uint8Array(31) }),
      "Registry.InvalidContentHash",
    );
    assert.equal(h.call(bob, "submitContribution", { ...base, size: 0 }), "Registry.InvalidSize");
    assert.equal(
      h.call(bob, "submitContribution", { ...base, metadataUri: "u".repeat(257) }),
      "Registry.TooLong",
    );
    assert.equal(h.call(nobody, "submitContribution", base), "Registry.InsufficientBalance");
    assert.equal(submit(h, charlie, 2), "ok");
    assert.deepEqual(datanetContributionIds(h.overlay, 0), [0, 1]);
    assert.deepEqual(contributorContributionIds(h.overlay, charlie), [1]);
  });

  it("withdraw returns the bond and the review fee in full while pending, and only then", () => {
    const h = withDatanet();
    submit(h, bob, 1);
    const free = h.free(bob);
    assert.equal(
      h.call(charlie, "withdrawContribution", { contributionId: 0 }),
      "Registry.NotContributor",
    );
    assert.equal(
      h.call(bob, "withdrawContribution", { contributionId: 5 }),
      "Registry.UnknownContribution",
    );
    h.ok(bob, "withdrawContribution", { contributionId: 0 });
    assert.equal(h.free(bob), free + BOND + FEE);
    assert.equal(amountOf(h.named("ReviewFeePaid")[0]!.data.amount), FEE);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(getContribution(h.overlay, 0)!.status, ContributionStatus.withdrawn);
    assert.equal(pendingCount(h.overlay, 0, bob), 0);
    assert.equal(
      h.call(bob, "withdrawContribution", { contributionId: 0 }),
      "Registry.WrongStatus",
    );
    // Withdrawn content may be submitted again.
    assert.equal(submit(h, bob, 1), "ok");
    h.ok(alice, "acceptContribution", { contributionId: 1, quality: 10 });
    assert.equal(
      h.call(bob, "withdrawContribution", { contributionId: 1 }),
      "Registry.WrongStatus",
    );
  });

  it("a contribution nobody reviews within the review window expires, bond and fee returned", () => {
    const h = withDatanet();
    submit(h, bob, 1);
    const free = h.free(bob);
    h.advance(49);
    assert.equal(getContribution(h.overlay, 0)!.status, ContributionStatus.pending);
    h.advance(1);
    assert.equal(getContribution(h.overlay, 0)!.status, ContributionStatus.withdrawn);
    assert.equal(h.free(bob), free + BOND + FEE);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(h.named("ContributionExpired").length, 1);
  });
});

describe("registry: curation", () => {
  it("accept holds the bond and fee through the challenge window; then the bond is released and the curator paid", () => {
    const h = withDatanet();
    submit(h, bob, 1);
    assert.equal(
      h.call(bob, "acceptContribution", { contributionId: 0, quality: 50 }),
      "Registry.NotCurator",
    );
    assert.equal(
      h.call(alice, "acceptContribution", { contributionId: 0, quality: 0 }),
      "Registry.InvalidQuality",
    );
    assert.equal(
      h.call(alice, "acceptContribution", { contributionId: 0, quality: 101 }),
      "Registry.InvalidQuality",
    );
    h.ok(alice, "acceptContribution", { contributionId: 0, quality: 80 });
    const c = getContribution(h.overlay, 0)!;
    assert.equal(c.status, ContributionStatus.accepted);
    assert.equal(c.weight, 80);
    assert.equal(c.releaseAt, 21);
    assert.equal(getReputation(h.overlay, bob).score, 160);
    assert.equal(
      h.call(alice, "acceptContribution", { contributionId: 0, quality: 80 }),
      "Registry.WrongStatus",
    );
    const free = h.free(bob);
    const aliceFree = h.free(alice);
    h.advance(19);
    assert.equal(h.reserved(bob), BOND + FEE);
    h.advance(1);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(h.free(bob), free + BOND);
    assert.equal(h.free(alice), aliceFree + FEE);
    const settled = getContribution(h.overlay, 0)!;
    assert.equal(settled.bond, 0n);
    assert.equal(settled.reviewFee, 0n);
    assert.equal(settled.decisionOpen, false);
    assert.equal(settled.status, ContributionStatus.accepted);
  });

  it("a rejection holds the bond until it stands: then the treasury gets the slash, the curator the fee", () => {
    const h = new RegistryHarness();
    h.ok(alice, "createDatanet", curatedArgs([eve]));
    h.ok(eve, "bondCurator", amountArgs(0, CURATOR_BOND));
    submit(h, bob, 1);
    assert.equal(
      h.call(alice, "rejectContribution", { contributionId: 0, reason: "blurry" }),
      "Registry.NotCurator",
    );
    assert.equal(
      h.call(eve, "rejectContribution", { contributionId: 0, reason: "r".repeat(1025) }),
      "Registry.TooLong",
    );
    const before = {
      bob: h.free(bob),
      eve: h.free(eve),
      treasury: h.free(TREASURY_ACCOUNT),
      issuance: totalIssuance(h.overlay),
    };
    h.ok(eve, "rejectContribution", { contributionId: 0, reason: "blurry" });
    // Nothing moves yet: the appeal window is the policy's challenge window (20 blocks).
    assert.equal(h.free(bob), before.bob);
    assert.equal(h.reserved(bob), BOND + FEE);
    const c = getContribution(h.overlay, 0)!;
    assert.equal(c.status, ContributionStatus.rejected);
    assert.equal(c.reason, "blurry");
    assert.equal(c.releaseAt, 1 + 20);
    assert.equal(c.decisionOpen, true);
    const [event] = h.named("ContributionRejected");
    assert.equal(amountOf(event!.data.slashed), BOND / 2n);
    assert.equal(amountOf(event!.data.returned), BOND / 2n);
    assert.equal(event!.data.toCurator, undefined);
    assert.equal(getReputation(h.overlay, bob).score, -100);
    h.advance(19);
    assert.equal(h.reserved(bob), BOND + FEE);
    h.advance(1);
    assert.equal(h.free(bob), before.bob + BOND / 2n);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(h.free(eve), before.eve + FEE);
    assert.equal(h.free(TREASURY_ACCOUNT), before.treasury + BOND / 2n);
    assert.equal(totalIssuance(h.overlay), before.issuance);
    const [stood] = h.named("RejectionStood");
    assert.equal(amountOf(stood!.data.slashed), BOND / 2n);
    assert.equal(amountOf(stood!.data.toTreasury), BOND / 2n);
    assert.equal(amountOf(stood!.data.returned), BOND / 2n);
    assert.equal(getContribution(h.overlay, 0)!.decisionOpen, false);
    // A rejected content hash stays refused.
    assert.equal(submit(h, bob, 1), "Registry.DuplicateContent");
  });
});

describe("registry: challenges", () => {
  /** Bob's contribution accepted by eve, a bonded curator of alice's datanet. */
  function accepted(): RegistryHarness {
    const h = new RegistryHarness();
    h.ok(alice, "createDatanet", curatedArgs([eve]));
    h.ok(eve, "bondCurator", amountArgs(0, CURATOR_BOND));
    submit(h, bob, 1);
    h.ok(eve, "acceptContribution", { contributionId: 0, quality: 60 });
    return h;
  }
  const CURATOR_SLASH = CURATOR_BOND / 2n;

  it("an upheld challenge slashes the contributor and the curator, rewards the challenger and pays the treasury", () => {
    const h = accepted();
    const evidence = { contributionId: 0, evidenceUri: "ipfs://evidence" };
    assert.equal(h.call(bob, "challenge", evidence), "Registry.SelfChallenge");
    assert.equal(
      h.call(ferdie, "challenge", { contributionId: 0, evidenceUri: "" }),
      "Registry.MissingEvidence",
    );
    assert.equal(h.call(nobody, "challenge", evidence), "Registry.InsufficientBalance");
    assert.equal(
      h.call(ferdie, "resolveChallenge", { contributionId: 0, uphold: true }),
      "Registry.NoChallenge",
    );
    const before = {
      bob: h.free(bob),
      ferdie: h.free(ferdie),
      treasury: h.free(TREASURY_ACCOUNT),
      issuance: totalIssuance(h.overlay),
    };
    h.ok(ferdie, "challenge", evidence);
    assert.equal(h.reserved(ferdie), CHALLENGE_BOND);
    assert.equal(h.call(charlie, "challenge", evidence), "Registry.AlreadyChallenged");
    assert.equal(
      h.call(charlie, "resolveChallenge", { contributionId: 0, uphold: true }),
      "Registry.NotOwner",
    );
    assert.equal(
      h.call(eve, "resolveChallenge", { contributionId: 0, uphold: true }),
      "Registry.OwnDecision",
    );
    h.ok(alice, "resolveChallenge", { contributionId: 0, uphold: true });
    // Bob loses the bond (to the challenger and the treasury) and the review fee (to the
    // challenger); eve loses half her stake, shared the same way.
    assert.equal(h.free(bob), before.bob);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(h.free(ferdie), before.ferdie + BOND / 2n + FEE + CURATOR_SLASH / 2n);
    assert.equal(h.reserved(ferdie), 0n);
    assert.equal(h.free(TREASURY_ACCOUNT), before.treasury + BOND / 2n + CURATOR_SLASH / 2n);
    assert.equal(h.reserved(eve), CURATOR_BOND - CURATOR_SLASH);
    assert.equal(totalIssuance(h.overlay), before.issuance);
    assert.equal(getContribution(h.overlay, 0)!.status, ContributionStatus.slashed);
    assert.equal(getReputation(h.overlay, bob).score, 120 - 300);
    assert.equal(h.named("ChallengeUpheld").length, 1);
    // Nothing is left to release at the end of the window.
    h.advance(25);
    assert.equal(h.named("BondReleased").length, 0);
  });

  it("a dismissed challenge slashes the challenger; the bond is released once the window is over", () => {
    const h = accepted();
    h.ok(ferdie, "challenge", { contributionId: 0, evidenceUri: "ipfs://e" });
    const before = {
      ferdie: h.free(ferdie),
      treasury: h.free(TREASURY_ACCOUNT),
      bob: h.free(bob),
      eve: h.free(eve),
    };
    h.advance(25); // the window ends while the challenge is open: the bond stays
    assert.equal(h.reserved(bob), BOND + FEE);
    h.ok(alice, "resolveChallenge", { contributionId: 0, uphold: false });
    assert.equal(h.free(eve), before.eve + FEE);
    assert.equal(h.reserved(eve), CURATOR_BOND);
    assert.equal(h.free(ferdie), before.ferdie + CHALLENGE_BOND / 2n);
    assert.equal(h.reserved(ferdie), 0n);
    assert.equal(h.free(TREASURY_ACCOUNT), before.treasury + CHALLENGE_BOND / 2n);
    assert.equal(h.free(bob), before.bob + BOND);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(getContribution(h.overlay, 0)!.status, ContributionStatus.accepted);
    assert.equal(
      h.call(ferdie, "challenge", { contributionId: 0, evidenceUri: "x" }),
      "Registry.WindowClosed",
    );
  });

  it("governance resolves with root; signed callers cannot use the root call", () => {
    const h = accepted();
    h.ok(ferdie, "challenge", { contributionId: 0, evidenceUri: "ipfs://e" });
    assert.equal(
      h.call(alice, "forceResolveChallenge", { contributionId: 0, uphold: true }),
      "Registry.BadOrigin",
    );
    h.ok("root", "forceResolveChallenge", { contributionId: 0, uphold: false });
    assert.equal(h.named("ChallengeDismissed").length, 1);
    // A new challenge may follow inside the window.
    h.ok(charlie, "challenge", { contributionId: 0, evidenceUri: "ipfs://e2" });
  });

  it("an unresolved challenge expires: dismissed without slashing, both bonds back", () => {
    const h = accepted();
    h.ok(ferdie, "challenge", { contributionId: 0, evidenceUri: "ipfs://e" });
    const before = { ferdie: h.free(ferdie), bob: h.free(bob), eve: h.free(eve) };
    h.advance(99);
    assert.equal(h.reserved(ferdie), CHALLENGE_BOND);
    h.advance(1);
    assert.equal(h.free(ferdie), before.ferdie + CHALLENGE_BOND);
    assert.equal(h.free(bob), before.bob + BOND);
    assert.equal(h.free(eve), before.eve + FEE);
    assert.equal(h.reserved(ferdie) + h.reserved(bob), 0n);
    assert.equal(h.named("ChallengeExpired").length, 1);
  });

  it("only accepted contributions are challenged", () => {
    const h = withDatanet();
    submit(h, bob, 1);
    assert.equal(
      h.call(ferdie, "challenge", { contributionId: 0, evidenceUri: "e" }),
      "Registry.WrongStatus",
    );
  });
});

describe("registry: spam costs", () => {
  it("a fresh account's tenth pending submission is refused", () => {
    const h = withDatanet();
    for (let n = 1; n <= 9; n++) assert.equal(submit(h, bob, n), "ok", `submission ${n}`);
    assert.equal(submit(h, bob, 10), "Registry.PendingLimit");
    assert.equal(h.reserved(bob), 9n * (BOND + FEE));
    // Another account is not affected; a review frees a slot.
    assert.equal(submit(h, charlie, 10), "ok");
    h.ok(alice, "acceptContribution", { contributionId: 0, quality: 50 });
    assert.equal(submit(h, bob, 11), "ok");
  });

  it("the bond rises after rejections and falls after accepted work; the pending limit follows", () => {
    const h = withDatanet();
    const bondOf = (who: Uint8Array) =>
      requiredBond(h.overlay, BOND, getReputation(h.overlay, who).score);
    assert.equal(bondOf(bob), BOND);
    submit(h, bob, 1);
    h.ok(alice, "rejectContribution", { contributionId: 0, reason: "spam" });
    assert.equal(bondOf(bob), (BOND * 12n) / 10n);
    submit(h, bob, 2);
    assert.equal(getContribution(h.overlay, 1)!.bond, (BOND * 12n) / 10n);
    h.ok(alice, "rejectContribution", { contributionId: 1, reason: "spam" });
    assert.equal(bondOf(bob), (BOND * 14n) / 10n);
    // Rejected twice: 9 × (1 − 0.8 × 0.2) = 7.56 → 7 pending at most.
    for (let n = 10; n < 17; n++) assert.equal(submit(h, bob, n), "ok");
    assert.equal(submit(h, bob, 17), "Registry.PendingLimit");

    submit(h, charlie, 100);
    h.ok(alice, "acceptContribution", { contributionId: 9, quality: 100 });
    assert.equal(bondOf(charlie), (BOND * 85n) / 100n);
    submit(h, charlie, 101);
    assert.equal(getContribution(h.overlay, 10)!.bond, (BOND * 85n) / 100n);
    // Good work raises the limit: 9 × (1 + 2 × 0.2) = 12.6 → 12.
    for (let n = 102; n < 113; n++) assert.equal(submit(h, charlie, n), "ok", `charlie ${n}`);
    assert.equal(submit(h, charlie, 113), "Registry.PendingLimit");
  });
});

describe("registry: the due queue", () => {
  it("processes at most registryMaxDuePerBlock items per block; a backlog carries over in due order", () => {
    const h = new RegistryHarness(
      devSpecWith((config) => {
        config.params = { ...config.params, registryMaxDuePerBlock: "2" };
      }),
    );
    h.ok(alice, "createDatanet", datanetArgs());
    for (let n = 0; n < 5; n++) submit(h, [bob, charlie, eve][n % 3]!, n);
    for (let id = 0; id < 5; id++)
      h.ok(alice, "acceptContribution", { contributionId: id, quality: 5 });
    h.advance(20);
    const released = () => h.named("BondReleased").map((e) => e.data.contributionId);
    assert.deepEqual(released(), [0, 1]);
    h.advance(1);
    assert.deepEqual(released(), [0, 1, 2, 3]);
    h.advance(1);
    assert.deepEqual(released(), [0, 1, 2, 3, 4]);
    assert.equal(h.reserved(bob) + h.reserved(charlie) + h.reserved(eve), 0n);
  });
});

describe("registry: reads and invariants", () => {
  it("listContributions pages by datanet, contributor and status", () => {
    const h = withDatanet();
    h.ok(charlie, "createDatanet", datanetArgs({ name: "audio", modality: 2 }));
    for (let n = 0; n < 6; n++) submit(h, n % 2 === 0 ? bob : charlie, n, n < 4 ? 0 : 1);
    h.ok(alice, "acceptContribution", { contributionId: 0, quality: 10 });
    h.ok(alice, "rejectContribution", { contributionId: 1, reason: "x" });
    const ids = (page: { items: { id: number }[] }) => page.items.map((i) => i.id);
    assert.deepEqual(ids(listContributions(h.overlay, { datanetId: 0 }, 0, 10)), [0, 1, 2, 3]);
    assert.deepEqual(ids(listContributions(h.overlay, { datanetId: 1 }, 0, 10)), [4, 5]);
    assert.deepEqual(ids(listContributions(h.overlay, { contributor: bob }, 0, 10)), [0, 2, 4]);
    assert.deepEqual(
      ids(listContributions(h.overlay, { datanetId: 0, contributor: charlie }, 0, 10)),
      [1, 3],
    );
    assert.deepEqual(
      ids(listContributions(h.overlay, { status: ContributionStatus.pending }, 0, 10)),
      [2, 3, 4, 5],
    );
    const first = listContributions(h.overlay, {}, 0, 4);
    assert.deepEqual([ids(first), first.next], [[0, 1, 2, 3], 4]);
    const second = listContributions(h.overlay, {}, first.next!, 4);
    assert.deepEqual([ids(second), second.next], [[4, 5], null]);
  });

  it("the invariants catch a ledger that disagrees with the records", () => {
    const h = withDatanet();
    submit(h, bob, 1);
    registryInvariants(h.overlay);
    registryStorage.held.set(h.overlay, bob, 2n * BOND);
    assert.throws(() => registryInvariants(h.overlay), { code: "REGISTRY_HELD" });
    registryStorage.held.set(h.overlay, bob, BOND + FEE);
    registryInvariants(h.overlay);
    const c = getContribution(h.overlay, 0)!;
    registryStorage.contributions.set(h.overlay, 0, { ...c, status: ContributionStatus.accepted });
    assert.throws(() => registryInvariants(h.overlay), { code: "REGISTRY_BOND" });
    registryStorage.contributions.set(h.overlay, 0, {
      ...c,
      status: ContributionStatus.accepted,
      decisionOpen: true,
    });
    assert.throws(() => registryInvariants(h.overlay), { code: "REGISTRY_PENDING" });
    registryStorage.datanets.set(h.overlay, 0, { ...getDatanet(h.overlay, 0)!, pendingCount: 0 });
    assert.throws(() => registryInvariants(h.overlay), { code: "REGISTRY_ACCEPTED_IN" });
    registryStorage.acceptedIn.set(h.overlay, registryKeys.acceptedIn(0, bob), 1);
    registryInvariants(h.overlay);
    registryStorage.acceptedIn.set(h.overlay, registryKeys.acceptedIn(0, bob), 2);
    assert.throws(() => registryInvariants(h.overlay), { code: "REGISTRY_ACCEPTED_IN" });
  });
});
