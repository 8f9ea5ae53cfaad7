// The report as one HTML page that works opened from disk (file://) with no network: the charts'
// data embedded as JSON, Chart.js loaded from a file beside the page, and a few lines of script
// that hand each embedded configuration to Chart.js. A content security policy forbids every
// other load, so a page that tried to reach the network would fail loudly in the browser test.
import { createHash } from "node:crypto";
import {
  type ChartWithoutData,
  finite,
  presentColumns,
  type ReportChart,
} from "./report-charts.ts";
import { type EpochRow, type ReportInput, runName, type SimRun } from "./report-input.ts";

/** The Chart.js file the page loads, relative to the page. */
export const CHART_JS_FILE = "chart.umd.min.js";

/**
 * Runs in the browser: draws every chart, then announces how many were drawn
 * (`window.__chartsReady`, `<html data-charts-ready>`, and a `charts-ready` event) so that a
 * test or screenshot can wait for that instead of sleeping. A chart that fails is logged and left
 * out of the count.
 */
const PAGE_SCRIPT = `"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  let drawn = 0;
  if (typeof Chart === "undefined") {
    const note = document.getElementById("load-error");
    note.hidden = false;
    console.error("Chart.js did not load: ${CHART_JS_FILE} must sit beside report.html");
  } else {
    for (const chart of data.charts) {
      try {
        const canvas = document.querySelector('canvas[data-chart="' + chart.id + '"]');
        new Chart(canvas, chart.config);
        drawn++;
      } catch (error) {
        console.error("chart " + chart.id + " failed:", error);
      }
    }
  }
  window.__chartsReady = drawn;
  document.documentElement.dataset.chartsReady = String(drawn);
  document.dispatchEvent(new CustomEvent("charts-ready", { detail: drawn }));
})();
`;

