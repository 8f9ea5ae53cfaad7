// Issue 13's curation rules: curators bond, reviewing needs a stake, the review fee is paid for
// decisions that stand, rejections can be appealed, nobody judges its own decision or case, and
// overturned decisions cost their curator. Every refusal is checked to change nothing at all
// (`refused`: the whole state's digest and the events are compared).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registryApi } from "../../../node/registry-api.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { ss58Encode } from "../../../primitives/ss58.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import {
  ContributionStatus,
  getChallenge,
  getContribution,
  getCurator,
  getDatanet,
  getReputation,
  getVersion,
  inStanding,
  versionWeight,
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

const alice = pub("alice"); // owns the datanets
const bob = pub("bob"); // contributes
const charlie = pub("charlie"); // a second curator
const dave = pub("dave"); // contributes
const eve = pub("eve"); // curates
const ferdie = pub("ferdie"); // challenges
const BOND = UNIT;
const FEE = REVIEW_FEE;
const CB = 5n * UNIT; // the challenge (and appeal) bond
const DEPOSIT = 10n * UNIT;
const HALF_STAKE = CURATOR_BOND / 2n;

/** Datanet 0 owned by alice, curated by `curators` (bonded at the minimum unless `bonded` is false). */
function curated(curators: Uint8Array[] = [eve], bonded = true): RegistryHarness {
  const h = new RegistryHarness();
  h.ok(alice, "createDatanet", curatedArgs(curators));
  if (bonded) for (const c of curators) h.ok(c, "bondCurator", amountArgs(0, CURATOR_BOND));
  return h;
}

/** Datanet 0 owned and curated by alice. */
function ownerCurated(): RegistryHarness {
  const h = new RegistryHarness();
  h.ok(alice, "createDatanet", datanetArgs());
  return h;
}

const submit = (h: RegistryHarness, who: Uint8Array, n: number) =>
  h.ok(who, "submitContribution", {
    datanetId: 0,
    contentHash: contentHash(n),
    size: 100 + n,
    metadataUri: `ipfs://object/${n}`,
  });
const accept = (id: number, quality = 60) => ({ contributionId: id, quality });
const reject = (id: number) => ({ contributionId: id, reason: "junk" });
const evidence = (id: number) => ({ contributionId: id, evidenceUri: `ipfs://evidence/${id}` });
const verdict = (id: number, overturn: boolean, quality = 0) => ({
  contributionId: id,
  overturn,
  quality,
});
const feePaid = (h: RegistryHarness) =>
  h.named("ReviewFeePaid").map((e) => ({
    to: e.data.account as Uint8Array,
    amount: amountOf(e.data.amount),
  }));

