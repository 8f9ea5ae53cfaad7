// The attribution pallet driven directly (no fees) over the real registry: models, licences,
// inference payments, claims and slashes. Every runtime invariant (total issuance, the pools'
// account against the pools, each pool's debts against its funds) is checked after every call.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128ToBytes } from "../../../primitives/amount.ts";
import {
  ATTRIBUTION_ACCOUNT,
  claimableByContributor,
  claimableFor,
  epochCounters,
  epochPoolFees,
  getModel,
  getPool,
  hasLicence,
  quoteInference,
  splitInference,
} from "../../../runtime/pallets/attribution/index.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import { TREASURY_ACCOUNT } from "../../../runtime/pallets/transaction-payment.ts";
import { contentHash, datanetArgs, RegistryHarness, UNIT } from "./fixtures/registry-harness.ts";
import { pub } from "./fixtures/test-chain.ts";

const [alice, bob, charlie, dave, eve, ferdie] = (
  ["alice", "bob", "charlie", "dave", "eve", "ferdie"] as const
).map(pub) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];

class Harness extends RegistryHarness {
  /** Dispatches `Attribution.<call>`; "ok" or the error code; invariants checked after. */
  attr(who: Uint8Array, call: string, args: object): string {
    return this.dispatch("Attribution", who, call, args);
  }
  attrOk(who: Uint8Array, call: string, args: object): void {
    const outcome = this.attr(who, call, args);
    if (outcome !== "ok") throw new Error(`${call} failed: ${outcome}`);
  }
}

/**
 * Datanet 0 (alice, paid licence 50 LIN, commercial): bob's contributions #0 (quality 10) and #2
 * (30), charlie's #1 (20), all accepted and frozen in v1 (total weight 60). Datanet 1 (dave, open,
 * commercial): eve's #3 (quality 40) in v1.
 */
function populated(): Harness {
  const h = new Harness();
  h.ok(alice, "createDatanet", datanetArgs());
  const owners = [bob, charlie, bob];
  owners.forEach((who, i) => {
    h.ok(who, "submitContribution", {
      datanetId: 0,
      contentHash: contentHash(i),
      size: 1,
      metadataUri: "",
    });
  });
  [10, 20, 30].forEach((quality, i) => {
    h.ok(alice, "acceptContribution", { contributionId: i, quality });
  });
  h.ok(alice, "publishVersion", { datanetId: 0, metadataUri: "ipfs://v1" });
  h.ok(
    dave,
    "createDatanet",
    datanetArgs({ licence: { kind: 0, commercial: true, attribution: true } }),
  );
  h.ok(eve, "submitContribution", {
    datanetId: 1,
    contentHash: contentHash(9),
    size: 1,
    metadataUri: "",
  });
  h.ok(dave, "acceptContribution", { contributionId: 3, quality: 40 });
  h.ok(dave, "publishVersion", { datanetId: 1, metadataUri: "" });
  return h;
}

/** What a 50 LIN licence pays its version's pool: the fee less 5% protocol fee and the owner's 10%. */
const L = 42_750_000_000_000n;

const manifest = [
  { datanetId: 0, version: 1, weightPpm: 700_000 },
  { datanetId: 1, version: 1, weightPpm: 300_000 },
];
const modelArgs = (overrides: Record<string, unknown> = {}) => ({
  metadataUri: "ipfs://robot-policy",
  manifest,
  pricePerUnit: u128ToBytes(UNIT),
  dataSharePpm: 400_000,
  ...overrides,
});

