// Params: every economic constant is a typed, bounded parameter stored on chain, set by the chain
// spec at genesis and changed by governance: root, which is sudo on dev chains and the council's
// enacted proposals (after `councilEnactmentDelay`) everywhere.

import { u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { messageType } from "../../primitives/codec.ts";
import { ChainSpecError } from "../errors.ts";
import { defineCall, emit, ensureRoot, fail, type Pallet } from "../pallet.ts";
import { Hasher, type StorageRead, storageMap, stringValue, u128Value } from "../storage.ts";

const NAME = "Params";
const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

export interface ParamDef {
  /** What the number means: a balance in planck, parts per million, blocks, weight… */
  unit:
    | "planck"
    | "ppm"
    | "blocks"
    | "weight"
    | "bytes"
    | "fixed18"
    | "planckPerMillionWeight"
    | "count"
    | "points";
  default: bigint;
  min: bigint;
  max: bigint;
  doc: string;
}

const LIN = 10n ** 12n;
const FIXED_ONE = 10n ** 18n;

/** The registry of parameters. Names are stable: a renamed parameter is a new parameter. */
export const PARAMS = {
  existentialDeposit: {
    unit: "planck",
    default: LIN / 100n,
    min: 1n,
    max: 1000n * LIN,
    doc: "Smallest balance an account may hold; below it the account is reaped and the dust burned",
  },
  baseFee: {
    unit: "planck",
    default: LIN / 200n,
    min: 0n,
    max: 1000n * LIN,
    doc: "Fee every transaction pays",
  },
  lengthFee: {
    unit: "planck",
    default: 1_000_000n,
    min: 0n,
    max: LIN,
    doc: "Fee per encoded byte",
  },
  weightFee: {
    unit: "planckPerMillionWeight",
    default: 10_000_000n,
    min: 0n,
    max: 1000n * LIN,
    doc: "Fee per million units of weight, before the fee multiplier",
  },
  feeBurnPpm: {
    unit: "ppm",
    default: 200_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of fees burned",
  },
  feeTreasuryPpm: {
    unit: "ppm",
    default: 300_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of fees paid to the treasury; the block author gets what burn and treasury leave",
  },
  targetBlockFullnessPpm: {
    unit: "ppm",
    default: 250_000n,
    min: 1n,
    max: 1_000_000n,
    doc: "Block fullness the fee multiplier steers towards",
  },
  feeAdjustmentVariable: {
    unit: "fixed18",
    default: 30_000_000_000_000n,
    min: 0n,
    max: FIXED_ONE / 10n,
    doc: "How fast the fee multiplier reacts to fullness (v, 18 decimals)",
  },
  minFeeMultiplier: {
    unit: "fixed18",
    default: FIXED_ONE / 10n,
    min: 1n,
    max: FIXED_ONE,
    doc: "Lowest fee multiplier (18 decimals)",
  },
  maxFeeMultiplier: {
    unit: "fixed18",
    default: 1000n * FIXED_ONE,
    min: FIXED_ONE,
    max: 1_000_000n * FIXED_ONE,
    doc: "Highest fee multiplier (18 decimals)",
  },
  maxBlockWeight: {
    unit: "weight",
    default: 500_000_000_000n,
    min: 1_000_000_000n,
    max: 10_000_000_000_000n,
    doc: "Weight (picoseconds of reference time) one block may use",
  },
  maxBlockLength: {
    unit: "bytes",
    default: 4n * 1024n * 1024n,
    min: 64n * 1024n,
    max: 5n * 1024n * 1024n,
    doc: "Encoded bytes of extrinsics one block may hold",
  },
  epochLength: {
    unit: "blocks",
    default: 100n,
    min: 1n,
    max: 1_000_000n,
    doc: "Blocks per epoch; authority set changes take effect at epoch boundaries",
  },
  // ---- council: M-of-N governance of root calls (parameter changes, membership) ----
  councilEnactmentDelay: {
    unit: "blocks",
    default: 10n,
    min: 1n,
    max: 1_000_000n,
    doc: "Blocks between a council proposal reaching its threshold and its enactment",
  },
  councilMaxProposals: {
    unit: "count",
    default: 16n,
    min: 1n,
    max: 256n,
    doc: "Open council proposals (pending or scheduled) at most; also the enactments per block",
  },
  councilMaxMembers: {
    unit: "count",
    default: 16n,
    min: 1n,
    max: 100n,
    doc: "Council members at most",
  },
  // ---- registry: datanets, contributions, curation, challenges, reputation, versions ----
  registryDatanetDeposit: {
    unit: "planck",
    default: 10n * LIN,
    min: 0n,
    max: 1_000_000n * LIN,
    doc: "Deposit reserved from a datanet's owner while the datanet is open",
  },
  registryMinBond: {
    unit: "planck",
    default: LIN,
    min: 1n,
    max: 1_000_000n * LIN,
    doc: "Lowest minimum bond a datanet's curation policy may ask of contributors",
  },
  registryChallengeBond: {
    unit: "planck",
    default: 5n * LIN,
    min: 1n,
    max: 1_000_000n * LIN,
    doc: "Bond reserved from whoever challenges an accepted contribution or appeals a rejection",
  },
  registryRejectSlashPpm: {
    unit: "ppm",
    default: 500_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of a rejected contribution's bond slashed to the treasury once the rejection stands; the rest is returned",
  },
  registryCuratorBond: {
    unit: "planck",
    default: 10n * LIN,
    min: 1n,
    max: 1_000_000n * LIN,
    doc: "Least curator bond a listed curator must hold in a datanet to accept or reject",
  },
  registryReviewFee: {
    unit: "planck",
    default: LIN / 10n,
    min: 0n,
    max: 1_000n * LIN,
    doc: "Fee a contributor reserves at submission; paid to the curator whose decision stands, to whoever overturns it, or refunded",
  },
  registryCuratorSlashPpm: {
    unit: "ppm",
    default: 500_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of a curator's stake (bond, or an owner's datanet deposit) slashed when its decision is overturned",
  },
  registryChallengeSlashPpm: {
    unit: "ppm",
    default: 1_000_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of the contributor's bond slashed when a challenge is upheld; the rest is returned",
  },
  registryChallengeRewardPpm: {
    unit: "ppm",
    default: 500_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of an upheld challenge's slash, and of an overturned curator's slash, paid to the challenger or appellant; the treasury gets the rest",
  },
  registryDismissSlashPpm: {
    unit: "ppm",
    default: 500_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of a dismissed challenger's or appellant's bond slashed to the treasury; the rest is returned",
  },
  registryChallengeExpiry: {
    unit: "blocks",
    default: 100n,
    min: 2n,
    max: 10_000_000n,
    doc: "Blocks after which an unresolved challenge or appeal expires: dismissed without slashing",
  },
  registryMaxWindow: {
    unit: "blocks",
    default: 100_000n,
    min: 1n,
    max: 10_000_000n,
    doc: "Longest review or challenge window a curation policy may set",
  },
  registryDefaultPendingLimit: {
    unit: "count",
    default: 9n,
    min: 1n,
    max: 10_000n,
    doc: "Pending contributions per account in a datanet whose policy sets no limit (neutral reputation)",
  },
  registryMaxPendingLimit: {
    unit: "count",
    default: 1_000n,
    min: 1n,
    max: 100_000n,
    doc: "Highest pending limit a curation policy may set (larger values are clamped)",
  },
  registryMaxQuality: {
    unit: "points",
    default: 100n,
    min: 1n,
    max: 1_000_000n,
    doc: "Highest quality score a curator may give (scores run from 1)",
  },
  registryReputationBound: {
    unit: "points",
    default: 1_000n,
    min: 1n,
    max: 1_000_000_000n,
    doc: "Reputation stays within ±this bound; fresh accounts start at 0",
  },
  registryReputationPerQuality: {
    unit: "points",
    default: 2n,
    min: 0n,
    max: 1_000_000n,
    doc: "Reputation gained per quality point of an accepted contribution",
  },
  registryRejectPenalty: {
    unit: "points",
    default: 100n,
    min: 0n,
    max: 1_000_000_000n,
    doc: "Reputation lost per rejected contribution",
  },
  registrySlashPenalty: {
    unit: "points",
    default: 300n,
    min: 0n,
    max: 1_000_000_000n,
    doc: "Reputation lost per contribution slashed by an upheld challenge",
  },
  registryBondFactorMaxPpm: {
    unit: "ppm",
    default: 3_000_000n,
    min: 1_000_000n,
    max: 100_000_000n,
    doc: "Bond multiplier at the lowest reputation (the minimum bond times this / 10^6)",
  },
  registryBondFactorMinPpm: {
    unit: "ppm",
    default: 250_000n,
    min: 1n,
    max: 1_000_000n,
    doc: "Bond multiplier at the highest reputation",
  },
  registryPendingFactorMaxPpm: {
    unit: "ppm",
    default: 3_000_000n,
    min: 1_000_000n,
    max: 100_000_000n,
    doc: "Pending-limit multiplier at the highest reputation",
  },
  registryPendingFactorMinPpm: {
    unit: "ppm",
    default: 200_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Pending-limit multiplier at the lowest reputation (the limit never drops below 1)",
  },
  registryMaxDuePerBlock: {
    unit: "count",
    default: 64n,
    min: 1n,
    max: 10_000n,
    doc: "Due-queue items (bond releases, review, challenge and appeal expiries, rejections standing) processed per block at most",
  },
  registryMaxContributionsPerDatanet: {
    unit: "count",
    default: 10_000n,
    min: 1n,
    max: 1_000_000n,
    doc: "Contributions a datanet may hold in all; bounds the work of publishing a version",
  },
  registryMaxCurators: {
    unit: "count",
    default: 16n,
    min: 1n,
    max: 1_000n,
    doc: "Curators a datanet's policy may list",
  },
  registryMaxAllowList: {
    unit: "count",
    default: 64n,
    min: 1n,
    max: 10_000n,
    doc: "Accounts a restricted licence's allow-list may hold",
  },
  registryMaxNameBytes: {
    unit: "bytes",
    default: 64n,
    min: 1n,
    max: 1_024n,
    doc: "Longest datanet name (UTF-8 bytes)",
  },
  registryMaxUriBytes: {
    unit: "bytes",
    default: 256n,
    min: 1n,
    max: 4_096n,
    doc: "Longest metadata or evidence URI (UTF-8 bytes)",
  },
  registryMaxTextBytes: {
    unit: "bytes",
    default: 1_024n,
    min: 1n,
    max: 16_384n,
    doc: "Longest description or rejection reason (UTF-8 bytes)",
  },
  // ---- attribution: models, licences, payments and reward pools ----
  attributionProtocolFeePpm: {
    unit: "ppm",
    default: 50_000n,
    min: 0n,
    max: 500_000n,
    doc: "Share of every inference and licence payment taken as protocol fee (before owner and data shares)",
  },
  attributionFeeBurnPpm: {
    unit: "ppm",
    default: 500_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of the attribution protocol fee burned; the treasury gets the rest",
  },
  attributionMinDataSharePpm: {
    unit: "ppm",
    default: 200_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Lowest data share a model may set (of what is left after the protocol fee)",
  },
  attributionLicenceOwnerPpm: {
    unit: "ppm",
    default: 100_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of a licence fee paid to the datanet's owner; the version's contributors get the rest",
  },
  attributionManifestMaxFactorPpm: {
    unit: "ppm",
    default: 2_000_000n,
    min: 1_000_000n,
    max: 100_000_000n,
    doc: "A manifest entry's weight must be within this factor, either way, of its version's share of the manifest's data (by registry weight): a declared manifest cannot move value from other datanets' contributors beyond it",
  },
  attributionMaxManifest: {
    unit: "count",
    default: 16n,
    min: 1n,
    max: 256n,
    doc: "Datanet versions a model's training manifest may list (bounds the cost of a payment)",
  },
  attributionMaxClaims: {
    unit: "count",
    default: 64n,
    min: 1n,
    max: 1_024n,
    doc: "Contributions one claim call may claim for",
  },
  // ---- attestation: bonded attestors agree on measured attribution reports ----
  attestationMinBond: {
    unit: "planck",
    default: 100n * LIN,
    min: 1n,
    max: 1_000_000n * LIN,
    doc: "Bond an attestor must hold to be selected",
  },
  attestationUnbondingBlocks: {
    unit: "blocks",
    default: 1_000n,
    min: 1n,
    max: 10_000_000n,
    doc: "Blocks between an attestor's unbond and the earliest withdrawal of its bond (never while a window it was selected for is open)",
  },
  attestationMaxAttestors: {
    unit: "count",
    default: 256n,
    min: 1n,
    max: 4_096n,
    doc: "Bonded attestors at most (bounds the work of each selection)",
  },
  attestationSetSize: {
    unit: "count",
    default: 3n,
    min: 1n,
    max: 64n,
    doc: "N: attestors selected for a window's first round (later rounds select N·2^round)",
  },
  attestationQuorum: {
    unit: "count",
    default: 2n,
    min: 1n,
    max: 64n,
    doc: "M: reveals of one root that make it the round's result (scaled with the set in later rounds); more than half of N",
  },
  attestationMaxRounds: {
    unit: "count",
    default: 2n,
    min: 1n,
    max: 8n,
    doc: "Rounds of attestors a window may go through before the council decides",
  },
  attestationWindowEpochs: {
    unit: "count",
    default: 1n,
    min: 1n,
    max: 1_000n,
    doc: "Epochs per measured window (fixed in a model when it is registered)",
  },
  attestationQueryLogBlocks: {
    unit: "blocks",
    default: 50n,
    min: 1n,
    max: 1_000_000n,
    doc: "Blocks after a window is opened within which its query log must be committed; otherwise it is paid by the declared manifest",
  },
  attestationCommitBlocks: {
    unit: "blocks",
    default: 20n,
    min: 1n,
    max: 1_000_000n,
    doc: "Blocks a round's selected attestors have to commit their report roots",
  },
  attestationRevealBlocks: {
    unit: "blocks",
    default: 20n,
    min: 1n,
    max: 1_000_000n,
    doc: "Blocks after the commit phase to reveal the committed roots",
  },
  attestationDisputeBlocks: {
    unit: "blocks",
    default: 20n,
    min: 1n,
    max: 1_000_000n,
    doc: "Blocks a quorum root waits, open to dispute, before it is final",
  },
  attestationCouncilBlocks: {
    unit: "blocks",
    default: 500n,
    min: 2n,
    max: 10_000_000n,
    doc: "Blocks the council has to decide a window no round resolved; then it is paid by the declared manifest",
  },
  attestationDisputeBond: {
    unit: "planck",
    default: 50n * LIN,
    min: 1n,
    max: 1_000_000n * LIN,
    doc: "Bond reserved from whoever disputes a quorum root; returned with a reward if the final root differs, slashed otherwise",
  },
  attestationDisputeRewardPpm: {
    unit: "ppm",
    default: 500_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of the slashes a successful dispute brings that goes to the disputer; the treasury gets the rest",
  },
  attestationFeePpm: {
    unit: "ppm",
    default: 20_000n,
    min: 0n,
    max: 200_000n,
    doc: "Share of a window's pot paid to the attestors who revealed its final root",
  },
  attestationSlashPpm: {
    unit: "ppm",
    default: 100_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of its bond an attestor loses for revealing a root other than the final one, or not revealing",
  },
  attestationMaxDuePerBlock: {
    unit: "count",
    default: 16n,
    min: 1n,
    max: 1_024n,
    doc: "Window deadlines and window openings processed per block at most",
  },
  // ---- emission: the schedule, its shares, and the economic health record ----
  emissionMaxSupply: {
    unit: "planck",
    default: 1_000_000_000n * LIN,
    min: 0n,
    max: 10n ** 30n,
    doc: "Maximum supply: the schedule never plans emission beyond it",
  },
  emissionRatePpm: {
    unit: "ppm",
    default: 1_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of the supply not yet scheduled (max supply minus all scheduled so far) that each epoch schedules: the schedule decays geometrically by this factor",
  },
  emissionValidatorPpm: {
    unit: "ppm",
    default: 200_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of each epoch's schedule paid to validators, by blocks authored in the epoch",
  },
  emissionContributorPpm: {
    unit: "ppm",
    default: 600_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of each epoch's schedule offered to contributors; minted only up to k × marketplace volume",
  },
  emissionTreasuryPpm: {
    unit: "ppm",
    default: 200_000n,
    min: 0n,
    max: 1_000_000n,
    doc: "Share of each epoch's schedule paid to the treasury",
  },
  emissionVolumeFactorPpm: {
    unit: "ppm",
    default: 1_000_000n,
    min: 0n,
    max: 100_000_000n,
    doc: "k: contributors' emission is at most k × the epoch's marketplace volume (self-dealing excluded); 1,000,000 = 1×",
  },
  emissionFeeMultiplePpm: {
    unit: "ppm",
    default: 800_000n,
    min: 0n,
    max: 999_999n,
    doc: "λ: contributors' emission is at most λ × the protocol fees real payments paid in the epoch, shared in proportion to them; below 1, so no payment draws as much emission as it gave up for good",
  },
  emissionPassiveEpochs: {
    unit: "count",
    default: 4n,
    min: 1n,
    max: 10_000n,
    doc: "N: a contributor with accepted data and no earnings in the last N epochs counts as passive",
  },
  emissionRetentionEpochs: {
    unit: "count",
    default: 4n,
    min: 1n,
    max: 10_000n,
    doc: "R: retention is measured over the high-quality cohort of R epochs ago",
  },
  emissionHighQuality: {
    unit: "points",
    default: 80n,
    min: 1n,
    max: 1_000_000n,
    doc: "Quality at or above which an accepted contribution puts its contributor in the epoch's high-quality cohort",
  },
  emissionMaxStepsPerBlock: {
    unit: "count",
    default: 256n,
    min: 1n,
    max: 4_096n,
    doc: "Items (authors, pools, version entries, earners, cohort members) an epoch's close processes per block at most",
  },
} as const satisfies Record<string, ParamDef>;

