// The engine runs the real runtime: a seed gives the same CSV every time, another seed another
// run, and the runtime's invariants hold at every epoch end (the engine checks them by default).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toCsv } from "../../../sim/csv.ts";
import { CSV_COLUMNS, csvRows, REPORT_COLUMNS, reportRows } from "../../../sim/output.ts";
import { runShipped } from "./fixtures.ts";

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
});
