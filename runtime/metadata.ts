// Runtime metadata (JSON), generated from the pallet declarations and the protobuf schemas, so
// that a client can build calls and decode events and storage without the node's source.
import protobuf from "protobufjs";
import { toHex } from "../primitives/bytes.ts";
import type { MessageType } from "../primitives/codec.ts";
import { PALLETS, RUNTIME_VERSION } from "./runtime.ts";
import { itemPrefix } from "./storage.ts";

interface FieldInfo {
  name: string;
  id: number;
  type: string;
  repeated: boolean;
}

function typeName(type: MessageType): string {
  return type.fullName.replace(/^\./, "");
}

function collectTypes(type: MessageType, into: Map<string, FieldInfo[]>): void {
  const name = typeName(type);
  if (into.has(name)) return;
  const fields: FieldInfo[] = [];
  into.set(name, fields);
  for (const field of type.fieldsArray) {
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    fields.push({
      name: field.name,
      id: field.id,
      type: nested ? typeName(nested) : field.type,
      repeated: field.repeated,
    });
    if (nested) collectTypes(nested, into);
  }
}

export function runtimeMetadata(): unknown {
  const types = new Map<string, FieldInfo[]>();
  const pallets = PALLETS.map((pallet) => ({
    name: pallet.name,
    index: pallet.index,
    storage: pallet.storage.map((item) => ({
      ...item,
      prefix: toHex(itemPrefix(pallet.name, item.name)),
    })),
    calls: pallet.calls.map((call) => {
      collectTypes(call.args, types);
      return {
        name: call.name,
        index: call.index,
        args: typeName(call.args),
        origin: call.origin,
        class: call.dispatchClass ?? "normal",
        doc: call.doc,
      };
    }),
    events: pallet.events.map((event) => {
      collectTypes(event.data, types);
      return { name: event.name, index: event.index, data: typeName(event.data), doc: event.doc };
    }),
    errors: Object.entries(pallet.errors).map(([name, message]) => ({ name, message })),
  }));
  return {
    magic: "lineage-metadata",
    version: 1,
    runtime: RUNTIME_VERSION,
    encoding: "protobuf (proto3, canonical); u128 as minimal big-endian bytes",
    pallets,
    types: Object.fromEntries(
      [...types.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  };
}
