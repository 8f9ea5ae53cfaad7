// A long run of a 4-validator network on 127.0.0.1 (`npm run test:soak`; not part of `npm test`).
// Each cycle stops one validator (SIGINT or SIGKILL, by turns), lets the other three go on, sends
// transfers through a random running node, restarts the stopped one, and checks that finality kept
// moving and that the restarted node catches up. At the end every node's finalized chain must be a
// prefix of one chain. SOAK_MINUTES (default 10) bounds the run; SOAK_SEED fixes the choices.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { UNIT, u128ToBytes } from "../../primitives/amount.ts";
import { toHex } from "../../primitives/bytes.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import type { Hex } from "../../rpc/node-api.ts";
import { encodeCall, signTransaction } from "../../runtime/signing.ts";
import {
  allFinalized,
  finalizedChain,
  heights,
  LocalNetwork,
  type NetNode,
} from "../e2e/fixtures/network-devnet.ts";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SLOT_MS = 1000;
const VALIDATORS = ["alice", "bob", "charlie", "dave"] as const;

/** A small deterministic generator (the soak's choices, not the runtime's). */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

async function sendTransfer(node: NetNode, genesisHash: Uint8Array): Promise<void> {
  const from = devKeypair("ferdie");
  const nonce = await node.rpc.system.accountNextIndex(toHex(from.publicKey));
  const bytes = signTransaction({
    call: encodeCall("Balances.transfer", {
      dest: devKeypair("eve").publicKey,
      value: u128ToBytes(UNIT),
    }),
    seed: from.secretKey,
    nonce,
    genesisHash,
    era: null,
  });
  await node.rpc.author.submitExtrinsic(toHex(bytes) as Hex);
}

describe("soak: a 4-validator network under restarts", () => {
  const net = new LocalNetwork(VALIDATORS.length, SLOT_MS);
  after(() => net.dispose());

  it(`keeps finalizing one chain for ${MINUTES} minutes`, {
    timeout: (MINUTES + 5) * 60_000,
  }, async () => {
    const random = generator(Number(process.env.SOAK_SEED ?? Date.now()));
    for (const name of VALIDATORS) await net.plan(name, [`--${name}`]);
    for (const name of VALIDATORS) await net.start(name);
    await allFinalized(net.running(), 3, 60_000);
    const deadline = Date.now() + MINUTES * 60_000;
    let cycle = 0;
    while (Date.now() < deadline) {
      cycle++;
      const victim = VALIDATORS[Math.floor(random() * VALIDATORS.length)]!;
      const signal = cycle % 2 === 0 ? "SIGKILL" : "SIGINT";
      await net.stop(victim, signal);
      const others = net.running();
      const before = Math.min(...(await Promise.all(others.map(heights))).map((h) => h.finalized));
      const sender = others[Math.floor(random() * others.length)]!;
      await sendTransfer(sender, net.genesisHash);
      // Three of four keep finalizing while one is down.
      await allFinalized(others, before + 3, 60_000);
      await net.start(victim);
      const target = Math.max(
        ...(await Promise.all(net.running().map(heights))).map((h) => h.finalized),
      );
      await allFinalized(net.running(), target, 90_000);
      console.log(`cycle ${cycle}: ${victim} ${signal}, all finalized ≥ #${target}`);
    }
    // One chain: every node's finalized chain is a prefix of the longest one.
    const chains = await Promise.all(net.running().map(finalizedChain));
    const longest = chains.reduce((a, b) => (b.length > a.length ? b : a));
    for (const chain of chains) assert.deepEqual(chain, longest.slice(0, chain.length));
    assert.ok(cycle >= 1);
  });
});
