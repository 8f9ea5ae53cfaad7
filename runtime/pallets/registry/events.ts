// The registry's events. Each is its own protobuf message; indices are stable.
import { encodeMessage, messageType } from "../../../primitives/codec.ts";
import type { EventDef, RuntimeContext } from "../../pallet.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

/** The pallet's index in the runtime (stable: it is part of every registry call and event). */
export const REGISTRY_INDEX = 7;

export const REGISTRY_EVENTS = [
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
    doc: "A contribution was rejected: its bond and review fee stay reserved through the appeal window; `slashed` and `returned` are what the rejection takes and gives back if it stands",
  },
  {
    index: 11,
    name: "BondReleased",
    data: T("RegistryContributionEvent"),
    doc: "An accepted contribution's challenge window ended (the acceptance stands) and its bond was returned",
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
    doc: "A challenge was upheld: the contributor slashed, the challenger rewarded (the accepting curator's slash is CuratorSlashed)",
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
  {
    index: 18,
    name: "CuratorBonded",
    data: T("RegistryCuratorEvent"),
    doc: "A listed curator added `amount` to its curator bond in a datanet; `stake` is the bond now",
  },
  {
    index: 19,
    name: "CuratorUnbonded",
    data: T("RegistryCuratorEvent"),
    doc: "A curator's whole bond in a datanet was returned",
  },
  {
    index: 20,
    name: "DepositToppedUp",
    data: T("RegistryCuratorEvent"),
    doc: "A datanet's owner added `amount` to the deposit that stakes its own curation",
  },
  {
    index: 21,
    name: "RejectionStood",
    data: T("RegistryReviewEvent"),
    doc: "A rejection stood (its appeal window ended, or its appeal was dismissed or expired): `slashed` to the treasury, `returned` to the contributor",
  },
  {
    index: 22,
    name: "AppealOpened",
    data: T("RegistryChallengeEvent"),
    doc: "A contributor appealed the rejection of its contribution (`challenger` is the appellant)",
  },
  {
    index: 23,
    name: "AppealUpheld",
    data: T("RegistryResolutionEvent"),
    doc: "An appeal was upheld: the rejection is overturned, the contribution accepted and the appellant's bond returned",
  },
  {
    index: 24,
    name: "AppealDismissed",
    data: T("RegistryResolutionEvent"),
    doc: "An appeal was dismissed: part of the appellant's bond slashed to the treasury; the rejection stands",
  },
  {
    index: 25,
    name: "AppealExpired",
    data: T("RegistryResolutionEvent"),
    doc: "An appeal nobody resolved in time was dismissed without slashing; the rejection stands",
  },
  {
    index: 26,
    name: "CuratorSlashed",
    data: T("RegistryCuratorSlashEvent"),
    doc: "A curator's (or owner's) decision was overturned: part of its stake paid to the challenger or appellant and the treasury",
  },
  {
    index: 27,
    name: "ReviewFeePaid",
    data: T("RegistryContributionEvent"),
    doc: "A contribution's review fee went to `account`: the curator whose decision stood, the challenger who overturned an acceptance, or the contributor (refund)",
  },
] as const satisfies readonly EventDef[];

export type RegistryEventName = (typeof REGISTRY_EVENTS)[number]["name"];

export function emitEvent(ctx: RuntimeContext, name: RegistryEventName, data: object): void {
  const event = REGISTRY_EVENTS.find((e) => e.name === name);
  if (!event) throw new Error(`Registry has no event ${name}`);
  ctx.deposit(REGISTRY_INDEX, event.index, encodeMessage(event.data, data));
}
