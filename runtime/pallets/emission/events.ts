// The emission pallet's events. Each is its own protobuf message; indices are stable.
import { encodeMessage } from "../../../primitives/codec.ts";
import type { EventDef, RuntimeContext } from "../../pallet.ts";
import { NAME, T } from "./storage.ts";

export const EMISSION_INDEX = 9;

export const EMISSION_EVENTS: EventDef[] = [
  {
    index: 0,
    name: "EpochClosed",
    data: T("EmissionEpochEvent"),
    doc: "An epoch's emission is complete: what was scheduled and what was minted by share",
  },
  {
    index: 1,
    name: "ValidatorRewarded",
    data: T("EmissionValidatorEvent"),
    doc: "A validator's emission for the blocks it authored in an epoch",
  },
  {
    index: 2,
    name: "PoolRewarded",
    data: T("EmissionPoolEvent"),
    doc: "Contributor emission minted into a version pool, in proportion to the eligible fees it earned",
  },
  {
    index: 3,
    name: "HealthRecorded",
    data: T("EmissionHealthEvent"),
    doc: "An epoch's economic health record was written",
  },
  {
    index: 4,
    name: "WindowRewarded",
    data: T("EmissionWindowEvent"),
    doc: "Contributor emission minted into a measured model's window pot, in proportion to the eligible fees it held; its report splits it",
  },
];

export function emitEvent(ctx: RuntimeContext, name: string, data: object): void {
  const event = EMISSION_EVENTS.find((e) => e.name === name);
  if (!event) throw new Error(`${NAME} has no event ${name}`);
  ctx.deposit(EMISSION_INDEX, event.index, encodeMessage(event.data, data));
}
