// A full-page PNG of a simulator report, for the docs:
//   npx node sim/screenshot.ts <report.html> <out.png>
// Waits for the page to announce that its charts are drawn; fails if any chart is missing or the
// page logs an error, so that a broken report never ends up in the docs. The PNG is reduced to a
// 256-colour palette (png-palette.ts), about a third of chromium's size for a page of charts.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { launchChromium } from "./headless-chromium.ts";
import { decodePng, palettePng } from "./png-palette.ts";

export interface ScreenshotOptions {
  /** CSS pixels; the page's full height is captured. Default 1280. */
  width?: number;
  /** Reduce to a 256-colour palette. Default true. */
  palette?: boolean;
  /** A browser to open the page in; by default one is launched and closed again. */
  browser?: Browser;
}

/** Renders `reportPath` in headless chromium and returns a full-page PNG. */
export async function screenshotReport(
  reportPath: string,
  options: ScreenshotOptions = {},
): Promise<Uint8Array> {
  const browser = options.browser ?? (await launchChromium());
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 } });
  try {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(pathToFileURL(resolve(reportPath)).href);
    await page.waitForFunction("window.__chartsReady !== undefined", null, { timeout: 15_000 });
    const drawn = await page.evaluate("window.__chartsReady");
    const canvases = await page.locator("canvas[data-chart]").count();
    if (errors.length > 0) throw new Error(`the report logged errors: ${errors.join("; ")}`);
    if (drawn !== canvases) throw new Error(`only ${drawn} of ${canvases} charts were drawn`);
    const png = await page.screenshot({ fullPage: true, type: "png" });
    return options.palette === false ? png : palettePng(decodePng(png));
  } finally {
    await page.close();
    if (!options.browser) await browser.close();
  }
}

async function main(args: string[]): Promise<void> {
  const [report, out] = args;
  if (!report || !out || args.length !== 2) {
    console.error("usage: npx node sim/screenshot.ts <report.html> <out.png>");
    process.exitCode = 2;
    return;
  }
  const png = await screenshotReport(report);
  await writeFile(out, png);
  console.log(`wrote ${out} (${Math.round(png.length / 1024)} KB)`);
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
