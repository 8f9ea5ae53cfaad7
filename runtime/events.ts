// Reading a block's events back: System.Events holds records whose data is each event's own
// protobuf message; this names them and decodes their fields for clients (wallet, tests).
import { decodeMessage } from "../primitives/codec.ts";
import { type EventRecordWire, storage as systemStorage } from "./pallets/system.ts";
import { PALLETS } from "./runtime.ts";
import type { StorageRead } from "./storage.ts";

const MAX_EVENT_BYTES = 1024 * 1024;

export interface DecodedEvent {
  /** Index of the extrinsic that emitted it, or null for block initialization/finalization. */
  extrinsicIndex: number | null;
  pallet: string;
  name: string;
  data: Record<string, unknown>;
}

export function decodeEventRecords(records: readonly EventRecordWire[]): DecodedEvent[] {
  return records.map((record) => {
    const pallet = PALLETS.find((p) => p.index === record.pallet);
    const def = pallet?.events.find((e) => e.index === record.event);
    return {
      extrinsicIndex: record.finalization ? null : record.extrinsicIndex,
      pallet: pallet?.name ?? `#${record.pallet}`,
      name: def?.name ?? `#${record.event}`,
      data: def
        ? decodeMessage<Record<string, unknown>>(def.data, record.data, MAX_EVENT_BYTES)
        : { raw: record.data },
    };
  });
}

/** The events of the block whose post-state is `state`. */
export function blockEvents(state: StorageRead): DecodedEvent[] {
  return decodeEventRecords(systemStorage.events.get(state).records);
}

/** The storage key of System.Events, for `state_getStorage` at a block. */
export const EVENTS_KEY: Uint8Array = systemStorage.events.key;
