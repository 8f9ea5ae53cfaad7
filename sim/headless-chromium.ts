// Debian's chromium driven by playwright-core, for the report's browser test and its screenshot.
// No browser download: playwright-core only speaks the DevTools protocol to the system's chromium
// (`apt-get install chromium`), which CI installs when it is missing (.ci/run).
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM_PATH = "/usr/bin/chromium";

/** Headless, sandbox off (containers, root in CI), and nothing that phones home. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches headless chromium with a fresh profile; throws a clear error when it is not installed. */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}: install Debian's package with ` +
        "`apt-get install chromium` (the simulator report's browser test and screenshot need it)",
    );
  }
  return chromium.launch({ executablePath, args: ARGS });
}
