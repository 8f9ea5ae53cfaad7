// The attestation pallet: bonded attestors agree on the reports that pay measured models' data
// shares. A measured window (attribution's measured.ts) is opened here once its pot is final; its
// model's owner commits the window's query log; attestors selected from chain data commit to a
// report root, then reveal it; a root revealed by a quorum of the round is final once its dispute
// window passes, and the window is settled by it. Disagreement goes to a larger round, then to the
// council, and past the council's deadline the pot is paid by the declared manifest: nothing is
// ever stuck. The phases are rounds.ts, the selection selection.ts, the commitment commitment.ts.
import { u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { bytesEqual, toHex, utf8 } from "../../../primitives/bytes.ts";
import { InvariantError } from "../../errors.ts";
import {
  type CallerOrigin,
  defineCall,
  ensureRoot,
  ensureSigned,
  type Pallet,
  type RuntimeContext,
} from "../../pallet.ts";
import type { RuntimeStorage, StorageRead } from "../../storage.ts";
import { getModel, getWindowPot } from "../attribution/index.ts";
import { param } from "../params.ts";
import { getVersion } from "../registry/index.ts";
import { storage as registryStorage } from "../registry/storage.ts";
import { readAccount } from "../system.ts";
import { commitmentOf, UNMEASURABLE_ROOT } from "./commitment.ts";
import { ATTESTATION_ERRORS, attestationError } from "./errors.ts";
import { ATTESTATION_EVENTS, ATTESTATION_INDEX, emitEvent } from "./events.ts";
import { hold, release } from "./ledger.ts";
import { finalize, openWindows, processDue, startRound, tally, toReveal } from "./rounds.ts";
import { getAttestor, getRound, keys, NAME, storage } from "./storage.ts";
import { T, WindowPhase, type WindowRecord } from "./types.ts";

const Phase = WindowPhase;

// Weights (picoseconds): estimates from the storage each call touches, until benchmarked. A
// selection reads every attestor: priced for attestationMaxAttestors' default.
const W_BASE = 100_000_000n;
const W_SELECTION = W_BASE + 256n * 5_000_000n;

// ---- call arguments ----

interface WindowArgs {
  modelId: number;
  window: number;
}
interface SubmitQueryLogArgs extends WindowArgs {
  root: Uint8Array;
  count: number;
  uri: string;
}
interface CommitArgs extends WindowArgs {
  round: number;
  commitment: Uint8Array;
}
interface RevealArgs extends WindowArgs {
  round: number;
  root: Uint8Array;
  total: Uint8Array;
  leafCount: number;
  salt: Uint8Array;
  reportUri: string;
}
interface ResolveArgs extends WindowArgs {
  root: Uint8Array;
  total: Uint8Array;
  leafCount: number;
}

const ref = (a: WindowArgs) => ({ modelId: a.modelId, window: a.window });
const where = (a: WindowArgs) => `window ${a.window} of model #${a.modelId}`;

/**
 * The window, in one of `phases` and before that phase's deadline: a phase ends at the start of
 * its deadline block even when the hook gets to it later (a full due queue), so a late call never
 * counts.
 */
function windowIn(
  ctx: RuntimeContext,
  a: WindowArgs,
  phases: readonly WindowPhase[],
): WindowRecord {
  const win = storage.windows.get(ctx.storage, keys.window(a.modelId, a.window));
  if (!win) throw attestationError("NotOpen", where(a));
  if (!phases.includes(win.phase))
    throw attestationError(
      "WrongPhase",
      `${where(a)} is in phase ${win.phase} (${PHASE_WORDS[win.phase]})`,
    );
  if (ctx.blockNumber >= win.deadline)
    throw attestationError(
      "WrongPhase",
      `${where(a)}: its ${PHASE_WORDS[win.phase]} phase ended at block #${win.deadline}`,
    );
  return win;
}

const PHASE_WORDS = [
  "awaiting its query log",
  "commit",
  "reveal",
  "dispute",
  "council",
  "final",
  "settled by the declared manifest",
  "selecting its attestors",
];

function checkUriLength(s: StorageRead, uri: string): void {
  const max = param(s, "registryMaxUriBytes");
  if (BigInt(utf8(uri).length) > max)
    throw attestationError("TooLong", `the URI is longer than ${max} bytes`);
}

/**
 * A report allocates exactly the window's distributable pot (or nothing, when no contribution was
 * valued above zero), over at most as many leaves as the manifest's versions hold contributions;
 * or it is UNMEASURABLE_ROOT with total 0 and no leaves.
 */
function checkReport(
  s: StorageRead,
  a: WindowArgs,
  win: WindowRecord,
  total: bigint,
  leafCount: number,
  root: Uint8Array,
): void {
  if (root.length !== 32) throw attestationError("BadHash", "root");
  if (bytesEqual(root, UNMEASURABLE_ROOT)) {
    if (total !== 0n || leafCount !== 0)
      throw attestationError(
        "TotalMismatch",
        "an unmeasurable window's report has no total and no leaves",
      );
    return;
  }
  if (total !== win.distributable && total !== 0n)
    throw attestationError(
      "TotalMismatch",
      `${total}, the distributable pot is ${win.distributable}`,
    );
  if (leafCount < 1) throw attestationError("ZeroLeaves");
  const most = manifestContributions(s, a.modelId);
  if (leafCount > most)
    throw attestationError("TooManyLeaves", `${leafCount}, the manifest's versions hold ${most}`);
}

/** Contributions in all of a model's manifest versions, counted with repeats (a bound on leaves). */
function manifestContributions(s: StorageRead, modelId: number): number {
  const model = getModel(s, modelId);
  return (model?.manifest ?? []).reduce(
    (n, e) => n + (getVersion(s, e.datanetId, e.version)?.count ?? 0),
    0,
  );
}

function selectedIn(s: StorageRead, a: WindowArgs, round: number, who: Uint8Array): void {
  const r = getRound(s, a.modelId, a.window, round);
  if (!r?.selected.some((x) => bytesEqual(x, who)))
    throw attestationError("NotSelected", `${where(a)}, round ${round}`);
}

function ensureSignedBy(origin: CallerOrigin): Uint8Array {
  return ensureSigned(attestation, origin);
}

export const attestation: Pallet = {
  name: NAME,
  index: ATTESTATION_INDEX,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<{ amount: Uint8Array }>({
      index: 0,
      name: "bond",
      args: T("BondArgs"),
      origin: "signed",
      doc: "Bonds `amount` as an attestor (or adds it to the bond); the bond must reach attestationMinBond",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        const who = ensureSignedBy(origin);
        const s = ctx.storage;
        const value = u128FromBytes(args.amount);
        if (value === 0n) throw attestationError("ZeroAmount");
        const existing = getAttestor(s, who);
        if (existing && existing.unbondingAt !== 0) throw attestationError("Unbonding");
        const count = storage.attestorCount.get(s);
        if (!existing && BigInt(count) >= param(s, "attestationMaxAttestors"))
          throw attestationError("TooManyAttestors", `${count}`);
        const bond = (existing?.bond ?? 0n) + value;
        const min = param(s, "attestationMinBond");
        if (bond < min) throw attestationError("BondTooLow", `${bond} < ${min}`);
        const free = readAccount(s, who).free;
        if (free < value)
          throw attestationError("InsufficientBalance", `needs ${value}, free is ${free}`);

        hold(ctx, who, value);
        if (!existing) storage.attestorCount.set(s, count + 1);
        storage.attestors.set(s, who, {
          ...(existing ?? FRESH_ATTESTOR),
          bond,
          bondedAt: existing?.bondedAt ?? ctx.blockNumber,
        });
        emitEvent(ctx, "Bonded", {
          account: who,
          amount: u128ToBytes(value),
          block: ctx.blockNumber,
        });
      },
    }),
    defineCall<Record<string, never>>({
      index: 1,
      name: "unbond",
      args: T("NoArgs"),
      origin: "signed",
      doc: "Stops being selected; the bond may be withdrawn after attestationUnbondingBlocks, once every window that selected the attestor is settled",
      weight: () => W_BASE,
      handler(ctx, origin) {
        const who = ensureSignedBy(origin);
        const s = ctx.storage;
        const a = getAttestor(s, who);
        if (!a) throw attestationError("NotAttestor");
        if (a.unbondingAt !== 0) throw attestationError("Unbonding");
        const at = ctx.blockNumber + Number(param(s, "attestationUnbondingBlocks"));
        storage.attestors.set(s, who, { ...a, unbondingAt: at });
        emitEvent(ctx, "Unbonding", { account: who, amount: u128ToBytes(a.bond), block: at });
      },
    }),
    defineCall<{ account: Uint8Array }>({
      index: 2,
      name: "withdraw",
      args: T("WithdrawArgs"),
      origin: "signed",
      doc: "Returns an unbonded attestor's bond to it and removes it; `account` empty for the sender, or anyone's once its delay passed (frees its slot)",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        const sender = ensureSignedBy(origin);
        if (args.account.length !== 0 && args.account.length !== 32)
          throw attestationError("BadHash", "account is a 32-byte account id");
        const who = args.account.length === 0 ? sender : args.account;
        const s = ctx.storage;
        const a = getAttestor(s, who);
        if (!a) throw attestationError("NotAttestor");
        if (a.unbondingAt === 0) throw attestationError("NotUnbonding");
        if (ctx.blockNumber < a.unbondingAt)
          throw attestationError("StillBonded", `until block #${a.unbondingAt}`);
        if (a.open > 0) throw attestationError("StillAssigned", `${a.open} open`);

        release(ctx, who, a.bond);
        storage.attestors.remove(s, who);
        storage.attestorCount.set(s, storage.attestorCount.get(s) - 1);
        emitEvent(ctx, "Withdrawn", {
          account: who,
          amount: u128ToBytes(a.bond),
          block: ctx.blockNumber,
        });
      },
    }),
    defineCall<SubmitQueryLogArgs>({
      index: 3,
      name: "submitQueryLog",
      args: T("SubmitQueryLogArgs"),
      origin: "signed",
      doc: "The model's owner (or server) commits an open window's query log: the Merkle root over its query files' content hashes, how many queries they hold, and where the listing is; the first round's attestors are selected",
      weight: () => W_SELECTION,
      handler(ctx, origin, args) {
        const who = ensureSignedBy(origin);
        const s = ctx.storage;
        const model = getModel(s, args.modelId);
        if (!model) throw attestationError("UnknownModel", `#${args.modelId}`);
        const m = model.measurement;
        if (!m) throw attestationError("NotMeasured", `#${args.modelId}`);
        if (!bytesEqual(who, model.owner) && !(m.server.length > 0 && bytesEqual(who, m.server)))
          throw attestationError("NotServer");
        const win = windowIn(ctx, args, [Phase.queryLog]);
        if (args.root.length !== 32) throw attestationError("BadHash", "root");
        checkUriLength(s, args.uri);
        const units = getWindowUnits(s, args);
        if (args.count !== units)
          throw attestationError("QueryCountMismatch", `${args.count} queries for ${units} units`);

        const logged = { ...win, queryRoot: args.root, queryCount: args.count, queryUri: args.uri };
        emitEvent(ctx, "QueryLogCommitted", { ...ref(args), round: 0, deadline: win.deadline });
        startRound(ctx, ref(args), logged, 0);
      },
    }),
    defineCall<CommitArgs>({
      index: 4,
      name: "commitReport",
      args: T("CommitArgs"),
      origin: "signed",
      doc: "A selected attestor commits blake2b-256 of its report (see commitment.ts) in the round's commit phase",
      weight: () => W_BASE,
      handler(ctx, origin, args) {
        const who = ensureSignedBy(origin);
        const s = ctx.storage;
        const win = windowIn(ctx, args, [Phase.commit]);
        if (args.round !== win.round)
          throw attestationError("WrongRound", `the window is in round ${win.round}`);
        selectedIn(s, args, args.round, who);
        if (args.commitment.length !== 32) throw attestationError("BadHash", "commitment");
        const key = keys.vote(args.modelId, args.window, args.round, who);
        if (storage.commits.has(s, key)) throw attestationError("AlreadyCommitted");

        storage.commits.set(s, key, args.commitment);
        const next = { ...win, commits: win.commits + 1 };
        storage.windows.set(s, keys.window(args.modelId, args.window), next);
        emitEvent(ctx, "Committed", {
          ...ref(args),
          round: args.round,
          account: who,
          root: new Uint8Array(),
        });
        const size = getRound(s, args.modelId, args.window, args.round)!.selected.length;
        if (next.commits === size) toReveal(ctx, ref(args), next);
      },
    }),
    defineCall<RevealArgs>({
      index: 5,
      name: "revealReport",
      args: T("RevealArgs"),
      origin: "signed",
      doc: "A committed attestor reveals its report root, total, leaf count and salt, with the URI of its full report",
      weight: () => W_SELECTION,
      handler(ctx, origin, args) {
        const who = ensureSignedBy(origin);
        const s = ctx.storage;
        const win = windowIn(ctx, args, [Phase.reveal]);
        if (args.round !== win.round)
          throw attestationError("WrongRound", `the window is in round ${win.round}`);
        const key = keys.vote(args.modelId, args.window, args.round, who);
        const commitment = storage.commits.get(s, key);
        if (!commitment) throw attestationError("NotCommitted");
        if (storage.reveals.has(s, key)) throw attestationError("AlreadyRevealed");
        if (args.salt.length !== 32) throw attestationError("BadHash", "salt");
        const total = u128FromBytes(args.total);
        checkReport(s, args, win, total, args.leafCount, args.root);
        checkUriLength(s, args.reportUri);
        const expected = commitmentOf({
          ...ref(args),
          round: args.round,
          attestor: who,
          root: args.root,
          total,
          leafCount: args.leafCount,
          salt: args.salt,
        });
        if (!bytesEqual(expected, commitment)) throw attestationError("CommitMismatch");

        storage.reveals.set(s, key, {
          root: args.root,
          total,
          leafCount: args.leafCount,
          reportUri: args.reportUri,
          revealedAt: ctx.blockNumber,
        });
        const next = { ...win, reveals: win.reveals + 1 };
        storage.windows.set(s, keys.window(args.modelId, args.window), next);
        emitEvent(ctx, "Revealed", {
          ...ref(args),
          round: args.round,
          account: who,
          root: args.root,
        });
        if (next.reveals === next.commits) tally(ctx, ref(args), next);
      },
    }),
    defineCall<WindowArgs>({
      index: 6,
      name: "dispute",
      args: T("WindowArgs"),
      origin: "signed",
      doc: "Disputes a window's quorum root, reserving attestationDisputeBond: a larger round (or the council) decides again",
      weight: () => W_SELECTION,
      handler(ctx, origin, args) {
        const who = ensureSignedBy(origin);
        const s = ctx.storage;
        const win = windowIn(ctx, args, [Phase.dispute]);
        const key = keys.round(args.modelId, args.window, win.round);
        if (storage.disputes.has(s, key)) throw attestationError("AlreadyDisputed");
        const bond = param(s, "attestationDisputeBond");
        const free = readAccount(s, who).free;
        if (free < bond)
          throw attestationError("InsufficientBalance", `needs ${bond}, free is ${free}`);

        hold(ctx, who, bond);
        storage.disputes.set(s, key, {
          disputer: who,
          bond,
          root: win.resultRoot,
          total: win.resultTotal,
          leafCount: win.resultLeafCount,
        });
        emitEvent(ctx, "Disputed", {
          ...ref(args),
          round: win.round,
          account: who,
          root: win.resultRoot,
        });
        startRound(ctx, ref(args), win, win.round + 1);
      },
    }),
    defineCall<ResolveArgs>({
      index: 7,
      name: "resolveByCouncil",
      args: T("ResolveArgs"),
      origin: "root",
      doc: "Governance settles a window no round resolved, with the report root it decided",
      weight: () => W_SELECTION,
      handler(ctx, origin, args) {
        ensureRoot(attestation, origin);
        const s = ctx.storage;
        const win = windowIn(ctx, args, [Phase.council]);
        const total = u128FromBytes(args.total);
        checkReport(s, args, win, total, args.leafCount, args.root);
        finalize(ctx, ref(args), win, { root: args.root, total, leafCount: args.leafCount }, true);
      },
    }),
  ],
  events: ATTESTATION_EVENTS,
  errors: ATTESTATION_ERRORS,
  onInitialize(ctx: RuntimeContext) {
    const budget = Number(param(ctx.storage, "attestationMaxDuePerBlock"));
    openWindows(ctx, processDue(ctx, budget));
  },
  invariants: attestationInvariants,
};

