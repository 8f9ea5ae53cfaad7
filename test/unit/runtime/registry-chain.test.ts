// The registry in real blocks: signed extrinsics pay fees, the executive dispatches, the hook
// releases bonds at the start of a block, and every block's invariants are checked on seal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128FromBytes } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import { ContributionStatus, getContribution } from "../../../runtime/pallets/registry/index.ts";
import { readAccount } from "../../../runtime/pallets/system.ts";
import { contentHash, datanetArgs, UNIT } from "./fixtures/registry-harness.ts";
import { type DecodedEvent, pub, TestChain } from "./fixtures/test-chain.ts";

const feeOf = (events: DecodedEvent[], who: Uint8Array) =>
  events
    .filter((e) => e.name === "TransactionFeePaid" && bytesEqual(e.data.who as Uint8Array, who))
    .reduce((sum, e) => sum + u128FromBytes(e.data.fee as Uint8Array), 0n);
const burnedIn = (events: DecodedEvent[]) =>
  events
    .filter((e) => e.name === "TransactionFeePaid")
    .reduce((sum, e) => sum + u128FromBytes(e.data.burned as Uint8Array), 0n);

describe("registry in blocks", () => {
  it("create, submit, accept; the bond is released by the block hook when the window ends", () => {
    const chain = new TestChain();
    const bob = pub("bob");
    const issuance = totalIssuance(chain.state);
    const bobBefore = readAccount(chain.state, bob);
    const first = chain.block([
      chain.sign(
        "alice",
        "Registry.createDatanet",
        datanetArgs({ policy: { ...(datanetArgs().policy as object), challengeWindow: 3 } }),
      ),
      chain.sign("bob", "Registry.submitContribution", {
        datanetId: 0,
        contentHash: contentHash(1),
        size: 4096,
        metadataUri: "ipfs://frame",
      }),
    ]);
    assert.deepEqual(
      first.outcomes.map((o) => o.success),
      [true, true],
    );
    assert.equal(readAccount(chain.state, pub("alice")).reserved, 10n * UNIT);
    assert.equal(readAccount(chain.state, bob).reserved, UNIT);
    assert.equal(
      readAccount(chain.state, bob).free,
      bobBefore.free - UNIT - feeOf(first.events, bob),
    );
    const second = chain.block([
      chain.sign("charlie", "Registry.acceptContribution", { contributionId: 0, quality: 5 }),
      chain.sign("alice", "Registry.acceptContribution", { contributionId: 0, quality: 70 }),
    ]);
    assert.deepEqual(
      second.outcomes.map((o) => (o.success ? "ok" : o.error)),
      ["Registry.NotCurator", "ok"],
    );
    assert.equal(getContribution(chain.state, 0)!.releaseAt, 2 + 3);
    chain.block();
    chain.block();
    assert.equal(readAccount(chain.state, bob).reserved, UNIT);
    const release = chain.block();
    assert.equal(readAccount(chain.state, bob).reserved, 0n);
    const released = release.events.find((e) => e.name === "BondReleased")!;
    assert.equal(released.finalization, true);
    assert.equal(getContribution(chain.state, 0)!.status, ContributionStatus.accepted);
    assert.equal(
      totalIssuance(chain.state),
      issuance - burnedIn(first.events) - burnedIn(second.events),
    );
  });
});
