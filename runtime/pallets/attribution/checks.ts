import { bytesEqual, utf8 } from "../../../primitives/bytes.ts";
import type { StorageRead } from "../../storage.ts";
import { currentEpoch } from "../authorities.ts";
import { param } from "../params.ts";
import { type Datanet, getDatanet, getVersion, LicenceKind } from "../registry/index.ts";
import { readAccount } from "../system.ts";
import { attributionError } from "./errors.ts";
import { getMethod } from "./measured-storage.ts";
import { getModel, hasLicence } from "./storage.ts";
import { type ManifestEntry, type Measurement, type Model, PPM } from "./types.ts";

export function checkUri(s: StorageRead, uri: string): void {
  const max = param(s, "registryMaxUriBytes");
  if (BigInt(utf8(uri).length) > max)
    throw attributionError("TooLong", `the metadata URI is longer than ${max} bytes`);
}

export function datanetOf(s: StorageRead, id: number): Datanet {
  const datanet = getDatanet(s, id);
  if (!datanet) throw attributionError("UnknownDatanet", `#${id}`);
  return datanet;
}

/** The version's total weight; fails for unknown or empty versions. */
export function versionTotal(s: StorageRead, datanetId: number, version: number): bigint {
  const v = getVersion(s, datanetId, version);
  if (!v) throw attributionError("UnknownVersion", `datanet #${datanetId} v${version}`);
  if (v.totalWeight === 0)
    throw attributionError("EmptyVersion", `datanet #${datanetId} v${version}`);
  return BigInt(v.totalWeight);
}

/** The datanet's owner may always use it; otherwise the licence's allow-list and commercial flag. */
export function checkAccess(
  datanet: Datanet,
  who: Uint8Array,
  commercial: boolean,
  what: string,
): void {
  if (bytesEqual(datanet.owner, who)) return;
  if (datanet.licence.kind === LicenceKind.restricted) {
    if (!datanet.licence.allowList.some((a) => bytesEqual(a, who)))
      throw attributionError("Restricted", what);
  }
  if (commercial && !datanet.licence.commercial) throw attributionError("NotCommercial", what);
}

/** The licence fee `who` owes for a datanet version: zero for owners, open licences and holders. */
export function licenceFeeDue(
  s: StorageRead,
  datanet: Datanet,
  e: ManifestEntry,
  who: Uint8Array,
): bigint {
  if (bytesEqual(datanet.owner, who) || datanet.licence.kind !== LicenceKind.paid) return 0n;
  return hasLicence(s, e.datanetId, e.version, who) ? 0n : datanet.licence.fee;
}

export function checkManifest(
  s: StorageRead,
  manifest: ManifestEntry[],
  owner: Uint8Array,
): bigint {
  if (manifest.length === 0) throw attributionError("EmptyManifest");
  const max = param(s, "attributionMaxManifest");
  if (BigInt(manifest.length) > max) throw attributionError("TooMany", `at most ${max} entries`);
  let sum = 0n;
  let fees = 0n;
  const seen = new Set<string>();
  const data: bigint[] = [];
  for (const e of manifest) {
    const key = `${e.datanetId}/${e.version}`;
    if (seen.has(key)) throw attributionError("DuplicateEntry", key);
    seen.add(key);
    if (e.weightPpm === 0) throw attributionError("ZeroWeight", key);
    sum += BigInt(e.weightPpm);
    const datanet = datanetOf(s, e.datanetId);
    data.push(versionTotal(s, e.datanetId, e.version));
    checkAccess(datanet, owner, true, `datanet #${e.datanetId}`);
    fees += licenceFeeDue(s, datanet, e, owner);
  }
  if (sum !== PPM) throw attributionError("ManifestSum", `they sum to ${sum}`);
  checkSkew(s, manifest, data);
  return fees;
}

/**
 * Every entry weighs within a factor f = `attributionManifestMaxFactorPpm` of its version's share
 * of the manifest's data (registry weight W): ⌊W / (f · ΣW)⌋ ≤ weight ≤ ⌈f · W / ΣW⌉ ppm. A model
 * owner can tilt its split by at most f either way: no version's contributors get less than 1/f of
 * what a point of their data is worth in the manifest, nor more than f times it.
 */
function checkSkew(s: StorageRead, manifest: ManifestEntry[], data: bigint[]): void {
  const factor = param(s, "attributionManifestMaxFactorPpm");
  const total = data.reduce((a, b) => a + b, 0n);
  for (const [j, e] of manifest.entries()) {
    const most = (factor * data[j]! + total - 1n) / total;
    const least = (PPM * PPM * data[j]!) / (factor * total);
    const weight = BigInt(e.weightPpm);
    if (weight > most || weight < least)
      throw attributionError(
        "ManifestSkew",
        `datanet #${e.datanetId} v${e.version} takes ${e.weightPpm} ppm; its data is ${(data[j]! * PPM) / total} ppm of the manifest's, so ${least} to ${most}`,
      );
  }
}

const METHOD_NAME = /^[a-z0-9-]{1,32}$/;

export function checkMethodName(name: string): void {
  if (!METHOD_NAME.test(name)) throw attributionError("BadMethodName", JSON.stringify(name));
}

/** A measured model's measurement as it will be stored: the method must be registered and live. */
export function checkMeasurement(
  s: StorageRead,
  args: {
    methodName: string;
    methodVersion: number;
    inputsHash: Uint8Array;
    inputsUri: string;
    server: Uint8Array;
  },
): Measurement {
  checkMethodName(args.methodName);
  const method = getMethod(s, args.methodName, args.methodVersion);
  const what = `${args.methodName} v${args.methodVersion}`;
  if (!method) throw attributionError("UnknownMethod", what);
  if (method.retired) throw attributionError("MethodRetired", what);
  if (args.inputsHash.length !== 32) throw attributionError("BadHash", "inputsHash");
  if (args.server.length !== 0 && args.server.length !== 32) throw attributionError("BadServer");
  checkUri(s, args.inputsUri);
  return {
    methodName: args.methodName,
    methodVersion: args.methodVersion,
    inputsHash: args.inputsHash,
    inputsUri: args.inputsUri,
    windowEpochs: Number(param(s, "attestationWindowEpochs")),
    startEpoch: currentEpoch(s),
    server: args.server,
  };
}

export function checkCanPay(s: StorageRead, who: Uint8Array, total: bigint): void {
  const info = readAccount(s, who);
  const ed = param(s, "existentialDeposit");
  if (info.free < total || (info.reserved === 0n && info.free - total < ed))
    throw attributionError("InsufficientBalance", `needs ${total}, free is ${info.free}`);
}

export function modelOf(s: StorageRead, id: number): Model {
  const model = getModel(s, id);
  if (!model) throw attributionError("UnknownModel", `#${id}`);
  return model;
}

export function ownModel(s: StorageRead, id: number, who: Uint8Array): Model {
  const model = modelOf(s, id);
  if (!bytesEqual(model.owner, who)) throw attributionError("NotModelOwner");
  if (model.retired) throw attributionError("Retired", `#${id}`);
  return model;
}
