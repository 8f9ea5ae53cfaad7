// Council: an M-of-N body whose proposals are root calls (parameter changes, its own membership,
// anything sudo could do), dispatched with the root origin `councilEnactmentDelay` blocks after
// they reach the threshold. The membership is itself governed: `setMembers` is a root call.
//
// Lifecycle: propose (the proposer's approval counts) → approve until approvals ≥ threshold →
// scheduled at `block + councilEnactmentDelay` → enacted in that block's onInitialize, before its
// extrinsics, so the change holds for the whole enactment block and not before. Cancel votes ≥
// threshold remove a pending or scheduled proposal; the proposer may withdraw its own while pending.
import { bytesEqual, compareBytes, concatBytes, readU64be, u64be } from "../../primitives/bytes.ts";
import { messageType } from "../../primitives/codec.ts";
import { LineageError } from "../../primitives/errors.ts";
import { DispatchError, InvariantError } from "../errors.ts";
import {
  type CallData,
  type CallerOrigin,
  checkIdSet,
  defineCall,
  emit,
  ensureRoot,
  ensureSigned,
  fail,
  type Pallet,
  type RuntimeContext,
} from "../pallet.ts";
import {
  compositeKey,
  Hasher,
  MARKER_VALUE,
  messageValue,
  type RuntimeStorage,
  type StorageRead,
  type StorageScan,
  storageMap,
  storageValue,
  u32Value,
  u64Value,
} from "../storage.ts";
import { param } from "./params.ts";

const NAME = "Council";
const T = (name: string) => messageType("council.proto", `lineage.runtime.v1.${name}`);
const ROOT: CallerOrigin = { kind: "root" };

export const ProposalStatus = { pending: 0, scheduled: 1 } as const;
export type ProposalStatus = (typeof ProposalStatus)[keyof typeof ProposalStatus];

export interface Proposal {
  proposer: Uint8Array;
  call: CallData;
  approvals: Uint8Array[];
  cancelVotes: Uint8Array[];
  status: ProposalStatus;
  /** The enactment block once scheduled; 0 while pending. */
  enactAt: number;
  proposedAt: number;
}

export const storage = {
  members: storageValue(
    NAME,
    "Members",
    messageValue<{ members: Uint8Array[] }>(T("CouncilMembers")),
    { members: [] },
    "Council members, sorted by account id (empty: no council)",
  ),
  threshold: storageValue(
    NAME,
    "Threshold",
    u32Value,
    0,
    "Approvals (and cancel votes) a proposal needs: M of the N members",
  ),
  nextProposalId: storageValue(NAME, "NextProposalId", u64Value, 0, "The next proposal's id"),
  proposals: storageMap<number, Proposal>(
    NAME,
    "Proposals",
    u64Value,
    messageValue<Proposal>(T("CouncilProposal")),
    Hasher.identity,
    "Open proposals (pending or scheduled), by id; enacted and cancelled ones are removed",
  ),
  due: storageMap<Uint8Array, number>(
    NAME,
    "Due",
    compositeKey("(BlockNumber, ProposalId)"),
    u32Value,
    Hasher.identity,
    "Scheduled proposals by enactment block, so that a block reads only what falls due",
  ),
};

const dueKey = (block: number, id: number) => concatBytes(u64be(block), u64be(id));

/** The enactment block and proposal id of a due-queue key. */
function readDueKey(key: Uint8Array): { block: number; id: number } {
  return {
    block: Number(readU64be(key.subarray(0, 8))),
    id: Number(readU64be(key.subarray(8, 16))),
  };
}

export function councilMembers(s: StorageRead): Uint8Array[] {
  return storage.members.get(s).members;
}

export function councilThreshold(s: StorageRead): number {
  return storage.threshold.get(s);
}

/** Whether `who` is in `accounts` (members or votes). */
function includes(accounts: Uint8Array[], who: Uint8Array): boolean {
  return accounts.some((a) => bytesEqual(a, who));
}

/** Whether `accounts` is in strictly increasing order (so sorted and without duplicates). */
function sortedAndUnique(accounts: Uint8Array[]): boolean {
  for (let i = 1; i < accounts.length; i++)
    if (compareBytes(accounts[i - 1]!, accounts[i]!) >= 0) return false;
  return true;
}

function isMember(s: StorageRead, who: Uint8Array): boolean {
  return includes(councilMembers(s), who);
}

/** Open proposals in id order (at most `councilMaxProposals` exist, so the scan is bounded). */
export function openProposals(s: StorageScan): { id: number; proposal: Proposal }[] {
  return [...storage.proposals.entries(s)].map(([id, proposal]) => ({ id, proposal }));
}

