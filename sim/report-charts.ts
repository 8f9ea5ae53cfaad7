// The report's charts as data: which epoch figures each chart draws, and the Chart.js
// configuration built from a report's runs. Everything is computed here, in Node, so that the page
// only hands each configuration to Chart.js (no logic in the browser to get wrong) and tests can
// check the charts without a browser.
//
// A single run draws each figure in its own colour; a sweep draws one colour per run (labelled by
// the swept value) and tells a chart's figures apart by line style. Every chart has epochs along
// the bottom except one: a measured run's contributions, payout per data point against true
// quality (a scatter, copies marked).
import type { ChartConfiguration, ChartDataset } from "chart.js";
import { type EpochRow, type ReportInput, runName } from "./report-input.ts";

type Value = (row: EpochRow) => number | null;

interface Series {
  label: string;
  /** The columns the value is computed from: drawn only when all of them appear in the data. */
  columns: readonly string[];
  value: Value;
  colour: string;
  axis?: "y" | "y1";
  dash?: "dashed" | "dotted";
  /** A stacked, filled area (single run only: a sweep draws lines). */
  area?: boolean;
  /** Drawn in a single run only. */
  singleOnly?: boolean;
  /** In a single run, drawn only when none of these columns appear (a fallback for a breakdown). */
  unless?: readonly string[];
}

interface ChartSpec {
  id: string;
  title: string;
  /** One or two sentences under the chart: what it shows and what to look for. */
  caption: string;
  yTitle: string;
  y1Title?: string;
  yMin?: number;
  yMax?: number;
  /** Switch the y axis to a log scale when positive values span this factor or more. */
  logFromSpread?: number;
  series: readonly Series[];
}

type LineConfig = ChartConfiguration<"line", (number | null)[], number>;
type ScatterConfig = ChartConfiguration<"scatter", { x: number; y: number }[]>;

export interface ReportChart {
  id: string;
  title: string;
  caption: string;
  /** Figures of this chart left out because they have no value in any epoch of any run. */
  noData: string[];
  config: LineConfig | ScatterConfig;
}

/** A chart left out of the report: its columns are present, but none has a value. */
export interface ChartWithoutData {
  id: string;
  title: string;
}

export const finite = (value: number | null | undefined): value is number =>
  typeof value === "number" && Number.isFinite(value);

const number = (value: number | null | undefined): number | null => (finite(value) ? value : null);

const column =
  (name: string): Value =>
  (row) =>
    number(row[name]);

const percent =
  (name: string): Value =>
  (row) => {
    const v = number(row[name]);
    return v === null ? null : v * 100;
  };

const ratio =
  (numerator: string, denominator: string): Value =>
  (row) => {
    const n = number(row[numerator]);
    const d = number(row[denominator]);
    return n === null || d === null || d === 0 ? null : n / d;
  };

const figure = (
  name: string,
  label: string,
  colour: string,
  more: Partial<Series> = {},
): Series => ({ label, columns: [name], value: column(name), colour, ...more });

/** A fraction column drawn as a percentage. */
const percentFigure = (name: string, label: string, colour: string): Series => ({
  label,
  columns: [name],
  value: percent(name),
  colour,
});

const EMISSION_SHARES = ["emittedValidators", "emittedContributors", "emittedTreasury"] as const;
/** Emission by recipient stacks up to the total in a single run; a sweep compares totals. */
const area = { area: true, singleOnly: true } as const;

/** The attacking populations' net returns (sim/engine.ts EpochFigures). */
const ATTACKER_RETURNS = [
  "washTraderReturn",
  "copierReturn",
  "colluderReturn",
  "manifestGamerReturn",
] as const;

