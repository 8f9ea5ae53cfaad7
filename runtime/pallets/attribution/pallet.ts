// The attribution pallet: models and their training manifests, licence purchases, inference
// payments split into protocol fee, model owner and data share, and the per-version reward pools
// contributors claim from (pool.ts). Calls check first and write last. The pools' funds sit on
// ATTRIBUTION_ACCOUNT, so total issuance covers every pool and every unclaimed reward.
import { checkedAdd, checkedSub, u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { bytesEqual, utf8 } from "../../../primitives/bytes.ts";
import { encodeMessage, messageType } from "../../../primitives/codec.ts";
import { InvariantError } from "../../errors.ts";
import { defineCall, ensureSigned, type Pallet, type RuntimeContext } from "../../pallet.ts";
import type { RuntimeStorage, StorageRead } from "../../storage.ts";
import { burn, depositOrBurn, withdraw } from "../balances.ts";
import { param } from "../params.ts";
import {
  type Datanet,
  getContribution,
  getDatanet,
  getVersion,
  LicenceKind,
  versionEntries,
  versionWeight,
} from "../registry/index.ts";
import { ContributionStatus } from "../registry/types.ts";
import { accountExists, readAccount, writeAccount } from "../system.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { ATTRIBUTION_ERRORS, attributionError, NAME } from "./errors.ts";
import {
  claimable,
  claim as claimFromPool,
  deposit,
  newPool,
  noteSlash,
  poolBalance,
} from "./pool.ts";
import { splitInference, splitLicence } from "./split.ts";
import {
  ATTRIBUTION_ACCOUNT,
  getModel,
  getPool,
  getPosition,
  hasLicence,
  keys,
  storage,
} from "./storage.ts";
import { type ManifestEntry, type Model, PPM } from "./types.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

/** The pallet's index in the runtime (stable: part of every attribution call and event). */
export const ATTRIBUTION_INDEX = 8;

// Weights (picoseconds): estimates from the storage each call touches, until benchmarked.
const W_BASE = 100_000_000n;
const W_PER_ENTRY = 60_000_000n;
const W_PER_CLAIM = 40_000_000n;

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

const amount = (x: bigint) => u128ToBytes(x);

function emitEvent(ctx: RuntimeContext, name: string, data: object): void {
  const event = attribution.events.find((e) => e.name === name);
  if (!event) throw new Error(`Attribution has no event ${name}`);
  ctx.deposit(ATTRIBUTION_INDEX, event.index, encodeMessage(event.data, data));
}

// ---- checks ----

function checkUri(s: StorageRead, uri: string): void {
  const max = param(s, "registryMaxUriBytes");
  if (BigInt(utf8(uri).length) > max)
    throw attributionError("TooLong", `the metadata URI is longer than ${max} bytes`);
}

function datanetOf(s: StorageRead, id: number): Datanet {
  const datanet = getDatanet(s, id);
  if (!datanet) throw attributionError("UnknownDatanet", `#${id}`);
  return datanet;
}

/** The version's total weight; fails for unknown or empty versions. */
function versionTotal(s: StorageRead, datanetId: number, version: number): bigint {
  const v = getVersion(s, datanetId, version);
  if (!v) throw attributionError("UnknownVersion", `datanet #${datanetId} v${version}`);
  if (v.totalWeight === 0)
    throw attributionError("EmptyVersion", `datanet #${datanetId} v${version}`);
  return BigInt(v.totalWeight);
}

/** The datanet's owner may always use it; otherwise the licence's allow-list and commercial flag. */
function checkAccess(datanet: Datanet, who: Uint8Array, commercial: boolean, what: string): void {
  if (bytesEqual(datanet.owner, who)) return;
  if (datanet.licence.kind === LicenceKind.restricted) {
    if (!datanet.licence.allowList.some((a) => bytesEqual(a, who)))
      throw attributionError("Restricted", what);
  }
  if (commercial && !datanet.licence.commercial) throw attributionError("NotCommercial", what);
}

/** The licence fee `who` owes for a datanet version: zero for owners, open licences and holders. */
function licenceFeeDue(
  s: StorageRead,
  datanet: Datanet,
  e: ManifestEntry,
  who: Uint8Array,
): bigint {
  if (bytesEqual(datanet.owner, who) || datanet.licence.kind !== LicenceKind.paid) return 0n;
  return hasLicence(s, e.datanetId, e.version, who) ? 0n : datanet.licence.fee;
}

function checkManifest(s: StorageRead, manifest: ManifestEntry[], owner: Uint8Array): bigint {
  if (manifest.length === 0) throw attributionError("EmptyManifest");
  const max = param(s, "attributionMaxManifest");
  if (BigInt(manifest.length) > max) throw attributionError("TooMany", `at most ${max} entries`);
  let sum = 0n;
  let fees = 0n;
  const seen = new Set<string>();
  for (const e of manifest) {
    const key = `${e.datanetId}/${e.version}`;
    if (seen.has(key)) throw attributionError("DuplicateEntry", key);
    seen.add(key);
    if (e.weightPpm === 0) throw attributionError("ZeroWeight", key);
    sum += BigInt(e.weightPpm);
    const datanet = datanetOf(s, e.datanetId);
    versionTotal(s, e.datanetId, e.version);
    checkAccess(datanet, owner, true, `datanet #${e.datanetId}`);
    fees += licenceFeeDue(s, datanet, e, owner);
  }
  if (sum !== PPM) throw attributionError("ManifestSum", `they sum to ${sum}`);
  return fees;
}

function checkCanPay(s: StorageRead, who: Uint8Array, total: bigint): void {
  const info = readAccount(s, who);
  const ed = param(s, "existentialDeposit");
  if (info.free < total || (info.reserved === 0n && info.free - total < ed))
    throw attributionError("InsufficientBalance", `needs ${total}, free is ${info.free}`);
}

// ---- money movements (the payer's funds are already withdrawn) ----

// The pools' funds sit on ATTRIBUTION_ACCOUNT, written directly like a Substrate pallet account:
// it needs no existential deposit (so no genesis endowment) and is never reaped by a transfer.
// Withdrawn funds moved here stay inside total issuance.
function moveIntoPot(s: RuntimeStorage, value: bigint): void {
  const pot = readAccount(s, ATTRIBUTION_ACCOUNT);
  writeAccount(s, ATTRIBUTION_ACCOUNT, { ...pot, free: checkedAdd(pot.free, value) });
}

/** Takes `value` out of the pot; the caller pays it on. */
function moveOutOfPot(s: RuntimeStorage, value: bigint): void {
  const pot = readAccount(s, ATTRIBUTION_ACCOUNT);
  writeAccount(s, ATTRIBUTION_ACCOUNT, { ...pot, free: checkedSub(pot.free, value) });
}

const epochOf = (ctx: RuntimeContext) =>
  Math.floor(ctx.blockNumber / Number(param(ctx.storage, "epochLength")));

/** Pays `value` into a version's pool; with no live weight left it goes to the treasury. */
function payPool(ctx: RuntimeContext, datanetId: number, version: number, value: bigint): void {
  if (value === 0n) return;
  const s = ctx.storage;
  const pool = getPool(s, datanetId, version) ?? newPool(versionTotal(s, datanetId, version));
  if (pool.liveWeight === 0n) {
    depositOrBurn(ctx, TREASURY_ACCOUNT, value);
    return;
  }
  storage.pools.set(s, keys.pool(datanetId, version), deposit(pool, value));
  moveIntoPot(s, value);
  const key = keys.epochPool(epochOf(ctx), datanetId, version);
  storage.epochPoolFees.set(s, key, checkedAdd(storage.epochPoolFees.get(s, key) ?? 0n, value));
}

/** Counts a payment towards the epoch's marketplace volume or its self-dealing. */
function recordPayment(
  ctx: RuntimeContext,
  payer: Uint8Array,
  value: bigint,
  selfDealing: boolean,
) {
  const s = ctx.storage;
  const epoch = epochOf(ctx);
  if (selfDealing) {
    storage.epochSelfDealing.set(
      s,
      epoch,
      checkedAdd(storage.epochSelfDealing.get(s, epoch) ?? 0n, value),
    );
    return;
  }
  storage.epochVolume.set(s, epoch, checkedAdd(storage.epochVolume.get(s, epoch) ?? 0n, value));
  const payerKey = keys.epochPayer(epoch, payer);
  if (!storage.epochPayers.has(s, payerKey)) {
    storage.epochPayers.set(s, payerKey, 0);
    storage.epochPayerCount.set(s, epoch, (storage.epochPayerCount.get(s, epoch) ?? 0) + 1);
  }
}

/** Records a licence and distributes its fee (already withdrawn from the buyer). */
function grantLicence(
  ctx: RuntimeContext,
  buyer: Uint8Array,
  datanetId: number,
  version: number,
  fee: bigint,
) {
  const datanet = datanetOf(ctx.storage, datanetId);
  const { toOwner, toPool } = splitLicence(ctx.storage, fee);
  const selfDealing = bytesEqual(datanet.owner, buyer);
  depositOrBurn(ctx, datanet.owner, toOwner);
  payPool(ctx, datanetId, version, toPool);
  storage.licences.set(ctx.storage, keys.licence(datanetId, version, buyer), ctx.blockNumber);
  if (fee > 0n) recordPayment(ctx, buyer, fee, selfDealing);
  emitEvent(ctx, "LicencePurchased", {
    datanetId,
    version,
    buyer,
    fee: amount(fee),
    toOwner: amount(toOwner),
    toPool: amount(toPool),
    selfDealing,
  });
}

/** Notes a slash in a pool (creating the pool if nothing was paid yet); idempotent. */
function noteSlashIn(
  ctx: RuntimeContext,
  datanetId: number,
  version: number,
  id: number,
  weight: bigint,
) {
  const s = ctx.storage;
  const pool = getPool(s, datanetId, version) ?? newPool(versionTotal(s, datanetId, version));
  const position = getPosition(s, datanetId, version, id);
  if (position.slashed) return;
  const out = noteSlash(pool, weight, position);
  storage.pools.set(s, keys.pool(datanetId, version), out.pool);
  storage.positions.set(s, keys.position(datanetId, version, id), out.position);
  if (out.toTreasury > 0n) {
    moveOutOfPot(s, out.toTreasury);
    depositOrBurn(ctx, TREASURY_ACCOUNT, out.toTreasury);
  }
  const contributor = getContribution(s, id)?.contributor ?? new Uint8Array(32);
  emitEvent(ctx, "SlashNoted", {
    datanetId,
    version,
    contributionId: id,
    account: contributor,
    amount: amount(out.forfeited),
  });
}

function modelOf(s: StorageRead, id: number): Model {
  const model = getModel(s, id);
  if (!model) throw attributionError("UnknownModel", `#${id}`);
  return model;
}

function ownModel(s: StorageRead, id: number, who: Uint8Array): Model {
  const model = modelOf(s, id);
  if (!bytesEqual(model.owner, who)) throw attributionError("NotModelOwner");
  if (model.retired) throw attributionError("Retired", `#${id}`);
  return model;
}

const toManifest = (wire: ManifestWire[]): ManifestEntry[] =>
  wire.map((e) => ({ datanetId: e.datanetId, version: e.version, weightPpm: e.weightPpm }));

export const attribution: Pallet = {
  name: NAME,
  index: ATTRIBUTION_INDEX,
  storage: Object.values(storage).map((item) => item.info),
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
        for (const [j, e] of model.manifest.entries())
          payPool(ctx, e.datanetId, e.version, split.perEntry[j]!);
        recordPayment(ctx, who, split.total, selfDealing);
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
  ],
  events: [
    {
      index: 0,
      name: "ModelRegistered",
      data: T("AttributionModelEvent"),
      doc: "A model was registered",
    },
    {
      index: 1,
      name: "ModelUpdated",
      data: T("AttributionModelEvent"),
      doc: "A model's metadata or price changed",
    },
    {
      index: 2,
      name: "ModelRetired",
      data: T("AttributionModelEvent"),
      doc: "A model was retired",
    },
    {
      index: 3,
      name: "LicencePurchased",
      data: T("AttributionLicenceEvent"),
      doc: "An account licensed a datanet version; the fee split into the owner's cut and the pool",
    },
    {
      index: 4,
      name: "InferencePaid",
      data: T("AttributionInferenceEvent"),
      doc: "An inference payment and its split",
    },
    {
      index: 5,
      name: "Claimed",
      data: T("AttributionPoolEvent"),
      doc: "A contributor claimed a contribution's rewards from a version's pool",
    },
    {
      index: 6,
      name: "SlashNoted",
      data: T("AttributionPoolEvent"),
      doc: "A slashed contribution left a pool's live weight; `amount` is what it forfeited to the rest",
    },
  ],
  errors: ATTRIBUTION_ERRORS,
  invariants: attributionInvariants,
};