/**
 * Scheduled proposals due at or before `block`, in (block, id) order, at most
 * `councilMaxProposals` (read only once something is due).
 */
function dueUpTo(s: StorageScan, block: number): { key: Uint8Array; id: number }[] {
  const out: { key: Uint8Array; id: number }[] = [];
  let limit: number | undefined;
  for (const [key] of storage.due.entries(s)) {
    const due = readDueKey(key);
    if (due.block > block) break;
    limit ??= Number(param(s, "councilMaxProposals"));
    if (out.length >= limit) break;
    out.push({ key: key.slice(), id: due.id });
  }
  return out;
}

/** A sorted copy with `who` added; undefined if it is already there. */
function withVote(votes: Uint8Array[], who: Uint8Array): Uint8Array[] | undefined {
  if (includes(votes, who)) return undefined;
  return [...votes, who].sort(compareBytes);
}

/**
 * Why a membership is unacceptable, or null: every id 32 bytes, no duplicates, and
 * 1 ≤ threshold ≤ members ≤ maxMembers. `field` names what is wrong (for chain-spec paths).
 */
export function checkMembership(
  members: Uint8Array[],
  threshold: number,
  maxMembers: bigint,
): { field: "members" | "threshold"; message: string } | null {
  const problem = checkIdSet(members, maxMembers, {
    empty: "the council must not be empty",
    tooMany: `at most ${maxMembers} members (councilMaxMembers)`,
    length: "member ids are 32-byte account ids",
    duplicate: "duplicate member",
  });
  if (problem) return { field: "members", message: problem };
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > members.length)
    return {
      field: "threshold",
      message: `the threshold must be within [1, ${members.length}] (the member count), got ${threshold}`,
    };
  return null;
}

/** Thrown inside a dry run to roll it back once the call has succeeded. */
const DRY_RUN_DONE = Symbol("dry run done");

/**
 * Dispatches `call` as root inside a transaction that is always rolled back: a proposal is
 * accepted only if it would succeed if enacted now (bounds, combinations, membership rules,
 * origin). The call's own error is passed on unchanged, e.g. `Params.OutOfBounds`.
 */
function checkEnactable(ctx: RuntimeContext, call: CallData): void {
  try {
    ctx.transactional(() => {
      ctx.dispatch(call, ROOT);
      throw DRY_RUN_DONE;
    });
  } catch (error) {
    if (error === DRY_RUN_DONE) return;
    if (error instanceof DispatchError) throw error;
    if (error instanceof LineageError) throw fail(council, "InvalidCall", error.message);
    throw error;
  }
}

function ensureMember(ctx: RuntimeContext, origin: CallerOrigin): Uint8Array {
  const who = ensureSigned(council, origin);
  if (!isMember(ctx.storage, who)) throw fail(council, "NotMember");
  return who;
}

function getProposal(ctx: RuntimeContext, id: number): Proposal {
  const proposal = storage.proposals.get(ctx.storage, id);
  if (!proposal) throw fail(council, "UnknownProposal", `#${id}`);
  return proposal;
}

/** Schedules a pending proposal that has reached the threshold; writes the proposal either way. */
function tally(ctx: RuntimeContext, id: number, proposal: Proposal): void {
  const threshold = councilThreshold(ctx.storage);
  if (proposal.status === ProposalStatus.pending && proposal.approvals.length >= threshold) {
    const enactAt = ctx.blockNumber + Number(param(ctx.storage, "councilEnactmentDelay"));
    proposal.status = ProposalStatus.scheduled;
    proposal.enactAt = enactAt;
    storage.due.set(ctx.storage, dueKey(enactAt, id), MARKER_VALUE);
    emit(ctx, council, "Scheduled", { id, enactAt });
  }
  storage.proposals.set(ctx.storage, id, proposal);
}

function removeProposal(s: RuntimeStorage, id: number, proposal: Proposal): void {
  if (proposal.status === ProposalStatus.scheduled)
    storage.due.remove(s, dueKey(proposal.enactAt, id));
  storage.proposals.remove(s, id);
}

/** Enacts what falls due: each call dispatched as root in its own transaction, the outcome an event. */
function enactDue(ctx: RuntimeContext): void {
  for (const due of dueUpTo(ctx.storage, ctx.blockNumber)) {
    storage.due.remove(ctx.storage, due.key);
    const proposal = storage.proposals.get(ctx.storage, due.id);
    if (!proposal) continue;
    storage.proposals.remove(ctx.storage, due.id);
    try {
      ctx.transactional(() => ctx.dispatch(proposal.call, ROOT));
      emit(ctx, council, "Enacted", { id: due.id, ok: true, error: "" });
    } catch (error) {
      // A call that no longer holds (bounds, membership) fails on its own; the block goes on.
      if (!(error instanceof LineageError)) throw error;
      emit(ctx, council, "Enacted", { id: due.id, ok: false, error: error.code });
    }
  }
}

