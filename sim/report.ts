// The simulator's HTML report: report.html plus the Chart.js file it loads, written into the
// output directory, to be opened in a browser straight from disk.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { planCharts } from "./report-charts.ts";
import type { ReportInput } from "./report-input.ts";
import { CHART_JS_FILE, renderReportHtml } from "./report-page.ts";

export type { ContributionPoint, EpochRow, ReportInput, SimRun } from "./report-input.ts";

/** Chart.js's self-contained UMD build, as installed (the package's `dist/` folder). */
function chartJsSource(): string {
  return join(dirname(fileURLToPath(import.meta.resolve("chart.js"))), CHART_JS_FILE);
}

/**
 * Writes outDir/report.html plus the charting library as a static file beside it
 * (outDir/chart.umd.min.js, copied from node_modules/chart.js/dist); returns the report's path.
 */
export async function writeReport(outDir: string, input: ReportInput): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await copyFile(chartJsSource(), join(outDir, CHART_JS_FILE));
  const path = join(outDir, "report.html");
  const { charts, withoutData } = planCharts(input);
  await writeFile(path, renderReportHtml(input, charts, withoutData));
  return path;
}