describe("registry: curator bonds", () => {
  it("bondCurator: a listed curator bonds at least the minimum and adds to it; nothing else moves anything", () => {
    const h = curated([eve], false);
    const ten = amountArgs(0, CURATOR_BOND);
    h.refused(bob, "bondCurator", ten, "Registry.NotCurator");
    h.refused(alice, "bondCurator", ten, "Registry.NotCurator"); // the owner is not listed
    h.refused(eve, "bondCurator", amountArgs(0, CURATOR_BOND - 1n), "Registry.BondTooLow");
    h.refused(eve, "bondCurator", amountArgs(0, 0n), "Registry.BondTooLow");
    h.refused(eve, "bondCurator", amountArgs(7, CURATOR_BOND), "Registry.UnknownDatanet");
    h.refused("root", "bondCurator", ten, "Registry.BadOrigin");
    const free = h.free(eve);
    h.ok(eve, "bondCurator", ten);
    assert.equal(h.free(eve), free - CURATOR_BOND);
    assert.equal(h.reserved(eve), CURATOR_BOND);
    assert.equal(getCurator(h.overlay, 0, eve).bond, CURATOR_BOND);
    const [bonded] = h.named("CuratorBonded");
    assert.equal(amountOf(bonded!.data.amount), CURATOR_BOND);
    assert.equal(amountOf(bonded!.data.stake), CURATOR_BOND);
    // Once at the minimum, any positive amount adds.
    h.ok(eve, "bondCurator", amountArgs(0, 1n));
    assert.equal(getCurator(h.overlay, 0, eve).bond, CURATOR_BOND + 1n);
    h.refused(eve, "bondCurator", amountArgs(0, 0n), "Registry.BondTooLow");
    // A listed curator that cannot pay.
    h.ok(alice, "setCurators", { datanetId: 0, curators: [eve, nobody] });
    h.refused(nobody, "bondCurator", ten, "Registry.InsufficientBalance");
    // A closed datanet takes no bonds, but its curators may still leave.
    h.ok(alice, "closeDatanet", { datanetId: 0 });
    h.refused(eve, "bondCurator", ten, "Registry.DatanetClosed");
    h.ok(eve, "unbondCurator", { datanetId: 0 });
    assert.equal(h.reserved(eve), 0n);
  });

  it("unbondCurator returns the whole bond once none of its decisions is open; a removed curator may still unbond", () => {
    const h = curated();
    submit(h, bob, 1);
    h.ok(eve, "acceptContribution", accept(0));
    assert.equal(getCurator(h.overlay, 0, eve).open, 1);
    h.refused(eve, "unbondCurator", { datanetId: 0 }, "Registry.OpenDecisions");
    h.refused(charlie, "unbondCurator", { datanetId: 0 }, "Registry.NoBond");
    h.refused(eve, "unbondCurator", { datanetId: 3 }, "Registry.UnknownDatanet");
    // The owner replaces eve; her open decision still stands or falls on her bond.
    h.ok(alice, "setCurators", { datanetId: 0, curators: [charlie] });
    submit(h, bob, 2);
    h.refused(eve, "acceptContribution", accept(1), "Registry.NotCurator");
    const free = h.free(eve);
    h.advance(20);
    assert.equal(h.free(eve), free + FEE, "her acceptance stood: the review fee is hers");
    h.ok(eve, "unbondCurator", { datanetId: 0 });
    assert.equal(h.free(eve), free + FEE + CURATOR_BOND);
    assert.equal(h.reserved(eve), 0n);
    assert.equal(amountOf(h.named("CuratorUnbonded")[0]!.data.amount), CURATOR_BOND);
    h.refused(eve, "unbondCurator", { datanetId: 0 }, "Registry.NoBond");
    const record = getCurator(h.overlay, 0, eve);
    assert.deepEqual([record.bond, record.decisions, record.stood], [0n, 1, 1]);
  });
});

describe("registry: reviewing needs a stake", () => {
  it("a listed curator without a sufficient bond may neither accept nor reject", () => {
    const h = curated([eve], false);
    submit(h, bob, 1);
    h.refused(eve, "acceptContribution", accept(0), "Registry.CuratorNotBonded");
    h.refused(eve, "rejectContribution", reject(0), "Registry.CuratorNotBonded");
    h.ok(eve, "bondCurator", amountArgs(0, CURATOR_BOND));
    assert.ok(inStanding(h.overlay, 0, getDatanet(h.overlay, 0)!, eve));
    h.ok(eve, "acceptContribution", accept(0));
  });

  it("an owner slashed below the datanet deposit stops curating until topUpDeposit restores it", () => {
    const h = ownerCurated();
    submit(h, bob, 1);
    h.ok(alice, "acceptContribution", accept(0));
    h.ok(ferdie, "challenge", evidence(0));
    // The owner's own acceptance: root judges it, and the owner's deposit backs it.
    h.ok("root", "forceResolveChallenge", { contributionId: 0, uphold: true });
    assert.equal(getDatanet(h.overlay, 0)!.deposit, DEPOSIT / 2n);
    assert.equal(h.reserved(alice), DEPOSIT / 2n);
    const [slashed] = h.named("CuratorSlashed");
    assert.ok(bytesEqual(slashed!.data.curator as Uint8Array, alice));
    assert.ok(bytesEqual(slashed!.data.recipient as Uint8Array, ferdie));
    assert.equal(amountOf(slashed!.data.slashed), DEPOSIT / 2n);
    assert.equal(amountOf(slashed!.data.toRecipient), DEPOSIT / 4n);
    assert.equal(amountOf(slashed!.data.stake), DEPOSIT / 2n);
    submit(h, bob, 2);
    h.refused(alice, "acceptContribution", accept(1), "Registry.CuratorNotBonded");
    h.refused(alice, "rejectContribution", reject(1), "Registry.CuratorNotBonded");
    h.refused(bob, "topUpDeposit", amountArgs(0, DEPOSIT), "Registry.NotOwner");
    h.refused(alice, "topUpDeposit", amountArgs(0, UNIT), "Registry.BondTooLow");
    h.refused(alice, "topUpDeposit", amountArgs(0, 0n), "Registry.BondTooLow");
    h.refused(alice, "topUpDeposit", amountArgs(4, DEPOSIT), "Registry.UnknownDatanet");
    h.ok(alice, "topUpDeposit", amountArgs(0, DEPOSIT / 2n));
    assert.equal(getDatanet(h.overlay, 0)!.deposit, DEPOSIT);
    assert.equal(h.reserved(alice), DEPOSIT);
    assert.equal(amountOf(h.named("DepositToppedUp")[0]!.data.stake), DEPOSIT);
    h.ok(alice, "acceptContribution", accept(1));
    h.advance(20);
    const free = h.free(alice);
    h.ok(alice, "closeDatanet", { datanetId: 0 });
    assert.equal(h.free(alice), free + DEPOSIT, "the whole topped-up deposit is returned");
    h.refused(alice, "topUpDeposit", amountArgs(0, DEPOSIT), "Registry.DatanetClosed");
  });
});

