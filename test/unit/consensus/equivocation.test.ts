import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type BlockEquivocation, BlockImporter } from "../../../consensus/block-import.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { headerHash } from "../../../primitives/chain.ts";
import {
  accountOf,
  build,
  openChain,
  refOf,
  type TestChain,
  transfer,
} from "./fixtures/dev-chain.ts";

const chains: TestChain[] = [];
after(async () => {
  for (const chain of chains) await chain.close();
});

describe("block equivocation", () => {
  it("two blocks sealed by one author for one slot are both imported and reported", async () => {
    const chain = await openChain({ spec: "dev" });
    chains.push(chain);
    const evidence: BlockEquivocation[] = [];
    const importer = new BlockImporter({
      store: chain.store,
      verifier: chain.verifier,
      genesisHash: chain.genesisHash,
      now: () => chain.clock.now,
      onEquivocation: (e) => evidence.push(e),
    });
    const first = build(chain, chain.genesis, 1).block;
    const second = build(chain, chain.genesis, 1, {
      transactions: [transfer(chain, "alice", accountOf("bob"), { nonce: 0 })],
    }).block;
    assert.ok(!bytesEqual(headerHash(first.header), headerHash(second.header)));
    await importer.importBlock(first);
    assert.equal(evidence.length, 0);
    await importer.importBlock(second);
    assert.equal(evidence.length, 1);
    assert.equal(evidence[0]!.slot, 1);
    assert.ok(bytesEqual(evidence[0]!.author, accountOf("alice")));
    assert.deepEqual(evidence[0]!.first, first.header);
    assert.deepEqual(evidence[0]!.second, second.header);
    // A block in the next slot by the same author is no equivocation.
    await importer.importBlock(build(chain, refOf(first), 2).block);
    assert.equal(evidence.length, 1);
  });
});