const FRESH_ATTESTOR = {
  bond: 0n,
  unbondingAt: 0,
  selected: 0,
  agreed: 0,
  dissented: 0,
  missed: 0,
  slashed: 0n,
  earned: 0n,
  open: 0,
  bondedAt: 0,
};

const getWindowUnits = (s: StorageRead, a: WindowArgs) =>
  getWindowPot(s, a.modelId, a.window)?.units ?? 0;

/**
 * Try-state: `Held` equals, account by account, the attestor's bond plus its dispute bonds of
 * unsettled windows, and the account reserves at least that plus what the registry holds; the
 * attestor count is right; each attestor's open assignments are the rounds of unsettled windows
 * that selected it; every window waiting on a deadline has it in the due queue.
 */
function attestationInvariants(s: RuntimeStorage): void {
  const expected = new Map<string, bigint>();
  const open = new Map<string, number>();
  const add = (map: Map<string, bigint>, who: Uint8Array, value: bigint) =>
    map.set(toHex(who), (map.get(toHex(who)) ?? 0n) + value);
  let count = 0;
  for (const [who, a] of storage.attestors.entries(s)) {
    count++;
    add(expected, who, a.bond);
    open.set(toHex(who), 0);
  }
  if (count !== storage.attestorCount.get(s))
    throw new InvariantError(
      "ATTESTATION_COUNT",
      `${count} attestors, counted ${storage.attestorCount.get(s)}`,
    );
  for (const [key, win] of storage.windows.entries(s)) {
    const view = new DataView(key.buffer, key.byteOffset, 12);
    const modelId = Number(view.getBigUint64(0));
    const window = view.getUint32(8);
    const settled = win.phase === Phase.final || win.phase === Phase.declared;
    if (!settled && !storage.due.has(s, keys.due(win.deadline, modelId, window)))
      throw new InvariantError(
        "ATTESTATION_DUE",
        `window ${window} of #${modelId} has no deadline queued`,
      );
    if (settled) continue;
    for (let r = 0; r <= win.round; r++) {
      const round = getRound(s, modelId, window, r);
      for (const who of round?.selected ?? [])
        open.set(toHex(who), (open.get(toHex(who)) ?? 0) + 1);
      const d = storage.disputes.get(s, keys.round(modelId, window, r));
      if (d) add(expected, d.disputer, d.bond);
    }
  }
  for (const [who, a] of storage.attestors.entries(s))
    if (open.get(toHex(who)) !== a.open)
      throw new InvariantError(
        "ATTESTATION_OPEN",
        `${toHex(who)} open ${a.open}, rounds say ${open.get(toHex(who))}`,
      );
  let accounts = 0;
  for (const [who, held] of storage.held.entries(s)) {
    accounts++;
    const want = expected.get(toHex(who)) ?? 0n;
    if (held !== want)
      throw new InvariantError(
        "ATTESTATION_HELD",
        `${toHex(who)} held ${held}, records say ${want}`,
      );
    const registry = registryStorage.held.get(s, who) ?? 0n;
    if (readAccount(s, who).reserved < held + registry)
      throw new InvariantError("ATTESTATION_RESERVE", `${toHex(who)} reserves less than it holds`);
  }
  const nonZero = [...expected.values()].filter((v) => v > 0n).length;
  if (accounts !== nonZero)
    throw new InvariantError("ATTESTATION_HELD", "an account's bonds are not in Held");
}
