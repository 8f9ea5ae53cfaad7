// The attestation pallet's events. Each is its own protobuf message; indices are stable.
import { encodeMessage } from "../../../primitives/codec.ts";
import type { EventDef, RuntimeContext } from "../../pallet.ts";
import { T } from "./types.ts";

/** The pallet's index in the runtime (stable: part of every attestation call and event). */
export const ATTESTATION_INDEX = 11;

export const ATTESTATION_EVENTS = [
  {
    index: 0,
    name: "Bonded",
    data: T("AttestorEvent"),
    doc: "An account bonded (or added to) its attestor bond",
  },
  {
    index: 1,
    name: "Unbonding",
    data: T("AttestorEvent"),
    doc: "An attestor unbonded: it is no longer selected, and may withdraw from `block` once its windows are settled",
  },
  {
    index: 2,
    name: "Withdrawn",
    data: T("AttestorEvent"),
    doc: "An attestor withdrew its bond and left",
  },
  {
    index: 3,
    name: "WindowOpened",
    data: T("WindowEvent"),
    doc: "A measured window's pot is final; its query log is due by `deadline`",
  },
  {
    index: 4,
    name: "QueryLogCommitted",
    data: T("WindowEvent"),
    doc: "The model's owner committed the window's query log",
  },
  {
    index: 5,
    name: "RoundStarted",
    data: T("RoundStartedEvent"),
    doc: "Attestors were selected for a round of a window; they commit until `deadline`",
  },
  {
    index: 6,
    name: "Committed",
    data: T("AttestorWindowEvent"),
    doc: "A selected attestor committed",
  },
  {
    index: 7,
    name: "RevealPhase",
    data: T("WindowEvent"),
    doc: "A round's commit phase is over: reveals until `deadline`",
  },
  {
    index: 8,
    name: "Revealed",
    data: T("AttestorWindowEvent"),
    doc: "An attestor revealed its root",
  },
  {
    index: 9,
    name: "QuorumReached",
    data: T("ResultEvent"),
    doc: "A root reached the round's quorum; it is final at `deadline` unless disputed",
  },
  {
    index: 10,
    name: "Disputed",
    data: T("AttestorWindowEvent"),
    doc: "A quorum root was disputed: the window goes to a larger round",
  },
  {
    index: 11,
    name: "CouncilPhase",
    data: T("WindowEvent"),
    doc: "No round resolved the window: the council decides until `deadline`",
  },
  { index: 12, name: "Finalized", data: T("ResultEvent"), doc: "A window's report root is final" },
  {
    index: 13,
    name: "FellBack",
    data: T("FallbackEvent"),
    doc: "Nothing resolved the window in time: its pot is paid by the declared manifest",
  },
  {
    index: 14,
    name: "AttestorSlashed",
    data: T("PenaltyEvent"),
    doc: "An attestor or a disputer lost part of its bond",
  },
  {
    index: 15,
    name: "AttestorPaid",
    data: T("PayoutEvent"),
    doc: "An attestor's fee for the final root, or a successful disputer's bond and reward",
  },
] as const satisfies readonly EventDef[];

export type AttestationEventName = (typeof ATTESTATION_EVENTS)[number]["name"];

export function emitEvent(ctx: RuntimeContext, name: AttestationEventName, data: object): void {
  const event = ATTESTATION_EVENTS.find((e) => e.name === name)!;
  ctx.deposit(ATTESTATION_INDEX, event.index, encodeMessage(event.data, data));
}
