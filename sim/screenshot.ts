// A full-page PNG of a simulator report, for the docs:
//   npx node sim/screenshot.ts <report.html> <out.png>
// Waits for the page to announce that its charts are drawn; fails if any chart is missing or the
// page logs an error, so that a broken report never ends up in the docs.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium } from "./headless-chromium.ts";

export interface ScreenshotOptions {
  /** CSS pixels; the page's full height is captured. */
  width?: number;
}

/** Renders `reportPath` in headless chromium and returns a full-page PNG. */
export async function screenshotReport(
  reportPath: string,
  options: ScreenshotOptions = {},
): Promise<Uint8Array> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 } });
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
    return await page.screenshot({ fullPage: true, type: "png" });
  } finally {
    await browser.close();
  }
}

async function main(args: string[]): Promise<void> {
  const [report, out] = args;
  if (!report || !out || args.length !== 2) {
    console.error("usage: npx node sim/screenshot.ts <report.html> <out.png>");
    process.exitCode = 2;
    return;
  }
  await writeFile(out, await screenshotReport(report));
  console.log(`wrote ${out}`);
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
