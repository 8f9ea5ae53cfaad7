// `lineage [flags]`: runs a node until SIGINT or SIGTERM, then shuts down cleanly (exit 0). With
// `--tmp` (and `--dev` without `--base-path`) the base path is a fresh directory, deleted on exit.
import { rmSync } from "node:fs";
import { loadChainSpec } from "../chain-spec-file.ts";
import { parseRunArgs } from "../cli-args.ts";
import { createTmpBasePath } from "../config.ts";
import { createLogger } from "../logger.ts";
import { NodeService } from "../service.ts";

/** Seconds the node waits for a clean shutdown before giving up and exiting anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function runNode(argv: readonly string[]): Promise<number> {
  const config = parseRunArgs(argv);
  const spec = loadChainSpec(config.chain);
  const logger = createLogger({ filters: config.log });
  const log = logger.child("lineage");
  const basePath = config.basePath ?? (await createTmpBasePath());
  const cleanup = () => {
    if (config.tmp) rmSync(basePath, { recursive: true, force: true });
  };
  log.info("Lineage Node");
  let service: NodeService;
  try {
    service = await NodeService.start({ config, spec, basePath, logger });
  } catch (error) {
    cleanup();
    throw error;
  }

  // The handlers stay installed during shutdown: a terminal's Ctrl-C reaches both npm and the
  // node, and npm forwards it again, so a second signal must not kill the node mid-shutdown. The
  // grace timer below bounds the shutdown instead.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
  log.info(`Received ${signal}, shutting down`);
  const forced = setTimeout(() => {
    log.error("Shutdown took too long; exiting");
    process.exit(1);
  }, SHUTDOWN_GRACE_MS);
  forced.unref();
  await service.stop();
  cleanup();
  clearTimeout(forced);
  log.info("Shutdown complete");
  return 0;
}