const STYLE = `
  :root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #d9d9d9; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color: var(--ink); background: #fff; }
  main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 40px; }
  h1 { font-size: 1.6rem; margin: 0 0 4px; }
  h2 { font-size: 1.15rem; margin: 28px 0 8px; }
  p.description { margin: 0 0 12px; color: var(--muted); max-width: 80ch; }
  table { border-collapse: collapse; margin: 6px 0 4px; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid var(--rule); padding: 4px 12px 4px 0; text-align: left;
           vertical-align: top; }
  td.num, th.num { text-align: right; padding-left: 12px; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 18px; }
  figure { margin: 0; border: 1px solid var(--rule); border-radius: 6px; padding: 10px 12px; }
  figure.lead { grid-column: 1 / -1; }
  .chart-box { position: relative; height: 300px; }
  figure.lead .chart-box { height: 380px; }
  figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 6px; }
  .no-data { color: var(--muted); font-size: 0.9rem; font-style: italic; }
  ul.notes { padding-left: 28px; }
  .error { border: 2px solid #b00020; color: #b00020; padding: 8px 12px; border-radius: 6px; }
  footer { margin-top: 28px; color: var(--muted); font-size: 0.85rem; }
`;

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` escaped as `\u003c` etc., so
 * that no string in the data (a title holding `</script>`, say) can end the element or open a
 * comment; and U+2028/U+2029 escaped for good measure. `JSON.parse` reads it back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

const integerFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const smallFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

function formatNumber(value: number | null): string {
  if (value === null) return "–";
  return Math.abs(value) >= 1000 ? integerFormat.format(value) : smallFormat.format(value);
}

function total(rows: EpochRow[], name: string): number | null {
  const values = rows.map((r) => r[name]).filter(finite);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
}

function last(rows: EpochRow[], name: string): number | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const v = rows[i]![name];
    if (finite(v)) return v;
  }
  return null;
}

interface Outcome {
  heading: string;
  columns: readonly string[];
  value: (rows: EpochRow[]) => number | null;
}

/** The per-run outcome table: whole-run totals, then each figure's last known value. */
const OUTCOMES: readonly Outcome[] = [
  { heading: "LIN emitted (total)", columns: ["emitted"], value: (r) => total(r, "emitted") },
  { heading: "volume (total)", columns: ["volume"], value: (r) => total(r, "volume") },
  {
    heading: "emitted / volume (whole run)",
    columns: ["emitted", "volume"],
    value: (r) => {
      const e = total(r, "emitted");
      const v = total(r, "volume");
      return e === null || v === null || v === 0 ? null : e / v;
    },
  },
  {
    heading: "active contributors (last)",
    columns: ["activeContributors"],
    value: (r) => last(r, "activeContributors"),
  },
  {
    heading: "passive contributors (last)",
    columns: ["passiveContributors"],
    value: (r) => last(r, "passiveContributors"),
  },
  {
    heading: "retention % (last)",
    columns: ["retention"],
    value: (r) => {
      const v = last(r, "retention");
      return v === null ? null : v * 100;
    },
  },
  {
    heading: "spam return % of bond (last)",
    columns: ["spamReturnOnBond"],
    value: (r) => {
      const v = last(r, "spamReturnOnBond");
      return v === null ? null : v * 100;
    },
  },
  { heading: "reward Gini (last)", columns: ["gini"], value: (r) => last(r, "gini") },
  {
    heading: "total issuance (last)",
    columns: ["totalIssuance"],
    value: (r) => last(r, "totalIssuance"),
  },
  {
    heading: "measured windows settled by report % (whole run)",
    columns: ["windowsByReport", "windowsByDeclared"],
    value: (r) => {
      const byReport = total(r, "windowsByReport");
      const byDeclared = total(r, "windowsByDeclared");
      return byReport === null || byDeclared === null || byReport + byDeclared === 0
        ? null
        : (100 * byReport) / (byReport + byDeclared);
    },
  },
  {
    heading: "honest attestors' net return (last)",
    columns: ["honestAttestorNetReturn"],
    value: (r) => last(r, "honestAttestorNetReturn"),
  },
  {
    heading: "lazy attestors' net return (last)",
    columns: ["lazyAttestorNetReturn"],
    value: (r) => last(r, "lazyAttestorNetReturn"),
  },
  {
    heading: "colluding attestors' net return (last)",
    columns: ["colludingAttestorNetReturn"],
    value: (r) => last(r, "colludingAttestorNetReturn"),
  },
];

function summaryTable(input: ReportInput): string {
  const rows: [string, string][] = [
    ["scenario", input.title],
    ["seed", String(input.seed)],
    ["epochs", String(input.epochs)],
    ["runs", String(input.runs.length)],
  ];
  if (input.sweep) rows.push(["swept", `${input.sweep.param} = ${input.sweep.values.join(", ")}`]);
  const body = rows
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("\n");
  return `<table class="summary">\n${body}\n</table>`;
}

/** The runs' notes (epochs without a health record, say), above the charts they concern. */
function notesList(input: ReportInput): string {
  const items = input.runs.flatMap((run) =>
    (run.notes ?? []).map((note) => {
      const who = input.runs.length > 1 ? `${escapeHtml(runName(input, run))}: ` : "";
      return `<li>${who}${escapeHtml(note)}</li>`;
    }),
  );
  return items.length === 0
    ? ""
    : `<ul class="notes error" id="run-notes">\n${items.join("\n")}\n</ul>`;
}

function paramsTable(input: ReportInput): string {
  const names = [...new Set(input.runs.flatMap((run) => Object.keys(run.params)))].sort();
  if (names.length === 0) {
    return "<p>No parameter overrides: every run used the chain spec's parameters.</p>";
  }
  const head = input.runs.map((run) => `<th scope="col">${escapeHtml(runName(input, run))}</th>`);
  const body = names.map((name) => {
    const cells = input.runs.map(
      (run) => `<td class="num">${escapeHtml(run.params[name] ?? "–")}</td>`,
    );
    return `<tr><th scope="row">${escapeHtml(name)}</th>${cells.join("")}</tr>`;
  });
  return `<table class="params">\n<tr><th scope="col">parameter</th>${head.join("")}</tr>\n${body.join("\n")}\n</table>`;
}

function outcomesTable(input: ReportInput): string {
  const present = presentColumns(input);
  const outcomes = OUTCOMES.filter((o) => o.columns.every((c) => present.has(c)));
  if (outcomes.length === 0) return "";
  const firstHeading = input.sweep ? escapeHtml(input.sweep.param) : "run";
  const head = outcomes.map((o) => `<th scope="col" class="num">${escapeHtml(o.heading)}</th>`);
  const body = input.runs.map((run: SimRun) => {
    const cells = outcomes.map((o) => `<td class="num">${formatNumber(o.value(run.rows))}</td>`);
    return `<tr><th scope="row">${escapeHtml(runName(input, run))}</th>${cells.join("")}</tr>`;
  });
  return `<h2>Outcomes per run</h2>\n<table class="outcomes">\n<tr><th scope="col">${firstHeading}</th>${head.join("")}</tr>\n${body.join("\n")}\n</table>`;
}

function figure(chart: ReportChart, lead: boolean): string {
  const label = `${chart.title}. ${chart.caption}`;
  return `<figure${lead ? ' class="lead"' : ""}>