describe("registry: the review fee", () => {
  /** Runs `path` on a fresh curated datanet with bob's contribution 0; returns the fee's recipients. */
  function feeOf(path: (h: RegistryHarness) => void): Uint8Array[] {
    const h = curated();
    submit(h, bob, 1);
    const issuance = totalIssuance(h.overlay);
    h.clearEvents();
    path(h);
    assert.equal(totalIssuance(h.overlay), issuance);
    const paid = feePaid(h);
    for (const p of paid) assert.equal(p.amount, FEE);
    assert.equal(getContribution(h.overlay, 0)!.reviewFee, 0n, "nothing of the fee is left held");
    return paid.map((p) => p.to);
  }
  const only = (got: Uint8Array[], want: Uint8Array, what: string) => {
    assert.equal(got.length, 1, `${what}: paid once`);
    assert.ok(bytesEqual(got[0]!, want), what);
  };

  it("goes to the curator whose decision stands, to whoever overturns it, and back when nobody decides", () => {
    only(
      feeOf((h) => h.ok(bob, "withdrawContribution", { contributionId: 0 })),
      bob,
      "withdrawn: refunded",
    );
    only(
      feeOf((h) => h.advance(50)),
      bob,
      "review expired: refunded",
    );
    only(
      feeOf((h) => {
        h.ok(eve, "acceptContribution", accept(0));
        h.advance(20);
      }),
      eve,
      "acceptance stood",
    );
    only(
      feeOf((h) => {
        h.ok(eve, "rejectContribution", reject(0));
        h.advance(20);
      }),
      eve,
      "rejection stood",
    );
    only(
      feeOf((h) => {
        h.ok(eve, "acceptContribution", accept(0));
        h.ok(ferdie, "challenge", evidence(0));
        h.ok(alice, "resolveChallenge", { contributionId: 0, uphold: true });
      }),
      ferdie,
      "acceptance overturned: to the challenger",
    );
    only(
      feeOf((h) => {
        h.ok(eve, "acceptContribution", accept(0));
        h.ok(ferdie, "challenge", evidence(0));
        h.ok(alice, "resolveChallenge", { contributionId: 0, uphold: false });
        h.advance(20);
      }),
      eve,
      "challenge dismissed, then the acceptance stood",
    );
    only(
      feeOf((h) => {
        h.ok(eve, "rejectContribution", reject(0));
        h.ok(bob, "appealRejection", evidence(0));
        h.ok(alice, "resolveAppeal", verdict(0, true, 50));
        h.advance(20); // the owner's new acceptance stands: there is no fee left to pay
      }),
      bob,
      "rejection overturned: to the appellant",
    );
    only(
      feeOf((h) => {
        h.ok(eve, "rejectContribution", reject(0));
        h.ok(bob, "appealRejection", evidence(0));
        h.ok(alice, "resolveAppeal", verdict(0, false));
      }),
      eve,
      "appeal dismissed: the rejection stood",
    );
    only(
      feeOf((h) => {
        h.ok(eve, "rejectContribution", reject(0));
        h.ok(bob, "appealRejection", evidence(0));
        h.advance(100);
      }),
      eve,
      "appeal expired: the rejection stood",
    );
  });

  it("is reserved at submission with the bond, and a fee of 0 reserves and pays nothing", () => {
    const h = curated();
    const free = h.free(bob);
    submit(h, bob, 1);
    assert.equal(h.free(bob), free - BOND - FEE);
    assert.equal(getContribution(h.overlay, 0)!.reviewFee, FEE);
    const free2 = new RegistryHarness(
      devSpecWith((config) => {
        config.params = { ...config.params, registryReviewFee: "0" };
      }),
    );
    free2.ok(alice, "createDatanet", datanetArgs());
    const before = free2.free(bob);
    submit(free2, bob, 1);
    assert.equal(free2.free(bob), before - BOND);
    free2.ok(alice, "acceptContribution", accept(0));
    free2.advance(20);
    assert.equal(free2.named("ReviewFeePaid").length, 0);
    assert.equal(free2.free(bob), before);
  });

  it("a submitter who cannot pay bond and fee together is refused", () => {
    const h = curated();
    assert.equal(
      h.dispatch("Balances", bob, "transfer", {
        dest: dave,
        value: amountArgs(0, h.free(bob) - BOND - FEE + 1n).amount,
      }),
      "ok",
    );
    h.refused(
      bob,
      "submitContribution",
      { datanetId: 0, contentHash: contentHash(1), size: 1, metadataUri: "" },
      "Registry.InsufficientBalance",
    );
  });
});