/** Every chart the report can draw, in page order for a single run. */
const CHART_SPECS: readonly ChartSpec[] = [
  {
    id: "emission-volume",
    title: "Emission and marketplace volume",
    caption:
      "New LIN minted each epoch (validators and treasury stacked, contributors as a line, for a single run; the total per run in a sweep) against the LIN paid in the marketplace. Healthy: volume grows past emission, and contributors' emission stays under its cap, min(k·volume, λ·protocol fees).",
    yTitle: "LIN per epoch",
    series: [
      figure("emittedValidators", "emitted to validators", "#0072B2", area),
      figure("emittedTreasury", "emitted to treasury", "#E69F00", area),
      // A line, not a stacked area: it is bounded by λ × the protocol fees, a few percent of the
      // volume, and would vanish as a sliver of the validators' and treasury's stack.
      figure("emittedContributors", "emitted to contributors", "#009E73", { singleOnly: true }),
      figure("emitted", "emitted", "#0072B2", { unless: EMISSION_SHARES }),
      figure("volume", "marketplace volume", "#000000", { dash: "dashed" }),
      figure("scheduled", "scheduled emission", "#7F7F7F", { dash: "dotted", singleOnly: true }),
      figure("contributorEmissionCap", "contributor cap min(k·volume, λ·fees)", "#D55E00", {
        dash: "dotted",
        singleOnly: true,
      }),
    ],
  },
  {
    id: "emission-volume-ratio",
    title: "Emission / volume ratio",
    caption:
      "LIN emitted per LIN of marketplace volume (gaps where volume is zero). Healthy: it falls over time and stays below the schedule's ratio as real use grows.",
    yTitle: "LIN emitted per LIN of volume",
    logFromSpread: 30,
    series: [
      figure("emissionVolumeRatio", "emitted / volume", "#0072B2"),
      {
        label: "scheduled / volume",
        columns: ["scheduled", "volume"],
        value: ratio("scheduled", "volume"),
        colour: "#7F7F7F",
        dash: "dotted",
        singleOnly: true,
      },
    ],
  },
  {
    id: "contributors",
    title: "Paying consumers against passive contributors",
    caption:
      "Accounts that paid for data or inference this epoch, beside contributors whose data was used (active) and those only holding stake or collecting emission (passive). Passive rising while payers and active contributors fall means the rewards are a subsidy, not pay for use.",
    yTitle: "accounts",
    yMin: 0,
    series: [
      figure("payers", "paying consumers", "#0072B2"),
      figure("activeContributors", "active contributors", "#009E73", { dash: "dotted" }),
      figure("passiveContributors", "passive contributors", "#CC79A7", { dash: "dashed" }),
    ],
  },
  {
    id: "retention",
    title: "Retention of high-quality contributors",
    caption:
      "Share of the top-quality cohort still contributing (gaps while the cohort is empty). Healthy: it stays high; a slide means good contributors are leaving.",
    yTitle: "% of cohort still active",
    yMin: 0,
    yMax: 100,
    series: [percentFigure("retention", "retained", "#009E73")],
  },
  {
    id: "spam-return",
    title: "Spam return on bond",
    caption:
      "Spammers' cumulative net return as a percentage of the bond they posted (below zero: spam loses money), and how many spammers are still active (right axis). Healthy: the return goes negative and spammers stop.",
    yTitle: "% of bond (cumulative net return)",
    y1Title: "spammers active",
    series: [
      percentFigure("spamReturnOnBond", "return on bond", "#D55E00"),
      figure("spammersActive", "spammers active", "#7F7F7F", { axis: "y1", dash: "dashed" }),
    ],
  },
  {
    id: "gini",
    title: "Reward Gini",
    caption:
      "Concentration of the epoch's rewards across recipients: 0 is equal shares, 1 is one recipient taking everything. Some concentration follows quality; a climb towards 1 means a few accounts capture the rewards.",
    yTitle: "Gini coefficient",
    yMin: 0,
    yMax: 1,
    series: [figure("gini", "reward Gini", "#CC79A7")],
  },
  {
    id: "supply",
    title: "Token supply",
    caption:
      "Total issuance at the end of each epoch (emission minted, fees burned). Healthy: growth slows as it approaches the cap.",
    yTitle: "LIN",
    series: [figure("totalIssuance", "total issuance", "#0072B2")],
  },
  {
    id: "submissions",
    title: "Contributions accepted and rejected",
    caption: "Contributions accepted and rejected by curators each epoch.",
    yTitle: "contributions per epoch",
    yMin: 0,
    series: [
      figure("accepted", "accepted", "#009E73"),
      figure("rejected", "rejected", "#D55E00", { dash: "dashed" }),
    ],
  },
  {
    id: "honest-income",
    title: "Honest contributors' income",
    caption:
      "Mean LIN claimed per honest contributor who claimed in the epoch (claims collect the previous epoch's payments), and how many contributed (right axis).",
    yTitle: "LIN per contributor",
    y1Title: "honest contributors active",
    series: [
      figure("honestIncome", "mean income", "#009E73"),
      figure("honestActive", "honest contributors active", "#7F7F7F", {
        axis: "y1",
        dash: "dashed",
        singleOnly: true,
      }),
    ],
  },
  {
    id: "wash-trading",
    title: "Wash trading",
    caption:
      "Volume the wash traders paid themselves, against the emission that reached their pools. Healthy: the emission they capture stays well below what the self-dealing costs them.",
    yTitle: "LIN per epoch",
    series: [
      figure("selfDealing", "self-dealing volume", "#000000", { dash: "dashed" }),
      figure("washTraderEmission", "emission to wash traders", "#D55E00"),
    ],
  },
  {
    id: "attacker-returns",
    title: "Attackers' return against honest income",
    caption:
      "Each attacking population's net return so far, all its accounts together (holdings and what its contributions can still claim, less endowments), against what honest contributors have claimed so far. Healthy: every attacker's line below zero, the honest line rising.",
    yTitle: "LIN (cumulative)",
    series: [
      {
        // Only beside an attacker: without one the chart is not drawn.
        label: "honest contributors' claims",
        columns: ["honestClaimedTotal"],
        value: (row) =>
          ATTACKER_RETURNS.some((name) => finite(row[name]))
            ? number(row.honestClaimedTotal)
            : null,
        colour: "#009E73",
      },
      figure("washTraderReturn", "wash traders", "#D55E00"),
      figure("copierReturn", "near-duplicate farm", "#E69F00", { dash: "dashed" }),
      figure("colluderReturn", "colluding curators and partners", "#CC79A7", { dash: "dotted" }),
      figure("manifestGamerReturn", "self-serving manifests", "#0072B2", { dash: "dashed" }),
    ],
  },
  {
    id: "measured-windows",
    title: "Measured windows: report or fallback",
    caption:
      "Windows of measured models that ended each epoch, by how they were settled: by the attestors' final report root, or by the declared manifest when no report was agreed in time. Healthy: every window settled by a report.",
    yTitle: "windows",
    yMin: 0,
    series: [
      figure("windowsByReport", "settled by report", "#009E73"),
      figure("windowsByDeclared", "settled by declared manifest", "#D55E00", { dash: "dashed" }),
      figure("measuredWindows", "windows", "#7F7F7F", { dash: "dotted", singleOnly: true }),
    ],
  },
  {
    id: "attestor-returns",
    title: "Attestors' net return",
    caption:
      "What each kind of attestor has made, all of them together, at each epoch's end: fees for revealing the final root, less slashes and transaction fees (a window's fees and slashes arrive when it settles, early in the next epoch). Healthy: honest attestors above zero, lazy and colluding ones below it.",
    yTitle: "LIN (cumulative)",
    series: [
      figure("honestAttestorNetReturn", "honest", "#009E73"),
      figure("lazyAttestorNetReturn", "lazy", "#E69F00", { dash: "dashed" }),
      figure("colludingAttestorNetReturn", "colluding", "#D55E00", { dash: "dotted" }),
    ],
  },
];

