// The attribution pallet: models and their training manifests, licence purchases, inference
// payments split into protocol fee, model owner and data share, and the per-version reward pools
// contributors claim from (pool.ts). Calls check first (checks.ts) and write last (ledger.ts);
// the try-state checks are in invariants.ts. The pools' funds sit on
// ATTRIBUTION_ACCOUNT, so total issuance covers every pool and every unclaimed reward.
import { u128FromBytes } from "../../../primitives/amount.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { messageType } from "../../../primitives/codec.ts";
import { verifyReportProof } from "../../measurement/report.ts";
import { defineCall, ensureRoot, ensureSigned, type Pallet } from "../../pallet.ts";
import type { StorageRead } from "../../storage.ts";
import { burn, depositOrBurn, withdraw } from "../balances.ts";
import { param } from "../params.ts";
import { getContribution, isStakeholder, LicenceKind, versionWeight } from "../registry/index.ts";
import { ContributionStatus } from "../registry/types.ts";
import { accountExists } from "../system.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import {
  checkAccess,
  checkCanPay,
  checkManifest,
  checkMeasurement,
  checkMethodName,
  checkUri,
  datanetOf,
  licenceFeeDue,
  modelOf,
  ownModel,
  versionTotal,
} from "./checks.ts";
import { ATTRIBUTION_ERRORS, attributionError, NAME } from "./errors.ts";
import { ATTRIBUTION_EVENTS, ATTRIBUTION_INDEX, amount, emitEvent } from "./events.ts";
import { attributionInvariants } from "./invariants.ts";
import { grantLicence, moveOutOfPot, noteSlashIn, payPool, recordPayment } from "./ledger.ts";
import { holdForWindow, payLeaf } from "./measured.ts";
import {
  getMethod,
  getSettlement,
  leafClaimedAt,
  measuredKeys,
  measuredStorage,
} from "./measured-storage.ts";
import { claim as claimFromPool } from "./pool.ts";
import { splitInference, splitManifest } from "./split.ts";
import { getPool, getPosition, hasLicence, keys, storage } from "./storage.ts";
import { type ManifestEntry, PPM } from "./types.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

// Weights (picoseconds): estimates from the storage each call touches, until benchmarked.
const W_BASE = 100_000_000n;
const W_PER_ENTRY = 60_000_000n;
const W_PER_CLAIM = 40_000_000n;
/** One hash of a report proof. */
const W_PER_PROOF_STEP = 5_000_000n;
/** A report proof has one sibling per level: 64 covers any leaf count a u64 can hold. */
const MAX_PROOF_STEPS = 64;
/** Payment weight is priced for the largest manifest the default parameters allow. */
const PARAMS_DEFAULTS: StorageRead = { get: () => undefined };

// ---- call arguments ----

interface ManifestWire {
  datanetId: number;
  version: number;
  weightPpm: number;
}
interface RegisterModelArgs {
  metadataUri: string;
  manifest: ManifestWire[];
  pricePerUnit: Uint8Array;
  dataSharePpm: number;
  measurement: MeasurementArgs | null;
}
interface MeasurementArgs {
  methodName: string;
  methodVersion: number;
  inputsHash: Uint8Array;
  inputsUri: string;
  server: Uint8Array;
}
interface RegisterMethodArgs {
  name: string;
  version: number;
  params: Uint8Array;
  specHash: Uint8Array;
}
interface MethodRefArgs {
  name: string;
  version: number;
}
interface ClaimMeasuredArgs {
  modelId: number;
  window: number;
  contributionId: number;
  amount: Uint8Array;
  proofIndex: number;
  proofCount: number;
  siblings: Uint8Array[];
}
interface UpdateModelArgs {
  modelId: number;
  metadataUri: string;
  pricePerUnit: Uint8Array;
}
interface PayInferenceArgs {
  modelId: number;
  units: number;
  maxTotal: Uint8Array;
}
interface VersionArgs {
  datanetId: number;
  version: number;
}
interface ClaimArgs extends VersionArgs {
  contributionIds: number[];
}
interface NoteSlashArgs extends VersionArgs {
  contributionId: number;
}

const toManifest = (wire: ManifestWire[]): ManifestEntry[] =>
  wire.map((e) => ({ datanetId: e.datanetId, version: e.version, weightPpm: e.weightPpm }));

