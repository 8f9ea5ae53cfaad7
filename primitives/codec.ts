// Canonical protobuf. Every consensus object has exactly one encoding: fields in ascending order,
// default values omitted, minimal varints, no unknown fields. The decoder enforces it by
// re-encoding what it decoded and comparing bytes, so two nodes can never disagree on a hash
// because one of them accepted a second spelling of the same object.
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { bytesEqual } from "./bytes.ts";
import { CodecError } from "./errors.ts";

export type MessageType = protobuf.Type;

const loaded = new Map<string, protobuf.Root>();

/** Loads a schema file under primitives/proto/ (once) and returns one of its message types. */
export function messageType(file: string, name: string): MessageType {
  let root = loaded.get(file);
  if (!root) {
    root = protobuf.loadSync(fileURLToPath(new URL(`./proto/${file}`, import.meta.url)));
    root.resolveAll();
    loaded.set(file, root);
  }
  return root.lookupType(name);
}

function isDefaultScalar(value: unknown): boolean {
  if (value === 0 || value === false || value === "" || value === 0n) return true;
  return value instanceof Uint8Array && value.length === 0;
}

/** Drops proto3 default values so that the encoding is the canonical one. */
function canonicalObject(
  type: MessageType,
  object: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    if (field.repeated) {
      if (!Array.isArray(value))
        throw new CodecError("INVALID_VALUE", `${field.name}: expected a list`);
      if (value.length === 0) continue;
      out[field.name] = nested
        ? value.map((v) => canonicalObject(nested, v as Record<string, unknown>))
        : value;
    } else if (nested) {
      out[field.name] = canonicalObject(nested, value as Record<string, unknown>);
    } else if (field.partOf || !isDefaultScalar(value)) {
      // oneof members have presence in proto3, so a zero value there is still written.
      out[field.name] = value;
    }
  }
  return out;
}

export function encodeMessage(type: MessageType, object: object): Uint8Array {
  const canonical = canonicalObject(type, object as Record<string, unknown>);
  const problem = type.verify(canonical);
  if (problem) throw new CodecError("INVALID_VALUE", `${type.name}: ${problem}`);
  return type.encode(type.fromObject(canonical)).finish();
}

/**
 * Decodes bytes that must be the canonical encoding of `type`, at most `maxBytes` long.
 * uint64 fields become JS numbers; a value above 2^53 cannot re-encode exactly and is refused.
 */
export function decodeMessage<T>(type: MessageType, bytes: Uint8Array, maxBytes: number): T {
  if (bytes.length > maxBytes) {
    throw new CodecError(
      "OVERSIZE",
      `${type.name}: ${bytes.length} bytes exceeds the limit of ${maxBytes}`,
    );
  }
  let object: Record<string, unknown>;
  try {
    const message = type.decode(bytes);
    object = type.toObject(message, { longs: Number, defaults: true, arrays: true });
  } catch (cause) {
    throw new CodecError("MALFORMED", `${type.name}: malformed bytes`, { cause });
  }
  const again = encodeMessage(type, object);
  if (!bytesEqual(again, bytes)) {
    throw new CodecError(
      "NON_CANONICAL",
      `${type.name}: not the canonical encoding (unknown fields, default values, field order or non-minimal integers)`,
    );
  }
  return normalizeBytes(object) as T;
}

/** protobufjs hands out Buffers; the rest of the code base deals in plain Uint8Array views. */
function normalizeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (Array.isArray(value)) return value.map(normalizeBytes);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeBytes(v);
    return out;
  }
  return value;
}
