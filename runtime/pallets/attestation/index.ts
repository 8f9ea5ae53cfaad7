// Attestation: bonded attestors, the selection of each measured window's rounds, commit–reveal,
// quorum, disputes, escalation to the council and the fallback to the declared manifest.
export { type CommittedReport, commitmentOf, UNMEASURABLE_ROOT } from "./commitment.ts";
export { ATTESTATION_ERRORS, type AttestationErrorName } from "./errors.ts";
export { ATTESTATION_EVENTS, ATTESTATION_INDEX } from "./events.ts";
export { attestation } from "./pallet.ts";
export { FallbackReason } from "./rounds.ts";
export { eligibleAttestors, roundSize, select, selectionSeed } from "./selection.ts";
export {
  getAttestor,
  getCommit,
  getDispute,
  getReveal,
  getRound,
  getWindow,
  heldBy,
  keys,
  listAttestors,
  modelWindows,
  storage,
} from "./storage.ts";
export * from "./types.ts";
