// The data registry: the pallet, and the reads, economics and version proofs that the RPC
// layer, the wallet and other pallets (attribution) use.

export {
  type EpochActivity,
  epochActivity,
  highQualityIn,
  newContributorsIn,
  pruneActivity,
  submittedIn,
} from "./activity.ts";
export { isCurator, isListedCurator } from "./checks.ts";
export { inStanding, stakeOf } from "./curation.ts";
export {
  basePendingLimit,
  nextReputation,
  pendingLimit,
  requiredBond,
  share,
} from "./economics.ts";
export { REGISTRY_ERRORS, type RegistryErrorName } from "./errors.ts";
export type { RegistryEventName } from "./events.ts";
export { registryInvariants } from "./invariants.ts";
export { registry } from "./pallet.ts";
export {
  type ContributionFilter,
  contributorContributionIds,
  DueKind,
  datanetContributionIds,
  getChallenge,
  getContribution,
  getCurator,
  getDatanet,
  getReputation,
  getVersion,
  heldBy,
  isStakeholder,
  keys,
  listContributions,
  listDatanets,
  pendingCount,
  storage,
  versionEntries,
  versionEntriesFrom,
  versionWeight,
} from "./storage.ts";
export * from "./types.ts";
export {
  buildVersionProof,
  type VersionProof,
  verifyVersionProof,
  versionLeaf,
  versionRoot,
} from "./versions.ts";
