import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNIT } from "../../../primitives/amount.ts";
import { fromHex, toHex } from "../../../primitives/bytes.ts";
import { DEV_ACCOUNT_NAMES, devKeypair } from "../../../primitives/dev-accounts.ts";
import { ss58Encode } from "../../../primitives/ss58.ts";
import {
  builtinChainSpec,
  type ChainSpec,
  genesisConfigOf,
  parseChainSpec,
  toRawChainSpec,
} from "../../../runtime/chain-spec.ts";
import { genesisStorage } from "../../../runtime/genesis.ts";
import { authorities, storage as authorityStorage } from "../../../runtime/pallets/authorities.ts";
import {
  storage as balancesStorage,
  freeBalance,
  totalIssuance,
} from "../../../runtime/pallets/balances.ts";
import { PARAMS } from "../../../runtime/pallets/params.ts";
import { storage as sudoStorage } from "../../../runtime/pallets/sudo.ts";
import { pub, TestChain } from "./fixtures/test-chain.ts";

const asJson = (spec: ChainSpec): unknown => JSON.parse(JSON.stringify(spec));

// biome-ignore lint/suspicious/noExplicitAny: tests corrupt the document in arbitrary ways.
type Doc = any;

function devDoc(): Doc {
  return asJson(builtinChainSpec("dev")!);
}

function parseError(doc: Doc): { code: string; message: string } {
  try {
    parseChainSpec(doc);
  } catch (error) {
    return error as { code: string; message: string };
  }
  assert.fail("the spec was accepted");
}

describe("chain spec: built-in specs", () => {
  it("dev: alice…ferdie funded, alice the sole authority and the sudo key, a 2-of-3 council", () => {
    const spec = builtinChainSpec("dev")!;
    assert.equal(spec.id, "dev");
    assert.equal(spec.chainType, "Development");
    assert.deepEqual(spec.properties, { ss58Format: 42, tokenDecimals: 12, tokenSymbol: "LIN" });
    const config = genesisConfigOf(spec);
    assert.deepEqual(config.authorities, [pub("alice")]);
    assert.deepEqual(config.sudoKey, pub("alice"));
    assert.deepEqual(config.council, {
      members: [pub("alice"), pub("bob"), pub("charlie")],
      threshold: 2,
    });
    const chain = new TestChain(spec);
    for (const name of DEV_ACCOUNT_NAMES) {
      assert.equal(freeBalance(chain.state, devKeypair(name).publicKey), 1_000_000n * UNIT, name);
    }
    assert.deepEqual(authorities(chain.state), [pub("alice")]);
    assert.deepEqual(sudoStorage.key.get(chain.state), pub("alice"));
    assert.equal(authorityStorage.slotDuration.get(chain.state), 2000);
    // Six endowments and the treasury pot's existential deposit.
    assert.equal(
      totalIssuance(chain.state),
      6n * 1_000_000n * UNIT + PARAMS.existentialDeposit.default,
    );
  });

  it("local: four authorities, no sudo key, the 2-of-3 council; a different genesis from dev", () => {
    const spec = builtinChainSpec("local")!;
    assert.equal(spec.chainType, "Local");
    const config = genesisConfigOf(spec);
    assert.equal(config.sudoKey, null);
    assert.equal(config.council?.threshold, 2);
    const chain = new TestChain(spec);
    assert.deepEqual(authorities(chain.state), [
      pub("alice"),
      pub("bob"),
      pub("charlie"),
      pub("dave"),
    ]);
    assert.notEqual(toHex(chain.genesisHash), toHex(new TestChain().genesisHash));
    assert.equal(builtinChainSpec("mainnet"), undefined);
  });

  it("both survive a JSON round trip through parseChainSpec unchanged", () => {
    for (const id of ["dev", "local"]) {
      const spec = builtinChainSpec(id)!;
      assert.deepEqual(parseChainSpec(asJson(spec)), spec);
    }
  });

  it("builds the same genesis every time", () => {
    assert.equal(toHex(new TestChain().genesisHash), toHex(new TestChain().genesisHash));
  });
});

