// What a simulation writes: one CSV per run (exact planck amounts) and the HTML report (amounts in
// LIN as numbers, for charts), both from the same per-epoch figures.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UNIT } from "../primitives/amount.ts";
import { type CsvValue, toCsv } from "./csv.ts";
import type { EpochFigures, SimResult } from "./engine.ts";
import { type EpochRow, type SimRun, writeReport } from "./report.ts";

/** The columns the report charts, in order; the CSV has these and then CSV_EXTRA_COLUMNS. */
export const REPORT_COLUMNS = [
  "epoch",
  "emittedValidators",
  "emittedContributors",
  "emittedTreasury",
  "emitted",
  "scheduled",
  "volume",
  "selfDealing",
  "emissionVolumeRatio",
  "payers",
  "activeContributors",
  "passiveContributors",
  "accepted",
  "rejected",
  "retention",
  "gini",
  "totalIssuance",
  "spamReturnOnBond",
  "spammersActive",
  "honestIncome",
  "honestActive",
  "washTraderEmission",
  "contributorEmissionCap",
] as const;

/** Agent-level figures only the CSV carries. */
const CSV_EXTRA_COLUMNS = [
  "submissions",
  "spamSubmissions",
  "challengesOpened",
  "challengesUpheld",
  "failedCalls",
  "spamNetReturn",
  "spamBondsPosted",
  "honestClaimed",
  "honestClaimants",
  "honestPoolEmission",
  "licencesPurchased",
  "licenceFees",
  "inferencePayments",
  "washTraderPayments",
] as const;

export const CSV_COLUMNS = [...REPORT_COLUMNS, ...CSV_EXTRA_COLUMNS] as const;

type Column = (typeof CSV_COLUMNS)[number];
/** A row with amounts in planck (bigint) and everything else as a number or null. */
type ExactRow = Record<Column, bigint | number | null>;

/** Every bigint in an ExactRow is an amount in planck; the report shows it in LIN. */
const PLANCK_PER_LIN = Number(UNIT);

/** One epoch's row: the health record's figures when the chain wrote one, agent figures always. */
export function exactRow(f: EpochFigures): ExactRow {
  const h = f.health;
  const emitted = h ? h.validators + h.contributors + h.treasury : null;
  const volume = h ? h.volume : f.volume;
  return {
    epoch: f.epoch,
    emittedValidators: h?.validators ?? null,
    emittedContributors: h?.contributors ?? null,
    emittedTreasury: h?.treasury ?? null,
    emitted,
    scheduled: h?.scheduled ?? null,
    volume,
    selfDealing: h ? h.selfDealing : f.selfDealing,
    emissionVolumeRatio:
      emitted === null || volume === 0n ? null : Number(emitted) / Number(volume),
    payers: h ? h.payers : f.payers,
    activeContributors: h?.activeContributors ?? null,
    passiveContributors: h?.passiveContributors ?? null,
    accepted: h ? h.accepted : f.accepted,
    rejected: h ? h.rejected : f.rejected,
    retention: h?.retentionPpm == null ? null : h.retentionPpm / 1e6,
    gini: h ? h.giniPpm / 1e6 : null,
    totalIssuance: h ? h.totalIssuance : f.totalIssuance,
    spamReturnOnBond:
      f.spamBondsPosted === 0n ? null : Number(f.spamNetReturn) / Number(f.spamBondsPosted),
    spammersActive: f.spammersActive,
    honestIncome: f.honestClaimants === 0 ? null : f.honestClaimed / BigInt(f.honestClaimants),
    honestActive: f.honestActive,
    washTraderEmission: h ? f.washTraderEmission : null,
    contributorEmissionCap: h?.contributorCap ?? null,
    submissions: f.submissions,
    spamSubmissions: f.spamSubmissions,
    challengesOpened: f.challengesOpened,
    challengesUpheld: f.challengesUpheld,
    failedCalls: f.failedCalls,
    spamNetReturn: f.spamNetReturn,
    spamBondsPosted: f.spamBondsPosted,
    honestClaimed: f.honestClaimed,
    honestClaimants: f.honestClaimants,
    honestPoolEmission: h ? f.honestPoolEmission : null,
    licencesPurchased: f.licencesPurchased,
    licenceFees: f.licenceFees,
    inferencePayments: f.inferencePayments,
    washTraderPayments: f.washTraderPayments,
  };
}

/** CSV rows: amounts as exact planck decimal strings. */
export function csvRows(result: SimResult): Record<string, CsvValue>[] {
  return result.epochs.map((f) => {
    const row: Record<string, CsvValue> = {};
    for (const [k, v] of Object.entries(exactRow(f)))
      row[k] = typeof v === "bigint" ? v.toString() : v;
    return row;
  });
}

/** Report rows: the charted columns, amounts in LIN. */
export function reportRows(result: SimResult): EpochRow[] {
  return result.epochs.map((f) => {
    const exact = exactRow(f);
    const row: EpochRow = {};
    for (const c of REPORT_COLUMNS) {
      const v = exact[c];
      row[c] = typeof v === "bigint" ? Number(v) / PLANCK_PER_LIN : v;
    }
    return row;
  });
}

function simRun(label: string, result: SimResult): SimRun {
  return { label, params: result.params, rows: reportRows(result) };
}

export interface WrittenOutput {
  csv: string[];
  report: string;
}

/**
 * Writes `<outDir>/<label>.csv` per run (the CLI labels a single run with the scenario's name, a
 * sweep's runs `param=value`) and `<outDir>/report.html`.
 */
export async function writeOutputs(
  outDir: string,
  runs: { label: string; result: SimResult }[],
  meta: { epochs: number; seed: number; sweep?: { param: string; values: string[] } },
): Promise<WrittenOutput> {
  await mkdir(outDir, { recursive: true });
  const csv: string[] = [];
  for (const run of runs) {
    const path = join(outDir, `${run.label.replaceAll(/[^A-Za-z0-9_.=-]/g, "_")}.csv`);
    await writeFile(path, toCsv(CSV_COLUMNS, csvRows(run.result)));
    csv.push(path);
  }
  const scenario = runs[0]!.result.scenario;
  const report = await writeReport(outDir, {
    title: scenario.name,
    description: scenario.description,
    seed: meta.seed,
    epochs: meta.epochs,
    ...(meta.sweep ? { sweep: meta.sweep } : {}),
    runs: runs.map((r) => simRun(r.label, r.result)),
  });
  return { csv, report };
}