describe("registry: appeals", () => {
  /** Bob's contribution 0 rejected by eve and appealed by bob. */
  function appealed(): RegistryHarness {
    const h = curated([eve, charlie]);
    submit(h, bob, 1);
    h.ok(eve, "rejectContribution", reject(0));
    h.ok(bob, "appealRejection", evidence(0));
    return h;
  }

  it("an overturned rejection is accepted at the owner's quality; the curator pays; the appellant is made whole", () => {
    const h = appealed();
    const appeal = getChallenge(h.overlay, 0)!;
    assert.equal(appeal.appeal, true);
    assert.equal(getContribution(h.overlay, 0)!.appealed, true);
    assert.equal(getDatanet(h.overlay, 0)!.openChallenges, 1);
    assert.equal(h.reserved(bob), BOND + FEE + CB);
    assert.equal(getReputation(h.overlay, bob).score, -100);
    h.refused(charlie, "resolveAppeal", verdict(0, true, 70), "Registry.NotOwner");
    h.refused(eve, "resolveAppeal", verdict(0, true, 70), "Registry.OwnDecision");
    h.refused(alice, "resolveAppeal", verdict(0, true, 0), "Registry.InvalidQuality");
    h.refused(alice, "resolveAppeal", verdict(0, true, 101), "Registry.InvalidQuality");
    h.refused(alice, "resolveAppeal", verdict(0, false, 5), "Registry.InvalidQuality");
    h.refused(alice, "resolveAppeal", verdict(1, true, 70), "Registry.NoAppeal");
    h.refused(
      alice,
      "resolveChallenge",
      { contributionId: 0, uphold: true },
      "Registry.NoChallenge",
    );
    h.refused(
      "root",
      "forceResolveChallenge",
      { contributionId: 0, uphold: true },
      "Registry.NoChallenge",
    );
    h.refused(alice, "forceResolveAppeal", verdict(0, true, 70), "Registry.BadOrigin");
    const before = {
      bob: h.free(bob),
      treasury: h.free(TREASURY_ACCOUNT),
      issuance: totalIssuance(h.overlay),
    };
    h.ok(alice, "resolveAppeal", verdict(0, true, 70));
    const c = getContribution(h.overlay, 0)!;
    assert.equal(c.status, ContributionStatus.accepted);
    assert.equal(c.weight, 70);
    assert.ok(bytesEqual(c.reviewer, alice), "the owner's decision now");
    assert.equal(c.releaseAt, h.block + 20);
    assert.deepEqual([c.decisionOpen, c.reviewFee, c.bond], [true, 0n, BOND]);
    // The appeal bond and the fee back, half of eve's slashed half-stake; the bond stays held
    // through the new challenge window.
    assert.equal(h.free(bob), before.bob + CB + FEE + HALF_STAKE / 2n);
    assert.equal(h.reserved(bob), BOND);
    assert.equal(h.reserved(eve), CURATOR_BOND - HALF_STAKE);
    assert.equal(h.free(TREASURY_ACCOUNT), before.treasury + HALF_STAKE / 2n);
    assert.equal(totalIssuance(h.overlay), before.issuance);
    assert.equal(getDatanet(h.overlay, 0)!.openChallenges, 0);
    const rep = getReputation(h.overlay, bob);
    assert.deepEqual([rep.score, rep.rejected, rep.accepted], [140, 0, 1]);
    assert.deepEqual(
      h.events
        .filter((e) => e.pallet === "Registry")
        .slice(-6)
        .map((e) => e.name),
      [
        "AppealUpheld",
        "CuratorSlashed",
        "ReviewFeePaid",
        "ReputationChanged",
        "ContributionAccepted",
        "ReputationChanged",
      ],
    );
    assert.deepEqual(
      [getCurator(h.overlay, 0, eve).overturned, getCurator(h.overlay, 0, alice).open],
      [1, 1],
    );
    // The case is decided; the contribution is in the next version.
    h.refused(bob, "appealRejection", evidence(0), "Registry.WrongStatus");
    h.refused(alice, "closeDatanet", { datanetId: 0 }, "Registry.OpenDecisions");
    h.ok(alice, "publishVersion", { datanetId: 0, metadataUri: "ipfs://v1" });
    assert.equal(versionWeight(h.overlay, 0, 1, 0), 70);
    assert.equal(getVersion(h.overlay, 0, 1)!.count, 1);
    // Its acceptance stands at the end of the window like any other.
    h.advance(20);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(h.named("BondReleased").length, 1);
    const owner = getCurator(h.overlay, 0, alice);
    assert.deepEqual([owner.decisions, owner.stood, owner.open, owner.earned], [1, 1, 0, 0n]);
  });

  it("a dismissed appeal slashes the appellant and the rejection stands at once", () => {
    const h = appealed();
    const before = { bob: h.free(bob), treasury: h.free(TREASURY_ACCOUNT), eve: h.free(eve) };
    h.ok(alice, "resolveAppeal", verdict(0, false));
    assert.equal(h.free(bob), before.bob + CB / 2n + BOND / 2n);
    assert.equal(h.reserved(bob), 0n);
    assert.equal(h.free(TREASURY_ACCOUNT), before.treasury + CB / 2n + BOND / 2n);
    assert.equal(h.free(eve), before.eve + FEE);
    assert.equal(h.reserved(eve), CURATOR_BOND, "the curator's decision stood: no slash");
    const [dismissed] = h.named("AppealDismissed");
    assert.equal(amountOf(dismissed!.data.slashed), CB / 2n);
    assert.equal(amountOf(dismissed!.data.returned), CB / 2n);
    assert.equal(h.named("RejectionStood").length, 1);
    // A decided case: not again, and the window's end changes nothing.
    h.refused(bob, "appealRejection", evidence(0), "Registry.AlreadyAppealed");
    h.refused(alice, "resolveAppeal", verdict(0, false), "Registry.NoAppeal");
    h.advance(25);
    assert.equal(h.named("RejectionStood").length, 1);
    const record = getCurator(h.overlay, 0, eve);
    assert.deepEqual([record.stood, record.overturned, record.open], [1, 0, 0]);
    assert.equal(record.earned, FEE);
  });

  it("an appeal nobody resolves expires: no slash for the appellant, and the rejection stands", () => {
    const h = appealed();
    const before = { bob: h.free(bob), eve: h.free(eve) };
    h.advance(20); // the appeal window ends while the appeal is open: the rejection waits
    assert.equal(h.named("RejectionStood").length, 0);
    assert.equal(h.reserved(bob), BOND + FEE + CB);
    h.advance(79);
    assert.equal(h.named("AppealExpired").length, 0);
    h.advance(1);
    assert.equal(h.named("AppealExpired").length, 1);
    assert.equal(amountOf(h.named("AppealExpired")[0]!.data.slashed), 0n);
    assert.equal(h.named("RejectionStood").length, 1);
    assert.equal(h.free(bob), before.bob + CB + BOND / 2n);
    assert.equal(h.free(eve), before.eve + FEE);
    assert.equal(h.reserved(bob), 0n);
  });

  it("appeals are refused with typed errors, changing nothing", () => {
    const h = curated();
    for (let n = 0; n < 4; n++) submit(h, bob, n);
    h.refused(bob, "appealRejection", evidence(0), "Registry.WrongStatus"); // pending
    h.ok(eve, "acceptContribution", accept(1));
    h.refused(bob, "appealRejection", evidence(1), "Registry.WrongStatus"); // accepted
    h.ok(eve, "rejectContribution", reject(2));
    h.refused(dave, "appealRejection", evidence(2), "Registry.NotContributor");
    h.refused(
      bob,
      "appealRejection",
      { contributionId: 2, evidenceUri: "" },
      "Registry.MissingEvidence",
    );
    h.refused(
      bob,
      "appealRejection",
      { contributionId: 2, evidenceUri: "u".repeat(257) },
      "Registry.TooLong",
    );
    h.refused(bob, "appealRejection", evidence(9), "Registry.UnknownContribution");
    h.refused("root", "appealRejection", evidence(2), "Registry.BadOrigin");
    h.ok(bob, "appealRejection", evidence(2));
    h.refused(bob, "appealRejection", evidence(2), "Registry.AlreadyAppealed");
    h.ok(eve, "rejectContribution", reject(3));
    h.advance(19);
    h.ok(bob, "appealRejection", evidence(3)); // the window's last block
    h.ok(eve, "rejectContribution", reject(0));
    h.advance(20);
    // Its window is over and the rejection stood.
    h.refused(bob, "appealRejection", evidence(0), "Registry.WindowClosed");
  });

  it("a datanet closed by its owner takes no appeals; its curators' rejections still stand", () => {
    const h = curated();
    submit(h, bob, 1);
    h.ok(eve, "rejectContribution", reject(0));
    h.ok(alice, "closeDatanet", { datanetId: 0 });
    h.refused(bob, "appealRejection", evidence(0), "Registry.DatanetClosed");
    const free = h.free(eve);
    h.advance(20);
    assert.equal(h.free(eve), free + FEE);
    assert.equal(h.reserved(bob), 0n);
  });
});