interface SetMembersArgs {
  members: Uint8Array[];
  threshold: number;
}

export const council: Pallet = {
  name: NAME,
  index: 10,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<{ call: CallData }>({
      index: 0,
      name: "propose",
      args: T("CouncilProposeArgs"),
      origin: "signed",
      doc: "A member proposes a root call; it is checked now by a dry run and the proposer's approval counts",
      weight: (args, weigh) => 40_000_000n + weigh(args.call),
      handler(ctx, origin, args) {
        const who = ensureMember(ctx, origin);
        let open = 0; // counted by key: no proposal is decoded
        for (const _ of ctx.storage.entries(storage.proposals.prefix)) open++;
        const max = param(ctx.storage, "councilMaxProposals");
        if (BigInt(open) >= max) throw fail(council, "TooManyProposals", `at most ${max} open`);
        checkEnactable(ctx, args.call);
        const id = storage.nextProposalId.get(ctx.storage);
        storage.nextProposalId.set(ctx.storage, id + 1);
        const proposal: Proposal = {
          proposer: who,
          call: args.call,
          approvals: [who],
          cancelVotes: [],
          status: ProposalStatus.pending,
          enactAt: 0,
          proposedAt: ctx.blockNumber,
        };
        emit(ctx, council, "Proposed", {
          id,
          proposer: who,
          pallet: args.call.pallet,
          call: args.call.call,
        });
        tally(ctx, id, proposal);
      },
    }),
    defineCall<{ id: number }>({
      index: 1,
      name: "approve",
      args: T("CouncilProposalArgs"),
      origin: "signed",
      doc: "A member approves a pending proposal; at the threshold it is scheduled for enactment",
      weight: () => 30_000_000n,
      handler(ctx, origin, args) {
        const who = ensureMember(ctx, origin);
        const proposal = getProposal(ctx, args.id);
        if (proposal.status !== ProposalStatus.pending) throw fail(council, "AlreadyScheduled");
        const approvals = withVote(proposal.approvals, who);
        if (!approvals) throw fail(council, "AlreadyVoted");
        proposal.approvals = approvals;
        emit(ctx, council, "Approved", { id: args.id, who, votes: approvals.length });
        tally(ctx, args.id, proposal);
      },
    }),
    defineCall<{ id: number }>({
      index: 2,
      name: "cancel",
      args: T("CouncilProposalArgs"),
      origin: "signed",
      doc: "The proposer withdraws its pending proposal, or a member votes to cancel one (pending or scheduled); threshold votes cancel it",
      weight: () => 30_000_000n,
      handler(ctx, origin, args) {
        const who = ensureSigned(council, origin);
        const proposal = getProposal(ctx, args.id);
        if (proposal.status === ProposalStatus.pending && bytesEqual(who, proposal.proposer)) {
          removeProposal(ctx.storage, args.id, proposal);
          emit(ctx, council, "Withdrawn", { id: args.id });
          return;
        }
        if (!isMember(ctx.storage, who)) throw fail(council, "NotMember");
        const votes = withVote(proposal.cancelVotes, who);
        if (!votes) throw fail(council, "AlreadyVoted");
        emit(ctx, council, "CancelVoted", { id: args.id, who, votes: votes.length });
        if (votes.length >= councilThreshold(ctx.storage)) {
          removeProposal(ctx.storage, args.id, proposal);
          emit(ctx, council, "Cancelled", { id: args.id });
          return;
        }
        proposal.cancelVotes = votes;
        storage.proposals.set(ctx.storage, args.id, proposal);
      },
    }),
    defineCall<SetMembersArgs>({
      index: 3,
      name: "setMembers",
      args: T("CouncilSetMembersArgs"),
      origin: "root",
      doc: "Replaces the members and the threshold (governance); removed members' votes on open proposals are dropped",
      weight: (args) => 30_000_000n + 2_000_000n * BigInt(args.members.length),
      handler(ctx, origin, args) {
        ensureRoot(council, origin);
        const problem = checkMembership(
          args.members,
          args.threshold,
          param(ctx.storage, "councilMaxMembers"),
        );
        if (problem) throw fail(council, "InvalidMembers", problem.message);
        const members = [...args.members].sort(compareBytes);
        storage.members.set(ctx.storage, { members });
        storage.threshold.set(ctx.storage, args.threshold);
        const stays = (who: Uint8Array) => includes(members, who);
        for (const { id, proposal } of openProposals(ctx.storage)) {
          const approvals = proposal.approvals.filter(stays);
          const cancelVotes = proposal.cancelVotes.filter(stays);
          if (
            approvals.length === proposal.approvals.length &&
            cancelVotes.length === proposal.cancelVotes.length
          )
            continue;
          storage.proposals.set(ctx.storage, id, { ...proposal, approvals, cancelVotes });
        }
        emit(ctx, council, "MembersChanged", { members, threshold: args.threshold });
      },
    }),
  ],
  events: [
    { index: 0, name: "Proposed", data: T("CouncilProposedEvent"), doc: "A proposal was made" },
    {
      index: 1,
      name: "Approved",
      data: T("CouncilVoteEvent"),
      doc: "A member approved a proposal; `votes` is its approval count",
    },
    {
      index: 2,
      name: "Scheduled",
      data: T("CouncilScheduledEvent"),
      doc: "A proposal reached the threshold and will be enacted at block `enactAt`",
    },
    {
      index: 3,
      name: "CancelVoted",
      data: T("CouncilVoteEvent"),
      doc: "A member voted to cancel a proposal; `votes` is its cancel-vote count",
    },
    {
      index: 4,
      name: "Cancelled",
      data: T("CouncilProposalEvent"),
      doc: "Cancel votes reached the threshold; the proposal is gone",
    },
    {
      index: 5,
      name: "Withdrawn",
      data: T("CouncilProposalEvent"),
      doc: "The proposer withdrew its pending proposal",
    },
    {
      index: 6,
      name: "Enacted",
      data: T("CouncilEnactedEvent"),
      doc: "A scheduled proposal was dispatched as root; `ok` tells the outcome, `error` the failing call's code",
    },
    {
      index: 7,
      name: "MembersChanged",
      data: T("CouncilMembersEvent"),
      doc: "The membership and threshold changed",
    },
  ],
  errors: {
    NotMember: "the sender is not a council member",
    UnknownProposal: "no such open proposal",
    AlreadyVoted: "the member has already voted so on this proposal",
    AlreadyScheduled: "the proposal is already scheduled; it can only be cancelled",
    TooManyProposals: "too many open proposals (councilMaxProposals)",
    InvalidCall: "the proposed call cannot be dispatched",
    InvalidMembers: "invalid council membership",
    BadOrigin: "bad origin",
  },
  genesis(s, config) {
    if (!config.council) return;
    storage.members.set(s, { members: [...config.council.members].sort(compareBytes) });
    storage.threshold.set(s, config.council.threshold);
  },
  onInitialize: enactDue,
  invariants: councilInvariants,
};

