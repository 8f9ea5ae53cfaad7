// Scenario files: what is accepted, and the errors (with the offending path and a stable code)
// for what is not.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { UNIT } from "../../../primitives/amount.ts";
import {
  loadScenario,
  paramOverrides,
  parseScenario,
  scaleScenario,
} from "../../../sim/scenario.ts";
import { parseSweep } from "../../../sim/sweep.ts";
import { SCENARIOS } from "./fixtures.ts";

const minimal = () => ({
  name: "tiny",
  epochLength: 10,
  datanets: { count: 1 },
  populations: {
    honestContributors: { count: 4, quality: { mean: 60, spread: 10 }, costPerContribution: 0.5 },
  },
});

const dir = mkdtempSync(join(tmpdir(), "lineage-scenario-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function rejects(doc: unknown, pattern: RegExp) {
  assert.throws(
    () => parseScenario(doc, "s.yaml"),
    (e: Error & { code?: string }) => e.code === "SCENARIO_INVALID" && pattern.test(e.message),
  );
}

describe("scenario files", () => {
  it("accepts a minimal scenario and fills the documented defaults", () => {
    const s = parseScenario(minimal());
    assert.equal(s.populations.honestContributors!.costPerContribution, UNIT / 2n);
    assert.equal(s.populations.honestContributors!.contributionsPerEpoch, 1);
    assert.equal(s.populations.validators.count, 1);
    assert.equal(s.datanets.licence, "open");
    assert.deepEqual(paramOverrides(s), { epochLength: 10n });
  });

  it("reads YAML and JSON files", () => {
    const yaml = join(dir, "a.yaml");
    writeFileSync(
      yaml,
      "name: a\nepochLength: 9\ndatanets: { count: 2 }\npopulations:\n  validators: { count: 2 }\n",
    );
    assert.equal(loadScenario(yaml).datanets.count, 2);
    const json = join(dir, "b.json");
    writeFileSync(json, JSON.stringify(minimal()));
    assert.equal(loadScenario(json).name, "tiny");
  });

  it("names the offending field", () => {
    rejects({ ...minimal(), epochLength: 3 }, /s\.yaml: epochLength: /);
    rejects({ ...minimal(), colour: "red" }, /colour/);
    const wrong = minimal();
    (wrong.populations.honestContributors as { count: unknown }).count = "four";
    rejects(wrong, /populations\.honestContributors\.count/);
    const amount = minimal();
    (
      amount.populations.honestContributors as { costPerContribution: unknown }
    ).costPerContribution = "lots";
    rejects(amount, /populations\.honestContributors\.costPerContribution: not a LIN amount/);
    rejects({ ...minimal(), datanets: { count: 1, licence: "paid" } }, /datanets\.licenceFee/);
    const owners = { modelOwners: { count: 1, price: 1, dataShare: 0.1 } };
    rejects(
      { ...minimal(), populations: { ...minimal().populations, ...owners } },
      /populations\.modelOwners\.dataShare: 0\.1 is below the protocol minimum 0\.2/,
    );
    const lowered = { ...minimal(), params: { attributionMinDataSharePpm: 50_000 } };
    parseScenario({ ...lowered, populations: { ...minimal().populations, ...owners } });
  });

  it("says which field is unknown and what is allowed there, in the file's own words", () => {
    const pops = (extra: object) => ({
      ...minimal(),
      populations: { ...minimal().populations, ...extra },
    });
    rejects(
      pops({ spamers: { count: 1 } }),
      /^s\.yaml: populations\.spamers: unknown field spamers \(expected one of honestContributors, spammers, curators, challengers, consumers, licenceBuyers, modelOwners, washTraders, copiers, colluders, manifestGamers, attestors, validators\)$/,
    );
    rejects(
      { ...minimal(), colour: "red" },
      /^s\.yaml: colour: unknown field colour \(expected one of name, description, epochLength, params, datanets, populations, measured\)$/,
    );
    const consumers = (demand: object) =>
      pops({ consumers: { count: 1, demand, budget: 1, maxPrice: 1 } });
    rejects(
      consumers({ unit: 3 }),
      /^s\.yaml: populations\.consumers\.demand\.unit: unknown field unit \(expected one of units, growth, perEpoch\)$/,
    );
    rejects(consumers({ units: "x" }), /demand\.units: Invalid type: Expected number/);
    rejects(consumers({ units: 1, perEpoch: [1] }), /does not go with the other fields/);
    const { name: _, ...nameless } = minimal();
    rejects(nameless, /^s\.yaml: name: missing field$/);
  });

  it("says so when the document or a field is not a mapping", () => {
    rejects(
      "name: x",
      /^s\.yaml: \(root\): expected a mapping \(name, epochLength, datanets, …\), got a string$/,
    );
    rejects(["a"], /^s\.yaml: \(root\): expected a mapping .*got a list$/);
    rejects(null, /^s\.yaml: \(root\): expected a mapping .*got nothing$/);
    rejects({ ...minimal(), datanets: [1] }, /^s\.yaml: datanets: expected a mapping, got a list$/);
    rejects({ ...minimal(), datanets: 3 }, /^s\.yaml: datanets: expected a mapping, got 3$/);
    const empty = join(dir, "empty.yaml");
    writeFileSync(empty, "");
    assert.throws(
      () => loadScenario(empty),
      (e: Error & { code?: string }) =>
        e.code === "SCENARIO_INVALID" &&
        /empty\.yaml: \(root\): expected a mapping/.test(e.message),
    );
  });

  it("checks parameter overrides with the runtime's own bounds", () => {
    rejects(
      { ...minimal(), params: { noSuchParam: 1 } },
      /params: unknown parameter "noSuchParam"/,
    );
    rejects(
      { ...minimal(), params: { registryMinBond: 0 } },
      /params: registryMinBond must be within/,
    );
    rejects(
      { ...minimal(), params: { feeBurnPpm: 900000, feeTreasuryPpm: 200000 } },
      /must not exceed/,
    );
  });

  it("reports a missing file and unparsable YAML with their own codes", () => {
    assert.throws(
      () => loadScenario(join(dir, "missing.yaml")),
      (e: Error & { code?: string }) => e.code === "SCENARIO_NOT_FOUND",
    );
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: [unclosed\n");
    assert.throws(
      () => loadScenario(bad),
      (e: Error & { code?: string }) =>
        e.code === "SCENARIO_INVALID" && /not valid YAML/.test(e.message),
    );
  });

  it("scales populations, keeping at least one of each that exists", () => {
    const s = scaleScenario(parseScenario(minimal()), 0.1);
    assert.equal(s.populations.honestContributors!.count, 1);
    assert.equal(s.populations.spammers, undefined);
  });

  it("parses sweeps and refuses unknown parameters and out-of-bounds values", () => {
    const s = parseScenario(minimal());
    assert.deepEqual(parseSweep("registryMinBond=1,2,3", s), {
      param: "registryMinBond",
      values: [1n, 2n, 3n],
    });
    const code = (e: Error & { code?: string }) => e.code === "SWEEP_INVALID";
    assert.throws(() => parseSweep("nope=1,2", s), code);
    assert.throws(() => parseSweep("registryMinBond=0,1", s), code);
    assert.throws(() => parseSweep("registryMinBond=1", s), code);
    assert.throws(() => parseSweep("registryMinBond=1,x", s), code);
    assert.throws(() => parseSweep("epochLength=4,12", s), code);
  });

  it("accepts measured attribution with its defaults and refuses what its agents could not do", () => {
    const measured = () => ({
      ...minimal(),
      populations: {
        ...minimal().populations,
        modelOwners: { count: 1, price: 0.1, dataShare: 0.5 },
        copiers: { count: 1 },
        attestors: { honest: 3, colluding: 2, bond: 200 },
      },
      measured: {},
    });
    const s = parseScenario(measured());
    assert.deepEqual(s.measured, {
      dimension: 64,
      classes: 4,
      pointsPerContribution: 8,
      spread: 48,
    });
    assert.deepEqual(s.populations.attestors, {
      honest: 3,
      lazy: 0,
      colluding: 2,
      bond: 200n * UNIT,
    });
    assert.equal(s.populations.copiers!.copiesPerEpoch, 1);
    // Attestors have no count: scaling leaves them alone (their numbers decide the quorums).
    assert.deepEqual(scaleScenario(s, 0.5).populations.attestors, s.populations.attestors);

    const without = (field: string) => {
      const doc = measured() as Record<string, unknown> & { populations: Record<string, unknown> };
      if (field === "measured") delete doc.measured;
      else delete doc.populations[field];
      return doc;
    };
    rejects(
      without("copiers"),
      /^s\.yaml: populations\.attestors\.colluding: colluding attestors reveal a root that pays the copiers' contributions/,
    );
    rejects(
      without("modelOwners"),
      /^s\.yaml: measured: measured attribution measures the model owners' models/,
    );
    const { copiers: _c, ...noCopiers } = without("measured").populations;
    rejects(
      { ...without("measured"), populations: noCopiers },
      /^s\.yaml: populations\.attestors: attestors report on measured models: add a measured section$/,
    );
    rejects(without("measured"), /^s\.yaml: populations\.copiers: copiers copy measured data/);
    const pops = measured().populations;
    rejects(
      { ...measured(), populations: { ...pops, attestors: { ...pops.attestors, bond: 50 } } },
      /^s\.yaml: populations\.attestors\.bond: 50 LIN is below the protocol minimum 100 LIN \(attestationMinBond\)$/,
    );
    rejects(
      { ...measured(), populations: { ...pops, attestors: { ...pops.attestors, bond: 5000 } } },
      /populations\.attestors\.bond: 5000 LIN is more than the attestors' endowment 1000 LIN/,
    );
    rejects(
      { ...measured(), params: { attestationCommitBlocks: 1 } },
      /^s\.yaml: params\.attestationCommitBlocks: 1 block is too short: the simulated agents act in the block after a phase opens/,
    );
    rejects({ ...measured(), measured: { spread: 200 } }, /^s\.yaml: measured\.spread: /);
    rejects(
      { ...measured(), measured: { dimensions: 8 } },
      /unknown field dimensions \(expected one of dimension, classes, pointsPerContribution, spread\)/,
    );
    // A sweep is held to the same checks.
    assert.throws(
      () => parseSweep("attestationMinBond=100000000000000,300000000000000", s),
      (e: Error & { code?: string }) =>
        e.code === "SWEEP_INVALID" &&
        /attestationMinBond=300000000000000 does not fit the scenario: populations\.attestors\.bond/.test(
          e.message,
        ),
    );
  });

  it("checks each sweep value as the scenario's own parameters are checked", () => {
    const healthy = loadScenario(join(SCENARIOS, "healthy-marketplace.yaml"));
    const refused = (text: string, scenario: typeof healthy, pattern: RegExp) =>
      assert.throws(
        () => parseSweep(text, scenario),
        (e: Error & { code?: string }) => e.code === "SWEEP_INVALID" && pattern.test(e.message),
      );
    // The model owners' data share is 0.4: a minimum of 0.5 would fail every registerModel.
    refused(
      "attributionMinDataSharePpm=100000,500000",
      healthy,
      /^--sweep: attributionMinDataSharePpm=500000 does not fit the scenario: populations\.modelOwners\.dataShare: 0\.4 is below the protocol minimum 0\.5 \(attributionMinDataSharePpm\)$/,
    );
    assert.deepEqual(parseSweep("attributionMinDataSharePpm=100000,400000", healthy).values, [
      100_000n,
      400_000n,
    ]);
    // The spam wave's datanets ask a bond of 1 LIN: a protocol minimum above it is refused.
    const spam = loadScenario(join(SCENARIOS, "spam-wave.yaml"));
    refused(
      `registryMinBond=${UNIT},${2n * UNIT}`,
      spam,
      /registryMinBond=2000000000000 does not fit the scenario: datanets\.minBond: 1 LIN is below the protocol minimum 2 LIN/,
    );
    refused("registryMaxCurators=3,2", healthy, /populations\.curators\.count: 3 curators/);
    refused("registryMaxWindow=24,23", healthy, /epochLength: the datanets' review and challenge/);
    // And the scenario file itself is held to the same checks.
    rejects(
      { ...minimal(), datanets: { count: 1, minBond: 0.5 } },
      /datanets\.minBond: 0\.5 LIN is below the protocol minimum/,
    );
  });
});
