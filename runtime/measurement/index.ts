// Measured attribution's methods and reports: deterministic, integer-only valuation of
// contributions (exact KNN-Shapley first), the exact allocation of a window's pot and the Merkle
// leaves the chain pays claims against. Attestors run the methods; the chain only checks roots.
export { collapseNearDuplicates } from "./duplicates.ts";
export { MeasurementError } from "./errors.ts";
export {
  decodeKnnParams,
  KNN_SCALE,
  type KnnShapleyParams,
  type KnnValuation,
  knnShapley,
  type TrainingSet,
  trainingSet,
} from "./knn-shapley.ts";
export {
  type AttributionMethod,
  type Collapsed,
  findMethod,
  knnShapleyParams,
  METHODS,
  type MethodInput,
  type MethodOutcome,
} from "./methods.ts";
export {
  allocate,
  REPORT_LEAF_BYTES,
  type ReportEntry,
  reportLeaf,
  reportProof,
  reportRoot,
  verifyReportProof,
} from "./report.ts";
export {
  decodeVectors,
  encodeVectors,
  type LabelledVectors,
  MAX_DIMENSION,
  VectorElement,
} from "./vectors.ts";