<div class="chart-box"><canvas id="chart-${chart.id}" data-chart="${chart.id}" role="img" aria-label="${escapeHtml(label)}"></canvas></div>
<figcaption>${escapeHtml(chart.caption)}</figcaption>
${chart.noData.length > 0 ? `<p class="no-data" data-no-data="${chart.id}">No data in any epoch, not drawn: ${chart.noData.map(escapeHtml).join(", ")}.</p>` : ""}
</figure>`;
}

/** The charts left out because none of their figures has a value, named so nobody looks for them. */
function withoutDataNote(charts: readonly ChartWithoutData[]): string {
  if (charts.length === 0) return "";
  const names = charts.map(
    (c) => `<span data-chart-without-data="${c.id}">${escapeHtml(c.title)}</span>`,
  );
  return `<p class="no-data" id="charts-without-data">No data in any epoch, so not drawn: ${names.join(", ")}.</p>`;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");

/**
 * The report page, given the charts built for it and those left out for want of data (see
 * report-charts.ts).
 */
export function renderReportHtml(
  input: ReportInput,
  charts: readonly ReportChart[],
  withoutData: readonly ChartWithoutData[] = [],
): string {
  const data = scriptSafeJson({ charts: charts.map((c) => ({ id: c.id, config: c.config })) });
  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${sha256(PAGE_SCRIPT)}'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
  ].join("; ");
  const sweepNote =
    input.runs.length > 1 && input.sweep
      ? `<p>A sweep over <code>${escapeHtml(input.sweep.param)}</code>: one colour per value, same scenario and seed.</p>`
      : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(input.title)} – Lineage simulation</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(input.title)}</h1>
${input.description ? `<p class="description">${escapeHtml(input.description)}</p>` : ""}
<p id="load-error" class="error" hidden>The charts could not be drawn: <code>${CHART_JS_FILE}</code> must sit beside this file.</p>
${summaryTable(input)}
${notesList(input)}
<h2>Parameters</h2>
${paramsTable(input)}
${sweepNote}
<h2>Charts</h2>
<div class="charts">
${charts.map((chart, i) => figure(chart, i === 0)).join("\n")}
</div>
${withoutDataNote(withoutData)}
${outcomesTable(input)}
<footer>Written by <code>lineage simulate</code>. Charts drawn with Chart.js (MIT licence), loaded from <code>${CHART_JS_FILE}</code> beside this page.</footer>
</main>
<script type="application/json" id="report-data">${data}</script>
<script src="${CHART_JS_FILE}"></script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
