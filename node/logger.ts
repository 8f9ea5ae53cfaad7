// Logging through pino, printed the way Substrate prints: `YYYY-MM-DD HH:MM:SS  INFO target: message`
// in local time, on stderr (Substrate logs to stderr, so stdout stays free for command output such as
// `build-spec`). Levels follow `--log`/`-l`: a default level plus per-target levels, e.g.
// `-l info,sync=debug`. pino writes to a synchronous in-process sink (no worker-thread transport)
// so that nothing is lost or left running at shutdown.
import pino, { type Logger } from "pino";
import { LineageError } from "../primitives/errors.ts";

export const LOG_LEVELS = ["off", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogFilters {
  readonly defaultLevel: LogLevel;
  /** Per-target levels; a target's filter also covers its sub-targets (`sync` covers `sync::peers`). */
  readonly targets: ReadonlyMap<string, LogLevel>;
}

export const DEFAULT_LOG_LEVEL: LogLevel = "info";

const TARGET_RE = /^[A-Za-z0-9_-]+(?:(?:::|\.)[A-Za-z0-9_-]+)*$/;

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function invalidFilter(directive: string, why: string): LineageError {
  return new LineageError("INVALID_LOG_FILTER", `invalid log filter "${directive}": ${why}`);
}

function parseLevel(text: string, directive: string): LogLevel {
  const level = text.trim().toLowerCase();
  if (!isLogLevel(level)) {
    throw invalidFilter(
      directive,
      `unknown level "${text}", expected one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  return level;
}

/**
 * Parses `--log` values: comma-separated directives, each a level (`debug`) or `target=level`
 * (`sync=trace`); several `-l` flags add up, later directives win. Unlike Rust's env_logger a bare
 * word must be a level, so that a typo such as `-l infoo` is an error rather than a new target.
 */
export function parseLogFilters(
  spec: string | readonly string[],
  defaultLevel: LogLevel = DEFAULT_LOG_LEVEL,
): LogFilters {
  const parts = typeof spec === "string" ? [spec] : spec;
  let level = defaultLevel;
  const targets = new Map<string, LogLevel>();
  for (const part of parts) {
    for (const raw of part.split(",")) {
      const directive = raw.trim();
      if (directive === "") continue;
      const eq = directive.indexOf("=");
      if (eq === -1) {
        level = parseLevel(directive, directive);
        continue;
      }
      const target = directive.slice(0, eq).trim();
      if (!TARGET_RE.test(target)) {
        throw invalidFilter(directive, "a target is letters, digits, '_', '-', '.' or '::'");
      }
      targets.set(target, parseLevel(directive.slice(eq + 1), directive));
    }
  }
  return { defaultLevel: level, targets };
}

/** The level for a target: the longest matching target filter, else the default level. */
export function levelForTarget(filters: LogFilters, target: string): LogLevel {
  let best: string | undefined;
  for (const name of filters.targets.keys()) {
    const covers =
      target === name || target.startsWith(`${name}::`) || target.startsWith(`${name}.`);
    if (covers && (best === undefined || name.length > best.length)) best = name;
  }
  return best === undefined ? filters.defaultLevel : filters.targets.get(best)!;
}

const PINO_LEVEL: Record<LogLevel, pino.LevelWithSilent> = {
  off: "silent",
  error: "error",
  warn: "warn",
  info: "info",
  debug: "debug",
  trace: "trace",
};

const LEVEL_LABEL: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "ERROR",
};

function pad2(n: number): string {
  return n.toString().padStart(2, "0");
}

/** Local time as `YYYY-MM-DD HH:MM:SS`, the prefix of every Substrate log line. */
export function formatLogTime(date: Date): string {
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`
  );
}

/** One human line; the level is right-aligned to five columns as tracing-subscriber does. */
export function formatLogLine(date: Date, level: string, target: string, message: string): string {
  return `${formatLogTime(date)} ${level.padStart(5)} ${target}: ${message}`;
}

function describeField(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "message" in value) {
    return String((value as { message: unknown }).message);
  }
  return JSON.stringify(value);
}

/** Turns one pino JSON record into a human line; extra fields follow the message as `key=value`. */
function renderRecord(json: string): string {
  const record = JSON.parse(json) as Record<string, unknown>;
  const { level, time, target, msg, ...fields } = record;
  const extra = Object.entries(fields)
    .map(([key, value]) => ` ${key}=${describeField(value)}`)
    .join("");
  return `${formatLogLine(
    new Date(typeof time === "number" ? time : Date.now()),
    LEVEL_LABEL[typeof level === "number" ? level : 30] ?? "INFO",
    typeof target === "string" ? target : "lineage",
    typeof msg === "string" ? msg : "",
  )}${extra}\n`;
}

export interface LoggerOptions {
  /** The default level when `filters` names none; `info` unless set. */
  readonly level?: LogLevel;
  /** Raw `--log` values, e.g. `"sync=debug,runtime=trace"` or `["info", "sync=debug"]`. */
  readonly filters?: string | readonly string[];
  /** Drops every line (tests). */
  readonly silent?: boolean;
  /** Receives each formatted line, newline included; default: stderr, written synchronously. */
  readonly write?: (line: string) => void;
}

export interface NodeLogger {
  readonly root: Logger;
  filters(): LogFilters;
  /** A pino logger for one target (`sync`, `txpool`, `substrate`, …) at that target's level. */
  child(target: string): Logger;
  /** Replaces the filters at run time (Substrate's `system_addLogFilter`); children follow. */
  setFilters(spec: string | readonly string[]): void;
}

export const ROOT_TARGET = "lineage";

export function createLogger(options: LoggerOptions = {}): NodeLogger {
  const baseLevel = options.level ?? DEFAULT_LOG_LEVEL;
  let filters = parseLogFilters(options.filters ?? [], baseLevel);
  const write = options.write ?? stderrWriter();
  const silent = options.silent === true;
  const root = pino(
    {
      level: silent ? "silent" : PINO_LEVEL[levelForTarget(filters, ROOT_TARGET)],
      base: null,
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    { write: (json: string) => write(renderRecord(json)) },
  );
  const children = new Map<string, Logger>();
  const levelOf = (target: string): pino.LevelWithSilent =>
    silent ? "silent" : PINO_LEVEL[levelForTarget(filters, target)];

  return {
    root,
    filters: () => filters,
    child(target: string): Logger {
      const existing = children.get(target);
      if (existing !== undefined) return existing;
      const logger = root.child({ target }, { level: levelOf(target) });
      children.set(target, logger);
      return logger;
    },
    setFilters(spec: string | readonly string[]): void {
      filters = parseLogFilters(spec, baseLevel);
      root.level = levelOf(ROOT_TARGET);
      for (const [target, logger] of children) logger.level = levelOf(target);
    },
  };
}

function stderrWriter(): (line: string) => void {
  // SonicBoom in sync mode retries EAGAIN on non-blocking pipes, which a bare writeSync does not.
  const destination = pino.destination({ dest: 2, sync: true });
  return (line) => {
    destination.write(line);
  };
}
