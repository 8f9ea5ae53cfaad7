// Headless Chromium driven by playwright-core, for the report's browser test and its screenshot.
// The browser comes from npm: `@sparticuz/chromium` ships a Chromium build inside its package
// (brotli-compressed, no download at install time), so `npm ci && npm test` needs nothing
// installed by hand. The binary is inflated once per version into node_modules/.cache, written to
// a temporary name and renamed, so a run killed mid-way or two test files starting together never
// leave or use a half-written browser.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createBrotliDecompress } from "node:zlib";
import { type Browser, chromium } from "playwright-core";

/** Headless, sandbox off (containers, root in CI), single process, and nothing that phones home. */
const ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--no-zygote",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The package's folder (its entry point is build/esm/index.js) and version. */
function packageDir(): { dir: string; version: string } {
  const dir = join(dirname(fileURLToPath(import.meta.resolve("@sparticuz/chromium"))), "..", "..");
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    version: string;
  };
  return { dir, version };
}

/** The path of the inflated browser, inflating it first when this version has none yet. */
export async function chromiumPath(): Promise<string> {
  const { dir, version } = packageDir();
  const cache = join(dir, "..", "..", ".cache", `lineage-chromium-${version}`);
  const binary = join(cache, "chromium");
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  await pipeline(
    createReadStream(join(dir, "bin", "chromium.br")),
    createBrotliDecompress(),
    createWriteStream(partial, { mode: 0o755 }),
  );
  renameSync(partial, binary);
  return binary;
}

/** Launches headless Chromium with a fresh profile. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: ARGS });
}
