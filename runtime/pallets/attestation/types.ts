// The attestation pallet's records as the runtime and its clients see them (amounts as bigint),
// and their protobuf storage encodings (amounts as minimal big-endian bytes).
import { messageType } from "../../../primitives/codec.ts";
import { messageValue, messageWithAmounts } from "../../storage.ts";

export const T = (name: string) =>
  messageType("attestation.proto", `lineage.attestation.v1.${name}`);

/** Where a measured window stands. */
export const WindowPhase = {
  /** Opened: its pot is final; the model's owner (or server) commits the window's query log. */
  queryLog: 0,
  /** The round's selected attestors commit hash(report root ‖ salt). */
  commit: 1,
  /** They reveal what they committed. */
  reveal: 2,
  /** A root reached the round's quorum and waits, open to dispute. */
  dispute: 3,
  /** No round resolved the window: the council decides. */
  council: 4,
  /** Settled by its final report root. */
  final: 5,
  /** Settled by the declared manifest: nothing resolved it in time. */
  declared: 6,
  /** A round is called for: its attestors are selected at the start of the next block. */
  selecting: 7,
} as const;
export type WindowPhase = (typeof WindowPhase)[keyof typeof WindowPhase];

export const PHASE_NAMES = [
  "queryLog",
  "commit",
  "reveal",
  "dispute",
  "council",
  "final",
  "declared",
];

export interface Attestor {
  bond: bigint;
  /** The block from which the bond may be withdrawn; 0 while active. */
  unbondingAt: number;
  selected: number;
  agreed: number;
  dissented: number;
  missed: number;
  slashed: bigint;
  earned: bigint;
  /** Rounds of unsettled windows that selected this attestor: the bond stays until they settle. */
  open: number;
  bondedAt: number;
}

export interface WindowRecord {
  phase: WindowPhase;
  /** The block at whose start the phase ends (the hook acts then). */
  deadline: number;
  round: number;
  queryRoot: Uint8Array;
  queryCount: number;
  queryUri: string;
  /** The window's pot when it was opened (final: emission of all its epochs minted). */
  pot: bigint;
  /** ⌊pot · attestationFeePpm / 10⁶⌋, for the attestors of the final root. */
  fee: bigint;
  /** pot − fee: what a report's leaves must add up to. */
  distributable: bigint;
  openedAt: number;
  resultRoot: Uint8Array;
  resultTotal: bigint;
  resultLeafCount: number;
  /** Commits and reveals of the current round. */
  commits: number;
  reveals: number;
}

export interface RoundRecord {
  selected: Uint8Array[];
  quorum: number;
  seed: Uint8Array;
  startedAt: number;
}

export interface Reveal {
  root: Uint8Array;
  total: bigint;
  leafCount: number;
  reportUri: string;
  revealedAt: number;
}

export interface Dispute {
  disputer: Uint8Array;
  bond: bigint;
  /** The quorum result it disputed. */
  root: Uint8Array;
  total: bigint;
  leafCount: number;
}

export const attestorCodec = messageWithAmounts<Attestor>(T("Attestor"), [
  "bond",
  "slashed",
  "earned",
]);
export const windowCodec = messageWithAmounts<WindowRecord>(T("Window"), [
  "pot",
  "fee",
  "distributable",
  "resultTotal",
]);
export const roundCodec = messageValue<RoundRecord>(T("Round"));
export const revealCodec = messageWithAmounts<Reveal>(T("Reveal"), ["total"]);
export const disputeCodec = messageWithAmounts<Dispute>(T("Dispute"), ["bond", "total"]);
