// The files of measured attribution, off chain and content-addressed: a measured model's inputs
// index (its committed feature files), a window's query-log listing, and an attestor's report. Each
// is JSON; each is fetched by URI (a path, a file:// URL or an http(s) URL), limited in size, and
// checked against the hash or root the chain holds before anything in it is believed.
//
//   inputs index   {"format": "lineage-measurement-inputs/1",
//                   "contributions": [{"contribution": id, "uri": …, "hash": "0x…"}, …]}
//                  ids ascending, each once; the chain holds blake2b-256 of the file's bytes.
//   query log      {"format": "lineage-query-log/1", "model": m, "window": w,
//                   "files": [{"uri": …, "hash": "0x…", "queries": n}, …]}
//                  the chain holds the Merkle root over the files' hashes (in order) and Σ queries.
//   report         {"format": "lineage-attribution-report/1", …, "leaves": [{contribution,
//                   amount, value}], …} whose leaves rebuild the root the attestor revealed.
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { bytesEqual, fromHex, toHex } from "../../primitives/bytes.ts";
import { LineageError } from "../../primitives/errors.ts";
import { blake2b256 } from "../../primitives/hash.ts";
import { merkleRoot } from "../../primitives/merkle.ts";
import type { Hex } from "../../rpc/node-api.ts";
import type { Collapsed } from "../../runtime/measurement/index.ts";
import { reportRoot } from "../../runtime/measurement/index.ts";

/**
 * Fetching or believing a file failed. Codes: ATTEST_FETCH (unreadable: missing, refused, too
 * large, timed out), ATTEST_HASH (its bytes are not the ones committed), ATTEST_FORMAT (not the
 * format it claims), ATTEST_INPUTS (it does not match the chain: other contributions, counts).
 */
export class AttestError extends LineageError {}

export const MAX_INDEX_BYTES = 64 * 1024 * 1024;
export const MAX_DATA_BYTES = 256 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

