// The registry in real blocks: signed extrinsics pay fees, the executive dispatches, the hook
// releases bonds at the start of a block, and every block's invariants are checked on seal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128FromBytes } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import {
  ContributionStatus,
  getContribution,
  getCurator,
} from "../../../runtime/pallets/registry/index.ts";
import { readAccount } from "../../../runtime/pallets/system.ts";
import {
  amountArgs,
  CURATOR_BOND,
  contentHash,
  datanetArgs,
  REVIEW_FEE,
  UNIT,
} from "./fixtures/registry-harness.ts";
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
    assert.equal(readAccount(chain.state, bob).reserved, UNIT + REVIEW_FEE);
    assert.equal(
      readAccount(chain.state, bob).free,
      bobBefore.free - UNIT - REVIEW_FEE - feeOf(first.events, bob),
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
    assert.equal(readAccount(chain.state, bob).reserved, UNIT + REVIEW_FEE);
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

  it("the colluding-curator attack loses: a curator accepts its partner's junk at quality 100, the owner upholds a challenge", () => {
    // Issue 13's attack: charlie, a listed curator, gives dave's junk quality 100 (the weight
    // that drew 26% of a pool). ferdie, an honest challenger, challenges; alice, the owner,
    // upholds. Every figure is net of everything: bonds, fees, slashes, rewards and the
    // transaction fees each account paid in these blocks (alice authors, so its balance is not
    // judged).
    const chain = new TestChain();
    const [charlie, dave, ferdie] = (["charlie", "dave", "ferdie"] as const).map(pub);
    const policy = {
      ...(datanetArgs().policy as object),
      curators: [charlie!],
      challengeWindow: 10,
    };
    const blocks = [
      chain.block([chain.sign("alice", "Registry.createDatanet", datanetArgs({ policy }))]),
    ];
    const total = (who: Uint8Array) => {
      const a = readAccount(chain.state, who);
      return a.free + a.reserved;
    };
    const start = { charlie: total(charlie!), dave: total(dave!), ferdie: total(ferdie!) };
    const submit = (from: "dave" | "bob", n: number) =>
      chain.sign(from, "Registry.submitContribution", {
        datanetId: 0,
        contentHash: contentHash(n),
        size: 1,
        metadataUri: `ipfs://${from}`,
      });
    blocks.push(
      chain.block([
        chain.sign("charlie", "Registry.bondCurator", amountArgs(0, CURATOR_BOND)),
        submit("dave", 1), // junk
        submit("bob", 2), // honest work
      ]),
    );
    blocks.push(
      chain.block([
        chain.sign("charlie", "Registry.acceptContribution", { contributionId: 0, quality: 100 }),
      ]),
    );
    blocks.push(
      chain.block([
        chain.sign("charlie", "Registry.acceptContribution", { contributionId: 1, quality: 40 }),
        chain.sign("ferdie", "Registry.challenge", {
          contributionId: 0,
          evidenceUri: "ipfs://copied-from-a-public-set",
        }),
      ]),
    );
    const judged = chain.block([
      chain.sign("charlie", "Registry.resolveChallenge", { contributionId: 0, uphold: false }),
      chain.sign("alice", "Registry.resolveChallenge", { contributionId: 0, uphold: true }),
    ]);
    blocks.push(judged);
    assert.deepEqual(
      judged.outcomes.map((o) => (o.success ? "ok" : o.error)),
      ["Registry.OwnDecision", "ok"],
    );
    // bob's honest acceptance stands (charlie earns its review fee); charlie, slashed below the
    // minimum bond, may review no more until it tops up.
    for (let i = 0; i < 10; i++) blocks.push(chain.block());
    blocks.push(chain.block([submit("bob", 3)]));
    const barred = chain.block([
      chain.sign("charlie", "Registry.acceptContribution", { contributionId: 2, quality: 100 }),
    ]);
    blocks.push(barred);
    assert.equal(
      barred.outcomes[0]!.success ? "ok" : barred.outcomes[0]!.error,
      "Registry.CuratorNotBonded",
    );

    const events = blocks.flatMap((b) => b.events);
    const fees = (who: Uint8Array) => feeOf(events, who);
    const net = {
      charlie: total(charlie!) - start.charlie,
      dave: total(dave!) - start.dave,
      ferdie: total(ferdie!) - start.ferdie,
    };
    const bond = UNIT; // dave's bond at a fresh reputation (the policy's minimum)
    const curatorSlash = CURATOR_BOND / 2n;
    // dave: the whole bond (upheld challenges slash 100%) and the review fee.
    assert.equal(net.dave, -(bond + REVIEW_FEE) - fees(dave!));
    // charlie: half its stake, less the fee its honest decision earned.
    assert.equal(net.charlie, -curatorSlash + REVIEW_FEE - fees(charlie!));
    // ferdie: its bond back, half of dave's slash, half of charlie's, and dave's review fee.
    assert.equal(net.ferdie, bond / 2n + curatorSlash / 2n + REVIEW_FEE - fees(ferdie!));
    assert.ok(
      net.dave < 0n && net.charlie < 0n,
      `colluders lose: ${JSON.stringify(net, (_, v) => (typeof v === "bigint" ? String(v) : v))}`,
    );
    assert.ok(net.charlie + net.dave < 0n, "and so does the pair together");
    assert.ok(net.ferdie > 0n, "the honest challenger profits");
    assert.equal(getContribution(chain.state, 0)!.status, ContributionStatus.slashed);
    const record = getCurator(chain.state, 0, charlie!);
    assert.deepEqual(
      [record.decisions, record.stood, record.overturned, record.open],
      [2, 1, 1, 0],
    );
    assert.equal(record.bond, CURATOR_BOND - curatorSlash);
    assert.equal(record.slashed, curatorSlash);
    assert.equal(record.earned, REVIEW_FEE);
    console.log(
      `colluding-curator attack, net planck: ${JSON.stringify(net, (_, v) => (typeof v === "bigint" ? String(v) : v))}; fees paid ${fees(charlie!)}, ${fees(dave!)}, ${fees(ferdie!)}`,
    );
  });
});
