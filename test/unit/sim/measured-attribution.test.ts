// The shipped measured-attribution scenario, shortened, played as the attacker would: the lazy and
// colluding attestors must lose money and the honest ones earn it, copies of others' data must
// earn nothing, and payout per data point must rise with the data's true quality. Everything is
// computed from what the simulator writes (the per-epoch, per-contribution and per-attestor CSVs).
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toCsv } from "../../../sim/csv.ts";
import { simulate } from "../../../sim/engine.ts";
import {
  CONTRIBUTION_COLUMNS,
  CSV_COLUMNS,
  contributionRows,
  csvRows,
  writeOutputs,
} from "../../../sim/output.ts";
import { loadScenario, scaleScenario } from "../../../sim/scenario.ts";
import { runShipped, SCENARIOS } from "./fixtures.ts";

type Row = Record<string, string>;

/** The simulator's CSV (RFC 4180 without quoted fields: none of these tables needs them). */
function parseCsv(text: string): Row[] {
  const [header, ...lines] = text.trimEnd().split("\r\n");
  const columns = header!.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, i) => [columns[i]!, v])));
}

const big = (v: string | undefined) => BigInt(v === undefined || v === "" ? "0" : v);
const sum = (rows: Row[], column: string) => rows.reduce((s, r) => s + big(r[column]), 0n);

const EPOCHS = 6;
const SEED = 7;