describe("registry: who judges", () => {
  it("the owner judges its curators' decisions; a curator judges none, not even another's", () => {
    const h = curated([eve, charlie]);
    submit(h, bob, 1);
    h.ok(eve, "acceptContribution", accept(0));
    h.ok(ferdie, "challenge", evidence(0));
    h.refused(
      charlie,
      "resolveChallenge",
      { contributionId: 0, uphold: true },
      "Registry.NotOwner",
    );
    h.refused(
      eve,
      "resolveChallenge",
      { contributionId: 0, uphold: false },
      "Registry.OwnDecision",
    );
    h.refused(bob, "resolveChallenge", { contributionId: 0, uphold: false }, "Registry.NotOwner");
    h.ok(alice, "resolveChallenge", { contributionId: 0, uphold: false });
  });

  it("the owner's own decisions are root's to judge, and an overturn by root stakes nobody", () => {
    const h = ownerCurated();
    submit(h, bob, 1);
    h.ok(alice, "rejectContribution", reject(0));
    h.ok(bob, "appealRejection", evidence(0));
    h.refused(alice, "resolveAppeal", verdict(0, true, 60), "Registry.OwnDecision");
    h.refused("root", "resolveAppeal", verdict(0, true, 60), "Registry.BadOrigin");
    h.refused("root", "forceResolveAppeal", verdict(0, true, 0), "Registry.InvalidQuality");
    h.refused("root", "forceResolveAppeal", verdict(1, true, 60), "Registry.NoAppeal");
    const bobFree = h.free(bob);
    h.ok("root", "forceResolveAppeal", verdict(0, true, 60));
    // The owner's deposit paid for its wrong rejection, half of it to the appellant.
    assert.equal(getDatanet(h.overlay, 0)!.deposit, DEPOSIT / 2n);
    assert.equal(h.free(bob), bobFree + CB + FEE + DEPOSIT / 4n);
    const c = getContribution(h.overlay, 0)!;
    assert.equal(c.status, ContributionStatus.accepted);
    assert.equal(c.reviewer.length, 0, "root's acceptance");
    assert.equal(getCurator(h.overlay, 0, alice).overturned, 1);
    // The owner may judge a challenge of root's acceptance: it is not her decision.
    h.ok(ferdie, "challenge", evidence(0));
    h.ok(alice, "resolveChallenge", { contributionId: 0, uphold: false });
    h.advance(20);
    assert.equal(getContribution(h.overlay, 0)!.decisionOpen, false);
    assert.equal(h.reserved(bob), 0n);
  });

  it("nobody judges a case it is a party to: the owner as contributor or as challenger", () => {
    const h = curated();
    submit(h, alice, 1); // the owner's own data, accepted by her curator
    h.ok(eve, "acceptContribution", accept(0, 100));
    h.ok(ferdie, "challenge", evidence(0));
    h.refused(
      alice,
      "resolveChallenge",
      { contributionId: 0, uphold: false },
      "Registry.InterestedParty",
    );
    h.ok("root", "forceResolveChallenge", { contributionId: 0, uphold: true });
    submit(h, bob, 2);
    h.ok(eve, "bondCurator", amountArgs(0, HALF_STAKE)); // back to the minimum
    h.ok(eve, "acceptContribution", accept(1));
    h.ok(alice, "challenge", evidence(1));
    h.refused(
      alice,
      "resolveChallenge",
      { contributionId: 1, uphold: true },
      "Registry.InterestedParty",
    );
    submit(h, alice, 3);
    h.ok(eve, "rejectContribution", reject(2));
    h.ok(alice, "appealRejection", evidence(2));
    h.refused(alice, "resolveAppeal", verdict(2, true, 90), "Registry.InterestedParty");
  });
});

