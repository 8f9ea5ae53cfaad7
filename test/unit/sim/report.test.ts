import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ReportInput, type SimRun, writeReport } from "../../../sim/report.ts";
import { buildCharts, chartsWithoutData, REQUIRED_CHARTS } from "../../../sim/report-charts.ts";
import { scriptSafeJson } from "../../../sim/report-page.ts";
import {
  K_PARAM,
  rowsWithoutRatios,
  SINGLE_RUN_DATASETS,
  syntheticSingle,
  syntheticSweep,
} from "./fixtures/synthetic-runs.ts";

const datasetCounts = (input: ReportInput) =>
  Object.fromEntries(buildCharts(input).map((c) => [c.id, c.config.data.datasets.length]));

describe("buildCharts", () => {
  it("draws every figure of a single run, emission and volume first", () => {
    const charts = buildCharts(syntheticSingle(30));
    assert.deepEqual(datasetCounts(syntheticSingle(30)), SINGLE_RUN_DATASETS);
    assert.equal(charts[0]!.id, "emission-volume");
    for (const id of REQUIRED_CHARTS)
      assert.ok(
        charts.some((c) => c.id === id),
        id,
      );
    for (const chart of charts) {
      for (const dataset of chart.config.data.datasets) assert.equal(dataset.data.length, 30);
      assert.deepEqual(chart.config.data.labels?.slice(0, 3), [1, 2, 3]);
    }
  });

  it("stacks the validators' and treasury's emission; contributors, volume, schedule and cap are lines", () => {
    const chart = buildCharts(syntheticSingle(10)).find((c) => c.id === "emission-volume")!;
    const datasets = chart.config.data.datasets;
    assert.deepEqual(
      datasets.map((d) => d.label),
      [
        "emitted to validators",
        "emitted to treasury",
        "emitted to contributors",
        "marketplace volume",
        "scheduled emission",
        "contributor cap min(k·volume, λ·fees)",
      ],
    );
    const stacks = datasets.map((d) => d.stack);
    assert.deepEqual(stacks.slice(0, 2), ["areas", "areas"]);
    assert.equal(new Set(stacks.slice(2)).size, 4);
    assert.deepEqual(
      datasets.map((d) => d.fill),
      ["origin", "-1", false, false, false, false],
    );
  });

  it("draws one line per run in a sweep, labelled by the swept value, ratio chart first", () => {
    const input = syntheticSweep(20);
    const charts = buildCharts(input);
    assert.equal(charts[0]!.id, "emission-volume-ratio");
    const ratio = charts[0]!.config.data.datasets;
    assert.deepEqual(
      ratio.map((d) => d.label),
      ["200000", "500000", "1000000"],
    );
    assert.equal(new Set(ratio.map((d) => d.borderColor)).size, 3);
    assert.deepEqual(
      charts[0]!.config.data.datasets.map((d) => d.data[5]),
      input.runs.map((run) => run.rows[5]!.emissionVolumeRatio),
    );
    const counts = datasetCounts(input);
    assert.equal(counts["emission-volume"], 6); // emitted and volume per run
    assert.equal(counts.retention, 3);
    assert.equal(counts["spam-return"], 6);
    const legend = charts[0]!.config.options?.plugins?.legend?.title?.text;
    assert.equal(legend, K_PARAM);
  });

  it("draws what is available when columns are missing, and nothing for absent figures", () => {
    const input: ReportInput = {
      title: "sparse",
      seed: 1,
      epochs: 3,
      runs: [
        {
          label: "baseline",
          params: {},
          rows: [
            { epoch: 1, emitted: 5, volume: 0, emissionVolumeRatio: null },
            { epoch: 2, emitted: 5, volume: 10, emissionVolumeRatio: 0.5 },
            { epoch: 3, emitted: 4, volume: 20, emissionVolumeRatio: 0.2 },
          ],
        },
      ],
    };
    const charts = buildCharts(input);
    assert.deepEqual(
      charts.map((c) => [c.id, c.config.data.datasets.map((d) => d.label)]),
      [
        ["emission-volume", ["emitted", "marketplace volume"]],
        ["emission-volume-ratio", ["emitted / volume"]],
      ],
    );
    assert.deepEqual(charts[1]!.config.data.datasets[0]!.data, [null, 0.5, 0.2]);
  });

  it("leaves out a figure with no value in any epoch, and a chart with no figure left", () => {
    const rows = rowsWithoutRatios(3);
    const input: ReportInput = {
      title: "empty figures",
      seed: 1,
      epochs: 3,
      runs: [{ label: "baseline", params: {}, rows }],
    };
    const charts = buildCharts(input);
    assert.deepEqual(
      charts.map((c) => [c.id, c.config.data.datasets.map((d) => d.label), c.noData]),
      [
        ["emission-volume", ["emitted", "marketplace volume"], []],
        ["spam-return", ["spammers active"], ["return on bond"]],
      ],
    );
    assert.deepEqual(chartsWithoutData(input), [
      { id: "emission-volume-ratio", title: "Emission / volume ratio" },
    ]);
  });

  it("draws a measured run's contributions as payout per point against quality, copies on top", () => {
    const run = (contributions: SimRun["contributions"]): ReportInput => ({
      title: "measured",
      seed: 1,
      epochs: 2,
      runs: [
        {
          label: "baseline",
          params: {},
          rows: [
            { epoch: 0, windowsByReport: 0 },
            { epoch: 1, windowsByReport: 1 },
          ],
          ...(contributions ? { contributions } : {}),
        },
      ],
    });
    const scatter = (input: ReportInput) =>
      buildCharts(input).find((c) => c.id === "contribution-payouts");
    const chart = scatter(
      run([
        { id: 0, quality: 90, payoutPerPoint: 2.5, copy: false },
        { id: 1, quality: 40, payoutPerPoint: 0.25, copy: false },
        { id: 2, quality: 90, payoutPerPoint: 0, copy: true },
      ]),
    )!;
    assert.equal(chart.config.type, "scatter");
    assert.equal(buildCharts(run([]))[0]!.id, "measured-windows", "a line chart leads the page");
    assert.deepEqual(
      chart.config.data.datasets.map((d) => [d.label, d.data]),
      [
        ["near copies", [{ x: 90, y: 0 }]],
        [
          "original data",
          [
            { x: 90, y: 2.5 },
            { x: 40, y: 0.25 },
          ],
        ],
      ],
    );
    assert.deepEqual(chart.noData, []);
    const noCopies = scatter(run([{ id: 0, quality: 90, payoutPerPoint: 2.5, copy: false }]))!;
    assert.deepEqual(noCopies.noData, ["near copies"]);
    // A measured run whose windows valued nothing: named, not drawn; an unmeasured run: neither.
    assert.deepEqual(
      chartsWithoutData(run([])).map((c) => c.id),
      ["contribution-payouts"],
    );
    assert.equal(scatter(run(undefined)), undefined);
    assert.deepEqual(chartsWithoutData(run(undefined)), []);
  });

  it("puts the ratio on a log scale only when it spans a wide range", () => {
    const scale = (ratios: (number | null)[]) => {
      const rows = ratios.map((r, i) => ({ epoch: i + 1, emissionVolumeRatio: r }));
      const input: ReportInput = {
        title: "t",
        seed: 1,
        epochs: rows.length,
        runs: [{ label: "baseline", params: {}, rows }],
      };
      return buildCharts(input)[0]!.config.options?.scales?.y?.type;
    };
    assert.equal(scale([50, 10, 1, 0.5, null]), "logarithmic");
    assert.equal(scale([2, 1, 0.5]), "linear");
    assert.equal(scale([50, 0, 0.5]), "linear"); // a zero cannot go on a log scale
  });
});

