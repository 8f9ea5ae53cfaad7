// The simulator's report opened from disk in headless Chromium (the one npm ci brings), as a
// person would open it: every chart drawn with its datasets and pixels, no errors, nothing fetched
// from the network.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../../sim/headless-chromium.ts";
import { writeOutputs } from "../../../sim/output.ts";
import { decodePng } from "../../../sim/png-palette.ts";
import { type ReportInput, writeReport } from "../../../sim/report.ts";
import { REQUIRED_CHARTS } from "../../../sim/report-charts.ts";
import { screenshotReport } from "../../../sim/screenshot.ts";
import { SINGLE_RUN_DATASETS, syntheticSingle, syntheticSweep } from "./fixtures/synthetic-runs.ts";
import { runShipped } from "./fixtures.ts";

interface DatasetSeen {
  label: string;
  length: number;
  data: (number | null)[];
  /** A stacked area: its line sits on the ones below it, not at its own values. */
  stacked: boolean;
  axis: string;
  /** Points with a value whose pixel (or one within 2 px) is painted in the dataset's colour. */
  pointsInColour: number;
  nonNull: number;
}

interface ChartSeen {
  id: string;
  hasChart: boolean;
  width: number;
  height: number;
  /** Distinct colours among the painted pixels (quantized to 4 bits a channel). */
  colours: number;
  paintedShare: number;
  datasets: DatasetSeen[];
}

/** Runs in the page: what each canvas holds, read back from Chart.js and the pixels themselves. */
const INSPECT = `(() => {
  const rgb = (css) => {
    const probe = document.createElement("canvas").getContext("2d");
    probe.fillStyle = css;
    probe.fillRect(0, 0, 1, 1);
    return probe.getImageData(0, 0, 1, 1).data;
  };
  return [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
    const chart = typeof Chart === "undefined" ? undefined : Chart.getChart(canvas);
    const { width, height } = canvas;
    const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const colours = new Set();
    let painted = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] === 0) continue;
      painted++;
      colours.add(((pixels[i] >> 4) << 8) | ((pixels[i + 1] >> 4) << 4) | (pixels[i + 2] >> 4));
    }
    const dpr = chart ? chart.currentDevicePixelRatio : 1;
    const datasets = chart ? chart.data.datasets.map((dataset, d) => {
      const [r, g, b] = rgb(dataset.borderColor);
      const near = (x, y) => {
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
          const px = Math.round(x * dpr) + dx, py = Math.round(y * dpr) + dy;
          if (px < 0 || py < 0 || px >= width || py >= height) continue;
          const i = (py * width + px) * 4;
          const distance = Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b);
          if (pixels[i + 3] > 200 && distance < 60) return true;
        }
        return false;
      };
      const points = chart.getDatasetMeta(d).data;
      let pointsInColour = 0;
      dataset.data.forEach((value, j) => {
        const p = points[j];
        if (value !== null && p && Number.isFinite(p.x) && Number.isFinite(p.y) && near(p.x, p.y)) pointsInColour++;
      });
      return {
        label: dataset.label,
        length: dataset.data.length,
        data: dataset.data,
        stacked: dataset.stack === "areas",
        axis: dataset.yAxisID,
        nonNull: dataset.data.filter((v) => v !== null).length,
        pointsInColour,
      };
    }) : [];
    return {
      id: canvas.dataset.chart, hasChart: Boolean(chart), width, height,
      colours: colours.size, paintedShare: painted / (width * height), datasets,
    };
  });
})()`;

interface Opened {
  ready: unknown;
  charts: ChartSeen[];
  errors: string[];
  requests: string[];
  title: string;
}