describe("registry: curator records", () => {
  it("count decisions, what stood and fell, what was slashed and earned; standing follows the stake", () => {
    const h = curated([eve]);
    for (let n = 0; n < 4; n++) submit(h, n % 2 === 0 ? bob : dave, n);
    h.ok(eve, "acceptContribution", accept(0)); // stands
    h.ok(eve, "rejectContribution", reject(1)); // stands
    h.ok(eve, "acceptContribution", accept(2)); // challenged, upheld
    h.ok(eve, "rejectContribution", reject(3)); // appealed, overturned
    h.ok(ferdie, "challenge", evidence(2));
    h.ok(dave, "appealRejection", evidence(3));
    assert.equal(getCurator(h.overlay, 0, eve).open, 4);
    h.ok(alice, "resolveChallenge", { contributionId: 2, uphold: true });
    h.ok(alice, "resolveAppeal", verdict(3, true, 30));
    h.advance(20);
    const record = getCurator(h.overlay, 0, eve);
    assert.deepEqual(
      [record.decisions, record.open, record.stood, record.overturned],
      [4, 0, 2, 2],
    );
    const secondSlash = (CURATOR_BOND - HALF_STAKE) / 2n;
    assert.equal(record.slashed, HALF_STAKE + secondSlash);
    assert.equal(record.bond, CURATOR_BOND - HALF_STAKE - secondSlash);
    assert.equal(record.earned, 2n * FEE);
    const datanet = getDatanet(h.overlay, 0)!;
    assert.equal(inStanding(h.overlay, 0, datanet, eve), false);
    // What registry_curator and registry_datanet serve.
    const api = registryApi(() => h.overlay, 42);
    const served = api.curator(0, ss58Encode(eve))!;
    assert.deepEqual(
      [served.role, served.listed, served.standing, served.stood, served.overturned],
      ["curator", true, false, 2, 2],
    );
    assert.equal(served.bond, record.bond.toString());
    assert.equal(served.stake, record.bond.toString());
    assert.equal(served.earned, (2n * FEE).toString());
    const curation = api.datanet(0)!.curation;
    assert.deepEqual(
      curation.map((c) => [c.account, c.role, c.standing]),
      [
        [ss58Encode(alice), "owner", false],
        [ss58Encode(eve), "curator", false],
      ],
    );
    assert.equal(curation[0]!.stake, DEPOSIT.toString());
    assert.equal(curation[0]!.decisions, 1, "the owner's overturn is her acceptance");
    assert.equal(api.curator(5, ss58Encode(eve)), null);
    const contribution = api.contribution(3)!;
    assert.deepEqual(
      [contribution.status, contribution.appealed, contribution.decisionOpen],
      ["accepted", true, false],
    );
  });
});
