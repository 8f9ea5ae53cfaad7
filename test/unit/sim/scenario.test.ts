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
});
