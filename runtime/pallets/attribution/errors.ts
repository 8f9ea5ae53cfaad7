// The attribution pallet's errors: stable names (codes are "Attribution.<Name>") and messages.
import { DispatchError } from "../../errors.ts";

export const NAME = "Attribution";

export const ATTRIBUTION_ERRORS = {
  BadOrigin: "bad origin",
  TooLong: "text too long",
  TooMany: "list too long",
  EmptyManifest: "a model's manifest lists at least one datanet version",
  ManifestSum: "manifest weights must sum to 1,000,000 ppm",
  ManifestSkew:
    "a manifest entry weighs more than attributionManifestMaxFactorPpm times its share of the manifest's data, or less than that share divided by it",
  DuplicateEntry: "a datanet version appears twice in the manifest",
  ZeroWeight: "a manifest entry has zero weight",
  DataShareTooLow: "the data share is below the protocol minimum",
  DataShareTooHigh: "the data share exceeds 1,000,000 ppm",
  ZeroPrice: "the price per unit must be positive",
  UnknownDatanet: "no such datanet",
  UnknownVersion: "no such datanet version",
  EmptyVersion: "the datanet version holds no weight",
  Restricted: "the datanet's licence is restricted and the account is not on its allow-list",
  NotCommercial: "the datanet's licence does not allow commercial use",
  AlreadyLicensed: "the account already holds this licence",
  UnknownModel: "no such model",
  NotModelOwner: "only the model's owner may do this",
  Retired: "the model is retired",
  ZeroUnits: "pay for at least one unit",
  PriceAboveMax: "the price exceeds maxTotal",
  InsufficientBalance: "free balance too low",
  UnknownContribution: "no such contribution",
  NotContributor: "only the contributor may claim for a contribution",
  NotInVersion: "the contribution is not in this datanet version",
  NotSlashed: "the contribution is not slashed",
  BelowExistentialDeposit: "the claim would create an account below the existential deposit",
  UnknownMethod: "no such attribution method",
  MethodRetired: "the attribution method is retired",
  MethodExists: "the attribution method version is registered already",
  BadMethodName: "a method name is 1 to 32 characters of a-z, 0-9 and -",
  BadHash: "a hash is 32 bytes",
  BadServer: "the server is a 32-byte account id",
  NotSettled: "the window is not settled by a report",
  AlreadyClaimed: "this report leaf was claimed already",
  BadProof: "the proof does not show this leaf in the window's report root",
  NothingToClaim: "the leaf's amount is zero",
  Overclaimed: "the window's report pays out more than its pot",
} as const;
export type AttributionErrorName = keyof typeof ATTRIBUTION_ERRORS;

export function attributionError(name: AttributionErrorName, detail?: string): DispatchError {
  const message = ATTRIBUTION_ERRORS[name];
  return new DispatchError(NAME, name, detail ? `${message}: ${detail}` : message);
}