export type ParamName = keyof typeof PARAMS;

export function isParamName(name: string): name is ParamName {
  return Object.hasOwn(PARAMS, name);
}

export const storage = {
  values: storageMap<string, bigint>(
    NAME,
    "Values",
    stringValue,
    u128Value,
    Hasher.blake2_128Concat,
    "Parameter values that differ from the built-in defaults or were set explicitly",
  ),
};

export function param(s: StorageRead, name: ParamName): bigint {
  return storage.values.get(s, name) ?? PARAMS[name].default;
}

/** Cross-parameter rules that single bounds cannot express. */
function checkCombination(values: (name: ParamName) => bigint): string | null {
  if (values("feeBurnPpm") + values("feeTreasuryPpm") > 1_000_000n) {
    return "feeBurnPpm + feeTreasuryPpm must not exceed 1,000,000";
  }
  if (values("minFeeMultiplier") > values("maxFeeMultiplier")) {
    return "minFeeMultiplier must not exceed maxFeeMultiplier";
  }
  if (
    values("emissionValidatorPpm") +
      values("emissionContributorPpm") +
      values("emissionTreasuryPpm") >
    1_000_000n
  ) {
    return "emissionValidatorPpm + emissionContributorPpm + emissionTreasuryPpm must not exceed 1,000,000";
  }
  if (values("attestationQuorum") > values("attestationSetSize")) {
    return "attestationQuorum must not exceed attestationSetSize";
  }
  if (2n * values("attestationQuorum") <= values("attestationSetSize")) {
    return "attestationQuorum must be more than half of attestationSetSize (two roots could both reach it)";
  }
  if (values("emissionHighQuality") > values("registryMaxQuality")) {
    return "emissionHighQuality must not exceed registryMaxQuality (no contribution could reach it)";
  }
  // Root (the council) judges an owner's own decisions and a disputed attestation: its verdict
  // must be able to land before the case expires.
  if (values("registryChallengeExpiry") <= values("councilEnactmentDelay")) {
    return "registryChallengeExpiry must exceed councilEnactmentDelay (the council could never judge an owner's own decision)";
  }
  if (values("attestationCouncilBlocks") <= values("councilEnactmentDelay")) {
    return "attestationCouncilBlocks must exceed councilEnactmentDelay (the council could never judge a disputed round)";
  }
  return null;
}

