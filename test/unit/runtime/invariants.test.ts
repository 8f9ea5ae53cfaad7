import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { UNIT, u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { utf8 } from "../../../primitives/bytes.ts";
import { DEV_ACCOUNT_NAMES, type DevAccountName } from "../../../primitives/dev-accounts.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import { verify } from "../../../primitives/keys.ts";
import { TransactionError } from "../../../runtime/errors.ts";
import { checkInvariants } from "../../../runtime/executive.ts";
import { storage as balancesStorage, totalIssuance } from "../../../runtime/pallets/balances.ts";
import { accountExists, readAccount, writeAccount } from "../../../runtime/pallets/system.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import { type DecodedEvent, devSpecWith, pub, TestChain } from "./fixtures/test-chain.ts";

const outsider = blake2b256(utf8("test/outsider"));

/** What the block's events say left circulation: burned fee shares and dust of reaped accounts. */
function burnedIn(events: DecodedEvent[]): bigint {
  let burned = 0n;
  for (const e of events) {
    if (e.name === "TransactionFeePaid") burned += u128FromBytes(e.data.burned as Uint8Array);
    if (e.name === "DustLost") burned += u128FromBytes(e.data.amount as Uint8Array);
  }
  return burned;
}

/** A chain where eve and ferdie are poor, so that reaping and payment failures happen. */
function smallChain(): TestChain {
  return new TestChain(
    devSpecWith((config) => {
      config.balances.balances[4]![1] = (2n * UNIT).toString();
      config.balances.balances[5]![1] = (UNIT / 10n).toString();
    }),
  );
}

describe("total issuance invariant", () => {
  it("holds after every block of a sequence with transfers, failures, reaping, minting and fees", () => {
    const chain = smallChain();
    const blocks: Uint8Array[][] = [
      [
        chain.transfer("bob", pub("charlie"), 10n * UNIT),
        chain.transfer("charlie", outsider, 1n), // fails: dust account
        chain.transfer("eve", pub("bob"), 2n * UNIT - UNIT / 100n - 5n), // leaves eve dust: reaped
      ],
      [
        chain.sign("alice", "Sudo.sudo", {
          call: encodeCall("Balances.forceSetBalance", {
            who: outsider,
            free: u128ToBytes(3n * UNIT),
          }),
        }),
        chain.sign("dave", "Sudo.sudo", {
          call: encodeCall("Sudo.setKey", { newKey: pub("dave") }),
        }),
        chain.sign("ferdie", "Balances.transferKeepAlive", {
          dest: pub("bob"),
          value: u128ToBytes(UNIT / 10n),
        }),
      ],
      [
        chain.sign(
          "alice",
          "Sudo.sudo",
          {
            call: encodeCall("Balances.forceSetBalance", {
              who: pub("charlie"),
              free: u128ToBytes(5n),
            }),
          },
          { nonce: 1 },
        ),
        chain.transfer("bob", pub("alice"), 1_000n * UNIT, { nonce: 1, tip: UNIT }),
      ],
    ];
    const results: string[][] = [];
    for (const xts of blocks) {
      const { outcomes } = chain.block(xts); // seal() runs checkInvariants after finalize
      results.push(outcomes.map((o) => (o.success ? "ok" : o.error)));
      assert.doesNotThrow(() => checkInvariants(new StateOverlay(chain.state)));
    }
    assert.deepEqual(results, [
      ["ok", "Balances.ExistentialDeposit", "ok"],
      ["ok", "Sudo.RequireSudo", "Balances.InsufficientBalance"],
      ["ok", "ok"],
    ]);
    assert.equal(accountExists(chain.state, pub("eve")), false, "eve reaped");
    assert.equal(accountExists(chain.state, pub("charlie")), false, "charlie set below ED, reaped");
    assert.equal(readAccount(chain.state, outsider).free, 3n * UNIT);
  });

  it("accounts for every planck: issuance falls by exactly the burned fees and dust", () => {
    const names = DEV_ACCOUNT_NAMES.filter((n) => n !== "alice");
    const step = fc.record({
      from: fc.constantFrom(...names),
      to: fc.oneof(
        fc.constantFrom(...DEV_ACCOUNT_NAMES).map((n) => pub(n)),
        fc.constant(outsider),
      ),
      amount: fc.oneof(
        fc.bigInt({ min: 0n, max: UNIT / 50n }),
        fc.bigInt({ min: 0n, max: 3n * UNIT }),
      ),
      keepAlive: fc.boolean(),
      tip: fc.constantFrom(0n, 1_000n),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(step, { maxLength: 5 }), { minLength: 1, maxLength: 4 }),
        (plan) => {
          const chain = smallChain();
          for (const steps of plan) {
            const issuance = totalIssuance(chain.state);
            const open = chain.open();
            const used = new Map<DevAccountName, number>();
            for (const s of steps) {
              const nonce = chain.nonceOf(s.from) + (used.get(s.from) ?? 0);
              const xt = chain.sign(
                s.from,
                s.keepAlive ? "Balances.transferKeepAlive" : "Balances.transfer",
                { dest: s.to, value: u128ToBytes(s.amount) },
                { nonce, tip: s.tip },
              );
              try {
                open.execution.applyExtrinsic(xt, verify);
                used.set(s.from, (used.get(s.from) ?? 0) + 1);
              } catch (error) {
                if (!(error instanceof TransactionError)) throw error;
              }
            }
            const { events } = chain.seal(open); // checks the invariants
            assert.equal(totalIssuance(chain.state), issuance - burnedIn(events));
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it("detects a balance changed behind the runtime's back", () => {
    const chain = new TestChain();
    chain.block([chain.transfer("bob", pub("charlie"), UNIT)]);
    const corrupt = (change: (overlay: StateOverlay) => void) => {
      const overlay = new StateOverlay(chain.state);
      assert.doesNotThrow(() => checkInvariants(overlay));
      change(overlay);
      assert.throws(() => checkInvariants(overlay), {
        name: "InvariantError",
        code: "TOTAL_ISSUANCE",
      });
    };
    corrupt((s) => {
      const bob = readAccount(s, pub("bob"));
      writeAccount(s, pub("bob"), { ...bob, free: bob.free + 1n });
    });
    corrupt((s) => {
      const dave = readAccount(s, pub("dave"));
      writeAccount(s, pub("dave"), { ...dave, reserved: dave.reserved + UNIT });
    });
    corrupt((s) => writeAccount(s, outsider, { nonce: 0, free: UNIT, reserved: 0n }));
    corrupt((s) => balancesStorage.totalIssuance.set(s, totalIssuance(s) - 1n));
  });
});