/** The scatter of a measured run's contributions (runs with `contributions` only). */
const CONTRIBUTION_CHART = {
  id: "contribution-payouts",
  title: "Payout per data point against true quality",
  caption:
    "Each contribution a measured window valued: what the final reports paid it per data point over the run, against its true quality (the share of its labels that are right); earlier contributions were in more windows, so each quality's points spread upwards with age. Near copies of others' data are crosses. Healthy: payout rises with quality, and the copies sit on zero.",
  // Copies first: Chart.js draws the first dataset on top, and copies share the zero line with
  // the originals that earned nothing.
  kinds: [
    { copy: true, label: "near copies", colour: "#D55E00", style: "crossRot", radius: 6 },
    { copy: false, label: "original data", colour: "#009E73", style: "circle", radius: 4 },
  ],
} as const;

/** The charts a report must always draw (given the engine's standard columns). */
export const REQUIRED_CHARTS = [
  "emission-volume",
  "emission-volume-ratio",
  "contributors",
  "retention",
  "spam-return",
  "gini",
  "supply",
] as const;

/** A sweep draws one colour per run. Okabe–Ito's colour-blind-safe set, then a few more. */
const RUN_COLOURS = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#8C564B",
  "#7F7F7F",
  "#BCBD22",
];

const DASHES = { dashed: [6, 4], dotted: [2, 3] } as const;