/** Payment weight is priced for the largest manifest the default parameters allow. */
const PARAMS_DEFAULTS: StorageRead = { get: () => undefined };

/**
 * Try-state: the attribution account holds at least every pool's balance (anyone may transfer to
 * it; only pools take from it); no pool paid out more than it received; what every pool's
 * contributions can still claim is covered by its balance and its live weight is the weight of
 * its unslashed entries. So every unclaimed reward is covered by funds inside total issuance.
 */
export function attributionInvariants(s: RuntimeStorage): void {
  let pools = 0n;
  for (const [key, pool] of storage.pools.entries(s)) {
    const view = new DataView(key.buffer, key.byteOffset, key.length);
    const datanetId = Number(view.getBigUint64(0));
    const version = view.getUint32(8);
    const where = `pool of datanet #${datanetId} v${version}`;
    if (pool.claimed > pool.deposited)
      throw new InvariantError("ATTRIBUTION_POOL", `${where} paid out more than it received`);
    let owed = 0n;
    let live = 0n;
    for (const e of versionEntries(s, datanetId, version)) {
      const position = getPosition(s, datanetId, version, e.contributionId);
      owed += claimable(pool, BigInt(e.weight), position);
      if (!position.slashed) live += BigInt(e.weight);
    }
    if (owed > poolBalance(pool))
      throw new InvariantError(
        "ATTRIBUTION_POOL",
        `${where} owes ${owed} unclaimed > its balance ${poolBalance(pool)}`,
      );
    if (live !== pool.liveWeight)
      throw new InvariantError("ATTRIBUTION_POOL", `${where} live weight is off`);
    pools += poolBalance(pool);
  }
  const held = readAccount(s, ATTRIBUTION_ACCOUNT).free;
  if (held < pools)
    throw new InvariantError(
      "ATTRIBUTION_POT",
      `attribution account holds ${held} < pools ${pools}`,
    );
}