describe("scriptSafeJson", () => {
  it("cannot end a script element or open a comment, and parses back unchanged", () => {
    const value = { title: "</script><script>alert(1)</script><!-- & \u2028 >" };
    const json = scriptSafeJson(value);
    assert.doesNotMatch(json, /<|>|&|\u2028/);
    assert.deepEqual(JSON.parse(json), value);
  });
});

describe("writeReport", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("writes report.html and Chart.js beside it, with the data embedded and no remote loads", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lineage-report-"));
    dirs.push(dir);
    const input = { ...syntheticSweep(12), title: 'k sweep </script><b>"bold"</b>' };
    const path = await writeReport(join(dir, "out"), input);
    assert.equal(path, join(dir, "out", "report.html"));
    assert.ok((await stat(join(dir, "out", "chart.umd.min.js"))).size > 100_000);

    const html = await readFile(path, "utf8");
    assert.match(html, /<script src="chart\.umd\.min\.js"><\/script>/);
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(html, /<h1>k sweep &lt;\/script&gt;&lt;b&gt;&quot;bold&quot;&lt;\/b&gt;<\/h1>/);
    const embedded = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(
      html,
    );
    assert.ok(embedded, "no embedded data");
    const data = JSON.parse(embedded[1]!) as { charts: { id: string }[] };
    assert.deepEqual(
      data.charts.map((c) => c.id),
      buildCharts(input).map((c) => c.id),
    );
    for (const { id } of data.charts) assert.match(html, new RegExp(`data-chart="${id}"`));
    assert.doesNotMatch(html, /No data in any epoch/);
  });

  it("names the figures and charts it left out for want of data", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lineage-report-"));
    dirs.push(dir);
    const rows = rowsWithoutRatios(2);
    const html = await readFile(
      await writeReport(dir, {
        title: "t",
        seed: 1,
        epochs: 2,
        runs: [{ label: "baseline", params: {}, rows }],
      }),
      "utf8",
    );
    assert.match(
      html,
      /<p class="no-data" data-no-data="spam-return">No data in any epoch, not drawn: return on bond\.<\/p>/,
    );
    assert.match(
      html,
      /id="charts-without-data">No data in any epoch, so not drawn: <span data-chart-without-data="emission-volume-ratio">Emission \/ volume ratio<\/span>\./,
    );
    assert.doesNotMatch(html, /data-chart="emission-volume-ratio"/);
  });
});