function translucent(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Every column that appears in any row of any run. */
export function presentColumns(input: ReportInput): Set<string> {
  const present = new Set<string>();
  for (const run of input.runs) for (const row of run.rows) for (const key in row) present.add(key);
  return present;
}

function drawnSeries(spec: ChartSpec, present: Set<string>, sweep: boolean): Series[] {
  return spec.series.filter(
    (s) =>
      s.columns.every((c) => present.has(c)) &&
      !(!sweep && (s.unless ?? []).some((c) => present.has(c))) &&
      !(sweep && s.singleOnly),
  );
}

function epochLabels(input: ReportInput): number[] {
  const longest = input.runs.reduce<EpochRow[]>(
    (best, run) => (run.rows.length > best.length ? run.rows : best),
    [],
  );
  return longest.map((row, i) => number(row.epoch) ?? i + 1);
}

/** Whether the series has a value in some epoch of some run. */
function hasValue(series: Series, input: ReportInput): boolean {
  return input.runs.some((run) => run.rows.some((row) => series.value(row) !== null));
}

/** The charts for a report, in page order: a sweep leads with the emission/volume ratio. */
export function buildCharts(input: ReportInput): ReportChart[] {
  return planCharts(input).charts;
}

/**
 * Charts whose columns are present but have no value in any epoch (a spam return without
 * spammers, a ratio without volume): the page names them instead of drawing empty axes.
 */
export function chartsWithoutData(input: ReportInput): ChartWithoutData[] {
  return planCharts(input).withoutData;
}

/**
 * The report's charts. A series whose columns are absent is not drawn (the run does not have the
 * figure); a series whose every value is missing is not drawn either, and is named in its
 * chart's `noData`; a chart left with no series is left out and listed in `withoutData`.
 */
export function planCharts(input: ReportInput): {
  charts: ReportChart[];
  withoutData: ChartWithoutData[];
} {
  const present = presentColumns(input);
  const sweep = input.runs.length > 1;
  const labels = epochLabels(input);
  const order = sweep
    ? [
        ...CHART_SPECS.filter((s) => s.id === "emission-volume-ratio"),
        ...CHART_SPECS.filter((s) => s.id !== "emission-volume-ratio"),
      ]
    : CHART_SPECS;
  const charts: ReportChart[] = [];
  const withoutData: ChartWithoutData[] = [];
  for (const spec of order) {
    const available = drawnSeries(spec, present, sweep);
    if (available.length === 0) continue;
    const series = available.filter((s) => hasValue(s, input));
    if (series.length === 0) {
      withoutData.push({ id: spec.id, title: spec.title });
      continue;
    }
    const noData = available.filter((s) => !series.includes(s)).map((s) => s.label);
    const datasets: ChartDataset<"line", (number | null)[]>[] = [];
    input.runs.forEach((run, r) => {
      let areas = 0;
      for (const s of series) {
        const colour = sweep ? RUN_COLOURS[r % RUN_COLOURS.length]! : s.colour;
        const area = !sweep && s.area === true;
        const label = sweep
          ? series.length > 1
            ? `${runName(input, run)} ${s.label}`
            : runName(input, run)
          : s.label;
        datasets.push({
          label,
          data: run.rows.map(s.value),
          borderColor: colour,
          backgroundColor: area ? translucent(colour, 0.35) : colour,
          borderWidth: 2,
          borderDash: s.dash ? [...DASHES[s.dash]] : [],
          pointRadius: labels.length <= 40 ? 2 : 0,
          pointHoverRadius: 4,
          tension: 0,
          spanGaps: false,
          yAxisID: s.axis ?? "y",
          // Areas stack on one another; every other line is a stack of its own (not stacked).
          stack: area ? "areas" : `${label} ${r}`,
          fill: area ? (areas++ === 0 ? "origin" : "-1") : false,
        });
      }
    });
    charts.push({
      id: spec.id,
      title: spec.title,
      caption: spec.caption,
      noData,
      config: chartConfig(input, spec, labels, datasets),
    });
  }
  const contributions = contributionChart(input);
  if (contributions && "config" in contributions) charts.push(contributions);
  else if (contributions) withoutData.push(contributions);
  return { charts, withoutData };
}

/**
 * Payout per data point against true quality, one point per contribution, for the runs that
 * measured attribution (none: no chart); copies drawn as crosses. In a sweep each run has its
 * colour, and its originals and copies are two datasets.
 */
function contributionChart(input: ReportInput): ReportChart | ChartWithoutData | undefined {
  const spec = CONTRIBUTION_CHART;
  if (!input.runs.some((run) => run.contributions !== undefined)) return undefined;
  const sweep = input.runs.length > 1;
  const datasets: ChartDataset<"scatter", { x: number; y: number }[]>[] = [];
  const drawn = new Set<string>();
  input.runs.forEach((run, r) => {
    for (const kind of spec.kinds) {
      const data = (run.contributions ?? [])
        .filter((c) => c.copy === kind.copy && finite(c.payoutPerPoint))
        .map((c) => ({ x: c.quality, y: c.payoutPerPoint }));
      if (data.length === 0) continue;
      drawn.add(kind.label);
      const colour = sweep ? RUN_COLOURS[r % RUN_COLOURS.length]! : kind.colour;
      datasets.push({
        label: sweep ? `${runName(input, run)} ${kind.label}` : kind.label,
        data,
        borderColor: colour,
        backgroundColor: colour,
        pointStyle: kind.style,
        pointRadius: kind.radius,
        pointHoverRadius: kind.radius + 2,
        pointBorderWidth: 2,
        showLine: false,
        // Points on the zero line are drawn whole, not cut by the chart area.
        clip: false,
      });
    }
  });
  if (datasets.length === 0) return { id: spec.id, title: spec.title };
  const sweepParam = sweep ? input.sweep?.param : undefined;
  return {
    id: spec.id,
    title: spec.title,
    caption: spec.caption,
    noData: spec.kinds.filter((k) => !drawn.has(k.label)).map((k) => k.label),
    config: {
      type: "scatter",
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: true },
        plugins: {
          title: { display: true, text: spec.title, font: { size: 15 } },
          legend: {
            position: "bottom",
            labels: { usePointStyle: true },
            ...(sweepParam ? { title: { display: true, text: sweepParam } } : {}),
          },
        },
        scales: {
          x: {
            type: "linear",
            min: 0,
            max: 100,
            title: { display: true, text: "true quality (% of labels right)" },
          },
          y: { type: "linear", min: 0, title: { display: true, text: "LIN per data point" } },
        },
      },
    },
  };
}