describe("chain spec: validation", () => {
  const config = (doc: Doc) => doc.genesis.runtimeGenesis.config;
  const CONFIG = "genesis.runtimeGenesis.config";
  const cases: [string, (doc: Doc) => void, string][] = [
    [
      "a number given as a string",
      (d) => {
        config(d).authorities.slotDuration = "2000";
      },
      `${CONFIG}.authorities.slotDuration`,
    ],
    [
      "a slot duration out of range",
      (d) => {
        config(d).authorities.slotDuration = 1;
      },
      `${CONFIG}.authorities.slotDuration`,
    ],
    [
      "a name of the wrong type",
      (d) => {
        d.name = 5;
      },
      "name",
    ],
    [
      "an id with capitals",
      (d) => {
        d.id = "Dev";
      },
      "id",
    ],
    [
      "a missing id",
      (d) => {
        delete d.id;
      },
      "id",
    ],
    [
      "an unknown chain type",
      (d) => {
        d.chainType = "Testnet";
      },
      "chainType",
    ],
    [
      "an unknown genesis config field",
      (d) => {
        config(d).vesting = {};
      },
      `${CONFIG}.vesting`,
    ],
    [
      "an unknown balances field",
      (d) => {
        config(d).balances.locks = [];
      },
      `${CONFIG}.balances.locks`,
    ],
    [
      "an amount that is not a decimal integer",
      (d) => {
        config(d).balances.balances[1][1] = "1.5";
      },
      `${CONFIG}.balances.balances.1.1`,
    ],
    [
      "an amount given as a number",
      (d) => {
        config(d).balances.balances[2][1] = 10;
      },
      `${CONFIG}.balances.balances.2.1`,
    ],
    [
      "an account that is not an address",
      (d) => {
        config(d).balances.balances[1][0] = "bob";
      },
      `${CONFIG}.balances.balances.1.0`,
    ],
    [
      "an address with a bad checksum",
      (d) => {
        const a: string = config(d).balances.balances[3][0];
        config(d).balances.balances[3][0] = a.slice(0, -1) + (a.endsWith("a") ? "b" : "a");
      },
      `${CONFIG}.balances.balances.3.0`,
    ],
    [
      "a duplicate endowment",
      (d) => {
        config(d).balances.balances[4][0] = config(d).balances.balances[0][0];
      },
      `${CONFIG}.balances.balances.4.0`,
    ],
    [
      "an endowment below the existential deposit",
      (d) => {
        config(d).balances.balances[1][1] = "1";
      },
      `${CONFIG}.balances.balances.1.1`,
    ],
    [
      "endowments beyond u128",
      (d) => {
        config(d).balances.balances[1][1] = "9".repeat(39);
      },
      `${CONFIG}.balances.balances.1.1`,
    ],
    [
      "an empty authority set",
      (d) => {
        config(d).authorities.authorities = [];
      },
      `${CONFIG}.authorities.authorities`,
    ],
    [
      "a duplicate authority",
      (d) => {
        config(d).authorities.authorities.push(config(d).authorities.authorities[0]);
      },
      `${CONFIG}.authorities.authorities`,
    ],
    [
      "a bad authority address",
      (d) => {
        config(d).authorities.authorities[0] = "0x1234";
      },
      `${CONFIG}.authorities.authorities.0`,
    ],
    [
      "a bad sudo key",
      (d) => {
        config(d).sudo.key = "alice";
      },
      `${CONFIG}.sudo.key`,
    ],
    [
      "a council threshold of zero",
      (d) => {
        config(d).council.threshold = 0;
      },
      `${CONFIG}.council.threshold`,
    ],
    [
      "a council threshold above the member count",
      (d) => {
        config(d).council.threshold = 4;
      },
      `${CONFIG}.council.threshold`,
    ],
    [
      "a duplicate council member",
      (d) => {
        config(d).council.members.push(config(d).council.members[0]);
      },
      `${CONFIG}.council.members`,
    ],
    [
      "a bad council member address",
      (d) => {
        config(d).council.members[1] = "bob";
      },
      `${CONFIG}.council.members.1`,
    ],
    [
      "an empty council",
      (d) => {
        config(d).council = { members: [], threshold: 1 };
      },
      `${CONFIG}.council.members`,
    ],
    [
      "more council members than councilMaxMembers",
      (d) => {
        config(d).params.councilMaxMembers = "2";
      },
      `${CONFIG}.council.members`,
    ],
    [
      "an unknown council field",
      (d) => {
        config(d).council.motions = [];
      },
      `${CONFIG}.council.motions`,
    ],
    [
      "an unknown parameter",
      (d) => {
        config(d).params = { blockReward: "1" };
      },
      `${CONFIG}.params`,
    ],
    [
      "a parameter out of bounds",
      (d) => {
        config(d).params = { feeBurnPpm: "1000001" };
      },
      `${CONFIG}.params`,
    ],
    [
      "parameters that do not combine",
      (d) => {
        config(d).params = { feeBurnPpm: "600000", feeTreasuryPpm: "600000" };
      },
      `${CONFIG}.params`,
    ],
    [
      "a parameter that is not a decimal string",
      (d) => {
        config(d).params = { baseFee: "-1" };
      },
      `${CONFIG}.params.baseFee`,
    ],
    [
      "a raw key that is not hex",
      (d) => {
        d.genesis = { raw: { top: { "0xzz": "0x00" } } };
      },
      "genesis.raw.top.0xzz",
    ],
    [
      "both genesis forms",
      (d) => {
        d.genesis.raw = { top: {} };
      },
      "genesis.raw",
    ],
  ];

  for (const [what, corrupt, path] of cases) {
    it(`refuses ${what}, naming ${path}`, () => {
      const doc = devDoc();
      corrupt(doc);
      const error = parseError(doc);
      assert.equal(error.code, "INVALID_CHAIN_SPEC");
      assert.ok(
        error.message.startsWith(`chain spec: ${path}: `),
        `expected the path ${path} in: ${error.message}`,
      );
    });
  }

  it("names the offending parameter in the message", () => {
    const doc = devDoc();
    config(doc).params = { feeBurnPpm: "1000001" };
    assert.match(parseError(doc).message, /feeBurnPpm/);
  });

  it("refuses properties a wallet cannot use, naming the field", () => {
    for (const [field, value] of [
      ["ss58Format", 1e12],
      ["ss58Format", -1],
      ["ss58Format", 4.5],
      ["ss58Format", "42"],
      ["tokenDecimals", 300],
      ["tokenSymbol", ""],
    ] as const) {
      const doc = devDoc();
      doc.properties = { ss58Format: 42, tokenDecimals: 12, tokenSymbol: "LIN", [field]: value };
      const error = parseError(doc);
      assert.equal(error.code, "INVALID_CHAIN_SPEC");
      assert.match(error.message, new RegExp(`properties\\.${field}`), error.message);
    }
    const doc = devDoc();
    doc.properties = { ss58Format: 16_383, tokenDecimals: 0, tokenSymbol: "X", isEthereum: false };
    assert.equal(parseChainSpec(doc).properties?.ss58Format, 16_383);
  });

  it("refuses what is not a spec at all", () => {
    for (const doc of [null, 42, "dev", [], {}]) {
      assert.equal(parseError(doc).code, "INVALID_CHAIN_SPEC");
    }
  });

  it("accepts unknown top-level fields, as Substrate's loader does", () => {
    const doc = devDoc();
    doc.codeSubstitutes = {};
    assert.equal(parseChainSpec(doc).id, "dev");
  });
});

