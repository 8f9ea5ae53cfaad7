// Attribution methods as the attestors run them. The chain stores a method as (name, version,
// parameter bytes) and never interprets it (the attribution pallet's `registerMethod`); what a
// name and version mean is this table. A new method — span matching of generated text against
// contributions, as infini-gram does — is a new entry here with its own file formats and its own
// specification in docs/attribution.md; the pallets do not change.
import { fromHex } from "../../primitives/bytes.ts";
import { MeasurementError } from "./errors.ts";
import {
  decodeKnnParams,
  encodeKnnParams,
  type KnnShapleyParams,
  knnShapley,
  trainingSet,
} from "./knn-shapley.ts";
import { decodeVectors, VectorElement } from "./vectors.ts";

export interface MethodInput {
  /** The parameter bytes registered on chain with the method. */
  params: Uint8Array;
  /** Every contribution of the model's manifest, ids ascending, with its feature file. */
  contributions: { id: number; features: Uint8Array }[];
  /** The window's query files, in query-log order. */
  queries: Uint8Array[];
}

/** A point (or other unit of data) that was collapsed into an earlier one and earns nothing. */
export interface Collapsed {
  contribution: number;
  point: number;
  into: { contribution: number; point: number };
}

export interface MethodOutcome {
  /** Per contribution, in the input's order: its measured value (any sign; units are the method's). */
  values: bigint[];
  /** Units of data each contribution had, and how many were valued (not collapsed). */
  points: { total: number; kept: number }[];
  collapsed: Collapsed[];
  /** Contributions whose data could not be read as the method's format: no points, value 0. */
  invalid: number[];
  queries: number;
}

export interface AttributionMethod {
  readonly name: string;
  readonly version: number;
  /** The parameters as a plain object; throws MEASUREMENT_PARAMS when they are not valid. */
  describe(params: Uint8Array): Record<string, unknown>;
  /** Whether each feature file must be the contribution's registered content (its content hash). */
  featuresAreContent(params: Uint8Array): boolean;
  measure(input: MethodInput): MethodOutcome;
}

const knnShapleyV1: AttributionMethod = {
  name: "knn-shapley",
  version: 1,
  describe: (params) => ({ ...decodeKnnParams(params) }),
  featuresAreContent: (params) => decodeKnnParams(params).rawFeatures,
  measure(input) {
    const params = decodeKnnParams(input.params);
    for (let i = 1; i < input.contributions.length; i++)
      if (input.contributions[i]!.id <= input.contributions[i - 1]!.id)
        throw new MeasurementError(
          "MEASUREMENT_INPUT",
          "contributions must be in ascending id order",
        );
    const queries = input.queries.map((q, i) => decodeVectors(q, `query file ${i}`));
    const dimension = queries[0]?.dimension;
    if (dimension === undefined) throw new MeasurementError("MEASUREMENT_INPUT", "no query files");
    for (const [i, q] of queries.entries())
      if (q.dimension !== dimension)
        throw new MeasurementError(
          "MEASUREMENT_INPUT",
          `query file ${i} has dimension ${q.dimension}, the first has ${dimension}`,
        );
    // A contribution whose file is not a labelled-vector file of the queries' dimension has no
    // points: it is valued 0 and listed, and the others are valued as if it were absent.
    const invalid: number[] = [];
    const files = input.contributions.map((c) => {
      try {
        const f = decodeVectors(c.features, `contribution #${c.id}'s features`);
        if (f.dimension === dimension) return f;
      } catch (error) {
        if (!(error instanceof MeasurementError)) throw error;
      }
      invalid.push(c.id);
      return {
        element: VectorElement.u8,
        dimension,
        labels: new Uint16Array(),
        values: new Int32Array(),
      };
    });
    const train = trainingSet(files);
    const valuation = knnShapley(params, train, queries, files.length);
    const points = files.map((f) => ({ total: f.labels.length, kept: 0 }));
    const collapsed: Collapsed[] = [];
    const idOf = (point: number) => input.contributions[train.owner[point]!]!.id;
    for (let j = 0; j < valuation.representative.length; j++) {
      const into = valuation.representative[j]!;
      if (into === j) points[train.owner[j]!]!.kept++;
      else
        collapsed.push({
          contribution: idOf(j),
          point: train.position[j]!,
          into: { contribution: idOf(into), point: train.position[into]! },
        });
    }
    return { values: valuation.values, points, collapsed, invalid, queries: valuation.queries };
  },
};

export const METHODS: readonly AttributionMethod[] = [knnShapleyV1];

/**
 * blake2b-256 of docs/methods/knn-shapley-v1.md, the method's frozen specification: what the
 * chain registers as its `specHash` (a unit test checks the two agree).
 */
export const KNN_SHAPLEY_V1_SPEC_HASH = fromHex(
  "0x563747afded7d710330f4b71d8dfaccb71d179a0d23bf4de8d73523b5e7f166d",
);

export function findMethod(name: string, version: number): AttributionMethod | undefined {
  return METHODS.find((m) => m.name === name && m.version === version);
}

/** The parameter bytes of knn-shapley v1, for chain specs, the CLI and tests. */
export function knnShapleyParams(p: KnnShapleyParams): Uint8Array {
  return encodeKnnParams(p);
}
