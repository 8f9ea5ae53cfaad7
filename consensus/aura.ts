// Aura: slot = floor(timestamp / slotDuration), author = authorities[slot % n] from the parent's
// state. The header carries a pre-runtime slot digest and, last, a seal: the author's signature
// over the hash of the header without the seal.
import { bytesEqual } from "../primitives/bytes.ts";
import { type DigestItem, ENGINE_AURA, type Header, headerHash } from "../primitives/chain.ts";
import { sign, verifyFast } from "../primitives/keys.ts";
import { encodeSlot, slotFromDigest } from "../runtime/executive.ts";
import { BlockError } from "./errors.ts";

/** Blocks may be at most this many slots ahead of the local clock (Substrate allows one). */
export const MAX_SLOT_DRIFT = 1;

export function slotAt(timestampMs: number, slotDurationMs: number): number {
  return Math.floor(timestampMs / slotDurationMs);
}

export function preRuntimeDigest(slot: number): DigestItem {
  return { preRuntime: { engine: ENGINE_AURA, data: encodeSlot(slot) } };
}

export function headerSlot(header: Header): number {
  const slot = slotFromDigest(header.digest);
  if (slot === undefined)
    throw new BlockError("MISSING_SLOT", "the header has no Aura slot digest");
  return slot;
}

/** The header as it was before sealing, and the seal itself. */
export function splitSeal(header: Header): { unsealed: Header; seal: Uint8Array } {
  const last = header.digest[header.digest.length - 1];
  if (!last?.seal || !bytesEqual(last.seal.engine, ENGINE_AURA)) {
    throw new BlockError("UNSEALED", "the header's last digest item is not an Aura seal");
  }
  return { unsealed: { ...header, digest: header.digest.slice(0, -1) }, seal: last.seal.data };
}

export function sealHeader(unsealed: Header, seed: Uint8Array): Header {
  const signature = sign(seed, headerHash(unsealed));
  return {
    ...unsealed,
    digest: [...unsealed.digest, { seal: { engine: ENGINE_AURA, data: signature } }],
  };
}

export function verifySeal(header: Header, author: Uint8Array): void {
  const { unsealed, seal } = splitSeal(header);
  if (!verifyFast(seal, headerHash(unsealed), author)) {
    throw new BlockError("BAD_SEAL", "the seal is not the slot author's signature");
  }
}