function chartConfig(
  input: ReportInput,
  spec: ChartSpec,
  labels: number[],
  datasets: ChartDataset<"line", (number | null)[]>[],
): LineConfig {
  const stacked = datasets.some((d) => d.stack === "areas");
  const log = spec.logFromSpread !== undefined && spreadAtLeast(datasets, spec.logFromSpread);
  const yTitle = log ? `${spec.yTitle} (log scale)` : spec.yTitle;
  const hasY1 = datasets.some((d) => d.yAxisID === "y1");
  const sweepParam = input.runs.length > 1 ? input.sweep?.param : undefined;
  return {
    type: "line",
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        title: { display: true, text: spec.title, font: { size: 15 } },
        legend: {
          position: "bottom",
          labels: { boxHeight: 2 },
          ...(sweepParam ? { title: { display: true, text: sweepParam } } : {}),
        },
      },
      scales: {
        x: { title: { display: true, text: "epoch" }, ticks: { maxTicksLimit: 12 } },
        y: {
          type: log ? "logarithmic" : "linear",
          stacked,
          title: { display: true, text: yTitle },
          ...(spec.yMin !== undefined && !log ? { min: spec.yMin } : {}),
          ...(spec.yMax !== undefined && !log ? { max: spec.yMax } : {}),
        },
        ...(hasY1
          ? {
              y1: {
                type: "linear",
                position: "right",
                beginAtZero: true,
                grid: { drawOnChartArea: false },
                title: { display: true, text: spec.y1Title ?? "" },
              },
            }
          : {}),
      },
    },
  };
}

/** Whether every value is positive and the largest is at least `factor` times the smallest. */
function spreadAtLeast(datasets: ChartDataset<"line", (number | null)[]>[], factor: number) {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const d of datasets) {
    for (const v of d.data) {
      if (v === null) continue;
      if (v <= 0) return false;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return max > 0 && max >= min * factor;
}
