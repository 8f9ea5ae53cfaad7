// Every epoch of a run has its health record, however far the emission pallet's closes fall behind
// the epochs: at --scale 20 the shipped scenarios' closes need more blocks than an epoch has, and
// the last epochs' records used to be missing. A scaled run with a smaller step budget per block
// reproduces that load cheaply.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { missingRecordsNote, writeOutputs } from "../../../sim/output.ts";
import { rowsOf, runShipped } from "./fixtures.ts";

/** 16 items per block instead of 256: at scale 2, the load of --scale 32 on the default budget. */
const SLOW_CLOSES = { emissionMaxStepsPerBlock: 16n };
const EPOCHS = 5;

describe("health records of a run whose closes fall behind its epochs", () => {
  it("goes on after the last epoch until every epoch has its record", () => {
    const result = runShipped("healthy-marketplace", {
      epochs: EPOCHS,
      scale: 2,
      params: SLOW_CLOSES,
    });
    const L = result.scenario.epochLength;
    assert.ok(
      result.runOutBlocks > L,
      `the closes fell behind: ${result.runOutBlocks} blocks after the last epoch`,
    );
    assert.deepEqual(result.missingRecords, []);
    assert.equal(missingRecordsNote(result), null);
    for (const f of result.epochs) assert.notEqual(f.health, null, `epoch ${f.epoch} has a record`);
    for (const r of rowsOf(result)) assert.notEqual(r.emitted, null, `epoch ${r.epoch} emitted`);
  });

  it("names the epochs left without a record when the run-out's bound comes first", async () => {
    const result = runShipped("healthy-marketplace", {
      epochs: EPOCHS,
      scale: 2,
      params: SLOW_CLOSES,
      runOutLimit: 12,
    });
    const missing = result.epochs.filter((f) => f.health === null).map((f) => f.epoch);
    assert.ok(missing.length > 0, "the bound cut the run-out short");
    assert.deepEqual(result.missingRecords, missing);
    const note = missingRecordsNote(result);
    assert.ok(note?.includes(`epochs ${missing[0]}–${missing.at(-1)}`), String(note));
    for (const r of rowsOf(result).filter((r) => missing.includes(r.epoch as number)))
      assert.equal(r.emitted, null, `epoch ${r.epoch}: an empty cell, not a zero`);
    const dir = await mkdtemp(join(tmpdir(), "lineage-records-"));
    try {
      const written = await writeOutputs(dir, [{ label: "short", result }], {
        epochs: EPOCHS,
        seed: 7,
      });
      const html = await readFile(written.report, "utf8");
      assert.match(html, /id="run-notes"[\s\S]*no health record for epochs/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