/** The bytes behind a URI: a path, a file:// URL or an http(s) URL, at most `maxBytes`. */
export async function fetchUri(uri: string, maxBytes: number): Promise<Uint8Array> {
  if (/^https?:\/\//.test(uri)) return await fetchHttp(uri, maxBytes);
  let path = uri;
  if (uri.startsWith("file:")) {
    try {
      path = fileURLToPath(uri);
    } catch (cause) {
      throw new AttestError("ATTEST_FETCH", `${uri}: not a file URL`, { cause });
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    throw new AttestError(
      "ATTEST_FETCH",
      `${uri}: only paths, file:// and http(s):// URLs are fetched`,
    );
  }
  return await readRegularFile(uri, path, maxBytes);
}

/**
 * A regular file's bytes, its size checked before anything is read. Opened without blocking and
 * checked on the open handle, so a FIFO, a device (/dev/zero) or a directory is refused at once
 * instead of hanging or filling memory.
 */
async function readRegularFile(uri: string, path: string, maxBytes: number): Promise<Uint8Array> {
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw new AttestError(
      "ATTEST_FETCH",
      `${uri}: ${(cause as NodeJS.ErrnoException).code ?? "unreadable"}`,
      {
        cause,
      },
    );
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new AttestError("ATTEST_FETCH", `${uri}: not a regular file`);
    if (info.size > maxBytes)
      throw new AttestError("ATTEST_FETCH", `${uri}: larger than ${maxBytes} bytes`);
    const bytes = new Uint8Array(info.size);
    let read = 0;
    while (read < bytes.length) {
      const { bytesRead } = await file.read(bytes, read, bytes.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return bytes.subarray(0, read);
  } catch (cause) {
    if (cause instanceof AttestError) throw cause;
    throw new AttestError(
      "ATTEST_FETCH",
      `${uri}: ${(cause as NodeJS.ErrnoException).code ?? "unreadable"}`,
      {
        cause,
      },
    );
  } finally {
    await file.close();
  }
}

async function fetchHttp(uri: string, maxBytes: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(uri, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: "error",
    });
  } catch (cause) {
    throw new AttestError("ATTEST_FETCH", `${uri}: ${(cause as Error).message}`, { cause });
  }
  if (!response.ok || !response.body)
    throw new AttestError("ATTEST_FETCH", `${uri}: HTTP ${response.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes)
      throw new AttestError("ATTEST_FETCH", `${uri}: larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Fetches `uri` and checks that its blake2b-256 is `hash`. */
export async function fetchChecked(
  uri: string,
  hash: Uint8Array,
  what: string,
  maxBytes = MAX_DATA_BYTES,
) {
  const bytes = await fetchUri(uri, maxBytes);
  const got = blake2b256(bytes);
  if (!bytesEqual(got, hash))
    throw new AttestError(
      "ATTEST_HASH",
      `${what} at ${uri}: its hash is ${toHex(got)}, the chain holds ${toHex(hash)}`,
    );
  return bytes;
}

// ---- JSON shapes ----

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new AttestError("ATTEST_FORMAT", `${what}: not JSON`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new AttestError("ATTEST_FORMAT", `${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

const formatError = (what: string, detail: string) =>
  new AttestError("ATTEST_FORMAT", `${what}: ${detail}`);

function field<T>(
  object: Record<string, unknown>,
  key: string,
  what: string,
  check: (v: unknown) => v is T,
  expected: string,
): T {
  const value = object[key];
  if (!check(value)) throw formatError(what, `${key}: expected ${expected}`);
  return value;
}

const isId = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === "string" && v.length <= 4096;
const isHash = (v: unknown): v is Hex => typeof v === "string" && /^0x[0-9a-f]{64}$/.test(v);
const isAmount = (v: unknown): v is string =>
  typeof v === "string" && /^(0|[1-9][0-9]{0,38})$/.test(v);
const isValue = (v: unknown): v is string =>
  typeof v === "string" && /^(0|-?[1-9][0-9]{0,60})$/.test(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function list<T>(
  object: Record<string, unknown>,
  key: string,
  what: string,
  item: (v: Record<string, unknown>, where: string) => T,
): T[] {
  return field(object, key, what, isArray, "a list").map((v, i) => {
    if (!isObject(v)) throw formatError(what, `${key}[${i}]: expected an object`);
    return item(v, `${what}: ${key}[${i}]`);
  });
}

function formatOf(object: Record<string, unknown>, expected: string, what: string): void {
  if (object.format !== expected)
    throw formatError(what, `format: expected "${expected}", got ${JSON.stringify(object.format)}`);
}

// ---- the inputs index ----

export const INPUTS_FORMAT = "lineage-measurement-inputs/1";

export interface InputFile {
  contribution: number;
  uri: string;
  hash: Hex;
}

export function encodeInputsIndex(files: InputFile[]): Uint8Array {
  return new TextEncoder().encode(
    `${JSON.stringify({ format: INPUTS_FORMAT, contributions: files }, null, 1)}\n`,
  );
}

export function parseInputsIndex(bytes: Uint8Array): InputFile[] {
  const what = "inputs index";
  const doc = parseJson(bytes, what);
  formatOf(doc, INPUTS_FORMAT, what);
  const files = list(doc, "contributions", what, (v, where) => ({
    contribution: field(v, "contribution", where, isId, "a contribution id"),
    uri: field(v, "uri", where, isString, "a URI"),
    hash: field(v, "hash", where, isHash, "a 32-byte hash as lower-case hex"),
  }));
  for (let i = 1; i < files.length; i++)
    if (files[i]!.contribution <= files[i - 1]!.contribution)
      throw formatError(what, "contributions must be in ascending id order, each once");
  return files;
}

// ---- the query log ----

export const QUERY_LOG_FORMAT = "lineage-query-log/1";

export interface QueryFile {
  uri: string;
  hash: Hex;
  queries: number;
}

export interface QueryLog {
  model: number;
  window: number;
  files: QueryFile[];
}

/** The root the chain holds for a query log: the Merkle root over its files' hashes, in order. */
export function queryLogRoot(files: QueryFile[]): Uint8Array {
  return merkleRoot(files.map((f) => fromHex(f.hash)));
}

export const queryCount = (files: QueryFile[]) => files.reduce((n, f) => n + f.queries, 0);

export function encodeQueryLog(log: QueryLog): Uint8Array {
  return new TextEncoder().encode(
    `${JSON.stringify({ format: QUERY_LOG_FORMAT, ...log }, null, 1)}\n`,
  );
}

export function parseQueryLog(bytes: Uint8Array): QueryLog {
  const what = "query log";
  const doc = parseJson(bytes, what);
  formatOf(doc, QUERY_LOG_FORMAT, what);
  const files = list(doc, "files", what, (v, where) => ({
    uri: field(v, "uri", where, isString, "a URI"),
    hash: field(v, "hash", where, isHash, "a 32-byte hash as lower-case hex"),
    queries: field(v, "queries", where, isId, "a number of queries"),
  }));
  if (files.length === 0) throw formatError(what, "files: at least one query file");
  return {
    model: field(doc, "model", what, isId, "a model id"),
    window: field(doc, "window", what, isId, "a window"),
    files,
  };
}

// ---- the report ----

export const REPORT_FORMAT = "lineage-attribution-report/1";

export interface ReportLeaf {
  contribution: number;
  amount: bigint;
  /** The method's value of the contribution (any sign, the method's units). */
  value: bigint;
}

export interface ReportDocument {
  model: number;
  window: number;
  method: { name: string; version: number; params: Hex };
  inputsHash: Hex;
  queryLog: { root: Hex; count: number };
  pot: bigint;
  fee: bigint;
  distributable: bigint;
  /** Σ amounts: the distributable pot, or 0 when no contribution had a positive value. */
  total: bigint;
  root: Hex;
  leaves: ReportLeaf[];
  /** Contributions valued at or below zero: they receive nothing (evidence for curators). */
  zeroValued: number[];
  collapsed: Collapsed[];
  points: { contribution: number; total: number; kept: number }[];
}

export function encodeReport(r: ReportDocument): Uint8Array {
  const json = {
    format: REPORT_FORMAT,
    ...r,
    pot: r.pot.toString(),
    fee: r.fee.toString(),
    distributable: r.distributable.toString(),
    total: r.total.toString(),
    leaves: r.leaves.map((l) => ({
      contribution: l.contribution,
      amount: l.amount.toString(),
      value: l.value.toString(),
    })),
  };
  return new TextEncoder().encode(`${JSON.stringify(json, null, 1)}\n`);
}

/** Parses a report and checks that its leaves add up to its total and rebuild its root. */
export function parseReport(bytes: Uint8Array): ReportDocument {
  const what = "report";
  const doc = parseJson(bytes, what);
  formatOf(doc, REPORT_FORMAT, what);
  const method = field(doc, "method", what, isObject, "an object");
  const queryLog = field(doc, "queryLog", what, isObject, "an object");
  const leaves = list(doc, "leaves", what, (v, where) => ({
    contribution: field(v, "contribution", where, isId, "a contribution id"),
    amount: BigInt(field(v, "amount", where, isAmount, "an amount in planck as a decimal string")),
    value: BigInt(field(v, "value", where, isValue, "a value as a decimal string")),
  }));
  const report: ReportDocument = {
    model: field(doc, "model", what, isId, "a model id"),
    window: field(doc, "window", what, isId, "a window"),
    method: {
      name: field(method, "name", what, isString, "a method name"),
      version: field(method, "version", what, isId, "a version"),
      params: field(
        method,
        "params",
        what,
        (v): v is Hex => typeof v === "string" && /^0x([0-9a-f]{2})*$/.test(v),
        "hex",
      ),
    },
    inputsHash: field(doc, "inputsHash", what, isHash, "a hash"),
    queryLog: {
      root: field(queryLog, "root", what, isHash, "a hash"),
      count: field(queryLog, "count", what, isId, "a count"),
    },
    pot: BigInt(field(doc, "pot", what, isAmount, "an amount")),
    fee: BigInt(field(doc, "fee", what, isAmount, "an amount")),
    distributable: BigInt(field(doc, "distributable", what, isAmount, "an amount")),
    total: BigInt(field(doc, "total", what, isAmount, "an amount")),
    root: field(doc, "root", what, isHash, "a hash"),
    leaves,
    zeroValued: field(
      doc,
      "zeroValued",
      what,
      (v): v is number[] => isArray(v) && v.every(isId),
      "a list of ids",
    ),
    collapsed: field(doc, "collapsed", what, isArray, "a list") as Collapsed[],
    points: field(doc, "points", what, isArray, "a list") as ReportDocument["points"],
  };
  for (let i = 1; i < leaves.length; i++)
    if (leaves[i]!.contribution <= leaves[i - 1]!.contribution)
      throw formatError(what, "leaves must be in ascending contribution order, each once");
  const sum = leaves.reduce((a, l) => a + l.amount, 0n);
  if (sum !== report.total)
    throw formatError(what, `the leaves add up to ${sum}, not its total ${report.total}`);
  const root = toHex(
    reportRoot(leaves.map((l) => ({ contributionId: l.contribution, amount: l.amount }))),
  );
  if (root !== report.root)
    throw formatError(what, `its leaves rebuild the root ${root}, not ${report.root}`);
  return report;
}