export const attribution: Pallet = {
  name: NAME,
  index: ATTRIBUTION_INDEX,
  storage: [...Object.values(storage), ...Object.values(measuredStorage)].map((item) => item.info),
  calls: [
    defineCall<RegisterModelArgs>({
      index: 0,
      name: "registerModel",
      args: T("AttributionRegisterModelArgs"),
      origin: "signed",
      doc: "Registers a model; checks every manifest datanet's licence and pays the licence fees the owner does not hold yet",
      weight: (args) => W_BASE + W_PER_ENTRY * BigInt(args.manifest.length),
      handler(ctx, origin, args) {
        const who = ensureSigned(attribution, origin);
        const s = ctx.storage;
        checkUri(s, args.metadataUri);
        const manifest = toManifest(args.manifest);
        const price = u128FromBytes(args.pricePerUnit);
        if (price === 0n) throw attributionError("ZeroPrice");
        if (BigInt(args.dataSharePpm) > PPM) throw attributionError("DataShareTooHigh");
        if (BigInt(args.dataSharePpm) < param(s, "attributionMinDataSharePpm"))
          throw attributionError(
            "DataShareTooLow",
            `minimum ${param(s, "attributionMinDataSharePpm")} ppm`,
          );
        const fees = checkManifest(s, manifest, who);
        const measurement = args.measurement ? checkMeasurement(s, args.measurement) : null;
        checkCanPay(s, who, fees);

        if (fees > 0n) withdraw(ctx, who, fees);
        for (const e of manifest) {
          const fee = licenceFeeDue(s, datanetOf(s, e.datanetId), e, who);
          if (fee > 0n) grantLicence(ctx, who, e.datanetId, e.version, fee);
        }
        const id = storage.nextModelId.get(s);
        storage.nextModelId.set(s, id + 1);
        storage.models.set(s, id, {
          owner: who,
          metadataUri: args.metadataUri,
          manifest,
          pricePerUnit: price,
          dataSharePpm: args.dataSharePpm,
          retired: false,
          registeredAt: ctx.blockNumber,
          measurement,
        });
        emitEvent(ctx, "ModelRegistered", { modelId: id, account: who });
      },
    }),
    defineCall<UpdateModelArgs>({
      index: 1,
      name: "updateModel",
      args: T("AttributionUpdateModelArgs"),
      origin: "signed",
      doc: "The owner sets a model's metadata URI and price per unit",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        const who = ensureSigned(attribution, origin);
        const model = ownModel(ctx.storage, args.modelId, who);
        checkUri(ctx.storage, args.metadataUri);
        const price = u128FromBytes(args.pricePerUnit);
        if (price === 0n) throw attributionError("ZeroPrice");
        storage.models.set(ctx.storage, args.modelId, {
          ...model,
          metadataUri: args.metadataUri,
          pricePerUnit: price,
        });
        emitEvent(ctx, "ModelUpdated", { modelId: args.modelId, account: who });
      },
    }),
    defineCall<{ modelId: number }>({
      index: 2,
      name: "retireModel",
      args: T("AttributionModelIdArgs"),
      origin: "signed",
      doc: "The owner retires a model: it takes no more payments",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        const who = ensureSigned(attribution, origin);
        const model = ownModel(ctx.storage, args.modelId, who);
        storage.models.set(ctx.storage, args.modelId, { ...model, retired: true });
        emitEvent(ctx, "ModelRetired", { modelId: args.modelId, account: who });
      },
    }),
    defineCall<VersionArgs>({
      index: 3,
      name: "purchaseLicence",
      args: T("AttributionVersionArgs"),
      origin: "signed",
      doc: "Licenses a datanet version to the sender; the fee goes to the owner's cut and the version's contributors",
      weight: () => W_BASE + W_PER_ENTRY,
      handler(ctx, origin, args) {
        const who = ensureSigned(attribution, origin);
        const s = ctx.storage;
        const datanet = datanetOf(s, args.datanetId);
        versionTotal(s, args.datanetId, args.version);
        checkAccess(datanet, who, false, `datanet #${args.datanetId}`);
        if (hasLicence(s, args.datanetId, args.version, who))
          throw attributionError("AlreadyLicensed", `datanet #${args.datanetId} v${args.version}`);
        const fee = datanet.licence.kind === LicenceKind.paid ? datanet.licence.fee : 0n;
        checkCanPay(s, who, fee);

        if (fee > 0n) withdraw(ctx, who, fee);
        grantLicence(ctx, who, args.datanetId, args.version, fee);
      },
    }),
    defineCall<PayInferenceArgs>({
      index: 4,
      name: "payInference",
      args: T("AttributionPayInferenceArgs"),
      origin: "signed",
      doc: "Pays for `units` inference units of a model, at most `maxTotal`: protocol fee, owner and data share over the manifest",
      weight: () => W_BASE + W_PER_ENTRY * param(PARAMS_DEFAULTS, "attributionMaxManifest"),
      handler(ctx, origin, args) {
        const who = ensureSigned(attribution, origin);
        const s = ctx.storage;
        const model = modelOf(s, args.modelId);
        if (model.retired) throw attributionError("Retired", `#${args.modelId}`);
        if (args.units === 0) throw attributionError("ZeroUnits");
        const split = splitInference(s, model, BigInt(args.units));
        const maxTotal = u128FromBytes(args.maxTotal);
        if (split.total > maxTotal)
          throw attributionError("PriceAboveMax", `${split.total} > ${maxTotal}`);
        checkCanPay(s, who, split.total);

        const selfDealing = bytesEqual(model.owner, who);
        withdraw(ctx, who, split.total);
        burn(ctx, split.burned);
        const toTreasury = depositOrBurn(ctx, TREASURY_ACCOUNT, split.toTreasury);
        const toOwner = depositOrBurn(ctx, model.owner, split.toOwner);
        // The protocol fee is the payment's weight in contributor emission: split over the
        // manifest like the data share, or all of it to a measured window.
        const protocol = split.burned + split.toTreasury;
        const window = model.measurement
          ? holdForWindow(
              ctx,
              args.modelId,
              model.measurement,
              split.dataShare,
              args.units,
              selfDealing,
              protocol,
            )
          : 0;
        if (!model.measurement) {
          const weights = splitManifest(protocol, model.manifest);
          for (const [j, e] of model.manifest.entries())
            payPool(ctx, e.datanetId, e.version, split.perEntry[j]!, selfDealing, weights[j]!);
        }
        const stake = model.manifest.some((e) => isStakeholder(s, e.datanetId, who));
        recordPayment(ctx, who, split.total, selfDealing, stake);
        emitEvent(ctx, "InferencePaid", {
          modelId: args.modelId,
          payer: who,
          units: args.units,
          total: amount(split.total),
          burned: amount(
            split.burned + (split.toTreasury - toTreasury) + (split.toOwner - toOwner),
          ),
          toTreasury: amount(toTreasury),
          toOwner: amount(toOwner),
          dataShare: amount(split.dataShare),
          selfDealing,
          measured: model.measurement !== null,
          window,
        });
      },
    }),
    defineCall<ClaimArgs>({
      index: 5,
      name: "claim",
      args: T("AttributionClaimArgs"),
      origin: "signed",
      doc: "Pays the sender what its contributions in a datanet version are owed (a slashed one's slash is noted first)",
      weight: (args) => W_BASE + W_PER_CLAIM * BigInt(args.contributionIds.length),
      handler(ctx, origin, args) {
        const who = ensureSigned(attribution, origin);
        const s = ctx.storage;
        const { datanetId, version } = args;
        const max = param(s, "attributionMaxClaims");
        if (BigInt(args.contributionIds.length) > max)
          throw attributionError("TooMany", `at most ${max} contributions per claim`);
        const weights = args.contributionIds.map((id) => {
          const c = getContribution(s, id);
          if (!c) throw attributionError("UnknownContribution", `#${id}`);
          if (!bytesEqual(c.contributor, who)) throw attributionError("NotContributor", `#${id}`);
          const weight = versionWeight(s, datanetId, version, id);
          if (weight === undefined)
            throw attributionError("NotInVersion", `#${id} in datanet #${datanetId} v${version}`);
          return { id, weight: BigInt(weight), slashed: c.status === ContributionStatus.slashed };
        });

        let total = 0n;
        for (const { id, weight, slashed } of weights) {
          if (slashed) noteSlashIn(ctx, datanetId, version, id, weight);
          const pool = getPool(s, datanetId, version);
          if (!pool) continue;
          const out = claimFromPool(pool, weight, getPosition(s, datanetId, version, id));
          if (out.amount === 0n) continue;
          storage.pools.set(s, keys.pool(datanetId, version), out.pool);
          storage.positions.set(s, keys.position(datanetId, version, id), out.position);
          total += out.amount;
          emitEvent(ctx, "Claimed", {
            datanetId,
            version,
            contributionId: id,
            account: who,
            amount: amount(out.amount),
          });
        }
        if (total === 0n) return;
        if (!accountExists(s, who) && total < param(s, "existentialDeposit"))
          throw attributionError("BelowExistentialDeposit", `${total}`);
        moveOutOfPot(s, total);
        depositOrBurn(ctx, who, total);
      },
    }),
    defineCall<NoteSlashArgs>({
      index: 6,
      name: "noteSlash",
      args: T("AttributionNoteSlashArgs"),
      origin: "signed",
      doc: "Anyone notes a slashed contribution in a version's pool: it stops earning and forfeits what it has not claimed to the rest",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        ensureSigned(attribution, origin);
        const s = ctx.storage;
        const c = getContribution(s, args.contributionId);
        if (!c) throw attributionError("UnknownContribution", `#${args.contributionId}`);
        if (c.status !== ContributionStatus.slashed)
          throw attributionError("NotSlashed", `#${args.contributionId}`);
        const weight = versionWeight(s, args.datanetId, args.version, args.contributionId);
        if (weight === undefined) throw attributionError("NotInVersion", `#${args.contributionId}`);
        noteSlashIn(ctx, args.datanetId, args.version, args.contributionId, BigInt(weight));
      },
    }),
    defineCall<ClaimMeasuredArgs>({
      index: 7,
      name: "claimMeasured",
      args: T("AttributionClaimMeasuredArgs"),
      origin: "signed",
      doc: "Pays one leaf of a settled window's report to its contributor, with its Merkle proof; anyone may send a slashed contribution's leaf to the treasury",
      weight: (args) => W_BASE + W_PER_PROOF_STEP * BigInt(args.siblings.length),
      handler(ctx, origin, args) {
        const who = ensureSigned(attribution, origin);
        const s = ctx.storage;
        const { modelId, window, contributionId } = args;
        const where = `window ${window} of model #${modelId}`;
        if (args.siblings.length > MAX_PROOF_STEPS)
          throw attributionError("TooMany", `at most ${MAX_PROOF_STEPS} proof steps`);
        const settlement = getSettlement(s, modelId, window);
        if (!settlement?.measured) throw attributionError("NotSettled", where);
        if (leafClaimedAt(s, modelId, window, contributionId) !== undefined)
          throw attributionError("AlreadyClaimed", `#${contributionId} in ${where}`);
        const c = getContribution(s, contributionId);
        if (!c) throw attributionError("UnknownContribution", `#${contributionId}`);
        const slashed = c.status === ContributionStatus.slashed;
        if (!slashed && !bytesEqual(c.contributor, who))
          throw attributionError("NotContributor", `#${contributionId}`);
        const value = u128FromBytes(args.amount);
        const proof = { index: args.proofIndex, count: args.proofCount, siblings: args.siblings };
        if (
          args.proofCount !== settlement.leafCount ||
          !verifyReportProof(settlement.root, contributionId, value, proof)
        )
          throw attributionError("BadProof", `#${contributionId} in ${where}`);
        if (value === 0n) throw attributionError("NothingToClaim", `#${contributionId}`);
        if (settlement.claimed + value > settlement.distributable)
          throw attributionError(
            "Overclaimed",
            `${settlement.claimed} + ${value} > ${settlement.distributable}`,
          );
        const to = slashed ? TREASURY_ACCOUNT : who;
        if (!accountExists(s, to) && value < param(s, "existentialDeposit"))
          throw attributionError("BelowExistentialDeposit", `${value}`);

        payLeaf(ctx, modelId, window, contributionId, to, value, slashed);
      },
    }),
    defineCall<RegisterMethodArgs>({
      index: 8,
      name: "registerMethod",
      args: T("AttributionRegisterMethodArgs"),
      origin: "root",
      doc: "Registers an attribution method version with its fixed parameters and the hash of its specification (governance)",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        ensureRoot(attribution, origin);
        const s = ctx.storage;
        checkMethodName(args.name);
        if (args.specHash.length !== 32) throw attributionError("BadHash", "specHash");
        if (BigInt(args.params.length) > param(s, "registryMaxTextBytes"))
          throw attributionError("TooLong", `parameters longer than registryMaxTextBytes`);
        const key = measuredKeys.method(args.name, args.version);
        if (measuredStorage.methods.has(s, key))
          throw attributionError("MethodExists", `${args.name} v${args.version}`);
        measuredStorage.methods.set(s, key, {
          params: args.params,
          specHash: args.specHash,
          registeredAt: ctx.blockNumber,
          retired: false,
        });
        emitEvent(ctx, "MethodRegistered", { name: args.name, version: args.version });
      },
    }),
    defineCall<MethodRefArgs>({
      index: 9,
      name: "retireMethod",
      args: T("AttributionMethodRefArgs"),
      origin: "root",
      doc: "Retires an attribution method version: models measured by it keep it, no new model may name it (governance)",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        ensureRoot(attribution, origin);
        const s = ctx.storage;
        const method = getMethod(s, args.name, args.version);
        if (!method) throw attributionError("UnknownMethod", `${args.name} v${args.version}`);
        if (method.retired)
          throw attributionError("MethodRetired", `${args.name} v${args.version}`);
        measuredStorage.methods.set(s, measuredKeys.method(args.name, args.version), {
          ...method,
          retired: true,
        });
        emitEvent(ctx, "MethodRetired", { name: args.name, version: args.version });
      },
    }),
  ],
  events: ATTRIBUTION_EVENTS,
  errors: ATTRIBUTION_ERRORS,
  genesis(s, config) {
    for (const m of config.attributionMethods)
      measuredStorage.methods.set(s, measuredKeys.method(m.name, m.version), {
        params: m.params,
        specHash: m.specHash,
        registeredAt: 0,
        retired: false,
      });
  },
  invariants: attributionInvariants,
};
