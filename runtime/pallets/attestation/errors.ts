// The attestation pallet's errors: stable names (codes are "Attestation.<Name>") and messages.
import { DispatchError } from "../../errors.ts";
import { NAME } from "./storage.ts";

export const ATTESTATION_ERRORS = {
  BadOrigin: "bad origin",
  ZeroAmount: "the amount must be positive",
  BondTooLow: "an attestor's bond must reach attestationMinBond",
  TooManyAttestors: "attestationMaxAttestors attestors are bonded already",
  InsufficientBalance: "free balance too low",
  NotAttestor: "the account is not a bonded attestor",
  Unbonding: "the attestor is unbonding",
  NotUnbonding: "the attestor has not unbonded",
  StillBonded: "the unbonding delay has not passed",
  StillAssigned: "a window that selected the attestor is not settled yet",
  UnknownModel: "no such model",
  NotMeasured: "the model is not measured",
  NotOpen: "the window is not open: it holds nothing yet, or its epochs have not all been minted",
  NotServer: "only the model's owner or its server commits its query logs",
  WrongPhase: "the window is not in the phase this call needs",
  WrongRound: "the window is in another round",
  QueryCountMismatch: "the query log must hold exactly the inference units paid in the window",
  BadHash: "a hash, commitment or salt is 32 bytes",
  TooLong: "text too long",
  NotSelected: "the account is not selected for this window's round",
  AlreadyCommitted: "the attestor committed in this round already",
  NotCommitted: "the attestor did not commit in this round",
  AlreadyRevealed: "the attestor revealed in this round already",
  CommitMismatch: "the reveal does not match the commitment",
  TotalMismatch: "a report allocates exactly the window's distributable pot, or nothing",
  ZeroLeaves: "a report has at least one leaf",
  TooManyLeaves: "a report has one leaf per contribution of the manifest's versions, no more",
  AlreadyDisputed: "the round's result is disputed already",
} as const;
export type AttestationErrorName = keyof typeof ATTESTATION_ERRORS;

export function attestationError(name: AttestationErrorName, detail?: string): DispatchError {
  const message = ATTESTATION_ERRORS[name];
  return new DispatchError(NAME, name, detail ? `${message}: ${detail}` : message);
}