describe("shipped scenario: measured attribution", () => {
  let dir: string;
  let epochs: Row[];
  let contributions: Row[];
  let attestors: Row[];
  let csv: { epochs: string; contributions: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lineage-measured-"));
    const result = runShipped("measured-attribution", { epochs: EPOCHS, scale: 0.5, seed: SEED });
    assert.deepEqual(result.failures, {}, "no agent's call failed");
    const written = await writeOutputs(dir, [{ label: "measured", result }], {
      epochs: EPOCHS,
      seed: SEED,
    });
    assert.deepEqual(
      written.csv.map((p) => p.slice(dir.length + 1)),
      ["measured.csv", "measured-contributions.csv", "measured-attestors.csv"],
    );
    const read = (name: string) => readFile(join(dir, name), "utf8");
    csv = {
      epochs: await read("measured.csv"),
      contributions: await read("measured-contributions.csv"),
    };
    epochs = parseCsv(csv.epochs);
    contributions = parseCsv(csv.contributions);
    attestors = parseCsv(await read("measured-attestors.csv"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("settles every window by the honest report: none falls back to the declared manifest", () => {
    const windows = sum(epochs, "measuredWindows");
    assert.ok(windows >= BigInt(EPOCHS - 1), `windows: ${windows}`);
    assert.equal(sum(epochs, "windowsByReport"), windows);
    assert.equal(sum(epochs, "windowsByDeclared"), 0n);
    assert.ok(sum(epochs, "attestorFees") > 0n && sum(epochs, "attestorSlashes") > 0n);
    assert.ok(sum(epochs, "measuredClaimed") > 0n, "contributors claimed their leaves");
  });

  it("pays honest attestors and costs the lazy and colluding ones more in slashes than they earn", () => {
    const of = (kind: string) => attestors.filter((a) => a.kind === kind);
    const net = (kind: string) => sum(of(kind), "netReturn");
    assert.ok(net("honest") > 0n, `honest attestors' net return ${net("honest")}`);
    for (const a of of("honest")) {
      assert.equal(big(a.slashed), 0n, `honest #${a.index} was never slashed`);
      if (big(a.selected) > 0n) assert.ok(big(a.netReturn) > 0n, `honest #${a.index}`);
    }
    for (const kind of ["lazy", "colluding"]) {
      assert.ok(net(kind) < 0n, `${kind} attestors' net return ${net(kind)}`);
      assert.ok(sum(of(kind), "slashed") > sum(of(kind), "earned"), kind);
    }
    // The per-epoch figures agree in sign by the last epoch (its own window settles after it).
    const last = epochs.at(-1)!;
    assert.ok(big(last.honestAttestorNetReturn) > 0n);
    assert.ok(big(last.lazyAttestorNetReturn) < 0n && big(last.colludingAttestorNetReturn) < 0n);
  });

  it("pays near copies nothing: their points collapse into the originals", () => {
    const copies = contributions.filter((c) => c.copy === "true");
    const valued = copies.filter((c) => big(c.windows) > 0n);
    assert.ok(valued.length > 0, "copies were submitted, accepted and measured");
    for (const c of copies) {
      assert.equal(c.status, "accepted", "curators cannot tell a copy from new data");
      assert.equal(big(c.payout), 0n, `copy #${c.contribution} of #${c.copyOf}`);
      assert.equal(big(c.measuredClaimed), 0n);
    }
    for (const c of valued) assert.equal(c.keptPoints, "0", `copy #${c.contribution}`);
  });

  it("pays more per data point the higher the data's true quality", () => {
    const originals = contributions
      .filter((c) => c.copy === "false" && big(c.windows) > 0n)
      .sort((a, b) => Number(a.trueQuality) - Number(b.trueQuality));
    const third = Math.floor(originals.length / 3);
    assert.ok(third >= 5, `${originals.length} contributions valued`);
    const perPoint = (rows: Row[]) => sum(rows, "payout") / sum(rows, "points");
    const low = perPoint(originals.slice(0, third));
    const high = perPoint(originals.slice(-third));
    assert.ok(high > 2n * low, `highest third ${high} planck per point, lowest third ${low}`);
    // Measured value and payout agree: a contribution the method values at or below zero gets 0.
    for (const c of originals)
      if (big(c.measuredValue) <= 0n && big(c.windows) === 1n) assert.equal(big(c.payout), 0n);
  });

  it("writes the same tables for the same seed, byte for byte", () => {
    const again = runShipped("measured-attribution", { epochs: EPOCHS, scale: 0.5, seed: SEED });
    assert.equal(toCsv(CSV_COLUMNS, csvRows(again)), csv.epochs);
    assert.equal(toCsv(CONTRIBUTION_COLUMNS, contributionRows(again)), csv.contributions);
  });
});

describe("measured attribution: a colluding pair that reaches the quorum", () => {
  it("is disputed by an honest attestor and loses in the larger round", () => {
    // Three attestors a round, two to agree: both colluders in one round carry it. Over a few
    // seeds some window draws them together; an honest attestor disputes and the second round
    // (all six) settles it by the honest report, the colluders slashed in both rounds.
    const base = scaleScenario(loadScenario(join(SCENARIOS, "measured-attribution.yaml")), 0.5);
    const scenario = structuredClone(base);
    scenario.params = { ...scenario.params, attestationSetSize: 3, attestationQuorum: 2 };
    scenario.populations.attestors = { ...scenario.populations.attestors!, lazy: 0, honest: 4 };
    let disputed = false;
    for (let seed = 1; seed <= 8 && !disputed; seed++) {
      const result = simulate(scenario, { epochs: 5, seed });
      const disputes = result.epochs.reduce((n, f) => n + f.measured!.disputes, 0);
      if (disputes === 0) continue;
      disputed = true;
      for (const f of result.epochs) assert.equal(f.measured!.windowsByDeclared, 0);
      const m = result.measured!;
      for (const c of m.contributions.filter((c) => c.copyOf !== null))
        assert.equal(c.payout, 0n, `seed ${seed}: copy #${c.contributionId}`);
      const colluders = m.attestors.filter((a) => a.kind === "colluding");
      assert.ok(
        colluders.every((a) => a.netReturn < 0n && a.dissented >= 2),
        `seed ${seed}`,
      );
      // The disputer had its bond back with half the slashes the dispute brought.
      const honest = m.attestors.filter((a) => a.kind === "honest");
      const best = honest.reduce((a, b) => (a.netReturn > b.netReturn ? a : b));
      assert.ok(best.netReturn > best.earned, `seed ${seed}: the disputer's reward`);
    }
    assert.ok(disputed, "no seed drew both colluders into one round");
  });
});