describe("chain spec: raw form", () => {
  it("round trips: the raw spec gives the same genesis storage and hash", () => {
    for (const id of ["dev", "local"]) {
      const spec = builtinChainSpec(id)!;
      const storage = genesisStorage(spec);
      const raw = parseChainSpec(asJson(toRawChainSpec(spec, storage)));
      assert.ok("raw" in raw.genesis);
      const again = genesisStorage(raw);
      assert.deepEqual(
        again.map(([k, v]) => [toHex(k), toHex(v)]),
        storage.map(([k, v]) => [toHex(k), toHex(v)]),
      );
      assert.equal(toHex(new TestChain(raw).genesisHash), toHex(new TestChain(spec).genesisHash));
    }
  });

  it("has no genesis configuration to read", () => {
    const spec = builtinChainSpec("dev")!;
    const raw = toRawChainSpec(spec, genesisStorage(spec));
    assert.throws(() => genesisConfigOf(raw), { code: "RAW_CHAIN_SPEC" });
  });

  it("a raw genesis that breaks the issuance invariant is refused", () => {
    const spec = builtinChainSpec("dev")!;
    const raw = toRawChainSpec(spec, genesisStorage(spec));
    assert.ok("raw" in raw.genesis);
    const key = toHex(balancesStorage.totalIssuance.key);
    const value = fromHex(raw.genesis.raw.top[key]!);
    value[15]! ^= 1;
    raw.genesis.raw.top[key] = toHex(value);
    assert.throws(() => genesisStorage(raw), { code: "TOTAL_ISSUANCE" });
  });

  it("a custom spec with another address format still parses accounts", () => {
    const doc = devDoc();
    doc.genesis.runtimeGenesis.config.sudo.key = ss58Encode(pub("bob"), 0);
    assert.deepEqual(genesisConfigOf(parseChainSpec(doc)).sudoKey, pub("bob"));
  });
});