describe("the simulator's HTML report in headless chromium", () => {
  let browser: Browser;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lineage-report-browser-"));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(name: string, input: ReportInput): Promise<Opened> {
    return openPath(await writeReport(join(dir, name), input));
  }

  async function openPath(path: string): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        errors.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on("request", (request) => requests.push(request.url()));
    try {
      await page.goto(pathToFileURL(path).href);
      await page.waitForFunction("window.__chartsReady !== undefined", null, { timeout: 10_000 });
      const ready = await page.evaluate("window.__chartsReady");
      const charts = (await page.evaluate(INSPECT)) as ChartSeen[];
      return { ready, charts, errors, requests, title: await page.title() };
    } finally {
      await page.close();
    }
  }

  /**
   * Every chart drawn with the expected number of datasets, each `epochs` long (or, for a chart
   * that is not per epoch, the scatter of contributions, the lengths given in `lengths`).
   */
  function assertDrawn(
    opened: Opened,
    expected: Record<string, number>,
    epochs: number,
    lengths: Record<string, number[]> = {},
  ) {
    assert.deepEqual(opened.errors, []);
    const offline = opened.requests.filter((url) => !url.startsWith("file://"));
    assert.deepEqual(offline, [], "the report reached beyond file://");
    assert.ok(opened.requests.some((url) => url.endsWith("/chart.umd.min.js")));
    assert.equal(opened.ready, Object.keys(expected).length);
    assert.deepEqual(
      opened.charts.map((c) => c.id),
      Object.keys(expected),
    );
    for (const chart of opened.charts) {
      const where = `chart ${chart.id}`;
      assert.ok(chart.hasChart, `${where}: no Chart.js instance`);
      assert.ok(
        chart.width > 300 && chart.height > 200,
        `${where}: ${chart.width}×${chart.height}`,
      );
      assert.ok(chart.colours >= 4, `${where}: only ${chart.colours} colours painted`);
      assert.ok(chart.paintedShare > 0.01, `${where}: almost blank`);
      assert.equal(chart.datasets.length, expected[chart.id], `${where}: dataset count`);
      chart.datasets.forEach((dataset, d) => {
        const length = lengths[chart.id]?.[d] ?? epochs;
        assert.equal(dataset.length, length, `${where} ${dataset.label}: data length`);
        assert.ok(dataset.nonNull > 0, `${where} ${dataset.label}: no values`);
        // Chart.js paints the first dataset last: a line with the same values on the same axis as
        // an earlier one (the same volume in every run of a k sweep, or totals within 1% of
        // each other) lies under it, unseen.
        const under = chart.datasets.find(
          (other, o) =>
            o < d &&
            !other.stacked &&
            !dataset.stacked &&
            other.axis === dataset.axis &&
            sameAtChartScale(other.data, dataset.data),
        );
        if (under) {
          assert.ok(under.pointsInColour > 0, `${where} ${under.label}: no line in its colour`);
        } else {
          assert.ok(dataset.pointsInColour > 0, `${where} ${dataset.label}: no line in its colour`);
        }
      });
    }
  }

  /** Equal to within 1% of the larger value: within a few pixels, one line hides the other. */
  function sameAtChartScale(a: (number | null)[], b: (number | null)[]): boolean {
    return (
      a.length === b.length &&
      a.every((x, i) => {
        const y = b[i];
        if (x === null || y === null || y === undefined) return x === y;
        return Math.abs(x - y) <= Math.max(Math.abs(x), Math.abs(y)) / 100;
      })
    );
  }

  it("draws every chart of a single run", async () => {
    const opened = await open("single", syntheticSingle(40));
    assertDrawn(opened, SINGLE_RUN_DATASETS, 40);
  });

  it("draws a 3-run sweep with one line per run, the emission/volume ratio first", async () => {
    const opened = await open("sweep", syntheticSweep(40));
    assertDrawn(
      opened,
      {
        "emission-volume-ratio": 3,
        "emission-volume": 6,
        contributors: 9,
        retention: 3,
        "spam-return": 6,
        gini: 3,
        supply: 3,
        submissions: 6,
        "honest-income": 3,
        "wash-trading": 6,
      },
      40,
    );
    const ratio = opened.charts[0]!.datasets.map((d) => d.label);
    assert.deepEqual(ratio, ["200000", "500000", "1000000"]);
  });

  it("survives a hostile title and draws the required charts from the standard columns alone", async () => {
    const base = syntheticSingle(15);
    const standard = new Set<string>([
      "epoch",
      "emitted",
      "volume",
      "emissionVolumeRatio",
      "activeContributors",
      "passiveContributors",
      "retention",
      "gini",
      "totalIssuance",
      "spamReturnOnBond",
      "spammersActive",
    ]);
    const rows = base.runs[0]!.rows.map((row) =>
      Object.fromEntries(Object.entries(row).filter(([key]) => standard.has(key))),
    );
    const title = "</script><script>window.__chartsReady = -1</script><!--";
    const opened = await open("hostile", { ...base, title, runs: [{ ...base.runs[0]!, rows }] });
    assert.equal(opened.title, `${title} – Lineage simulation`);
    assertDrawn(
      opened,
      {
        "emission-volume": 2,
        "emission-volume-ratio": 1,
        contributors: 2,
        retention: 1,
        "spam-return": 2,
        gini: 1,
        supply: 1,
      },
      15,
    );
    assert.deepEqual(
      opened.charts.map((c) => c.id),
      [...REQUIRED_CHARTS],
    );
  });

  async function realReport(
    name: string,
    scenarioName: string,
    runs: { label: string; params?: Record<string, bigint> }[],
    sweep?: string,
  ): Promise<{ opened: Opened; html: string }> {
    const epochs = 4;
    const seed = 7;
    const results = runs.map((run) => ({
      label: run.label,
      result: runShipped(scenarioName, {
        epochs,
        scale: 0.3,
        seed,
        ...(run.params ? { params: run.params } : {}),
      }),
    }));
    const values = runs.map((run) => String(run.params?.[sweep ?? ""] ?? ""));
    const written = await writeOutputs(join(dir, name), results, {
      epochs,
      seed,
      ...(sweep ? { sweep: { param: sweep, values } } : {}),
    });
    return { opened: await openPath(written.report), html: await readFile(written.report, "utf8") };
  }

  it("draws a report the simulator wrote: spam wave, shortened", async () => {
    const { opened, html } = await realReport("real-spam", "spam-wave", [{ label: "spam-wave" }]);
    assertDrawn(
      opened,
      {
        "emission-volume": 6, // validators, contributors, treasury, volume, schedule, cap
        "emission-volume-ratio": 2,
        contributors: 3,
        // retention: the high-quality cohort is still empty after 4 epochs (see below)
        "spam-return": 2,
        gini: 1,
        supply: 1,
        submissions: 2,
        "honest-income": 2,
        "wash-trading": 1, // self-dealing only: no wash traders, so no emission to them
      },
      4,
    );
    assert.match(
      html,
      /data-chart-without-data="retention">Retention of high-quality contributors/,
    );
    assert.match(
      html,
      /data-no-data="wash-trading">No data in any epoch, not drawn: emission to wash traders\./,
    );
  });

  it("draws a report the simulator wrote: a 2-value k sweep over the healthy marketplace", async () => {
    const k = "emissionVolumeFactorPpm";
    const { opened, html } = await realReport(
      "real-sweep",
      "healthy-marketplace",
      [
        // Below the fee cap (λ × 5% = 4% of volume), so k is what binds.
        { label: `${k}=10000`, params: { [k]: 10_000n } },
        { label: `${k}=30000`, params: { [k]: 30_000n } },
      ],
      k,
    );
    assertDrawn(
      opened,
      {
        "emission-volume-ratio": 2,
        "emission-volume": 4, // emitted and volume per run
        contributors: 6,
        // retention: no cohort yet; spam-return: no spammers, so neither figure exists
        gini: 2,
        supply: 2,
        submissions: 4,
        "honest-income": 2,
        "wash-trading": 2, // self-dealing per run; no wash traders, so no emission to them
      },
      4,
    );
    assert.deepEqual(
      opened.charts[0]!.datasets.map((d) => d.label),
      ["10000", "30000"],
    );
    const [low, high] = opened.charts[0]!.datasets.map((d) => d.data);
    assert.ok(
      low!.every((v, i) => (v === null ? high![i] === null : high![i]! > v)),
      `the ratio rises with k: ${low} against ${high}`,
    );
    for (const id of ["retention", "spam-return"])
      assert.match(html, new RegExp(`data-chart-without-data="${id}"`));
  });

  it("draws a report the simulator wrote: measured attribution, with the contributions' scatter", async () => {
    const { opened, html } = await realReport("real-measured", "measured-attribution", [
      { label: "measured-attribution" },
    ]);
    const result = runShipped("measured-attribution", { epochs: 4, scale: 0.3, seed: 7 });
    const valued = result.measured!.contributions.filter((c) => c.windows > 0);
    const copies = valued.filter((c) => c.copyOf !== null).length;
    assert.ok(copies > 0 && valued.length > copies, `${copies} of ${valued.length} are copies`);
    assertDrawn(
      opened,
      {
        "emission-volume": 6,
        "emission-volume-ratio": 2,
        contributors: 3,
        // retention and spam-return: no cohort yet, no spammers
        gini: 1,
        supply: 1,
        submissions: 2,
        "honest-income": 2,
        "wash-trading": 1,
        "attacker-returns": 2, // honest contributors' claims, the near-duplicate farm
        "measured-windows": 3, // by report, by the declared manifest, all windows
        "attestor-returns": 3, // honest, lazy, colluding
        "contribution-payouts": 2, // near copies (drawn on top), original data
      },
      4,
      { "contribution-payouts": [copies, valued.length - copies] },
    );
    const scatter = opened.charts.find((c) => c.id === "contribution-payouts")!;
    assert.deepEqual(
      scatter.datasets.map((d) => d.label),
      ["near copies", "original data"],
    );
    const points = scatter.datasets.map((d) => d.data as unknown as { x: number; y: number }[]);
    assert.ok(
      points[0]!.every((p) => p.y === 0),
      "every copy is drawn at zero payout",
    );
    assert.ok(points[1]!.some((p) => p.y > 0));
    assert.match(html, /data-chart="contribution-payouts"/);
    assert.match(html, /data-chart-without-data="spam-return"/);
  });

  it("screenshots a report for the docs as a palette PNG that matches chromium's own", async () => {
    const path = await writeReport(join(dir, "screenshot"), syntheticSweep(30));
    const full = await screenshotReport(path, { browser, palette: false });
    const small = await screenshotReport(path, { browser });
    const [a, b] = [decodePng(full), decodePng(small)];
    assert.equal(a.width, 1280);
    assert.ok(a.height > 2000, `only ${a.height} px tall: not the full page`);
    assert.deepEqual([b.width, b.height], [a.width, a.height]);
    let error = 0;
    for (let i = 0; i < a.rgb.length; i++) error += Math.abs(a.rgb[i]! - b.rgb[i]!);
    assert.ok(error / a.rgb.length < 1.5, `mean error ${error / a.rgb.length} a channel`);
    assert.ok(small.length < full.length / 2, `${small.length} bytes against ${full.length}`);
  });
});
