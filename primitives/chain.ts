// The chain's consensus objects and their canonical encodings (schema: proto/chain.proto).
import { bytesEqual, utf8 } from "./bytes.ts";
import { decodeMessage, encodeMessage, messageType } from "./codec.ts";
import { CodecError } from "./errors.ts";
import { hash } from "./hash.ts";

export interface EngineData {
  engine: Uint8Array;
  data: Uint8Array;
}

/** Exactly one member is set. */
export interface DigestItem {
  preRuntime?: EngineData;
  consensus?: EngineData;
  seal?: EngineData;
}

export interface Header {
  parentHash: Uint8Array;
  number: number;
  stateRoot: Uint8Array;
  extrinsicsRoot: Uint8Array;
  digest: DigestItem[];
}

export interface Block {
  header: Header;
  extrinsics: Uint8Array[];
}

export interface Call {
  pallet: number;
  call: number;
  args: Uint8Array;
}

/** Mortality: valid while `birth < block number < birth + period`. */
export interface Era {
  period: number;
  birth: number;
}

export interface Extrinsic {
  signer: Uint8Array;
  signature: Uint8Array;
  nonce: number;
  era: Era | null;
  /** u128 as minimal big-endian bytes (empty = 0). */
  tip: Uint8Array;
  call: Call;
  specVersion: number;
  /** First 4 bytes of the genesis hash (signed transactions only). */
  chainTag: Uint8Array;
}

export interface SigningPayload {
  call: Call;
  nonce: number;
  era: Era | null;
  tip: Uint8Array;
  specVersion: number;
  transactionVersion: number;
  genesisHash: Uint8Array;
  eraBlockHash: Uint8Array;
}

/** Size limits: anything larger is refused before decoding. */
export const LIMITS = {
  headerBytes: 16 * 1024,
  extrinsicBytes: 4 * 1024 * 1024,
  blockBytes: 5 * 1024 * 1024,
  digestItems: 16,
} as const;

export const ENGINE_AURA = utf8("aura");
export const ENGINE_FINALITY = utf8("FRNK");

const HEADER = messageType("chain.proto", "lineage.v1.Header");
const BLOCK = messageType("chain.proto", "lineage.v1.Block");
const BODY = messageType("chain.proto", "lineage.v1.BlockBody");
const EXTRINSIC = messageType("chain.proto", "lineage.v1.Extrinsic");
const SIGNING_PAYLOAD = messageType("chain.proto", "lineage.v1.SigningPayload");

export function encodeHeader(header: Header): Uint8Array {
  return encodeMessage(HEADER, header);
}

export function decodeHeader(bytes: Uint8Array): Header {
  const header = decodeMessage<Header>(HEADER, bytes, LIMITS.headerBytes);
  checkHeaderShape(header);
  return header;
}

function checkHeaderShape(header: Header): void {
  for (const field of ["parentHash", "stateRoot", "extrinsicsRoot"] as const) {
    if (header[field].length !== 32)
      throw new CodecError("INVALID_VALUE", `header ${field} must be 32 bytes`);
  }
  if (header.digest.length > LIMITS.digestItems) {
    throw new CodecError("OVERSIZE", `header digest has more than ${LIMITS.digestItems} items`);
  }
  for (const item of header.digest) {
    const set = [item.preRuntime, item.consensus, item.seal].filter((x) => x != null);
    if (set.length !== 1)
      throw new CodecError("INVALID_VALUE", "a digest item must have exactly one kind");
  }
}

export function encodeBlock(block: Block): Uint8Array {
  return encodeMessage(BLOCK, block);
}

export function decodeBlock(bytes: Uint8Array): Block {
  const block = decodeMessage<Block>(BLOCK, bytes, LIMITS.blockBytes);
  if (!block.header) throw new CodecError("INVALID_VALUE", "block without header");
  checkHeaderShape(block.header);
  return block;
}

export function encodeBody(extrinsics: Uint8Array[]): Uint8Array {
  return encodeMessage(BODY, { extrinsics });
}

export function decodeBody(bytes: Uint8Array): Uint8Array[] {
  return decodeMessage<{ extrinsics: Uint8Array[] }>(BODY, bytes, LIMITS.blockBytes).extrinsics;
}

export function encodeExtrinsic(extrinsic: Extrinsic): Uint8Array {
  return encodeMessage(EXTRINSIC, extrinsic);
}

export function decodeExtrinsic(bytes: Uint8Array): Extrinsic {
  const xt = decodeMessage<Extrinsic>(EXTRINSIC, bytes, LIMITS.extrinsicBytes);
  if (!xt.call) throw new CodecError("INVALID_VALUE", "extrinsic without call");
  const signed = xt.signer.length > 0;
  if (signed && (xt.signer.length !== 32 || xt.signature.length !== 64)) {
    throw new CodecError(
      "INVALID_VALUE",
      "a signed extrinsic needs a 32-byte signer and 64-byte signature",
    );
  }
  if (signed && xt.chainTag.length !== 4) {
    throw new CodecError("INVALID_VALUE", "a signed extrinsic needs a 4-byte chain tag");
  }
  const extras = xt.signature.length > 0 || xt.nonce !== 0 || xt.era || xt.tip.length > 0;
  if (!signed && (extras || xt.specVersion !== 0 || xt.chainTag.length > 0)) {
    throw new CodecError(
      "INVALID_VALUE",
      "an unsigned extrinsic carries no signature, nonce, era, tip or tags",
    );
  }
  if (xt.tip.length > 16 || (xt.tip.length > 0 && xt.tip[0] === 0)) {
    throw new CodecError("NON_CANONICAL", "tip must be a minimal big-endian u128");
  }
  return xt;
}

export function encodeSigningPayload(payload: SigningPayload): Uint8Array {
  return encodeMessage(SIGNING_PAYLOAD, payload);
}

export function headerHash(header: Header): Uint8Array {
  return hash(encodeHeader(header));
}

export function extrinsicHash(bytes: Uint8Array): Uint8Array {
  return hash(bytes);
}

export function isSigned(extrinsic: Extrinsic): boolean {
  return extrinsic.signer.length > 0;
}

export function findPreRuntime(header: Header, engine: Uint8Array): Uint8Array | undefined {
  for (const item of header.digest) {
    if (item.preRuntime && bytesEqual(item.preRuntime.engine, engine)) return item.preRuntime.data;
  }
  return undefined;
}
