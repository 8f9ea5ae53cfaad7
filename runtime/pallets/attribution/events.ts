// The attribution pallet's events. Each is its own protobuf message; indices are stable.
import { u128ToBytes } from "../../../primitives/amount.ts";
import { encodeMessage, messageType } from "../../../primitives/codec.ts";
import type { EventDef, RuntimeContext } from "../../pallet.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

/** The pallet's index in the runtime (stable: part of every attribution call and event). */
export const ATTRIBUTION_INDEX = 8;

export const ATTRIBUTION_EVENTS = [
  {
    index: 0,
    name: "ModelRegistered",
    data: T("AttributionModelEvent"),
    doc: "A model was registered",
  },
  {
    index: 1,
    name: "ModelUpdated",
    data: T("AttributionModelEvent"),
    doc: "A model's metadata or price changed",
  },
  {
    index: 2,
    name: "ModelRetired",
    data: T("AttributionModelEvent"),
    doc: "A model was retired",
  },
  {
    index: 3,
    name: "LicencePurchased",
    data: T("AttributionLicenceEvent"),
    doc: "An account licensed a datanet version; the fee split into the owner's cut and the pool",
  },
  {
    index: 4,
    name: "InferencePaid",
    data: T("AttributionInferenceEvent"),
    doc: "An inference payment and its split",
  },
  {
    index: 5,
    name: "Claimed",
    data: T("AttributionPoolEvent"),
    doc: "A contributor claimed a contribution's rewards from a version's pool",
  },
  {
    index: 6,
    name: "SlashNoted",
    data: T("AttributionPoolEvent"),
    doc: "A slashed contribution left a pool's live weight; `amount` is what it forfeited to the rest",
  },
  {
    index: 7,
    name: "WindowSettled",
    data: T("AttributionWindowSettledEvent"),
    doc: "A measured model's window was settled: by its final report root (`measured`), or by the declared manifest",
  },
  {
    index: 8,
    name: "MeasuredClaimed",
    data: T("AttributionMeasuredClaimEvent"),
    doc: "A report leaf of a settled window was paid: to the contributor, or to the treasury for a slashed contribution",
  },
  {
    index: 9,
    name: "MethodRegistered",
    data: T("AttributionMethodEvent"),
    doc: "Governance registered an attribution method version",
  },
  {
    index: 10,
    name: "MethodRetired",
    data: T("AttributionMethodEvent"),
    doc: "Governance retired an attribution method version: no new model may name it",
  },
] as const satisfies readonly EventDef[];

export type AttributionEventName = (typeof ATTRIBUTION_EVENTS)[number]["name"];

export const amount = (x: bigint) => u128ToBytes(x);

export function emitEvent(ctx: RuntimeContext, name: AttributionEventName, data: object): void {
  const event = ATTRIBUTION_EVENTS.find((e) => e.name === name);
  if (!event) throw new Error(`Attribution has no event ${name}`);
  ctx.deposit(ATTRIBUTION_INDEX, event.index, encodeMessage(event.data, data));
}
