// The reference attestor's measurement against files on disk: an honest run gives the report whose
// root the method and allocation imply, and every way the files can disagree with what the chain
// committed — a tampered query file, a listing whose root is not the committed one, an inputs index
// over other contributions, raw features that are not the registered content, a query count that
// does not add up, an unknown method — is a typed error and no report at all.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  AttestError,
  encodeInputsIndex,
  encodeQueryLog,
  encodeReport,
  parseReport,
  queryLogRoot,
} from "../../../node/attest/files.ts";
import { measureWindow, misreport, type WindowFacts } from "../../../node/attest/measure.ts";
import { toHex } from "../../../primitives/bytes.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import type { Hex, RpcMeasuredContribution, RpcModel, RpcWindow } from "../../../rpc/node-api.ts";
import {
  allocate,
  encodeVectors,
  knnShapleyParams,
  reportRoot,
  VectorElement,
} from "../../../runtime/measurement/index.ts";

const dir = mkdtempSync(join(tmpdir(), "lineage-measure-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array) => toHex(b) as Hex;
const vectors = (rows: number[][], labels: number[]) =>
  encodeVectors({
    element: VectorElement.u8,
    dimension: rows[0]!.length,
    labels: Uint16Array.from(labels),
    values: Int32Array.from(rows.flat()),
  });

function write(name: string, bytes: Uint8Array): { path: string; hash: Hex } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, hash: hex(blake2b256(bytes)) };
}

/** A window of three contributions and two query files, consistent unless `spoil` changes it. */
function facts(
  spoil: (f: {
    model: RpcModel;
    window: RpcWindow;
    contributions: RpcMeasuredContribution[];
  }) => void = () => {},
): WindowFacts {
  const data = [
    write(
      "a.lvec",
      vectors(
        [
          [0, 0],
          [1, 0],
          [9, 9],
        ],
        [0, 0, 1],
      ),
    ),
    write(
      "b.lvec",
      vectors(
        [
          [8, 9],
          [0, 1],
        ],
        [1, 0],
      ),
    ),
    write("c.lvec", vectors([[9, 8]], [0])),
  ];
  const inputs = write(
    "inputs.json",
    encodeInputsIndex(data.map((d, i) => ({ contribution: i * 2, uri: d.path, hash: d.hash }))),
  );
  const q = [
    write(
      "q0.lvec",
      vectors(
        [
          [0, 0],
          [9, 9],
        ],
        [0, 1],
      ),
    ),
    write("q1.lvec", vectors([[1, 1]], [0])),
  ];
  const files = q.map((f, i) => ({ uri: f.path, hash: f.hash, queries: i === 0 ? 2 : 1 }));
  const log = write("log.json", encodeQueryLog({ model: 3, window: 1, files }));
  const model: RpcModel = {
    id: 3,
    owner: "",
    metadataUri: "",
    manifest: [],
    pricePerUnit: "1",
    dataSharePpm: 500_000,
    retired: false,
    registeredAt: 0,
    measurement: {
      method: "knn-shapley",
      methodVersion: 1,
      inputsHash: inputs.hash,
      inputsUri: inputs.path,
      windowEpochs: 1,
      startEpoch: 0,
      server: null,
    },
  };
  const window = {
    model: 3,
    window: 1,
    round: 0,
    phase: "commit",
    pot: "1000003",
    fee: "3",
    distributable: "1000000",
    queryLog: { root: hex(queryLogRoot(files)), count: 3, uri: log.path },
  } as RpcWindow;
  const contributions = data.map(
    (d, i) =>
      ({
        id: i * 2,
        datanet: 0,
        contributor: "",
        contentHash: d.hash,
        metadataUri: d.path,
        status: "accepted",
      }) as RpcMeasuredContribution,
  );
  spoil({ model, window, contributions });
  return {
    model,
    window,
    contributions,
    params: knnShapleyParams({ k: 1, duplicateDistance: 0, rawFeatures: true }),
  };
}

const refused = async (f: WindowFacts, code: string, pattern: RegExp) =>
  assert.rejects(measureWindow(f), (e: AttestError) => {
    assert.ok(e instanceof AttestError);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });

describe("the reference attestor's measurement", () => {
  it("values the window's contributions and allocates its distributable pot exactly", async () => {
    const { report, outcome } = await measureWindow(facts());
    assert.equal(outcome.queries, 3);
    assert.equal(report.total, 1_000_000n);
    const amounts = allocate(
      1_000_000n,
      outcome.values.map((value, i) => ({ contributionId: i * 2, value })),
    );
    assert.deepEqual(
      report.leaves.map((l) => l.amount),
      amounts,
    );
    assert.equal(
      report.root,
      toHex(reportRoot(amounts.map((amount, i) => ({ contributionId: i * 2, amount })))),
    );
    assert.deepEqual(
      report.zeroValued,
      report.leaves.filter((l) => l.value <= 0n).map((l) => l.contribution),
    );
    // The file it publishes parses back to the same report, and a wrong root never does.
    assert.deepEqual(parseReport(encodeReport(report)), report);
    const lie = misreport(report);
    assert.notEqual(lie.root, report.root);
    assert.throws(
      () => parseReport(encodeReport({ ...lie, root: report.root })),
      (e: AttestError) => e.code === "ATTEST_FORMAT",
    );
  });

  it("refuses a query file whose bytes are not the ones the log lists", async () => {
    const f = facts();
    writeFileSync(join(dir, "q1.lvec"), vectors([[2, 2]], [0]));
    await refused(
      f,
      "ATTEST_HASH",
      /query file 1 at .*q1\.lvec: its hash is 0x[0-9a-f]{64}, the chain holds/,
    );
  });

  it("refuses a listing whose root is not the one committed on chain", async () => {
    await refused(
      facts(({ window }) => {
        window.queryLog!.root = hex(blake2b256(new Uint8Array([1])));
      }),
      "ATTEST_HASH",
      /the query log .* has root/,
    );
  });

  it("refuses a query count that does not add up", async () => {
    await refused(
      facts(({ window }) => {
        window.queryLog!.count = 4;
      }),
      "ATTEST_INPUTS",
      /lists 3 queries, the chain 4/,
    );
  });

  it("refuses an inputs index over other contributions than the manifest's", async () => {
    await refused(
      facts(({ contributions }) => {
        contributions.pop();
      }),
      "ATTEST_INPUTS",
      /lists contributions \[0,2,4\], the manifest's versions hold \[0,2\]/,
    );
  });

  it("refuses raw features that are not the contribution's registered content", async () => {
    await refused(
      facts(({ contributions }) => {
        contributions[1]!.contentHash = hex(blake2b256(new Uint8Array([5])));
      }),
      "ATTEST_INPUTS",
      /contribution #2: knn-shapley uses the registered content/,
    );
  });

  it("refuses an inputs index that is not the one the model committed to", async () => {
    await refused(
      facts(({ model }) => {
        model.measurement!.inputsHash = hex(blake2b256(new Uint8Array([9])));
      }),
      "ATTEST_HASH",
      /the model's inputs index/,
    );
  });

  it("refuses a method it does not implement, and files it cannot read", async () => {
    await refused(
      facts(({ model }) => {
        model.measurement!.methodVersion = 7;
      }),
      "ATTEST_INPUTS",
      /does not implement knn-shapley v7/,
    );
    await refused(
      facts(({ window }) => {
        window.queryLog!.uri = join(dir, "missing.json");
      }),
      "ATTEST_FETCH",
      /ENOENT/,
    );
  });
});
