import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createLogger,
  formatLogLine,
  formatLogTime,
  levelForTarget,
  parseLogFilters,
} from "../../../node/logger.ts";
import { LineageError } from "../../../primitives/errors.ts";

const LINE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} +[A-Z]{4,5} [\w:.-]+: /;

function capture(filters?: string | string[]) {
  const lines: string[] = [];
  const logger = createLogger({ filters, write: (line) => lines.push(line) });
  return { logger, lines };
}

describe("parseLogFilters", () => {
  it("reads a default level and per-target levels", () => {
    const filters = parseLogFilters("sync=debug,runtime=trace");
    assert.equal(filters.defaultLevel, "info");
    assert.deepEqual(
      [...filters.targets],
      [
        ["sync", "debug"],
        ["runtime", "trace"],
      ],
    );
    assert.equal(parseLogFilters("warn").defaultLevel, "warn");
    assert.equal(parseLogFilters(["debug", "sync=off", "WARN"]).defaultLevel, "warn");
    assert.equal(parseLogFilters("info,,sync=debug,").targets.get("sync"), "debug");
  });

  it("matches the longest target prefix", () => {
    const filters = parseLogFilters("warn,sync=debug,sync::peers=trace");
    assert.equal(levelForTarget(filters, "sync"), "debug");
    assert.equal(levelForTarget(filters, "sync::blocks"), "debug");
    assert.equal(levelForTarget(filters, "sync::peers::x"), "trace");
    assert.equal(levelForTarget(filters, "syncer"), "warn");
    assert.equal(levelForTarget(filters, "rpc"), "warn");
  });

  it("rejects bad filters with INVALID_LOG_FILTER", () => {
    for (const spec of ["infoo", "sync=loud", "=debug", "sy nc=debug", "sync=", "a==b"]) {
      assert.throws(
        () => parseLogFilters(spec),
        (error: unknown) =>
          error instanceof LineageError &&
          error.code === "INVALID_LOG_FILTER" &&
          error.message.startsWith("invalid log filter"),
        spec,
      );
    }
  });
});

describe("createLogger", () => {
  it("writes Substrate-style lines in local time", () => {
    const { logger, lines } = capture();
    logger.child("substrate").info("💤 Idle (0 peers)");
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, LINE_RE);
    assert.ok(lines[0]!.endsWith("  INFO substrate: 💤 Idle (0 peers)\n"));
  });

  it("formats time and level columns", () => {
    const date = new Date(2025, 0, 14, 7, 6, 5);
    assert.equal(formatLogTime(date), "2025-01-14 07:06:05");
    assert.equal(
      formatLogLine(date, "INFO", "sync", "hello"),
      "2025-01-14 07:06:05  INFO sync: hello",
    );
    assert.equal(formatLogLine(date, "DEBUG", "sync", "x"), "2025-01-14 07:06:05 DEBUG sync: x");
  });

  it("honours per-target levels in children", () => {
    const { logger, lines } = capture("warn,sync=debug");
    logger.child("sync").debug("sync debug");
    logger.child("sync").trace("sync trace");
    logger.child("rpc").info("rpc info");
    logger.child("rpc").warn("rpc warn");
    logger.root.info("root info");
    assert.deepEqual(
      lines.map((line) => line.replace(LINE_RE, "").trimEnd()),
      ["sync debug", "rpc warn"],
    );
    assert.match(lines[0]!, / DEBUG sync: /);
    assert.match(lines[1]!, / {2}WARN rpc: /);
  });

  it("appends structured fields and error messages", () => {
    const { logger, lines } = capture();
    logger.child("net").info({ peer: "12D3", count: 2 }, "connected");
    logger.child("net").error({ err: new Error("boom") }, "failed");
    assert.ok(lines[0]!.endsWith("INFO net: connected peer=12D3 count=2\n"));
    assert.ok(lines[1]!.endsWith("ERROR net: failed err=boom\n"));
  });

  it("changes levels at run time", () => {
    const { logger, lines } = capture();
    const sync = logger.child("sync");
    sync.debug("hidden");
    logger.setFilters("sync=debug");
    sync.debug("shown");
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith("sync: shown\n"));
  });

  it("is quiet when silent and rejects invalid filters", () => {
    const lines: string[] = [];
    const logger = createLogger({
      silent: true,
      filters: "trace",
      write: (line) => lines.push(line),
    });
    logger.child("x").error("nothing");
    logger.root.error("nothing");
    assert.equal(lines.length, 0);
    assert.throws(() => createLogger({ filters: "sync=chatty" }), { code: "INVALID_LOG_FILTER" });
  });
});
