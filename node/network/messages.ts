// The request-response messages (primitives/proto/network.proto): typed values in, canonical
// protobuf out, and back with every field checked, so that the service only ever sees well-formed
// statuses and block lists. A peer's malformed bytes are a CodecError or a NetworkError here.
import { decodeMessage, encodeMessage, messageType } from "../../primitives/codec.ts";
import { HASH_LENGTH } from "../../primitives/hash.ts";
import { NetworkError } from "./errors.ts";

export type Role = "full" | "authority";

export interface BlockRef {
  hash: Uint8Array;
  number: number;
}

export interface ChainStatus {
  genesisHash: Uint8Array;
  best: BlockRef;
  finalized: BlockRef;
  roles: Role;
}

export interface BlockData {
  hash: Uint8Array;
  header: Uint8Array;
  body: Uint8Array;
  justification?: Uint8Array;
}

export type BlocksRequest =
  | { fromNumber: number; count: number }
  | { fromHash: Uint8Array; count: number };

/** Why a responder declined; the numbers are the wire values of `Refusal.code`. */
export const REFUSAL = { overQuota: 1, badRequest: 2, otherChain: 3, internal: 4 } as const;
export type RefusalCode = (typeof REFUSAL)[keyof typeof REFUSAL];

export type Response =
  | { kind: "refusal"; code: RefusalCode; reason: string }
  | { kind: "status"; status: ChainStatus }
  | { kind: "blocks"; blocks: BlockData[] };

/** The most blocks one response carries, whatever the request asked for. */
export const MAX_BLOCKS_PER_RESPONSE = 128;
/** Frame limits: a status or a blocks request is tiny; a block response is capped by the server. */
export const MAX_STATUS_FRAME = 1024;
export const MAX_BLOCKS_REQUEST_FRAME = 128;

const STATUS = messageType("network.proto", "lineage.network.v1.Status");
const BLOCKS_REQUEST = messageType("network.proto", "lineage.network.v1.BlocksRequest");
const RESPONSE = messageType("network.proto", "lineage.network.v1.Response");

const ROLE_WIRE: Record<Role, number> = { full: 0, authority: 1 };

interface WireRef {
  hash?: Uint8Array;
  number?: number;
}
interface WireStatus {
  genesisHash?: Uint8Array;
  best?: WireRef;
  finalized?: WireRef;
  role?: number;
}
interface WireBlock {
  hash?: Uint8Array;
  header?: Uint8Array;
  body?: Uint8Array;
  justification?: Uint8Array;
}
interface WireResponse {
  refusal?: { code?: number; reason?: string };
  status?: WireStatus;
  blocks?: { blocks?: WireBlock[] };
}

function bad(what: string): NetworkError {
  return new NetworkError("BAD_RESPONSE", what);
}

function hashField(value: Uint8Array | undefined, what: string): Uint8Array {
  if (!value || value.length !== HASH_LENGTH)
    throw bad(`${what} is not a ${HASH_LENGTH}-byte hash`);
  return value;
}

function refFrom(wire: WireRef | undefined, what: string): BlockRef {
  if (!wire) throw bad(`${what} is missing`);
  return { hash: hashField(wire.hash, `${what} hash`), number: wire.number ?? 0 };
}

function statusToWire(status: ChainStatus): object {
  return {
    genesisHash: status.genesisHash,
    best: { hash: status.best.hash, number: status.best.number },
    finalized: { hash: status.finalized.hash, number: status.finalized.number },
    role: ROLE_WIRE[status.roles],
  };
}

function statusFromWire(wire: WireStatus): ChainStatus {
  const role = wire.role ?? 0;
  if (role !== 0 && role !== 1) throw bad(`unknown role ${role}`);
  const best = refFrom(wire.best, "best block");
  const finalized = refFrom(wire.finalized, "finalized block");
  if (finalized.number > best.number) throw bad("finalized block above the best block");
  return {
    genesisHash: hashField(wire.genesisHash, "genesis"),
    best,
    finalized,
    roles: role === 1 ? "authority" : "full",
  };
}

export function encodeStatus(status: ChainStatus): Uint8Array {
  return encodeMessage(STATUS, statusToWire(status));
}

export function decodeStatus(bytes: Uint8Array): ChainStatus {
  return statusFromWire(decodeMessage<WireStatus>(STATUS, bytes, MAX_STATUS_FRAME));
}

export function encodeBlocksRequest(request: BlocksRequest): Uint8Array {
  return encodeMessage(BLOCKS_REQUEST, request);
}

export function decodeBlocksRequest(bytes: Uint8Array): BlocksRequest {
  const wire = decodeMessage<{ fromNumber?: number; fromHash?: Uint8Array; count?: number }>(
    BLOCKS_REQUEST,
    bytes,
    MAX_BLOCKS_REQUEST_FRAME,
  );
  const count = wire.count ?? 0;
  if (count < 1) throw bad("a blocks request asks for at least one block");
  if (wire.fromHash !== undefined) return { fromHash: hashField(wire.fromHash, "from"), count };
  if (wire.fromNumber !== undefined) return { fromNumber: wire.fromNumber, count };
  throw bad("a blocks request names a start number or hash");
}

export function encodeResponse(response: Response): Uint8Array {
  switch (response.kind) {
    case "refusal":
      return encodeMessage(RESPONSE, {
        refusal: { code: response.code, reason: response.reason },
      });
    case "status":
      return encodeMessage(RESPONSE, { status: statusToWire(response.status) });
    case "blocks":
      return encodeMessage(RESPONSE, { blocks: { blocks: response.blocks } });
  }
}

export function decodeResponse(bytes: Uint8Array, maxBytes: number): Response {
  const wire = decodeMessage<WireResponse>(RESPONSE, bytes, maxBytes);
  if (wire.refusal) {
    const code = wire.refusal.code ?? 0;
    if (!(Object.values(REFUSAL) as number[]).includes(code)) throw bad(`unknown refusal ${code}`);
    return { kind: "refusal", code: code as RefusalCode, reason: wire.refusal.reason ?? "" };
  }
  if (wire.status) return { kind: "status", status: statusFromWire(wire.status) };
  if (wire.blocks) {
    const blocks = (wire.blocks.blocks ?? []).map((block): BlockData => {
      const out: BlockData = {
        hash: hashField(block.hash, "block"),
        header: block.header ?? new Uint8Array(),
        body: block.body ?? new Uint8Array(),
      };
      if (block.justification && block.justification.length > 0) {
        out.justification = block.justification;
      }
      return out;
    });
    return { kind: "blocks", blocks };
  }
  throw bad("an empty response");
}

/** Encoded size of one block inside a response, for the server's byte cap. */
export function blockWireSize(block: BlockData): number {
  return (
    block.hash.length +
    block.header.length +
    block.body.length +
    (block.justification?.length ?? 0) +
    24
  );
}
