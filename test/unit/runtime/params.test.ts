import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import {
  PARAMS,
  type ParamName,
  param,
  params,
  storage as paramsStorage,
  validateGenesisParams,
} from "../../../runtime/pallets/params.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import { contextOver, devSpecWith, TestChain } from "./fixtures/test-chain.ts";

const NAMES = Object.keys(PARAMS) as ParamName[];
const setParamCall = params.calls.find((c) => c.name === "setParam")!;

/** Runs setParam as root directly on an overlay; returns the error code or "ok". */
function setAsRoot(overlay: StateOverlay, name: string, value: bigint, events: string[] = []) {
  try {
    contextOver(overlay, events).transactional(() =>
      setParamCall.handler(
        contextOver(overlay, events),
        { kind: "root" },
        {
          name,
          value: u128ToBytes(value),
        },
      ),
    );
    return "ok";
  } catch (error) {
    return (error as { code: string }).code;
  }
}

/** Makes room for `name` at `value` where a combination rule would otherwise refuse it. */
function makeRoom(overlay: StateOverlay, name: ParamName, value: bigint): void {
  // The attestors' quorum and set size move together (M ≤ N < 2M): M = N holds at every size.
  // Written directly, since no sequence of single valid changes reaches every pair.
  if (name === "attestationSetSize") paramsStorage.values.set(overlay, "attestationQuorum", value);
  if (name === "attestationQuorum") paramsStorage.values.set(overlay, "attestationSetSize", value);
  if (name === "feeBurnPpm") assert.equal(setAsRoot(overlay, "feeTreasuryPpm", 0n), "ok");
  if (name === "feeTreasuryPpm") assert.equal(setAsRoot(overlay, "feeBurnPpm", 0n), "ok");
  if (name === "emissionHighQuality")
    assert.equal(setAsRoot(overlay, "registryMaxQuality", PARAMS.registryMaxQuality.max), "ok");
  if (name === "registryMaxQuality")
    assert.equal(setAsRoot(overlay, "emissionHighQuality", 1n), "ok");
  // The council's delay stays below the windows it must judge within.
  if (name === "councilEnactmentDelay")
    for (const window of ["registryChallengeExpiry", "attestationCouncilBlocks"] as const)
      assert.equal(setAsRoot(overlay, window, PARAMS[window].max), "ok");
  if (name === "registryChallengeExpiry" || name === "attestationCouncilBlocks")
    assert.equal(setAsRoot(overlay, "councilEnactmentDelay", 1n), "ok");
  const shares = ["emissionValidatorPpm", "emissionContributorPpm", "emissionTreasuryPpm"];
  if (shares.includes(name))
    for (const other of shares)
      if (other !== name) assert.equal(setAsRoot(overlay, other as ParamName, 0n), "ok");
}

