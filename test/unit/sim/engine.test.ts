// The engine runs the real runtime: a seed gives the same CSV every time, another seed another
// run, and the runtime's invariants hold at every epoch end (the engine checks them by default).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toCsv } from "../../../sim/csv.ts";
import { simulate } from "../../../sim/engine.ts";
import { CSV_COLUMNS, csvRows, REPORT_COLUMNS, reportRows } from "../../../sim/output.ts";
import { parseScenario } from "../../../sim/scenario.ts";
import { rowsOf, runShipped } from "./fixtures.ts";

const csvOf = (seed: number) =>
  toCsv(CSV_COLUMNS, csvRows(runShipped("spam-wave", { epochs: 3, scale: 0.3, seed })));

describe("simulation engine", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = csvOf(11);
    assert.equal(csvOf(11), a);
    assert.notEqual(csvOf(12), a);
    assert.equal(a.split("\r\n")[0], CSV_COLUMNS.join(","));
  });

  it("writes exact planck amounts in the CSV and LIN numbers in the report rows", () => {
    const result = runShipped("healthy-marketplace", { epochs: 3, scale: 0.3 });
    const csv = csvRows(result);
    const report = reportRows(result);
    assert.equal(csv.length, 3);
    assert.deepEqual(Object.keys(report[0]!), [...REPORT_COLUMNS]);
    const last = csv.at(-1)!;
    assert.match(String(last.volume), /^\d+$/);
    assert.ok(BigInt(String(last.volume)) > 0n, "consumers paid in the last epoch");
    assert.equal(report.at(-1)!.volume, Number(BigInt(String(last.volume))) / 1e12);
    assert.match(String(last.totalIssuance), /^\d{13,}$/);
  });

  it("curators bond before they review and owners judge their challenges: no curation call fails", () => {
    const result = runShipped("spam-wave", { epochs: 4, scale: 0.5 });
    const rows = rowsOf(result);
    assert.deepEqual(result.failures, {}, "every call of every agent succeeded");
    assert.ok(rows.some((r) => (r.accepted as number) > 0 && (r.rejected as number) > 0));
    assert.ok(
      rows.some((r) => (r.challengesUpheld as number) > 0),
      "an owner upheld a challenge of a curator's acceptance",
    );
  });

  it("counts a contributor's grace from its first submission, not from genesis", () => {
    // Nothing to earn (no consumers) and a cost no claim covers: the contributors submit through
    // their grace of 2 epochs, which starts in epoch 1 (no datanet exists in epoch 0), then pause.
    const scenario = parseScenario({
      name: "grace",
      epochLength: 8,
      datanets: { count: 1 },
      populations: {
        honestContributors: {
          count: 2,
          quality: { mean: 60 },
          costPerContribution: 1000,
          graceEpochs: 2,
        },
      },
    });
    const rows = rowsOf(simulate(scenario, { epochs: 5, seed: 1 }));
    assert.deepEqual(
      rows.map((r) => r.honestActive),
      [0, 2, 2, 0, 0],
    );
  });

  it("consumers buy less from dearer models the more price-sensitive they are", () => {
    const volume = (priceSensitivity: number) => {
      const scenario = parseScenario({
        name: "demand",
        epochLength: 8,
        datanets: { count: 1 },
        populations: {
          honestContributors: { count: 2, quality: { mean: 60 }, costPerContribution: 0 },
          consumers: {
            count: 2,
            demand: { units: 100 },
            budget: 1000,
            maxPrice: 0.5,
            priceSensitivity,
          },
          modelOwners: { count: 1, price: 0.25, dataShare: 0.5 },
        },
      });
      const rows = rowsOf(simulate(scenario, { epochs: 3, seed: 1 }));
      return rows.reduce((sum, r) => sum + (r.volume as bigint), 0n);
    };
    const [flat, some, much] = [volume(0), volume(0.5), volume(1.5)];
    assert.ok(flat > some && some > much && much > 0n, `${flat} > ${some} > ${much}`);
  });
});
