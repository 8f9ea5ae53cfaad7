// The knn-shapley method and the report it feeds, checked against brute force: exact Shapley values
// computed over every coalition in rational arithmetic, written here from the definition and not
// from the method's recursion; the Shapley axioms (efficiency, symmetry); the allocation's
// exactness; byte-identical roots from independent runs; the duplicate collapse; the file format.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toHex } from "../../../primitives/bytes.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import { integerSqrt } from "../../../runtime/measurement/duplicates.ts";
import {
  allocate,
  collapseNearDuplicates,
  decodeKnnParams,
  decodeVectors,
  encodeVectors,
  findMethod,
  KNN_SCALE,
  knnShapley,
  knnShapleyParams,
  type LabelledVectors,
  MeasurementError,
  reportProof,
  reportRoot,
  trainingSet,
  VectorElement,
  verifyReportProof,
} from "../../../runtime/measurement/index.ts";
import { KNN_SHAPLEY_V1_SPEC_HASH } from "../../../runtime/measurement/methods.ts";

// ---- exact rationals ----

interface Q {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const q = (n: bigint, d = 1n): Q => {
  const g = gcd(n, d) || 1n;
  return d < 0n ? { n: -n / g, d: -d / g } : { n: n / g, d: d / g };
};
const add = (a: Q, b: Q) => q(a.n * b.d + b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q) => q(a.n * b.n, a.d * b.d);
const eq = (a: Q, b: Q) => a.n === b.n && a.d === b.d;

/** U(S) for one query: the share of S's K nearest (by distance, ties by index) with the query's label. */
function utility(subset: number[], dist: number[], correct: boolean[], k: number): Q {
  const nearest = [...subset].sort((a, b) => dist[a]! - dist[b]! || a - b).slice(0, k);
  return q(BigInt(nearest.filter((i) => correct[i]).length), BigInt(k));
}

/** Exact Shapley values of every point by the definition: a weighted sum over all coalitions. */
function bruteShapley(
  points: number[][],
  labels: number[],
  query: number[],
  label: number,
  k: number,
): Q[] {
  const n = points.length;
  const dist = points.map((p) => p.reduce((s, x, t) => s + (x - query[t]!) ** 2, 0));
  const correct = labels.map((l) => l === label);
  const fact = (m: number): bigint => (m <= 1 ? 1n : BigInt(m) * fact(m - 1));
  return points.map((_, i) => {
    let value = q(0n);
    const others = [...Array(n).keys()].filter((j) => j !== i);
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const s = others.filter((_, b) => mask & (1 << b));
      const weight = q(fact(s.length) * fact(n - s.length - 1), fact(n));
      const gain = add(
        utility([...s, i], dist, correct, k),
        mul(q(-1n), utility(s, dist, correct, k)),
      );
      value = add(value, mul(weight, gain));
    }
    return value;
  });
}

function vectors(points: number[][], labels: number[]): LabelledVectors {
  const dimension = points[0]!.length;
  return {
    element: VectorElement.u8,
    dimension,
    labels: Uint16Array.from(labels),
    values: Int32Array.from(points.flat()),
  };
}

const pointArb = (dimension: number) =>
  fc.array(fc.integer({ min: 0, max: 6 }), { minLength: dimension, maxLength: dimension });
const datasetArb = fc.integer({ min: 1, max: 3 }).chain((dimension) =>
  fc.record({
    points: fc.array(pointArb(dimension), { minLength: 1, maxLength: 7 }),
    labels: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 7, maxLength: 7 }),
    query: pointArb(dimension),
    queryLabel: fc.integer({ min: 0, max: 2 }),
    k: fc.integer({ min: 1, max: 9 }),
  }),
);

/** The method's values for one query with duplicates never collapsed (δ = 0 on distinct points). */
function methodValues(
  points: number[][],
  labels: number[],
  query: number[],
  queryLabel: number,
  k: number,
) {
  const files = points.map((p, i) => vectors([p], [labels[i]!]));
  return knnShapley(
    { k, duplicateDistance: 0, rawFeatures: false },
    trainingSet(files),
    [vectors([query], [queryLabel])],
    files.length,
  );
}

const distinct = (points: number[][]) =>
  new Set(points.map((p) => p.join(","))).size === points.length;

