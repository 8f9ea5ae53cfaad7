// Measured attribution's agents on the chain: attestors bond, and in every block each measured
// window that waits for someone gets its call: the model's owner commits the query log, the
// selected attestors commit and then reveal their reports, and an honest attestor disputes a
// quorum root that is not the honest one. The three kinds of attestor differ only in the report
// they commit to (docs/simulator.md, "Agent policies"):
//
//   honest     runs knn-shapley v1 on the window's data and queries (sim/measured.ts valuation)
//   lazy       never runs the method: in a window's first round it guesses (the pot split evenly
//              over the contributions); in a later round it copies the root revealed most often
//              in the round before (commitments are bound to their attestor, so nothing of the
//              current round can be copied)
//   colluding  reveals, with the other colluders, one wrong root that pays the whole pot to the
//              window's near copies; in a window without a copy it has nothing to gain and
//              reveals the honest root
import { u128ToBytes } from "../primitives/amount.ts";
import { bytesEqual, toHex, utf8 } from "../primitives/bytes.ts";
import { blake2b256 } from "../primitives/hash.ts";
import {
  commitmentOf,
  getCommit,
  getDispute,
  getReveal,
  getRound,
  getWindow,
  WindowPhase,
} from "../runtime/pallets/attestation/index.ts";
import { getModel, getWindowPot } from "../runtime/pallets/attribution/index.ts";
import { readAccount } from "../runtime/pallets/system.ts";
import type { Agent, Call, ModelOwner, World } from "./agents.ts";
import type { MeasuredMarket } from "./measured.ts";

export type AttestorKind = "honest" | "lazy" | "colluding";

/** What an attestor committed to in a round, to reveal in the next phase. */
interface Committed {
  root: Uint8Array;
  total: bigint;
  leafCount: number;
  salt: Uint8Array;
}

export interface Attestor extends Agent {
  kind: AttestorKind;
  /** Its commitments by `model/window/round`, until it reveals them. */
  committed: Map<string, Committed>;
}

export interface WindowRef {
  modelId: number;
  window: number;
}

export function bondCall(attestor: Attestor, bond: bigint): Call {
  return { who: attestor, call: "Attestation.bond", args: { amount: u128ToBytes(bond) } };
}

const roundKey = (at: WindowRef, round: number) => `${at.modelId}/${at.window}/${round}`;

/** A salt nobody else can predict before the reveal, and the same in every run of a seed. */
function saltOf(a: Attestor, at: WindowRef, round: number): Uint8Array {
  return blake2b256(utf8(`lineage-sim/salt/${a.role}/${a.index}/${roundKey(at, round)}`));
}

/** The report an attestor of `kind` commits to in `round` of the window. */
function reportFor(
  w: World,
  market: MeasuredMarket,
  a: Attestor,
  at: WindowRef,
  round: number,
): { root: Uint8Array; total: bigint; leafCount: number } {
  const s = w.state;
  if (a.kind === "lazy") {
    const copied = round > 0 ? mostRevealed(w, at, round - 1) : undefined;
    if (copied) return copied;
    const guess = market.guess(s, at.modelId, at.window);
    market.remember(guess);
    return { root: guess.root, total: guess.total, leafCount: guess.entries.length };
  }
  const honest = market.valuation(s, at.modelId, at.window);
  const chosen = (a.kind === "colluding" && market.collusive(s, at.modelId, at.window)) || honest;
  market.remember(chosen);
  return { root: chosen.root, total: chosen.total, leafCount: chosen.entries.length };
}