describe("attribution pallet", () => {
  it("purchaseLicence pays the owner's cut and the contributors by weight", () => {
    const h = populated();
    const before = {
      alice: h.free(alice),
      ferdie: h.free(ferdie),
      issuance: totalIssuance(h.overlay),
    };
    h.attrOk(ferdie, "purchaseLicence", { datanetId: 0, version: 1 });
    assert.ok(hasLicence(h.overlay, 0, 1, ferdie));
    assert.equal(h.free(ferdie), before.ferdie - 50n * UNIT);
    // 5% protocol fee (2.5 LIN, half burned), then the owner's 10% of the rest: 4.75 LIN.
    assert.equal(h.free(alice), before.alice + 4_750_000_000_000n);
    assert.equal(claimableFor(h.overlay, 0, 1, 0), 7_125_000_000_000n); // 42.75 LIN · 10/60
    assert.equal(claimableFor(h.overlay, 0, 1, 1), 14_250_000_000_000n);
    assert.equal(claimableFor(h.overlay, 0, 1, 2), 21_375_000_000_000n);
    assert.equal(totalIssuance(h.overlay), before.issuance - 1_250_000_000_000n);
    assert.equal(
      h.attr(ferdie, "purchaseLicence", { datanetId: 0, version: 1 }),
      "Attribution.AlreadyLicensed",
    );
    assert.equal(epochCounters(h.overlay, 0).volume, 50n * UNIT);
    assert.equal(epochPoolFees(h.overlay, 0, 0, 1), 42_750_000_000_000n);
  });

  it("registerModel checks the manifest and pays the licence fees the owner lacks", () => {
    const h = populated();
    const bad: [object, string][] = [
      [
        modelArgs({ manifest: [{ ...manifest[0], weightPpm: 600_000 }, manifest[1]] }),
        "Attribution.ManifestSum",
      ],
      [modelArgs({ manifest: [] }), "Attribution.EmptyManifest"],
      [modelArgs({ manifest: [manifest[0], manifest[0]] }), "Attribution.DuplicateEntry"],
      [modelArgs({ dataSharePpm: 100_000 }), "Attribution.DataShareTooLow"],
      [
        modelArgs({ manifest: [{ datanetId: 0, version: 2, weightPpm: 1_000_000 }] }),
        "Attribution.UnknownVersion",
      ],
      [modelArgs({ pricePerUnit: u128ToBytes(0n) }), "Attribution.ZeroPrice"],
    ];
    const free = h.free(ferdie);
    for (const [args, code] of bad) assert.equal(h.attr(ferdie, "registerModel", args), code);
    assert.equal(h.free(ferdie), free);
    h.attrOk(ferdie, "registerModel", modelArgs());
    assert.equal(h.free(ferdie), free - 50n * UNIT); // datanet 0's fee; datanet 1 is open
    assert.ok(hasLicence(h.overlay, 0, 1, ferdie));
    assert.equal(getModel(h.overlay, 0)?.dataSharePpm, 400_000);
  });

  it("refuses a self-serving manifest: every entry within 2× its version's share of the data", () => {
    const h = populated();
    // Datanet 0's version holds weight 60, datanet 1's 40: datanet 1 may take 20% … 80%, and
    // datanet 0 at least 30%, so datanet 1's entry lies within 200,000 … 700,000 ppm.
    const split = (a: number) => [
      { datanetId: 0, version: 1, weightPpm: 1_000_000 - a },
      { datanetId: 1, version: 1, weightPpm: a },
    ];
    const free = h.free(ferdie);
    for (const a of [999_999, 800_001, 700_001, 199_999, 1])
      assert.equal(
        h.attr(ferdie, "registerModel", modelArgs({ manifest: split(a) })),
        "Attribution.ManifestSkew",
        `datanet 1 at ${a}`,
      );
    assert.equal(h.free(ferdie), free, "nothing moved");
    h.attrOk(ferdie, "registerModel", modelArgs({ manifest: split(700_000) }));
    h.attrOk(ferdie, "registerModel", modelArgs({ manifest: split(200_000) }));
  });

  it("restricted and non-commercial datanets refuse models of others", () => {
    const h = populated();
    h.ok(dave, "setLicence", {
      datanetId: 1,
      licence: { kind: 2, allowList: [eve], commercial: true, attribution: true },
    });
    assert.equal(h.attr(ferdie, "registerModel", modelArgs()), "Attribution.Restricted");
    assert.equal(
      h.attr(ferdie, "purchaseLicence", { datanetId: 1, version: 1 }),
      "Attribution.Restricted",
    );
    h.ok(dave, "setLicence", {
      datanetId: 1,
      licence: { kind: 0, commercial: false, attribution: true },
    });
    assert.equal(h.attr(ferdie, "registerModel", modelArgs()), "Attribution.NotCommercial");
  });

  it("payInference splits into fee, owner and data share; contributors claim exactly", () => {
    const h = populated();
    h.attrOk(ferdie, "registerModel", modelArgs());
    const model = getModel(h.overlay, 0)!;
    const split = splitInference(h.overlay, model, 1_000n);
    assert.equal(split.total, 1_000n * UNIT);
    assert.equal(split.burned + split.toTreasury, 50n * UNIT); // 5% protocol fee
    assert.equal(split.dataShare, 380n * UNIT); // 40% of 950
    assert.equal(split.toOwner, 570n * UNIT);
    assert.deepEqual(split.perEntry, [266n * UNIT, 114n * UNIT]);

    const treasury = h.free(TREASURY_ACCOUNT);
    const issuance = totalIssuance(h.overlay);
    assert.equal(
      h.attr(bob, "payInference", { modelId: 0, units: 1_000, maxTotal: u128ToBytes(999n * UNIT) }),
      "Attribution.PriceAboveMax",
    );
    // Several payments of different sizes, then the claims.
    const bobFree = h.free(bob);
    for (const units of [400, 350, 250])
      h.attrOk(bob, "payInference", {
        modelId: 0,
        units,
        maxTotal: u128ToBytes(BigInt(units) * UNIT),
      });
    assert.equal(h.free(bob), bobFree - 1_000n * UNIT);
    assert.equal(h.free(TREASURY_ACCOUNT), treasury + 25n * UNIT);
    assert.equal(totalIssuance(h.overlay), issuance - 25n * UNIT);

    assert.equal(
      h.attr(charlie, "claim", { datanetId: 0, version: 1, contributionIds: [0] }),
      "Attribution.NotContributor",
    );
    const charlieFree = h.free(charlie);
    h.attrOk(charlie, "claim", { datanetId: 0, version: 1, contributionIds: [1] });
    // Licence 42.75 LIN and 266 LIN of data share over weight 60: charlie's 20 get a third.
    const vision = 42_750_000_000_000n + 266n * UNIT;
    assert.equal(h.free(charlie), charlieFree + vision / 3n);
    const eveFree = h.free(eve);
    h.attrOk(eve, "claim", { datanetId: 1, version: 1, contributionIds: [3] });
    assert.equal(h.free(eve), eveFree + 114n * UNIT);
    assert.equal(claimableFor(h.overlay, 0, 1, 1), 0n);
    assert.deepEqual(
      claimableByContributor(h.overlay, bob).map((e) => [e.contributionId, e.amount]),
      [
        [0, vision / 6n],
        [2, vision / 2n],
      ],
    );
    assert.deepEqual(quoteInference(h.overlay, 0, 1_000n), split);
    const counters = epochCounters(h.overlay, 0);
    assert.equal(counters.volume, 1_050n * UNIT);
    assert.equal(counters.distinctPayers, 2);
  });

  it("self-dealing is counted apart from marketplace volume", () => {
    const h = populated();
    h.attrOk(ferdie, "registerModel", modelArgs());
    h.attrOk(ferdie, "payInference", { modelId: 0, units: 10, maxTotal: u128ToBytes(10n * UNIT) });
    const counters = epochCounters(h.overlay, 0);
    assert.equal(counters.selfDealing, 10n * UNIT);
    assert.equal(counters.volume, 50n * UNIT); // the licence fee only
    assert.equal(counters.distinctPayers, 1);
  });

  it("a slashed contribution forfeits what it has not claimed to the rest", () => {
    const h = populated();
    h.attrOk(ferdie, "purchaseLicence", { datanetId: 0, version: 1 }); // L to the pool: L/6, L/3, L/2
    h.ok(dave, "challenge", { contributionId: 2, evidenceUri: "ipfs://evidence" });
    h.ok("root", "forceResolveChallenge", { contributionId: 2, uphold: true }); // alice accepted it
    assert.equal(claimableFor(h.overlay, 0, 1, 2), 0n);
    assert.equal(
      h.attr(bob, "noteSlash", { datanetId: 0, version: 1, contributionId: 1 }),
      "Attribution.NotSlashed",
    );
    h.attrOk(charlie, "noteSlash", { datanetId: 0, version: 1, contributionId: 2 });
    assert.equal(getPool(h.overlay, 0, 1)?.liveWeight, 30n);
    // #2's L/2 went to #0 (weight 10) and #1 (20).
    assert.equal(claimableFor(h.overlay, 0, 1, 0), L / 3n);
    assert.equal(claimableFor(h.overlay, 0, 1, 1), (2n * L) / 3n);
    h.attrOk(eve, "purchaseLicence", { datanetId: 0, version: 1 }); // L more, over weight 30
    assert.equal(claimableFor(h.overlay, 0, 1, 0), (2n * L) / 3n);
    assert.equal(claimableFor(h.overlay, 0, 1, 1), (4n * L) / 3n);
    const bobFree = h.free(bob);
    h.attrOk(bob, "claim", { datanetId: 0, version: 1, contributionIds: [0, 2] });
    assert.equal(h.free(bob), bobFree + (2n * L) / 3n);
    assert.equal(h.free(ATTRIBUTION_ACCOUNT), (4n * L) / 3n);
  });

  it("a claim notes a pending slash first, so the slashed contribution gets nothing", () => {
    const h = populated();
    h.attrOk(ferdie, "purchaseLicence", { datanetId: 0, version: 1 });
    h.ok(dave, "challenge", { contributionId: 2, evidenceUri: "ipfs://evidence" });
    h.ok("root", "forceResolveChallenge", { contributionId: 2, uphold: true }); // alice accepted it
    const bobFree = h.free(bob);
    h.attrOk(bob, "claim", { datanetId: 0, version: 1, contributionIds: [2, 0] });
    assert.equal(h.free(bob), bobFree + L / 3n); // #0's L/6 and its third of #2's L/2
    assert.equal(h.named("SlashNoted").length, 1);
  });
});
