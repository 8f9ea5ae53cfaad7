// What a simulation writes: one CSV per run (exact planck amounts) and the HTML report (amounts in
// LIN as numbers, for charts), both from the same per-epoch figures.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UNIT } from "../primitives/amount.ts";
import { type CsvValue, toCsv } from "./csv.ts";
import type { EpochFigures, SimResult } from "./engine.ts";
import { type ContributionPoint, type EpochRow, type SimRun, writeReport } from "./report.ts";

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
  "honestClaimedTotal",
  "washTraderReturn",
  "copierReturn",
  "colluderReturn",
  "manifestGamerReturn",
] as const;

/** Agent-level figures only the CSV carries. */
const CSV_EXTRA_COLUMNS = [
  "suspectedWash",
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
  "manifestSkewGain",
] as const;

/**
 * Measured attribution's figures (empty cells when the scenario has none); the report charts the
 * first ones (MEASURED_REPORT_COLUMNS) for a measured run.
 */
const MEASURED_COLUMNS = [
  "measuredWindows",
  "windowsByReport",
  "windowsByDeclared",
  "honestAttestorNetReturn",
  "lazyAttestorNetReturn",
  "colludingAttestorNetReturn",
  "attestorFees",
  "attestorSlashes",
  "attestationDisputes",
  "measuredClaimed",
] as const;

export const MEASURED_REPORT_COLUMNS = MEASURED_COLUMNS.slice(0, 6);

export const CSV_COLUMNS = [...REPORT_COLUMNS, ...CSV_EXTRA_COLUMNS, ...MEASURED_COLUMNS] as const;

/** `<label>-contributions.csv`: one row per contribution of a measured run. */
export const CONTRIBUTION_COLUMNS = [
  "contribution",
  "datanet",
  "contributor",
  "status",
  "trueQuality",
  "labelNoise",
  "copy",
  "copyOf",
  "points",
  "keptPoints",
  "windows",
  "measuredValue",
  "measuredPayout",
  "poolPayout",
  "measuredClaimed",
  "payout",
  "payoutPerPoint",
] as const;

/** `<label>-attestors.csv`: one row per attestor of a measured run, at the end of the run. */
export const ATTESTOR_COLUMNS = [
  "kind",
  "index",
  "selected",
  "agreed",
  "dissented",
  "missed",
  "earned",
  "slashed",
  "bond",
  "netReturn",
] as const;

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
    honestClaimedTotal: f.honestClaimedTotal,
    washTraderReturn: f.washTraderReturn,
    copierReturn: f.copierReturn,
    colluderReturn: f.colluderReturn,
    manifestGamerReturn: f.manifestGamerReturn,
    suspectedWash: h ? h.suspectedWash : f.suspectedWash,
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
    manifestSkewGain: f.manifestSkewGain,
    measuredWindows: f.measured?.measuredWindows ?? null,
    windowsByReport: f.measured?.windowsByReport ?? null,
    windowsByDeclared: f.measured?.windowsByDeclared ?? null,
    honestAttestorNetReturn: f.measured?.honestAttestorNetReturn ?? null,
    lazyAttestorNetReturn: f.measured?.lazyAttestorNetReturn ?? null,
    colludingAttestorNetReturn: f.measured?.colludingAttestorNetReturn ?? null,
    attestorFees: f.measured?.attestorFees ?? null,
    attestorSlashes: f.measured?.attestorSlashes ?? null,
    attestationDisputes: f.measured?.disputes ?? null,
    measuredClaimed: f.measured?.measuredClaimed ?? null,
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

/** Report rows: the charted columns (measured attribution's for a measured run), amounts in LIN. */
export function reportRows(result: SimResult): EpochRow[] {
  const columns = result.measured
    ? [...REPORT_COLUMNS, ...MEASURED_REPORT_COLUMNS]
    : [...REPORT_COLUMNS];
  return result.epochs.map((f) => {
    const exact = exactRow(f);
    const row: EpochRow = {};
    for (const c of columns) {
      const v = exact[c];
      row[c] = typeof v === "bigint" ? Number(v) / PLANCK_PER_LIN : v;
    }
    return row;
  });
}

