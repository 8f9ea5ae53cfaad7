// Attribution in real blocks: signed extrinsics pay fees, the executive dispatches, and every
// block's invariants (total issuance, the pools' account, each pool's debts) are checked on seal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { ATTRIBUTION_ACCOUNT, getPool } from "../../../runtime/pallets/attribution/index.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import { readAccount } from "../../../runtime/pallets/system.ts";
import { contentHash, datanetArgs, UNIT } from "./fixtures/registry-harness.ts";
import { type DecodedEvent, pub, TestChain } from "./fixtures/test-chain.ts";

const sumOf = (events: DecodedEvent[], name: string, field: string, who?: Uint8Array) =>
  events
    .filter((e) => e.name === name && (!who || bytesEqual(e.data.who as Uint8Array, who)))
    .reduce((sum, e) => sum + u128FromBytes(e.data[field] as Uint8Array), 0n);

describe("attribution in blocks", () => {
  it("licences, a model, inference payments and claims move exactly what the split says", () => {
    const chain = new TestChain();
    const [bob, charlie] = [pub("bob"), pub("charlie")];
    const issuance = totalIssuance(chain.state);
    const blocks = [
      chain.block([
        chain.sign("alice", "Registry.createDatanet", datanetArgs()),
        ...(["bob", "charlie"] as const).map((who, i) =>
          chain.sign(who, "Registry.submitContribution", {
            datanetId: 0,
            contentHash: contentHash(i),
            size: 1,
            metadataUri: "",
          }),
        ),
      ]),
      chain.block([
        chain.sign("alice", "Registry.acceptContribution", { contributionId: 0, quality: 10 }),
        chain.sign(
          "alice",
          "Registry.acceptContribution",
          { contributionId: 1, quality: 30 },
          { nonce: chain.nonceOf("alice") + 1 },
        ),
      ]),
      chain.block([
        chain.sign("alice", "Registry.publishVersion", { datanetId: 0, metadataUri: "" }),
      ]),
      chain.block([
        chain.sign("ferdie", "Attribution.purchaseLicence", { datanetId: 0, version: 1 }),
        chain.sign("dave", "Attribution.registerModel", {
          metadataUri: "ipfs://model",
          manifest: [{ datanetId: 0, version: 1, weightPpm: 1_000_000 }],
          pricePerUnit: u128ToBytes(UNIT),
          dataSharePpm: 500_000,
        }),
      ]),
      chain.block([
        chain.sign(
          "eve",
          "Attribution.payInference",
          {
            modelId: 0,
            units: 60,
            maxTotal: u128ToBytes(60n * UNIT),
          },
          { nonce: chain.nonceOf("eve") + 0 },
        ),
        chain.sign(
          "eve",
          "Attribution.payInference",
          {
            modelId: 0,
            units: 40,
            maxTotal: u128ToBytes(39n * UNIT),
          },
          { nonce: chain.nonceOf("eve") + 1 },
        ),
        chain.sign(
          "eve",
          "Attribution.payInference",
          {
            modelId: 0,
            units: 40,
            maxTotal: u128ToBytes(40n * UNIT),
          },
          { nonce: chain.nonceOf("eve") + 2 },
        ),
      ]),
    ];
    blocks.forEach((block, b) => {
      block.outcomes.forEach((o, i) => {
        assert.ok(o.success || (b === 4 && i === 1), `block ${b} extrinsic ${i}`);
      });
    });
    const refused = blocks[4]!.outcomes[1]!;
    assert.equal(refused.success ? "ok" : refused.error, "Attribution.PriceAboveMax");
    // Two licences (42.75 LIN each to the pool: 50 less 5% protocol fee and the owner's 10%) and
    // 100 LIN of inference: 5 protocol fee, 47.5 data.
    const pool = getPool(chain.state, 0, 1)!;
    assert.equal(pool.deposited, 85_500_000_000_000n + 47_500_000_000_000n);
    const before = {
      bob: readAccount(chain.state, bob).free,
      charlie: readAccount(chain.state, charlie).free,
    };
    const claims = chain.block([
      chain.sign("bob", "Attribution.claim", { datanetId: 0, version: 1, contributionIds: [0] }),
      chain.sign("charlie", "Attribution.claim", {
        datanetId: 0,
        version: 1,
        contributionIds: [1],
      }),
    ]);
    assert.ok(claims.outcomes.every((o) => o.success));
    const fee = (who: Uint8Array) => sumOf(claims.events, "TransactionFeePaid", "fee", who);
    assert.equal(readAccount(chain.state, bob).free, before.bob + 33_250_000_000_000n - fee(bob));
    assert.equal(
      readAccount(chain.state, charlie).free,
      before.charlie + 99_750_000_000_000n - fee(charlie),
    );
    assert.equal(readAccount(chain.state, ATTRIBUTION_ACCOUNT).free, 0n);
    const burnedFees = [...blocks, claims].reduce(
      (sum, b) => sum + sumOf(b.events, "TransactionFeePaid", "burned"),
      0n,
    );
    const burnedByAttribution = [...blocks, claims].reduce(
      (sum, b) =>
        sum +
        sumOf(b.events, "InferencePaid", "burned") +
        sumOf(b.events, "LicencePurchased", "burned"),
      0n,
    );
    // Half of each protocol fee: 2.5 LIN of inference, 1.25 LIN of each licence.
    assert.equal(burnedByAttribution, 5_000_000_000_000n);
    assert.equal(totalIssuance(chain.state), issuance - burnedFees - burnedByAttribution);
  });
});
