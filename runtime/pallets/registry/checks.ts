// Checks the calls make before they write: argument bounds from the params, and lookups that fail
// with the registry's typed errors.
import { bytesEqual, utf8 } from "../../../primitives/bytes.ts";
import type { CallerOrigin } from "../../pallet.ts";
import type { StorageRead } from "../../storage.ts";
import { type ParamName, param } from "../params.ts";
import { registryError } from "./errors.ts";
import { storage } from "./storage.ts";
import {
  type Contribution,
  type ContributionStatus,
  type CurationPolicy,
  type Datanet,
  type Licence,
  LicenceKind,
} from "./types.ts";

const byteLength = (text: string) => utf8(text).length;

export function checkText(s: StorageRead, text: string, limit: ParamName, what: string): void {
  const max = param(s, limit);
  if (BigInt(byteLength(text)) > max)
    throw registryError("TooLong", `${what} is longer than ${max} bytes`);
}

export function checkAccounts(list: Uint8Array[], max: bigint, what: string): void {
  if (BigInt(list.length) > max) throw registryError("TooMany", `${what}: at most ${max}`);
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.length !== 32)
      throw registryError("InvalidAccount", `${what}: 32-byte account ids`);
    for (let j = 0; j < i; j++)
      if (bytesEqual(list[i]!, list[j]!)) throw registryError("Duplicate", what);
  }
}

export function checkLicence(s: StorageRead, licence: Licence): void {
  if (!Object.values(LicenceKind).includes(licence.kind))
    throw registryError("InvalidLicence", `unknown licence kind ${licence.kind}`);
  if ((licence.kind === LicenceKind.paid) !== licence.fee > 0n)
    throw registryError("InvalidLicence", "a paid licence and only a paid licence has a fee");
  if ((licence.kind === LicenceKind.restricted) !== licence.allowList.length > 0)
    throw registryError(
      "InvalidLicence",
      "a restricted licence and only a restricted licence has an allow-list",
    );
  checkAccounts(licence.allowList, param(s, "registryMaxAllowList"), "allow-list");
}

export function checkPolicy(s: StorageRead, policy: CurationPolicy): void {
  checkAccounts(policy.curators, param(s, "registryMaxCurators"), "curators");
  const minBond = param(s, "registryMinBond");
  if (policy.minBond < minBond)
    throw registryError("InvalidPolicy", `the minimum bond must be at least ${minBond}`);
  const maxWindow = param(s, "registryMaxWindow");
  for (const [what, blocks] of [
    ["review window", policy.reviewWindow],
    ["challenge window", policy.challengeWindow],
  ] as const) {
    if (blocks < 1 || BigInt(blocks) > maxWindow)
      throw registryError("InvalidPolicy", `the ${what} must be 1..${maxWindow} blocks`);
  }
  const maxPending = param(s, "registryMaxPendingLimit");
  if (BigInt(policy.pendingLimit) > maxPending)
    throw registryError("InvalidPolicy", `the pending limit must be at most ${maxPending}`);
}

export function datanetOf(s: StorageRead, id: number): Datanet {
  const datanet = storage.datanets.get(s, id);
  if (!datanet) throw registryError("UnknownDatanet", `#${id}`);
  return datanet;
}

export function openDatanetOf(s: StorageRead, id: number): Datanet {
  const datanet = datanetOf(s, id);
  if (datanet.closed) throw registryError("DatanetClosed", `#${id}`);
  return datanet;
}

export function ensureOwner(datanet: Datanet, who: Uint8Array): void {
  if (!bytesEqual(datanet.owner, who)) throw registryError("NotOwner");
}

export function ensureSignedOrigin(origin: CallerOrigin): Uint8Array {
  if (origin.kind !== "signed") throw registryError("BadOrigin", "a signed origin is required");
  return origin.account;
}

export function ensureRootOrigin(origin: CallerOrigin): void {
  if (origin.kind !== "root") throw registryError("BadOrigin", "the root origin is required");
}

/** Whether the policy lists `who` as a curator (the owner of a datanet with none is not listed). */
export function isListedCurator(datanet: Datanet, who: Uint8Array): boolean {
  return datanet.policy.curators.some((c) => bytesEqual(c, who));
}

/** The policy's curators, or the owner when it lists none. */
export function isCurator(datanet: Datanet, who: Uint8Array): boolean {
  if (datanet.policy.curators.length === 0) return bytesEqual(datanet.owner, who);
  return datanet.policy.curators.some((c) => bytesEqual(c, who));
}

export function contributionOf(s: StorageRead, id: number): Contribution {
  const contribution = storage.contributions.get(s, id);
  if (!contribution) throw registryError("UnknownContribution", `#${id}`);
  return contribution;
}

export function ensureStatus(
  contribution: Contribution,
  status: ContributionStatus,
  what: string,
): void {
  if (contribution.status !== status) throw registryError("WrongStatus", what);
}
