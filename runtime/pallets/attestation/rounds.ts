// A measured window's life, from its opening to its settlement:
//
//   queryLog ──(owner commits the query log)──> selecting ──(next block)──> commit
//   commit ──(deadline, or all committed)──> reveal
//   reveal ──(deadline, or all revealed)──> tally: a root with M_r reveals ─> dispute, else
//                                           selecting the next, larger round (or the council)
//   dispute ──(deadline)──> final      dispute ──(someone disputes)──> selecting the next round
//   council ──(root call)──> final     council ──(deadline)──> final by the last quorum root if a
//                                      round had one (its disputers were wrong), else declared
//   queryLog ──(deadline)──> declared
//
// Deadlines are kept in a due queue by block and acted on at the start of that block, at most
// `attestationMaxDuePerBlock` per block; a phase that ends early (everyone committed, everyone
// revealed) leaves its old entry stale, recognised because the window's deadline moved. At the end
// every attestor selected in any round is judged against the final root: revealing it earns a
// share of the fee, revealing another root or nothing costs `attestationSlashPpm` of the bond.
// A window settled by the declared manifest has no verdict: nobody is slashed. One root is
// reserved: UNMEASURABLE_ROOT, revealed when the inputs do not match the chain (a query file that
// is not what the log commits to, say); with a quorum it is final like any root, the fee goes to
// those who checked, and the pot goes by the declared manifest.
import { u128ToBytes } from "../../../primitives/amount.ts";
import { bytesEqual, concatBytes } from "../../../primitives/bytes.ts";
import type { RuntimeContext } from "../../pallet.ts";
import { clearRange, MARKER_VALUE, type RuntimeStorage, rangeAfter } from "../../storage.ts";
import {
  getWindowPot,
  settleDeclared,
  settleMeasured,
  takeEndedWindows,
} from "../attribution/index.ts";
import { depositOrBurn } from "../balances.ts";
import { storage as emissionStorage } from "../emission/storage.ts";
import { param } from "../params.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { emitEvent } from "./events.ts";
import { release, slash } from "./ledger.ts";
import { eligibleAttestors, roundSize, select, selectionSeed } from "./selection.ts";
import { getDispute, getReveal, getRound, keys, storage } from "./storage.ts";
import { type Reveal, WindowPhase, type WindowRecord } from "./types.ts";

const PPM = 1_000_000n;
const minimal = u128ToBytes;

export const FallbackReason = { noQueryLog: 0, noDecision: 1 } as const;
const Penalty = { dissent: 0, missed: 1, lostDispute: 2 } as const;

interface Ref {
  modelId: number;
  window: number;
}

function save(s: RuntimeStorage, at: Ref, win: WindowRecord): void {
  storage.windows.set(s, keys.window(at.modelId, at.window), win);
}

function schedule(ctx: RuntimeContext, at: Ref, win: WindowRecord, blocks: bigint): WindowRecord {
  const deadline = ctx.blockNumber + Number(blocks);
  storage.due.set(ctx.storage, keys.due(deadline, at.modelId, at.window), MARKER_VALUE);
  return { ...win, deadline };
}

const windowEvent = (at: Ref, win: WindowRecord) => ({
  modelId: at.modelId,
  window: at.window,
  round: win.round,
  deadline: win.deadline,
});

/** The block's budget of window work: opens the windows whose pots are final. */
export function openWindows(ctx: RuntimeContext, budget: number): number {
  const s = ctx.storage;
  const minted = emissionStorage.nextToMint.get(s);
  const ended = takeEndedWindows(s, minted, budget);
  for (const at of ended) {
    const pot = getWindowPot(s, at.modelId, at.window)?.held ?? 0n;
    const fee = (pot * param(s, "attestationFeePpm")) / PPM;
    const win = schedule(
      ctx,
      at,
      {
        phase: WindowPhase.queryLog,
        deadline: 0,
        round: 0,
        queryRoot: new Uint8Array(),
        queryCount: 0,
        queryUri: "",
        pot,
        fee,
        distributable: pot - fee,
        openedAt: ctx.blockNumber,
        resultRoot: new Uint8Array(),
        resultTotal: 0n,
        resultLeafCount: 0,
        commits: 0,
        reveals: 0,
      },
      param(s, "attestationQueryLogBlocks"),
    );
    save(s, at, win);
    emitEvent(ctx, "WindowOpened", windowEvent(at, win));
  }
  return budget - ended.length;
}

