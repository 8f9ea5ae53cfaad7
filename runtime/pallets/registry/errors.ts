// The registry's errors: stable names (codes are "Registry.<Name>") and their messages.
import { DispatchError } from "../../errors.ts";
import { NAME } from "./storage.ts";

export const REGISTRY_ERRORS = {
  BadOrigin: "bad origin",
  InsufficientBalance: "free balance too low for the deposit or bond",
  TooLong: "text too long",
  TooMany: "list too long",
  InvalidAccount: "not a valid account id",
  Duplicate: "an account appears twice",
  InvalidName: "invalid datanet name",
  InvalidModality: "invalid modality",
  InvalidLicence: "invalid licence",
  InvalidPolicy: "invalid curation policy",
  UnknownDatanet: "no such datanet",
  DatanetClosed: "the datanet is closed",
  NotOwner: "only the datanet's owner may do this",
  SameOwner: "the account already owns the datanet",
  HasPending: "the datanet still has pending contributions",
  HasChallenges: "the datanet still has open challenges",
  InvalidContentHash: "invalid content hash",
  InvalidSize: "invalid size",
  DuplicateContent: "a contribution with this content hash is already in the datanet",
  DatanetFull: "the datanet holds the most contributions allowed",
  PendingLimit: "too many pending contributions in this datanet",
  UnknownContribution: "no such contribution",
  NotContributor: "only the contributor may do this",
  WrongStatus: "the contribution's status does not allow this",
  NotCurator: "only a curator of the datanet may do this",
  InvalidQuality: "quality score out of range",
  WindowClosed: "the contribution's challenge or appeal window has ended",
  AlreadyChallenged: "the contribution already has an open challenge",
  SelfChallenge: "a contributor cannot challenge their own contribution",
  MissingEvidence: "missing evidence",
  NoChallenge: "the contribution has no open challenge",
  NothingToPublish: "nothing to publish",
  CuratorNotBonded:
    "the reviewer's stake is below the minimum: a curator bonds (bondCurator), an owner tops up its deposit (topUpDeposit)",
  BondTooLow: "the bond or deposit would be below the minimum, or the amount is zero",
  NoBond: "no curator bond in this datanet",
  OpenDecisions: "decisions are still open to challenge or appeal",
  OwnDecision: "the account made the decision being judged",
  InterestedParty: "the account is a party to the case (its contributor, challenger or appellant)",
  NoAppeal: "the contribution has no open appeal",
  AlreadyAppealed: "the rejection has already been appealed",
} as const;

export type RegistryErrorName = keyof typeof REGISTRY_ERRORS;

export function registryError(name: RegistryErrorName, detail?: string): DispatchError {
  const message = REGISTRY_ERRORS[name];
  return new DispatchError(NAME, name, detail ? `${message}: ${detail}` : message);
}
