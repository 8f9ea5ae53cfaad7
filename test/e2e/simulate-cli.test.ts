// `lineage simulate` as a user runs it: a tiny scenario, the CSV and report it writes, a sweep,
// and one-line errors for a missing scenario file and a bad sweep.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli, tempDir } from "./fixtures/index.ts";

const dir = tempDir("lineage-simulate-");
after(() => dir.remove());

const scenario = join(dir.path, "tiny.yaml");
writeFileSync(
  scenario,
  `name: tiny
epochLength: 8
datanets: { count: 1 }
populations:
  honestContributors: { count: 3, quality: { mean: 60 }, costPerContribution: 0.01 }
  consumers: { count: 2, demand: { units: 10 }, budget: 10, maxPrice: 1 }
  modelOwners: { count: 1, price: 0.1, dataShare: 0.5 }
`,
);

describe("lineage simulate", () => {
  it("writes the CSV and the report and prints where they went", async () => {
    const out = join(dir.path, "out");
    const r = await runCli(["simulate", "--scenario", scenario, "--epochs", "3", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^tiny: 3 epochs in \d+ blocks/);
    const csv = readFileSync(join(out, "tiny.csv"), "utf8").trimEnd().split("\r\n");
    assert.equal(csv.length, 4, "a header and one line per epoch");
    assert.match(csv[0]!, /^epoch,emittedValidators,/);
    assert.ok(existsSync(join(out, "report.html")));
    assert.match(r.stdout, new RegExp(`Report: ${join(out, "report.html")}`));
  });

  it("runs a sweep: one CSV per value and one report", async () => {
    const out = join(dir.path, "sweep");
    const r = await runCli([
      "simulate",
      "--scenario",
      scenario,
      "--epochs",
      "2",
      "--out",
      out,
      "--sweep",
      "attributionProtocolFeePpm=10000,90000",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const files = readdirSync(out).sort();
    assert.ok(files.includes("attributionProtocolFeePpm=10000.csv"), String(files));
    assert.ok(files.includes("attributionProtocolFeePpm=90000.csv"), String(files));
    assert.ok(files.includes("report.html"));
  });

  it("reports a missing scenario and a bad sweep on one line", async () => {
    const missing = await runCli(["simulate", "--scenario", join(dir.path, "nope.yaml")]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^Error: no scenario file at .*nope\.yaml \[SCENARIO_NOT_FOUND\]\n$/,
    );
    const sweep = await runCli([
      "simulate",
      "--scenario",
      scenario,
      "--sweep",
      "registryMinBond=0,5",
    ]);
    assert.equal(sweep.code, 1);
    assert.match(
      sweep.stderr,
      /^Error: --sweep: registryMinBond must be within .* \[SWEEP_INVALID\]\n$/,
    );
    // A value within the parameter's bounds that the scenario's model owners cannot meet.
    const share = await runCli([
      "simulate",
      "--scenario",
      scenario,
      "--sweep",
      "attributionMinDataSharePpm=200000,600000",
    ]);
    assert.equal(share.code, 1);
    assert.match(
      share.stderr,
      /^Error: --sweep: attributionMinDataSharePpm=600000 does not fit the scenario: populations\.modelOwners\.dataShare: 0\.5 is below the protocol minimum 0\.6 \(attributionMinDataSharePpm\) \[SWEEP_INVALID\]\n$/,
    );
  });
});