/** Acts on the deadlines due at or before this block, within the budget; returns what is left. */
export function processDue(ctx: RuntimeContext, budget: number): number {
  const s = ctx.storage;
  let left = budget;
  for (const [key] of rangeAfter(s, storage.due.prefix, null, budget)) {
    const view = new DataView(key.buffer, key.byteOffset, key.length);
    const block = Number(view.getBigUint64(0));
    if (block > ctx.blockNumber) break;
    left--;
    storage.due.remove(s, key);
    const at = { modelId: Number(view.getBigUint64(8)), window: view.getUint32(16) };
    const win = storage.windows.get(s, keys.window(at.modelId, at.window));
    if (!win || win.deadline !== block) continue;
    if (win.phase === WindowPhase.queryLog) fallBack(ctx, at, win, FallbackReason.noQueryLog);
    else if (win.phase === WindowPhase.selecting) selectRound(ctx, at, win);
    else if (win.phase === WindowPhase.commit) toReveal(ctx, at, win);
    else if (win.phase === WindowPhase.reveal) tally(ctx, at, win);
    else if (win.phase === WindowPhase.dispute) finalize(ctx, at, win, result(win), false);
    else if (win.phase === WindowPhase.council) {
      // A quorum root that disputes did not overturn stands; with none, nobody decided.
      if (win.resultRoot.length > 0) finalize(ctx, at, win, result(win), false);
      else fallBack(ctx, at, win, FallbackReason.noDecision);
    }
  }
  return left;
}

const result = (win: WindowRecord) => ({
  root: win.resultRoot,
  total: win.resultTotal,
  leafCount: win.resultLeafCount,
});

/** Calls for round `round`: its attestors are selected at the start of the next block. */
export function startRound(ctx: RuntimeContext, at: Ref, win: WindowRecord, round: number): void {
  const next = schedule(
    ctx,
    at,
    { ...win, phase: WindowPhase.selecting, round, commits: 0, reveals: 0 },
    1n,
  );
  save(ctx.storage, at, next);
}

/** Selects the round's attestors and opens its commit phase (the council past the last round). */
function selectRound(ctx: RuntimeContext, at: Ref, win: WindowRecord): void {
  const s = ctx.storage;
  const round = win.round;
  const eligible = eligibleAttestors(s);
  const { size, quorum } = roundSize(s, round, eligible.length);
  if (BigInt(round) >= param(s, "attestationMaxRounds") || size === 0 || size < quorum) {
    const council = schedule(
      ctx,
      at,
      { ...win, phase: WindowPhase.council },
      param(s, "attestationCouncilBlocks"),
    );
    save(s, at, council);
    emitEvent(ctx, "CouncilPhase", windowEvent(at, council));
    return;
  }
  const seed = selectionSeed(s, at.modelId, at.window, round);
  const selected = select(seed, eligible, size);
  storage.rounds.set(s, keys.round(at.modelId, at.window, round), {
    selected,
    quorum,
    seed,
    startedAt: ctx.blockNumber,
  });
  for (const who of selected) {
    const a = storage.attestors.get(s, who)!;
    storage.attestors.set(s, who, { ...a, selected: a.selected + 1, open: a.open + 1 });
  }
  const next = schedule(
    ctx,
    at,
    { ...win, phase: WindowPhase.commit },
    param(s, "attestationCommitBlocks"),
  );
  save(s, at, next);
  emitEvent(ctx, "RoundStarted", {
    modelId: at.modelId,
    window: at.window,
    round,
    selected,
    quorum,
    deadline: next.deadline,
  });
}

/** The commit phase is over: reveals are taken (a round nobody committed in is tallied at once). */
export function toReveal(ctx: RuntimeContext, at: Ref, win: WindowRecord): void {
  if (win.commits === 0) {
    tally(ctx, at, win);
    return;
  }
  const next = schedule(
    ctx,
    at,
    { ...win, phase: WindowPhase.reveal },
    param(ctx.storage, "attestationRevealBlocks"),
  );
  save(ctx.storage, at, next);
  emitEvent(ctx, "RevealPhase", windowEvent(at, next));
}