/** The contributions table's rows: amounts as exact planck decimal strings. */
export function contributionRows(result: SimResult): Record<string, CsvValue>[] {
  return (result.measured?.contributions ?? []).map((c) => ({
    contribution: c.contributionId,
    datanet: c.datanetId,
    contributor: c.contributor,
    status: c.status,
    trueQuality: c.trueQuality,
    labelNoise: c.labelNoise,
    copy: c.copyOf === null ? "false" : "true",
    copyOf: c.copyOf,
    points: c.points,
    keptPoints: c.keptPoints,
    windows: c.windows,
    measuredValue: c.measuredValue,
    measuredPayout: c.measuredPayout,
    poolPayout: c.poolPayout,
    measuredClaimed: c.measuredClaimed,
    payout: c.payout,
    payoutPerPoint: c.payoutPerPoint,
  }));
}

export function attestorRows(result: SimResult): Record<string, CsvValue>[] {
  return (result.measured?.attestors ?? []).map((a) => ({ ...a }));
}

/** The report's points: contributions some measured window valued, payout per point in LIN. */
function contributionPoints(result: SimResult): ContributionPoint[] | undefined {
  if (!result.measured) return undefined;
  return result.measured.contributions
    .filter((c) => c.windows > 0)
    .map((c) => ({
      id: c.contributionId,
      quality: c.trueQuality,
      payoutPerPoint: Number(c.payoutPerPoint) / PLANCK_PER_LIN,
      copy: c.copyOf !== null,
    }));
}

/** `[3, 4, 5, 8]` as "3–5, 8". */
function epochRanges(epochs: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < epochs.length; i++) {
    let j = i;
    while (j + 1 < epochs.length && epochs[j + 1] === epochs[j]! + 1) j++;
    parts.push(i === j ? `${epochs[i]}` : `${epochs[i]}–${epochs[j]}`);
    i = j;
  }
  return parts.join(", ");
}

/**
 * What to say about epochs without a health record, or null when every epoch has one: which
 * epochs, and why (the emission pallet was still closing them when the run-out's bound came).
 */
export function missingRecordsNote(result: SimResult): string | null {
  const missing = result.missingRecords;
  if (missing.length === 0) return null;
  const which = missing.length === 1 ? "epoch" : "epochs";
  return `no health record for ${which} ${epochRanges(missing)}: the emission pallet was still closing them ${result.runOutBlocks} blocks after the last epoch (its close does at most emissionMaxStepsPerBlock items a block, and these epochs' closes needed more blocks than the run-out allowed); their health columns are empty`;
}

function simRun(label: string, result: SimResult): SimRun {
  const contributions = contributionPoints(result);
  const missing = missingRecordsNote(result);
  return {
    label,
    params: result.params,
    rows: reportRows(result),
    ...(contributions ? { contributions } : {}),
    ...(missing ? { notes: [missing] } : {}),
  };
}

export interface WrittenOutput {
  csv: string[];
  report: string;
}

/**
 * Writes `<outDir>/<label>.csv` per run (the CLI labels a single run with the scenario's name, a
 * sweep's runs `param=value`), for a measured run `<label>-contributions.csv` and
 * `<label>-attestors.csv` beside it, and `<outDir>/report.html`.
 */
export async function writeOutputs(
  outDir: string,
  runs: { label: string; result: SimResult }[],
  meta: { epochs: number; seed: number; sweep?: { param: string; values: string[] } },
): Promise<WrittenOutput> {
  await mkdir(outDir, { recursive: true });
  const csv: string[] = [];
  for (const run of runs) {
    const base = join(outDir, run.label.replaceAll(/[^A-Za-z0-9_.=-]/g, "_"));
    const tables: [string, string][] = [[`${base}.csv`, toCsv(CSV_COLUMNS, csvRows(run.result))]];
    if (run.result.measured)
      tables.push(
        [`${base}-contributions.csv`, toCsv(CONTRIBUTION_COLUMNS, contributionRows(run.result))],
        [`${base}-attestors.csv`, toCsv(ATTESTOR_COLUMNS, attestorRows(run.result))],
      );
    for (const [path, text] of tables) {
      await writeFile(path, text);
      csv.push(path);
    }
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
