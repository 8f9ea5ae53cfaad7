// What the simulation engine hands the report: plain numbers per epoch, per run. Kept apart from
// report.ts so that the page and chart builders can name these types without an import cycle;
// report.ts re-exports them as the public surface.

/**
 * One epoch's figures; every value a finite number or null (missing, e.g. a ratio with zero
 * volume). Amounts in LIN (planck / 10^12) as numbers for charts.
 */
export type EpochRow = Record<string, number | null>;

/** A contribution of a measured run, for the payout-against-quality chart. */
export interface ContributionPoint {
  id: number;
  /** Its true quality, 1..100. */
  quality: number;
  /** What measured attribution paid it per data point (LIN). */
  payoutPerPoint: number;
  /** A near copy of someone else's data. */
  copy: boolean;
}

export interface SimRun {
  /** "baseline" for a single run, or e.g. "emissionVolumeFactorPpm=500000" for a sweep point. */
  label: string;
  /** Parameter overrides this run used (name → decimal string). */
  params: Record<string, string>;
  rows: EpochRow[];
  /** Measured runs only: the contributions some measured window valued. */
  contributions?: ContributionPoint[];
  /** What the reader must know about the run's figures (e.g. epochs without a health record). */
  notes?: string[];
}

export interface ReportInput {
  /** E.g. the scenario's name. */
  title: string;
  /** The scenario's description. */
  description?: string;
  seed: number;
  epochs: number;
  /** Set for a sweep: the parameter swept. */
  sweep?: { param: string; values: string[] };
  runs: SimRun[];
}

/** How a run is named in legends and tables: the swept value for a sweep point, else its label. */
export function runName(input: ReportInput, run: SimRun): string {
  const param = input.sweep?.param;
  return (param !== undefined ? run.params[param] : undefined) ?? run.label;
}