describe("knn-shapley v1", () => {
  it("equals the exact Shapley value of every point within the floors' bound, for any K against N", () => {
    fc.assert(
      fc.property(datasetArb, ({ points, labels, query, queryLabel, k }) => {
        fc.pre(distinct(points));
        const exact = bruteShapley(points, labels, query, queryLabel, k);
        const got = methodValues(points, labels, query, queryLabel, k).values;
        const n = BigInt(points.length);
        for (const [i, value] of got.entries()) {
          // |value − S·exact| < N: each of at most N floors moves it by less than one unit.
          const scaled = mul(exact[i]!, q(BigInt(KNN_SCALE)));
          const error = add(q(value), mul(q(-1n), scaled));
          assert.ok(
            error.n * (error.n < 0n ? -1n : 1n) < n * error.d,
            `point ${i}: ${value} vs ${scaled.n}/${scaled.d}`,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives the exact values efficiency requires: they add up to U(all) − U(∅)", () => {
    fc.assert(
      fc.property(datasetArb, ({ points, labels, query, queryLabel, k }) => {
        const exact = bruteShapley(points, labels, query, queryLabel, k);
        const dist = points.map((p) => p.reduce((s, x, t) => s + (x - query[t]!) ** 2, 0));
        const correct = labels.slice(0, points.length).map((l) => l === queryLabel);
        const all = utility([...points.keys()], dist, correct, k);
        assert.ok(eq(exact.reduce(add, q(0n)), all));
        // The method's integer values add up to S·U(all) within its rounding bound.
        if (!distinct(points)) return;
        const total = methodValues(points, labels, query, queryLabel, k).values.reduce(
          (a, b) => a + b,
          0n,
        );
        const scaled = mul(all, q(BigInt(KNN_SCALE)));
        const gap = scaled.n - total * scaled.d;
        assert.ok((gap < 0n ? -gap : gap) < BigInt(points.length) * scaled.d);
      }),
      { numRuns: 200 },
    );
  });

  it("starts the recursion at c_N · min(K, N) / (K · N): fewer points than K", () => {
    // Two points, K = 5: the exact values are 1/5 each for correct labels (both always count).
    const v = methodValues([[0], [3]], [1, 1], [0], 1, 5).values;
    const exact = bruteShapley([[0], [3]], [1, 1], [0], 1, 5);
    assert.ok(eq(exact[0]!, q(1n, 5n)) && eq(exact[1]!, q(1n, 5n)));
    assert.equal(v[0], BigInt(Math.floor(KNN_SCALE / 5)));
    assert.equal(v[1], BigInt(Math.floor(KNN_SCALE / 5)));
  });

  it("gives symmetric points equal values", () => {
    fc.assert(
      fc.property(datasetArb, fc.nat(6), ({ points, labels, query, queryLabel, k }, pick) => {
        // A mirror of a point across the query has the same distance; give it the same label.
        const i = pick % points.length;
        const mirror = points[i]!.map((x, t) => 2 * query[t]! - x);
        fc.pre(mirror.every((x) => x >= 0 && x <= 255));
        const withMirror = [...points, mirror];
        fc.pre(distinct(withMirror));
        // Symmetric in the utility: no third point at their distance (the index tie-break would
        // tell the two apart).
        const d = (p: number[]) => p.reduce((sum, x, t) => sum + (x - query[t]!) ** 2, 0);
        fc.pre(points.every((p, j) => j === i || d(p) !== d(mirror)));
        const allLabels = [...labels.slice(0, points.length), labels[i]!];
        const exact = bruteShapley(withMirror, allLabels, query, queryLabel, k);
        assert.ok(eq(exact[i]!, exact[points.length]!));
        // The method's too, exactly: the two are neighbours in the order with equal labels.
        const got = methodValues(withMirror, allLabels, query, queryLabel, k).values;
        assert.equal(got[i], got[points.length]);
      }),
      { numRuns: 200 },
    );
  });

  it("collapses exact and near copies into the earliest point, which keeps its value", () => {
    const original = [10, 200, 30];
    const points = [original, [10, 200, 30], [12, 199, 30], [90, 0, 90]];
    const rep = collapseNearDuplicates(Int32Array.from(points.flat()), 3, 3);
    assert.deepEqual([...rep], [0, 0, 0, 3]);
    // Chains do not carry: c is within δ of b (collapsed) but not of a, so c is kept.
    const chain = collapseNearDuplicates(Int32Array.from([0, 0, 3, 0, 6, 0]), 2, 3);
    assert.deepEqual([...chain], [0, 0, 2]);
    // With a copy in a later contribution, the copy's contribution earns exactly nothing and the
    // original earns what it earns alone.
    const alone = knnShapley(
      { k: 1, duplicateDistance: 3, rawFeatures: true },
      trainingSet([vectors([original], [1]), vectors([[90, 0, 90]], [2])]),
      [
        vectors(
          [
            [11, 199, 31],
            [80, 0, 80],
          ],
          [1, 2],
        ),
      ],
      2,
    ).values;
    const copied = knnShapley(
      { k: 1, duplicateDistance: 3, rawFeatures: true },
      trainingSet([
        vectors([original], [1]),
        vectors([[90, 0, 90]], [2]),
        vectors([[11, 200, 30], original], [1, 1]),
      ]),
      [
        vectors(
          [
            [11, 199, 31],
            [80, 0, 80],
          ],
          [1, 2],
        ),
      ],
      3,
    ).values;
    assert.deepEqual(copied, [...alone, 0n]);
  });

  it("finds the same duplicates as an all-pairs search, whatever the data", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((d) =>
          fc.record({
            d: fc.constant(d),
            points: fc.array(
              fc.array(fc.integer({ min: 0, max: 9 }), { minLength: d, maxLength: d }),
              { minLength: 1, maxLength: 40 },
            ),
            delta: fc.integer({ min: 0, max: 12 }),
          }),
        ),
        ({ d, points, delta }) => {
          const got = collapseNearDuplicates(Int32Array.from(points.flat()), d, delta);
          const want: number[] = [];
          for (let j = 0; j < points.length; j++) {
            let into = j;
            for (let i = 0; i < j && into === j; i++) {
              const d2 = points[i]!.reduce((s, x, t) => s + (x - points[j]![t]!) ** 2, 0);
              if (want[i] === i && d2 <= delta * delta) into = i;
            }
            want.push(into);
          }
          assert.deepEqual([...got], want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("values a contribution whose file is not the queries' format at zero, as if it were absent", () => {
    const method = findMethod("knn-shapley", 1)!;
    const params = knnShapleyParams({ k: 1, duplicateDistance: 0, rawFeatures: false });
    const good = [
      {
        id: 1,
        features: encodeVectors(
          vectors(
            [
              [1, 2],
              [7, 7],
            ],
            [0, 1],
          ),
        ),
      },
      { id: 4, features: encodeVectors(vectors([[2, 2]], [0])) },
    ];
    const queries = [
      encodeVectors(
        vectors(
          [
            [1, 1],
            [8, 8],
          ],
          [0, 1],
        ),
      ),
    ];
    const alone = method.measure({ params, contributions: good, queries });
    const withBad = method.measure({
      params,
      contributions: [
        good[0]!,
        { id: 2, features: new TextEncoder().encode("not vectors") },
        { id: 3, features: encodeVectors(vectors([[1, 2, 3]], [0])) },
        good[1]!,
      ],
      queries,
    });
    assert.deepEqual(withBad.invalid, [2, 3]);
    assert.deepEqual(withBad.values, [alone.values[0], 0n, 0n, alone.values[1]]);
    // The queries must be readable: without them there is nothing to measure.
    assert.throws(
      () => method.measure({ params, contributions: good, queries: [new Uint8Array(3)] }),
      (e: MeasurementError) => e.code === "MEASUREMENT_FORMAT",
    );
  });

  it("takes exact integer square roots for its pruning", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const r = integerSqrt(n);
        assert.ok(BigInt(r) * BigInt(r) <= BigInt(n) && BigInt(r + 1) * BigInt(r + 1) > BigInt(n));
      }),
      { numRuns: 2000 },
    );
  });

  it("two independent runs give byte-identical roots", () => {
    const method = findMethod("knn-shapley", 1)!;
    const params = knnShapleyParams({ k: 3, duplicateDistance: 2, rawFeatures: false });
    const input = () => ({
      params,
      contributions: [
        {
          id: 2,
          features: encodeVectors(
            vectors(
              [
                [1, 2],
                [5, 5],
                [9, 1],
              ],
              [0, 1, 0],
            ),
          ),
        },
        {
          id: 7,
          features: encodeVectors(
            vectors(
              [
                [1, 5],
                [8, 8],
              ],
              [0, 1],
            ),
          ),
        },
        { id: 9, features: encodeVectors(vectors([[1, 2]], [1])) },
      ],
      queries: [
        encodeVectors(
          vectors(
            [
              [2, 2],
              [7, 7],
              [9, 0],
            ],
            [0, 1, 0],
          ),
        ),
      ],
    });
    const rootOf = () => {
      const outcome = method.measure(input());
      const amounts = allocate(
        1_000_003n,
        outcome.values.map((value, i) => ({ contributionId: input().contributions[i]!.id, value })),
      );
      return reportRoot(
        amounts.map((amount, i) => ({ contributionId: input().contributions[i]!.id, amount })),
      );
    };
    assert.equal(toHex(rootOf()), toHex(rootOf()));
    const outcome = method.measure(input());
    assert.deepEqual(outcome.collapsed, [
      { contribution: 9, point: 0, into: { contribution: 2, point: 0 } },
    ]);
    assert.deepEqual(outcome.points, [
      { total: 3, kept: 3 },
      { total: 2, kept: 2 },
      { total: 1, kept: 0 },
    ]);
  });
});

describe("the report's allocation and leaves", () => {
  it("splits the pot exactly: floors, then the largest remainders, ties to the lower id", () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 10n ** 24n),
        fc.array(fc.bigInt(-(10n ** 15n), 10n ** 15n), { minLength: 1, maxLength: 30 }),
        (pot, raw) => {
          const values = raw.map((value, i) => ({ contributionId: i * 3 + 1, value }));
          const amounts = allocate(pot, values);
          const positive = raw.filter((x) => x > 0n).reduce((a, b) => a + b, 0n);
          const sum = amounts.reduce((a, b) => a + b, 0n);
          assert.equal(sum, positive === 0n ? 0n : pot);
          for (const [i, v] of raw.entries()) {
            if (v <= 0n) assert.equal(amounts[i], 0n);
            else {
              const floor = (pot * v) / positive;
              assert.ok(amounts[i] === floor || amounts[i] === floor + 1n);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    // Three equal values of a pot of 10: the remainder planck goes to the lowest id.
    assert.deepEqual(
      allocate(10n, [
        { contributionId: 5, value: 1n },
        { contributionId: 2, value: 1n },
        { contributionId: 9, value: 1n },
      ]),
      [3n, 4n, 3n],
    );
  });

  it("proves each leaf in O(log n) siblings and no other amount or id", () => {
    const entries = Array.from({ length: 37 }, (_, i) => ({
      contributionId: i * 2,
      amount: BigInt(i * 1000),
    }));
    const root = reportRoot(entries);
    for (const [i, e] of entries.entries()) {
      const proof = reportProof(entries, i);
      assert.ok(proof.siblings.length <= 6);
      assert.ok(verifyReportProof(root, e.contributionId, e.amount, proof));
      assert.ok(!verifyReportProof(root, e.contributionId, e.amount + 1n, proof));
      assert.ok(!verifyReportProof(root, e.contributionId + 1, e.amount, proof));
    }
    assert.throws(() => reportRoot([entries[1]!, entries[0]!]), MeasurementError);
  });
});

describe("labelled-vector files and parameters", () => {
  it("round-trips both element types and refuses every malformed file with MEASUREMENT_FORMAT", () => {
    const v: LabelledVectors = {
      element: VectorElement.i16,
      dimension: 2,
      labels: Uint16Array.from([3, 65535]),
      values: Int32Array.from([-32768, 32767, 0, -1]),
    };
    assert.deepEqual(decodeVectors(encodeVectors(v)), v);
    const good = encodeVectors(vectors([[1, 2, 3]], [4]));
    const bad: [string, Uint8Array][] = [
      ["short", good.subarray(0, 10)],
      ["magic", Uint8Array.from([0x4c, 0x56, 0x45, 0x58, ...good.subarray(4)])],
      ["trailing", Uint8Array.from([...good, 0])],
      ["truncated", good.subarray(0, good.length - 1)],
      ["version", Uint8Array.from(good).fill(2, 4, 5)],
      ["element", Uint8Array.from(good).fill(9, 5, 6)],
      ["reserved", Uint8Array.from(good).fill(1, 6, 7)],
    ];
    for (const [what, bytes] of bad)
      assert.throws(
        () => decodeVectors(bytes),
        (e: MeasurementError) => e.code === "MEASUREMENT_FORMAT",
        what,
      );
  });

  it("refuses parameters out of range or not canonical with MEASUREMENT_PARAMS", () => {
    assert.deepEqual(
      decodeKnnParams(knnShapleyParams({ k: 5, duplicateDistance: 192, rawFeatures: true })),
      {
        k: 5,
        duplicateDistance: 192,
        rawFeatures: true,
      },
    );
    for (const bytes of [
      new Uint8Array(),
      Uint8Array.from([8, 0]),
      Uint8Array.from([8, 0x81, 0x10]),
      Uint8Array.from([0x28, 1]),
    ])
      assert.throws(
        () => decodeKnnParams(bytes),
        (e: MeasurementError) => e.code === "MEASUREMENT_PARAMS",
      );
  });

  it("registers the frozen specification's hash", () => {
    const spec = readFileSync(new URL("../../../docs/methods/knn-shapley-v1.md", import.meta.url));
    assert.equal(toHex(blake2b256(spec)), toHex(KNN_SHAPLEY_V1_SPEC_HASH));
  });
});
