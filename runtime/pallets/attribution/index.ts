// Attribution accounting: the pallet, the reward-pool arithmetic, the payment splits and the
// reads the RPC layer, the wallet and the emission pallet use.
export { ATTRIBUTION_ERRORS, type AttributionErrorName } from "./errors.ts";
export { ATTRIBUTION_EVENTS, ATTRIBUTION_INDEX } from "./events.ts";
export { attributionInvariants } from "./invariants.ts";
export { mintIntoPool } from "./ledger.ts";
export { mintIntoWindow, settleDeclared, settleMeasured } from "./measured.ts";
export {
  type EpochWindowFee,
  epochMeasuredFees,
  getMethod,
  getSettlement,
  getWindowPot,
  leafClaimedAt,
  listMethods,
  type MethodEntry,
  measuredKeys,
  measuredStorage,
  takeEndedWindows,
  windowEndEpoch,
  windowOf,
} from "./measured-storage.ts";
export { attribution } from "./pallet.ts";
export {
  ACC_PRECISION,
  claimable,
  deposit,
  entitlement,
  FRESH_POSITION,
  newPool,
  noteSlash,
  type PoolPosition,
  poolBalance,
  type RewardPool,
} from "./pool.ts";
export { splitInference, splitLicence } from "./split.ts";
export {
  ATTRIBUTION_ACCOUNT,
  type ClaimableEntry,
  claimableByContributor,
  claimableFor,
  type EpochCounters,
  type EpochPoolFee,
  epochCounters,
  epochEligibleFees,
  epochPoolFees,
  epochProtocolFees,
  getModel,
  getPool,
  getPosition,
  hasLicence,
  keys,
  listModels,
  prunePayers,
  quoteInference,
  slashPending,
  storage,
} from "./storage.ts";
export * from "./types.ts";