describe("params", () => {
  const chain = new TestChain();

  it("every parameter's default lies within its bounds", () => {
    for (const name of NAMES) {
      const def = PARAMS[name];
      assert.ok(def.min <= def.default && def.default <= def.max, name);
      assert.equal(param(chain.state, name), def.default);
    }
  });

  it("accepts every parameter at its bounds and refuses one step outside", () => {
    for (const name of NAMES) {
      const { min, max } = PARAMS[name];
      for (const [value, expected] of [
        [min, "ok"],
        [max, "ok"],
        [max + 1n, "Params.OutOfBounds"],
        ...(min > 0n ? [[min - 1n, "Params.OutOfBounds"] as const] : []),
      ] as const) {
        const overlay = new StateOverlay(chain.state);
        makeRoom(overlay, name, value);
        assert.equal(setAsRoot(overlay, name, value), expected, `${name} = ${value}`);
        assert.equal(param(overlay, name), expected === "ok" ? value : PARAMS[name].default);
      }
    }
  });

  it("refuses combinations the single bounds cannot express", () => {
    const overlay = new StateOverlay(chain.state);
    assert.equal(setAsRoot(overlay, "feeBurnPpm", 800_000n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "feeBurnPpm", 700_000n), "ok");
    assert.equal(setAsRoot(overlay, "feeTreasuryPpm", 300_001n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "maxFeeMultiplier", PARAMS.maxFeeMultiplier.min), "ok");
    assert.equal(setAsRoot(overlay, "minFeeMultiplier", PARAMS.minFeeMultiplier.max), "ok");
    assert.equal(setAsRoot(overlay, "maxFeeMultiplier", PARAMS.maxFeeMultiplier.min), "ok");
    // Emission's shares of the schedule add up to at most the whole of it.
    assert.equal(setAsRoot(overlay, "emissionTreasuryPpm", 200_001n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "emissionContributorPpm", 400_000n), "ok");
    assert.equal(setAsRoot(overlay, "emissionTreasuryPpm", 400_001n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "emissionTreasuryPpm", 400_000n), "ok");
    assert.equal(setAsRoot(overlay, "emissionValidatorPpm", 200_001n), "Params.OutOfBounds");
    // The high-quality threshold must be a quality a curator can give.
    assert.equal(setAsRoot(overlay, "emissionHighQuality", 101n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "registryMaxQuality", 79n), "Params.OutOfBounds");
    // Attestation: a quorum is at most the set, and more than half of it, so two different
    // roots can never both reach it.
    assert.equal(setAsRoot(overlay, "attestationQuorum", 4n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "attestationSetSize", 4n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "attestationQuorum", 3n), "ok");
    assert.equal(setAsRoot(overlay, "attestationSetSize", 5n), "ok");
    assert.equal(setAsRoot(overlay, "attestationSetSize", 6n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "attestationQuorum", 2n), "Params.OutOfBounds");
    // The council must be able to judge before a case expires: an owner's own decision, a
    // disputed attestation round.
    assert.equal(setAsRoot(overlay, "councilEnactmentDelay", 100n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "registryChallengeExpiry", 10n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "registryChallengeExpiry", 11n), "ok");
    assert.equal(setAsRoot(overlay, "attestationCouncilBlocks", 10n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "councilEnactmentDelay", 99n), "Params.OutOfBounds");
    assert.equal(setAsRoot(overlay, "councilEnactmentDelay", 10n), "ok");
  });

  it("refuses unknown names and non-root origins", () => {
    const overlay = new StateOverlay(chain.state);
    assert.equal(setAsRoot(overlay, "noSuchParam", 1n), "Params.UnknownParam");
    assert.equal(setAsRoot(overlay, "toString", 1n), "Params.UnknownParam");
    assert.throws(
      () =>
        setParamCall.handler(
          contextOver(overlay),
          { kind: "signed", account: new Uint8Array(32) },
          { name: "baseFee", value: u128ToBytes(1n) },
        ),
      { code: "Params.BadOrigin" },
    );
  });

  it("a change through sudo emits ParamChanged and takes effect for the next transaction", () => {
    const local = new TestChain();
    const xt = () => local.transfer("bob", new Uint8Array(32).fill(7), 10n ** 12n);
    const feeBefore = local.open().execution.check(xt(), null).fee.baseFee;
    const { events } = local.block([
      local.sign("alice", "Sudo.sudo", {
        call: encodeCall("Params.setParam", { name: "baseFee", value: u128ToBytes(123n) }),
      }),
    ]);
    const changed = events.find((e) => e.name === "ParamChanged")!;
    assert.equal(changed.data.name, "baseFee");
    assert.equal(u128FromBytes(changed.data.oldValue as Uint8Array), feeBefore);
    assert.equal(u128FromBytes(changed.data.newValue as Uint8Array), 123n);
    assert.equal(local.open().execution.check(xt(), null).fee.baseFee, 123n);
  });

  it("genesis overrides are validated by name, bounds and combination, and applied", () => {
    assert.throws(() => validateGenesisParams({ nope: 1n }), { code: "UNKNOWN_PARAM" });
    assert.throws(() => validateGenesisParams({ epochLength: 0n }), {
      code: "PARAM_OUT_OF_BOUNDS",
    });
    assert.throws(() => validateGenesisParams({ feeBurnPpm: 900_000n }), {
      code: "PARAM_OUT_OF_BOUNDS",
    });
    assert.doesNotThrow(() => validateGenesisParams({ feeBurnPpm: 700_000n, epochLength: 10n }));
    const custom = new TestChain(
      devSpecWith((config) => {
        config.params = { epochLength: "10", baseFee: "0" };
      }),
    );
    assert.equal(param(custom.state, "epochLength"), 10n);
    assert.equal(param(custom.state, "baseFee"), 0n);
  });
});