function boundsError(name: ParamName, value: bigint): string | null {
  const def: ParamDef = PARAMS[name];
  if (value < def.min || value > def.max)
    return `${name} must be within [${def.min}, ${def.max}], got ${value}`;
  return null;
}

/** Validates the chain spec's parameter overrides (names, bounds, combinations). */
export function validateGenesisParams(overrides: Record<string, bigint>): void {
  for (const [name, value] of Object.entries(overrides)) {
    if (!isParamName(name))
      throw new ChainSpecError("UNKNOWN_PARAM", `unknown parameter "${name}"`);
    const problem = boundsError(name, value);
    if (problem) throw new ChainSpecError("PARAM_OUT_OF_BOUNDS", problem);
  }
  const problem = checkCombination((n) => overrides[n] ?? PARAMS[n].default);
  if (problem) throw new ChainSpecError("PARAM_OUT_OF_BOUNDS", problem);
}

interface SetParamArgs {
  name: string;
  value: Uint8Array;
}

export const params: Pallet = {
  name: NAME,
  index: 6,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<SetParamArgs>({
      index: 0,
      name: "setParam",
      args: T("SetParamArgs"),
      origin: "root",
      doc: "Sets a parameter within its bounds (governance)",
      weight: () => 20_000_000n,
      handler(ctx, origin, args) {
        ensureRoot(params, origin);
        if (!isParamName(args.name)) throw fail(params, "UnknownParam", args.name);
        const value = u128FromBytes(args.value);
        const bounds = boundsError(args.name, value);
        if (bounds) throw fail(params, "OutOfBounds", bounds);
        const combined = checkCombination((n) => (n === args.name ? value : param(ctx.storage, n)));
        if (combined) throw fail(params, "OutOfBounds", combined);
        const old = param(ctx.storage, args.name);
        storage.values.set(ctx.storage, args.name, value);
        emit(ctx, params, "ParamChanged", {
          name: args.name,
          oldValue: u128ToBytes(old),
          newValue: u128ToBytes(value),
        });
      },
    }),
  ],
  events: [
    { index: 0, name: "ParamChanged", data: T("ParamChangedEvent"), doc: "A parameter changed" },
  ],
  errors: {
    UnknownParam: "no such parameter",
    OutOfBounds: "value out of bounds",
    BadOrigin: "root required",
  },
  genesis(s, config) {
    // Keys sorted so that genesis writes happen in a fixed order.
    for (const name of Object.keys(config.params).sort()) {
      storage.values.set(s, name, config.params[name]!);
    }
  },
};