/** The result revealed most often in a round, ties to the earliest selected revealer. */
function mostRevealed(w: World, at: WindowRef, round: number) {
  const r = getRound(w.state, at.modelId, at.window, round);
  const counted = new Map<
    string,
    { count: number; root: Uint8Array; total: bigint; leafCount: number }
  >();
  for (const who of r?.selected ?? []) {
    const reveal = getReveal(w.state, at.modelId, at.window, round, who);
    if (!reveal) continue;
    const key = `${toHex(reveal.root)}/${reveal.total}/${reveal.leafCount}`;
    const seen = counted.get(key) ?? { count: 0, ...reveal };
    counted.set(key, { ...seen, count: seen.count + 1 });
  }
  let best: { count: number; root: Uint8Array; total: bigint; leafCount: number } | undefined;
  for (const c of counted.values()) if (!best || c.count > best.count) best = c;
  return best && { root: best.root, total: best.total, leafCount: best.leafCount };
}

/**
 * The calls measured windows wait for, window by window (model, then window order): in the
 * query-log phase the model's owner commits the log (one query per paid unit); in a commit phase
 * every selected attestor that has not committed does; in a reveal phase every attestor that
 * committed reveals; in the dispute phase, when the quorum root is not the honest report's, the
 * first honest attestor that can post the dispute bond disputes it. Each acts in the block after
 * the phase opened (the phases last at least two blocks: sim/scenario.ts checks).
 */
export function attestationCalls(
  w: World,
  market: MeasuredMarket,
  owners: ModelOwner[],
  attestors: Attestor[],
  windows: readonly WindowRef[],
  disputeBond: bigint,
): Call[] {
  const s = w.state;
  const out: Call[] = [];
  for (const at of windows) {
    const win = getWindow(s, at.modelId, at.window);
    if (!win) continue;
    const ref = { modelId: at.modelId, window: at.window };
    if (win.phase === WindowPhase.queryLog) {
      const owner = getModel(s, at.modelId)?.owner;
      const agent = owner && owners.find((o) => bytesEqual(o.account, owner));
      const units = getWindowPot(s, at.modelId, at.window)?.units ?? 0;
      if (agent && units > 0)
        out.push({
          who: agent,
          call: "Attestation.submitQueryLog",
          args: market.queryLog(at.modelId, at.window, units),
        });
    } else if (win.phase === WindowPhase.commit) {
      const selected = getRound(s, at.modelId, at.window, win.round)?.selected ?? [];
      for (const a of attestors) {
        if (!selected.some((x) => bytesEqual(x, a.account))) continue;
        if (getCommit(s, at.modelId, at.window, win.round, a.account)) continue;
        const r = reportFor(w, market, a, at, win.round);
        const salt = saltOf(a, at, win.round);
        a.committed.set(roundKey(at, win.round), { ...r, salt });
        const commitment = commitmentOf({
          ...ref,
          round: win.round,
          attestor: a.account,
          ...r,
          salt,
        });
        out.push({
          who: a,
          call: "Attestation.commitReport",
          args: { ...ref, round: win.round, commitment },
        });
      }
    } else if (win.phase === WindowPhase.reveal) {
      for (const a of attestors) {
        const key = roundKey(at, win.round);
        const c = a.committed.get(key);
        if (!c || getReveal(s, at.modelId, at.window, win.round, a.account)) continue;
        a.committed.delete(key);
        out.push({
          who: a,
          call: "Attestation.revealReport",
          args: {
            ...ref,
            round: win.round,
            root: c.root,
            total: u128ToBytes(c.total),
            leafCount: c.leafCount,
            salt: c.salt,
            reportUri: `sim://report/${a.role}/${a.index}/${key}`,
          },
        });
      }
    } else if (win.phase === WindowPhase.dispute) {
      if (getDispute(s, at.modelId, at.window, win.round)) continue;
      const disputer = attestors.find(
        (a) => a.kind === "honest" && readAccount(s, a.account).free >= disputeBond,
      );
      if (!disputer) continue;
      const honest = market.valuation(s, at.modelId, at.window);
      if (!bytesEqual(win.resultRoot, honest.root))
        out.push({ who: disputer, call: "Attestation.dispute", args: ref });
    }
  }
  return out;
}