type Result = { root: Uint8Array; total: bigint; leafCount: number };
const sameResult = (r: Result, x: Result) =>
  bytesEqual(r.root, x.root) && r.total === x.total && r.leafCount === x.leafCount;

/** Counts the round's reveals: a root with the round's quorum goes to dispute, else the next round. */
export function tally(ctx: RuntimeContext, at: Ref, win: WindowRecord): void {
  const s = ctx.storage;
  const round = getRound(s, at.modelId, at.window, win.round)!;
  const counted: { reveal: Reveal; count: number }[] = [];
  for (const who of round.selected) {
    const reveal = getReveal(s, at.modelId, at.window, win.round, who);
    if (!reveal) continue;
    const same = counted.find((c) => sameResult(c.reveal, reveal));
    if (same) same.count++;
    else counted.push({ reveal, count: 1 });
  }
  // The quorum is more than half the round, so at most one root can reach it.
  const winner = counted.find((c) => c.count >= round.quorum);
  if (!winner) {
    startRound(ctx, at, win, win.round + 1);
    return;
  }
  const next = schedule(
    ctx,
    at,
    {
      ...win,
      phase: WindowPhase.dispute,
      resultRoot: winner.reveal.root,
      resultTotal: winner.reveal.total,
      resultLeafCount: winner.reveal.leafCount,
    },
    param(s, "attestationDisputeBlocks"),
  );
  save(s, at, next);
  emitEvent(ctx, "QuorumReached", {
    modelId: at.modelId,
    window: at.window,
    round: win.round,
    root: winner.reveal.root,
    total: minimal(winner.reveal.total),
    deadline: next.deadline,
    byCouncil: false,
  });
}

/**
 * Judges every attestor of every round against `verdict` (null: no verdict, only the attestors
 * who did not reveal are at fault), frees their assignments and settles the disputes. Returns the
 * attestors owed a fee (one entry per agreeing reveal) and what was slashed.
 */
function judge(
  ctx: RuntimeContext,
  at: Ref,
  win: WindowRecord,
  verdict: { root: Uint8Array; total: bigint; leafCount: number } | null,
): { agreed: Uint8Array[]; slashed: bigint } {
  const s = ctx.storage;
  const slashPpm = param(s, "attestationSlashPpm");
  const minBond = param(s, "attestationMinBond");
  const unbonding = Number(param(s, "attestationUnbondingBlocks"));
  const agreed: Uint8Array[] = [];
  let slashed = 0n;
  for (let r = 0; r <= win.round; r++) {
    const round = getRound(s, at.modelId, at.window, r);
    if (!round) continue;
    for (const who of round.selected) {
      const reveal = getReveal(s, at.modelId, at.window, r, who);
      const a = storage.attestors.get(s, who)!;
      // Without a verdict (the declared fallback) nobody is judged at fault.
      const agrees = reveal !== undefined && verdict !== null && sameResult(reveal, verdict);
      const faulty = verdict !== null && !agrees;
      const penalty = faulty ? (a.bond * slashPpm) / PPM : 0n;
      if (agrees) agreed.push(who);
      slash(ctx, who, penalty);
      slashed += penalty;
      // Slashed below the minimum: unbonded, so its slot can be freed once its windows settle.
      const bond = a.bond - penalty;
      const falls = penalty > 0n && bond < minBond && a.unbondingAt === 0;
      const unbondingAt = falls ? ctx.blockNumber + unbonding : a.unbondingAt;
      if (falls)
        emitEvent(ctx, "Unbonding", { account: who, amount: minimal(bond), block: unbondingAt });
      storage.attestors.set(s, who, {
        ...a,
        unbondingAt,
        bond,
        slashed: a.slashed + penalty,
        open: a.open - 1,
        agreed: a.agreed + (agrees ? 1 : 0),
        dissented: a.dissented + (faulty && reveal ? 1 : 0),
        missed: a.missed + (faulty && !reveal ? 1 : 0),
      });
      if (faulty)
        emitEvent(ctx, "AttestorSlashed", {
          account: who,
          modelId: at.modelId,
          window: at.window,
          round: r,
          amount: minimal(penalty),
          reason: reveal ? Penalty.dissent : Penalty.missed,
        });
    }
    clearRange(
      s,
      concatBytes(storage.commits.prefix, keys.round(at.modelId, at.window, r)),
      round.selected.length,
    );
  }
  // Disputes: a disputer was right when the final root is not the one it disputed.
  const winners: { who: Uint8Array; bond: bigint }[] = [];
  for (let r = 0; r <= win.round; r++) {
    const d = getDispute(s, at.modelId, at.window, r);
    if (!d) continue;
    const right = verdict === null || !sameResult(d, verdict);
    if (right) {
      release(ctx, d.disputer, d.bond);
      if (verdict !== null) winners.push({ who: d.disputer, bond: d.bond });
    } else {
      slash(ctx, d.disputer, d.bond);
      slashed += d.bond;
      emitEvent(ctx, "AttestorSlashed", {
        account: d.disputer,
        modelId: at.modelId,
        window: at.window,
        round: r,
        amount: minimal(d.bond),
        reason: Penalty.lostDispute,
      });
    }
  }
  let toTreasury = slashed;
  if (winners.length > 0) {
    const reward = (slashed * param(s, "attestationDisputeRewardPpm")) / PPM;
    const shares = split(reward, winners.length);
    for (const [i, w] of winners.entries()) {
      depositOrBurn(ctx, w.who, shares[i]!);
      toTreasury -= shares[i]!;
      emitEvent(ctx, "AttestorPaid", {
        account: w.who,
        modelId: at.modelId,
        window: at.window,
        amount: minimal(shares[i]!),
        kind: 1,
      });
    }
  }
  depositOrBurn(ctx, TREASURY_ACCOUNT, toTreasury);
  return { agreed, slashed };
}

