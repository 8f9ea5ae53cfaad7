// How money splits: an inference payment into protocol fee (burn and treasury), model owner and
// data share, the data share over the manifest; a licence fee into owner's cut and pool. Plain
// functions of the parameters, so the wallet's quote and the tests use the same arithmetic.
//
//   total      = pricePerUnit · units
//   protocol   = floor(total · attributionProtocolFeePpm / 10^6)
//   burned     = floor(protocol · attributionFeeBurnPpm / 10^6), toTreasury = protocol − burned
//   dataShare  = floor((total − protocol) · dataSharePpm / 10^6), toOwner = the rest
//   perEntry_j = floor(dataShare · weightPpm_j / 10^6); the rounding remainder goes to entry 0
import { checkedMul, mulDivFloor } from "../../../primitives/amount.ts";
import type { StorageRead } from "../../storage.ts";
import { param } from "../params.ts";
import { type InferenceSplit, type ManifestEntry, type Model, PPM } from "./types.ts";

const ppmOf = (amount: bigint, ppm: bigint) => mulDivFloor(amount, ppm, PPM);

export function splitInference(s: StorageRead, model: Model, units: bigint): InferenceSplit {
  const total = checkedMul(model.pricePerUnit, units);
  const protocol = ppmOf(total, param(s, "attributionProtocolFeePpm"));
  const burned = ppmOf(protocol, param(s, "attributionFeeBurnPpm"));
  const dataShare = ppmOf(total - protocol, BigInt(model.dataSharePpm));
  const perEntry = splitManifest(dataShare, model.manifest);
  return {
    total,
    burned,
    toTreasury: protocol - burned,
    toOwner: total - protocol - dataShare,
    dataShare,
    perEntry,
  };
}

/** `value` over a manifest's entries by their ppm weights, the floors' remainder to entry 0. */
export function splitManifest(value: bigint, manifest: ManifestEntry[]): bigint[] {
  const perEntry = manifest.map((e) => ppmOf(value, BigInt(e.weightPpm)));
  const spread = perEntry.reduce((a, b) => a + b, 0n);
  if (perEntry.length > 0) perEntry[0] = perEntry[0]! + (value - spread);
  return perEntry;
}

/**
 * A licence fee's split: the protocol fee (burned and the treasury's, as for inference), then of
 * the rest the datanet owner's cut and what the version's contributors share. Every paid use pays
 * the protocol fee, so none can draw contributor emission for free.
 */
export function splitLicence(
  s: StorageRead,
  fee: bigint,
): { burned: bigint; toTreasury: bigint; toOwner: bigint; toPool: bigint } {
  const protocol = ppmOf(fee, param(s, "attributionProtocolFeePpm"));
  const burned = ppmOf(protocol, param(s, "attributionFeeBurnPpm"));
  const toOwner = ppmOf(fee - protocol, param(s, "attributionLicenceOwnerPpm"));
  return { burned, toTreasury: protocol - burned, toOwner, toPool: fee - protocol - toOwner };
}