/**
 * Try-state: members sorted and unique; the threshold within [1, members] (or 0 with no council);
 * every proposal's votes sorted, unique and from members; a scheduled proposal has its due entry
 * and a pending one has none; every due entry is a scheduled proposal's; ids below the next id.
 */
export function councilInvariants(s: RuntimeStorage): void {
  const broken = (code: string, message: string) => new InvariantError(code, message);
  const members = councilMembers(s);
  if (!sortedAndUnique(members))
    throw broken("COUNCIL_MEMBERS", "members are not sorted and unique");
  const threshold = councilThreshold(s);
  if (members.length === 0 ? threshold !== 0 : threshold < 1 || threshold > members.length)
    throw broken("COUNCIL_THRESHOLD", `threshold ${threshold} with ${members.length} members`);
  const isIn = (who: Uint8Array) => includes(members, who);
  const next = storage.nextProposalId.get(s);
  for (const { id, proposal } of openProposals(s)) {
    if (id >= next) throw broken("COUNCIL_IDS", `proposal #${id} at or above the next id ${next}`);
    for (const votes of [proposal.approvals, proposal.cancelVotes]) {
      if (!sortedAndUnique(votes))
        throw broken("COUNCIL_VOTES", `proposal #${id}: votes not sorted and unique`);
      if (!votes.every(isIn))
        throw broken("COUNCIL_VOTES", `proposal #${id}: a vote from a non-member`);
    }
    const queued = storage.due.has(s, dueKey(proposal.enactAt, id));
    if ((proposal.status === ProposalStatus.scheduled) !== queued)
      throw broken("COUNCIL_DUE", `proposal #${id}: status and due queue disagree`);
  }
  for (const [key] of storage.due.entries(s)) {
    const { block, id } = readDueKey(key);
    const proposal = storage.proposals.get(s, id);
    if (proposal?.status !== ProposalStatus.scheduled || proposal.enactAt !== block)
      throw broken("COUNCIL_DUE", `due entry for #${id} has no scheduled proposal`);
  }
}
