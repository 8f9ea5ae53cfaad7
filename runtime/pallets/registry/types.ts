// The registry's records as the runtime and its clients see them (amounts as bigint), and their
// protobuf storage encodings (amounts as minimal big-endian bytes).
import { u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { messageType } from "../../../primitives/codec.ts";
import { messageValue, type ValueCodec } from "../../storage.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

export const Modality = { text: 0, image: 1, audio: 2, video: 3, tabular: 4, other: 5 } as const;
export type Modality = (typeof Modality)[keyof typeof Modality];
export const MODALITY_COUNT = 6;

export const LicenceKind = { open: 0, paid: 1, restricted: 2 } as const;
export type LicenceKind = (typeof LicenceKind)[keyof typeof LicenceKind];

export const ContributionStatus = {
  pending: 0,
  accepted: 1,
  rejected: 2,
  slashed: 3,
  withdrawn: 4,
} as const;
export type ContributionStatus = (typeof ContributionStatus)[keyof typeof ContributionStatus];

export interface Licence {
  kind: LicenceKind;
  /** Licence fee for a paid licence (planck); zero otherwise. */
  fee: bigint;
  /** Accounts allowed to license a restricted datanet. */
  allowList: Uint8Array[];
  commercial: boolean;
  attribution: boolean;
}

export interface CurationPolicy {
  /** Empty: the owner curates; otherwise only these accounts do. */
  curators: Uint8Array[];
  minBond: bigint;
  reviewWindow: number;
  challengeWindow: number;
  /** Pending contributions per account at neutral reputation. */
  pendingLimit: number;
}

export interface Datanet {
  owner: Uint8Array;
  name: string;
  modality: Modality;
  description: string;
  metadataUri: string;
  licence: Licence;
  policy: CurationPolicy;
  /** Reserved from the owner while open; zero once closed. */
  deposit: bigint;
  closed: boolean;
  createdAt: number;
  contributionCount: number;
  pendingCount: number;
  openChallenges: number;
  versionCount: number;
}

export interface Contribution {
  datanetId: number;
  contributor: Uint8Array;
  contentHash: Uint8Array;
  size: number;
  metadataUri: string;
  /** Still reserved from the contributor; zero once released, returned or slashed. */
  bond: bigint;
  status: ContributionStatus;
  quality: number;
  weight: number;
  submittedAt: number;
  reviewedAt: number;
  /** Pending: the review deadline. Accepted: the block from which the bond is released and no
   * challenge may be opened. Rejected: the end of the appeal window. Otherwise 0. */
  releaseAt: number;
  /** Who decided (empty while pending, and for root's decisions). */
  reviewer: Uint8Array;
  reason: string;
  /** The review fee, reserved on the contributor until the decision stands or falls. */
  reviewFee: bigint;
  /** The decision may still be challenged or appealed: its fee and its curator's stake are at risk. */
  decisionOpen: boolean;
  /** The rejection was appealed (a rejection is appealed once at most). */
  appealed: boolean;
}

export interface Challenge {
  challenger: Uint8Array;
  bond: bigint;
  evidenceUri: string;
  openedAt: number;
  expiresAt: number;
  /** An appeal of a rejection by its contributor, not a challenge of an acceptance. */
  appeal: boolean;
}

/** A curator's (or an owner's) stake and record in one datanet. */
export interface CuratorRecord {
  /** The curator bond; an owner curating its own datanet is staked by the datanet deposit. */
  bond: bigint;
  /** Decisions still open to challenge or appeal. */
  open: number;
  decisions: number;
  stood: number;
  overturned: number;
  /** Total slashed from the stake. */
  slashed: bigint;
  /** Total review fees of decisions that stood. */
  earned: bigint;
}

export const FRESH_CURATOR: CuratorRecord = {
  bond: 0n,
  open: 0,
  decisions: 0,
  stood: 0,
  overturned: 0,
  slashed: 0n,
  earned: 0n,
};

export interface Reputation {
  /** Within ±registryReputationBound; 0 for a fresh account. */
  score: number;
  accepted: number;
  rejected: number;
  slashed: number;
  qualitySum: number;
}

export interface DatanetVersion {
  root: Uint8Array;
  totalWeight: number;
  count: number;
  publishedAt: number;
  metadataUri: string;
}

export const FRESH_REPUTATION: Reputation = {
  score: 0,
  accepted: 0,
  rejected: 0,
  slashed: 0,
  qualitySum: 0,
};

type Wire<T, K extends keyof T> = Omit<T, K> & { [P in K]: Uint8Array };

/** Encodes the bigint fields `amounts` of a record as u128 bytes. */
function withAmounts<T extends object, K extends keyof T>(
  typeName: string,
  amounts: readonly K[],
  nested?: (record: T, toWire: boolean) => T,
): ValueCodec<T> {
  const inner = messageValue<Wire<T, K>>(T(typeName));
  return {
    type: inner.type,
    encode(value) {
      const wire = { ...(nested ? nested(value, true) : value) } as Record<string, unknown>;
      for (const k of amounts) wire[k as string] = u128ToBytes(value[k] as bigint);
      return inner.encode(wire as Wire<T, K>);
    },
    decode(bytes) {
      const wire = inner.decode(bytes) as Record<string, unknown>;
      for (const k of amounts) wire[k as string] = u128FromBytes(wire[k as string] as Uint8Array);
      return nested ? nested(wire as T, false) : (wire as T);
    },
  };
}

export function licenceToWire(licence: Licence): object {
  return { ...licence, fee: u128ToBytes(licence.fee) };
}

export function licenceFromWire(wire: Record<string, unknown> | null | undefined): Licence {
  return {
    kind: (wire?.kind ?? 0) as LicenceKind,
    fee: wire?.fee ? u128FromBytes(wire.fee as Uint8Array) : 0n,
    allowList: (wire?.allowList ?? []) as Uint8Array[],
    commercial: Boolean(wire?.commercial),
    attribution: Boolean(wire?.attribution),
  };
}

export function policyToWire(policy: CurationPolicy): object {
  return { ...policy, minBond: u128ToBytes(policy.minBond) };
}

export function policyFromWire(wire: Record<string, unknown> | null | undefined): CurationPolicy {
  return {
    curators: (wire?.curators ?? []) as Uint8Array[],
    minBond: wire?.minBond ? u128FromBytes(wire.minBond as Uint8Array) : 0n,
    reviewWindow: Number(wire?.reviewWindow ?? 0),
    challengeWindow: Number(wire?.challengeWindow ?? 0),
    pendingLimit: Number(wire?.pendingLimit ?? 0),
  };
}

export const datanetCodec: ValueCodec<Datanet> = withAmounts<Datanet, "deposit">(
  "RegistryDatanet",
  ["deposit"],
  (record, toWire) =>
    toWire
      ? ({
          ...record,
          licence: licenceToWire(record.licence),
          policy: policyToWire(record.policy),
        } as unknown as Datanet)
      : {
          ...record,
          licence: licenceFromWire(record.licence as unknown as Record<string, unknown>),
          policy: policyFromWire(record.policy as unknown as Record<string, unknown>),
        },
);

export const contributionCodec: ValueCodec<Contribution> = withAmounts<
  Contribution,
  "bond" | "reviewFee"
>("RegistryContribution", ["bond", "reviewFee"]);

export const curatorCodec: ValueCodec<CuratorRecord> = withAmounts<
  CuratorRecord,
  "bond" | "slashed" | "earned"
>("RegistryCurator", ["bond", "slashed", "earned"]);

export const challengeCodec: ValueCodec<Challenge> = withAmounts<Challenge, "bond">(
  "RegistryChallenge",
  ["bond"],
);

export const reputationCodec: ValueCodec<Reputation> = messageValue<Reputation>(
  T("RegistryReputation"),
);

export const versionCodec: ValueCodec<DatanetVersion> = messageValue<DatanetVersion>(
  T("RegistryVersion"),
);
