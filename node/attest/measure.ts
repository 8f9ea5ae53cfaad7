// One measurement as the reference attestor makes it: fetch everything the window's report depends
// on, check each piece against what the chain committed, run the method, allocate the pot and
// build the report. Any mismatch is a typed error and no report: an attestor never reveals a root
// over inputs it could not verify.
import { bytesEqual, fromHex, toHex } from "../../primitives/bytes.ts";
import type { RpcMeasuredContribution, RpcModel, RpcWindow } from "../../rpc/node-api.ts";
import {
  allocate,
  findMethod,
  type MethodOutcome,
  reportRoot,
} from "../../runtime/measurement/index.ts";
import {
  AttestError,
  fetchChecked,
  fetchUri,
  MAX_INDEX_BYTES,
  parseInputsIndex,
  parseQueryLog,
  queryCount,
  queryLogRoot,
  type ReportDocument,
} from "./files.ts";

/** What the chain says about the window, read over RPC. */
export interface WindowFacts {
  model: RpcModel;
  window: RpcWindow;
  /** The method's parameter bytes as registered. */
  params: Uint8Array;
  /** Every contribution the report covers, ids ascending. */
  contributions: RpcMeasuredContribution[];
}

export interface Measured {
  report: ReportDocument;
  outcome: MethodOutcome;
  /** Bytes fetched and checked: inputs and queries. */
  bytes: number;
}

/** Fetches, checks, values and allocates: the report this window's honest attestors agree on. */
export async function measureWindow(facts: WindowFacts): Promise<Measured> {
  const { model, window, params, contributions } = facts;
  const m = model.measurement;
  const log = window.queryLog;
  if (!m) throw new AttestError("ATTEST_INPUTS", `model #${model.id} is not measured`);
  if (!log || window.distributable === null || window.pot === null || window.fee === null)
    throw new AttestError(
      "ATTEST_INPUTS",
      `window ${window.window} of model #${model.id} has no query log yet`,
    );
  const method = findMethod(m.method, m.methodVersion);
  if (!method)
    throw new AttestError(
      "ATTEST_INPUTS",
      `this attestor does not implement ${m.method} v${m.methodVersion}`,
    );
  const rawFeatures = method.featuresAreContent(params);

  const index = parseInputsIndex(
    await fetchChecked(
      m.inputsUri,
      fromHex(m.inputsHash),
      "the model's inputs index",
      MAX_INDEX_BYTES,
    ),
  );
  const listed = index.map((f) => f.contribution).join(",");
  const expected = contributions.map((c) => c.id).join(",");
  if (listed !== expected)
    throw new AttestError(
      "ATTEST_INPUTS",
      `the inputs index lists contributions [${listed}], the manifest's versions hold [${expected}]`,
    );
  let bytes = 0;
  const features: { id: number; features: Uint8Array }[] = [];
  for (const [i, file] of index.entries()) {
    const c = contributions[i]!;
    if (rawFeatures && file.hash !== c.contentHash)
      throw new AttestError(
        "ATTEST_INPUTS",
        `contribution #${c.id}: ${m.method} uses the registered content, whose hash is ${c.contentHash}, but the index lists ${file.hash}`,
      );
    const data = await fetchChecked(
      file.uri,
      fromHex(file.hash),
      `contribution #${c.id}'s features`,
    );
    bytes += data.length;
    features.push({ id: c.id, features: data });
  }

  const listing = parseQueryLog(await fetchUri(log.uri, MAX_INDEX_BYTES));
  if (listing.model !== model.id || listing.window !== window.window)
    throw new AttestError(
      "ATTEST_INPUTS",
      `the query log at ${log.uri} is for window ${listing.window} of model #${listing.model}`,
    );
  const root = toHex(queryLogRoot(listing.files));
  if (root !== log.root)
    throw new AttestError(
      "ATTEST_HASH",
      `the query log at ${log.uri} has root ${root}, the chain holds ${log.root}`,
    );
  if (queryCount(listing.files) !== log.count)
    throw new AttestError(
      "ATTEST_INPUTS",
      `the query log lists ${queryCount(listing.files)} queries, the chain ${log.count}`,
    );
  const queries: Uint8Array[] = [];
  for (const [i, file] of listing.files.entries()) {
    const data = await fetchChecked(file.uri, fromHex(file.hash), `query file ${i}`);
    bytes += data.length;
    queries.push(data);
  }

  const outcome = method.measure({ params, contributions: features, queries });
  if (outcome.queries !== log.count)
    throw new AttestError(
      "ATTEST_INPUTS",
      `the query files hold ${outcome.queries} queries, the log says ${log.count}`,
    );
  const distributable = BigInt(window.distributable);
  const amounts = allocate(
    distributable,
    outcome.values.map((value, i) => ({ contributionId: features[i]!.id, value })),
  );
  const entries = amounts.map((amount, i) => ({ contributionId: features[i]!.id, amount }));
  const total = amounts.reduce((a, b) => a + b, 0n);
  const report: ReportDocument = {
    model: model.id,
    window: window.window,
    method: { name: m.method, version: m.methodVersion, params: toHex(params) as `0x${string}` },
    inputsHash: m.inputsHash,
    queryLog: { root: log.root, count: log.count },
    pot: BigInt(window.pot),
    fee: BigInt(window.fee),
    distributable,
    total,
    root: toHex(reportRoot(entries)) as `0x${string}`,
    leaves: entries.map((e, i) => ({
      contribution: e.contributionId,
      amount: e.amount,
      value: outcome.values[i]!,
    })),
    zeroValued: features.filter((_, i) => outcome.values[i]! <= 0n).map((f) => f.id),
    collapsed: outcome.collapsed,
    points: outcome.points.map((p, i) => ({ contribution: features[i]!.id, ...p })),
  };
  return { report, outcome, bytes };
}

/** A deliberately wrong report for fault-injection tests: the whole pot to the first contribution. */
export function misreport(report: ReportDocument): ReportDocument {
  const leaves = report.leaves.map((l, i) => ({ ...l, amount: i === 0 ? report.total : 0n }));
  const root = reportRoot(
    leaves.map((l) => ({ contributionId: l.contribution, amount: l.amount })),
  );
  if (bytesEqual(root, fromHex(report.root))) return report;
  return { ...report, leaves, root: toHex(root) as `0x${string}` };
}
