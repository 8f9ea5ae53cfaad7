// The registry's events. Each is its own protobuf message; indices are stable.
import { encodeMessage, messageType } from "../../../primitives/codec.ts";
import type { EventDef, RuntimeContext } from "../../pallet.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

/** The pallet's index in the runtime (stable: it is part of every registry call and event). */
export const REGISTRY_INDEX = 7;

export const REGISTRY_EVENTS: EventDef[] = [
  {
    index: 0,
    name: "DatanetCreated",
    data: T("RegistryDatanetEvent"),
    doc: "A datanet was created; `amount` is the deposit reserved",
  },
  {
    index: 1,
    name: "DatanetUpdated",
    data: T("RegistryDatanetEvent"),
    doc: "A datanet's description or metadata URI changed",
  },
  {
    index: 2,
    name: "LicenceChanged",
    data: T("RegistryDatanetEvent"),
    doc: "A datanet's licence changed",
  },
  {
    index: 3,
    name: "CuratorsChanged",
    data: T("RegistryDatanetEvent"),
    doc: "A datanet's curator set changed",
  },
  {
    index: 4,
    name: "OwnershipTransferred",
    data: T("RegistryDatanetEvent"),
    doc: "A datanet has a new owner (`account`), who now holds the deposit",
  },
  {
    index: 5,
    name: "DatanetClosed",
    data: T("RegistryDatanetEvent"),
    doc: "A datanet was closed and its deposit returned",
  },
  {
    index: 6,
    name: "ContributionSubmitted",
    data: T("RegistryContributionEvent"),
    doc: "A contribution was submitted; `amount` is the bond reserved",
  },
  {
    index: 7,
    name: "ContributionWithdrawn",
    data: T("RegistryContributionEvent"),
    doc: "A pending contribution was withdrawn and its bond returned",
  },
  {
    index: 8,
    name: "ContributionExpired",
    data: T("RegistryContributionEvent"),
    doc: "A contribution not reviewed within the review window was withdrawn and its bond returned",
  },
  {
    index: 9,
    name: "ContributionAccepted",
    data: T("RegistryReviewEvent"),
    doc: "A contribution was accepted with a quality score",
  },
  {
    index: 10,
    name: "ContributionRejected",
    data: T("RegistryReviewEvent"),
    doc: "A contribution was rejected: part of its bond slashed to the treasury and the curator",
  },
  {
    index: 11,
    name: "BondReleased",
    data: T("RegistryContributionEvent"),
    doc: "An accepted contribution's challenge window ended and its bond was returned",
  },
  {
    index: 12,
    name: "ChallengeOpened",
    data: T("RegistryChallengeEvent"),
    doc: "An accepted contribution was challenged",
  },
  {
    index: 13,
    name: "ChallengeUpheld",
    data: T("RegistryResolutionEvent"),
    doc: "A challenge was upheld: the contributor slashed, the challenger rewarded",
  },
  {
    index: 14,
    name: "ChallengeDismissed",
    data: T("RegistryResolutionEvent"),
    doc: "A challenge was dismissed: part of the challenger's bond slashed to the treasury",
  },
  {
    index: 15,
    name: "ChallengeExpired",
    data: T("RegistryResolutionEvent"),
    doc: "A challenge nobody resolved in time was dismissed without slashing",
  },
  {
    index: 16,
    name: "VersionPublished",
    data: T("RegistryVersionEvent"),
    doc: "A datanet version was published",
  },
  {
    index: 17,
    name: "ReputationChanged",
    data: T("RegistryReputationEvent"),
    doc: "An account's reputation changed",
  },
];

export function emitEvent(ctx: RuntimeContext, name: string, data: object): void {
  const event = REGISTRY_EVENTS.find((e) => e.name === name);
  if (!event) throw new Error(`Registry has no event ${name}`);
  ctx.deposit(REGISTRY_INDEX, event.index, encodeMessage(event.data, data));
}