/** `total` in `n` equal shares, the remainder to the first. */
function split(total: bigint, n: number): bigint[] {
  const each = total / BigInt(n);
  const shares = Array.from({ length: n }, () => each);
  if (n > 0) shares[0] = shares[0]! + (total - each * BigInt(n));
  return shares;
}

/** Settles the window by `verdict`: attestors judged, fees paid, the report root recorded. */
export function finalize(
  ctx: RuntimeContext,
  at: Ref,
  win: WindowRecord,
  verdict: { root: Uint8Array; total: bigint; leafCount: number },
  byCouncil: boolean,
): void {
  const s = ctx.storage;
  const { agreed } = judge(ctx, at, win, verdict);
  const fees =
    agreed.length === 0
      ? [{ account: TREASURY_ACCOUNT, amount: win.fee }]
      : split(win.fee, agreed.length).map((amount, i) => ({ account: agreed[i]!, amount }));
  for (const fee of fees) {
    const a = storage.attestors.get(s, fee.account);
    if (!a) continue;
    storage.attestors.set(s, fee.account, { ...a, earned: a.earned + fee.amount });
    emitEvent(ctx, "AttestorPaid", {
      account: fee.account,
      modelId: at.modelId,
      window: at.window,
      amount: minimal(fee.amount),
      kind: 0,
    });
  }
  settleMeasured(
    ctx,
    at.modelId,
    at.window,
    { root: verdict.root, leafCount: verdict.leafCount, allocated: verdict.total },
    fees,
  );
  save(s, at, {
    ...win,
    phase: WindowPhase.final,
    deadline: 0,
    resultRoot: verdict.root,
    resultTotal: verdict.total,
    resultLeafCount: verdict.leafCount,
  });
  emitEvent(ctx, "Finalized", {
    modelId: at.modelId,
    window: at.window,
    round: win.round,
    root: verdict.root,
    total: minimal(verdict.total),
    deadline: 0,
    byCouncil,
  });
}

/** Nothing resolved the window in time: its pot is paid by the declared manifest. */
export function fallBack(ctx: RuntimeContext, at: Ref, win: WindowRecord, reason: number): void {
  judge(ctx, at, win, null);
  settleDeclared(ctx, at.modelId, at.window);
  save(ctx.storage, at, { ...win, phase: WindowPhase.declared, deadline: 0 });
  emitEvent(ctx, "FellBack", { modelId: at.modelId, window: at.window, reason });
}
