// What the agents do in each phase of an epoch (sim/agents.ts PHASE): the calls every population
// makes, in a fixed order, given the chain's state and what the engine has learned from events.
import { UNIT } from "../primitives/amount.ts";
import { param } from "../runtime/pallets/params.ts";
import {
  type Call,
  challengeCandidates,
  challengerActions,
  claims,
  colludingReviewActions,
  consumerActions,
  copierActions,
  copyCandidates,
  createDatanet,
  curatorBondActions,
  honestActions,
  licenceBuyerActions,
  liveModels,
  PHASE,
  partnerActions,
  pay,
  publishAction,
  resolveActions,
  reviewActions,
  spammerActions,
  submissionCall,
  trainActions,
  type World,
} from "./agents.ts";
import { bondCall } from "./attestors.ts";
import type { DatanetIds, Populations } from "./population.ts";
import { MAX_LISTED_CURATORS, type Scenario } from "./scenario.ts";

/** What the engine tracks from events for the agents' decisions. */
export interface Market {
  /** Contributions with an open challenge. */
  openChallenges: Set<number>;
  /** Contributions a challenger has already challenged (never twice). */
  challenged: Set<number>;
  /** Accepted contributions at each datanet's last version. */
  lastPublished: Map<number, number>;
  /**
   * Models consumers may use: the model owners' and the manifest gamers' (not the wash traders'),
   * in id order.
   */
  honestModels: number[];
}

export function newMarket(): Market {
  return {
    openChallenges: new Set(),
    challenged: new Set(),
    lastPublished: new Map(),
    honestModels: [],
  };
}

/** True quality of what wash traders contribute to their own datanets (they accept it themselves). */
const WASH_QUALITY = 80;

/** The calls of the phase at block offset `offset` of an epoch (none at other offsets). */
export function phaseCalls(
  scenario: Scenario,
  pops: Populations,
  ids: DatanetIds,
  market: Market,
  w: World,
  offset: number,
  epochLength: number,
): Call[] {
  const p = scenario.populations;
  const out: Call[] = [];
  const minBond = param(w.state, "registryMinBond");
  // The colluding curators are listed beside the honest ones (who review by contribution id).
  const colluding = pops.colludingCurators.slice(0, MAX_LISTED_CURATORS);
  const curators = pops.curators.slice(0, MAX_LISTED_CURATORS - colluding.length);
  const listed = [...curators, ...colluding];
  if (offset === PHASE.submit) {
    if (w.epoch === 0) {
      for (const [i, o] of pops.owners.entries())
        out.push(
          createDatanet(o, `datanet-${i}`, scenario.datanets, listed, epochLength, minBond, false),
        );
      for (const [i, t] of pops.washTraders.entries())
        out.push(
          createDatanet(t, `own-data-${i}`, scenario.datanets, [], epochLength, minBond, true),
        );
      for (const [i, g] of pops.manifestGamers.entries())
        out.push(
          createDatanet(g, `gamer-data-${i}`, scenario.datanets, [], epochLength, minBond, true),
        );
      for (const a of pops.attestors) out.push(bondCall(a, p.attestors!.bond));
      // The datanets exist by now (calls apply in order): the curators bond before reviewing.
      for (const c of listed) out.push(...curatorBondActions(w, c, ids.main));
    }
    const fee = param(w.state, "baseFee");
    for (const a of pops.honest)
      out.push(...honestActions(w, a, p.honestContributors!, ids.main.length, fee));
    for (const a of pops.spammers) out.push(...spammerActions(w, a, p.spammers!, ids.main.length));
    if (pops.copiers.length > 0) {
      const candidates = copyCandidates(w, ids.main);
      for (const a of pops.copiers) out.push(...copierActions(w, a, p.copiers!, candidates));
    }
    if (pops.challengers.length > 0) {
      const c = p.challengers!;
      const candidates = challengeCandidates(w, ids.main, c.qualityBelow);
      for (const a of pops.challengers)
        out.push(...challengerActions(a, c, candidates, market.openChallenges, market.challenged));
    }
    for (const a of pops.colludingPartners)
      out.push(...partnerActions(w, a, p.colluders!, ids.main.length));
    if (w.epoch >= (p.washTraders?.startEpoch ?? 0)) {
      for (const [i, t] of pops.washTraders.entries()) {
        out.push(...claims(w, t));
        out.push(submissionCall(w, t, ids.wash[i]!, WASH_QUALITY));
      }
    }
    for (const [i, g] of pops.manifestGamers.entries()) {
      out.push(...claims(w, g));
      for (let n = 0; n < p.manifestGamers!.contributionsPerEpoch; n++)
        out.push(submissionCall(w, g, ids.gamer[i]!, WASH_QUALITY));
    }
  } else if (offset === PHASE.review) {
    const errorRate = p.curators?.errorRate ?? 0;
    // A curator slashed below the curator bond tops up before it reviews.
    for (const c of listed) out.push(...curatorBondActions(w, c, ids.main));
    // Colluders first: they decide their partners' junk before an honest reviewer can.
    const decided = new Set<number>();
    for (const [i, c] of colluding.entries()) {
      for (const call of colludingReviewActions(
        w,
        c,
        pops.colludingPartners[i]!,
        ids.main.length,
      )) {
        decided.add(Number((call.args as { contributionId: number }).contributionId));
        out.push(call);
      }
    }
    for (const [i, o] of pops.owners.entries()) {
      out.push(...reviewActions(w, i, o, curators, errorRate, decided));
      out.push(...resolveActions(w, i, o, listed, errorRate, market.openChallenges));
    }
    for (const [i, t] of pops.washTraders.entries())
      out.push(...reviewActions(w, ids.wash[i]!, t, [], 0));
    for (const [i, g] of pops.manifestGamers.entries())
      out.push(...reviewActions(w, ids.gamer[i]!, g, [], 0));
  } else if (offset === PHASE.publish) {
    const every = scenario.datanets.publishEvery;
    if (w.epoch % every === 0) {
      for (const [i, o] of pops.owners.entries()) {
        const call = publishAction(w, o, i, market.lastPublished);
        if (call) out.push(call);
      }
    }
    for (const [i, t] of pops.washTraders.entries()) {
      const call = publishAction(w, t, ids.wash[i]!, market.lastPublished);
      if (call) out.push(call);
    }
    for (const [i, g] of pops.manifestGamers.entries()) {
      const call = publishAction(w, g, ids.gamer[i]!, market.lastPublished);
      if (call) out.push(call);
    }
  } else if (offset === PHASE.train) {
    const m = p.modelOwners;
    if (m) {
      const share = Math.round(m.dataShare * 1_000_000);
      for (const a of pops.modelOwners)
        out.push(
          ...trainActions(w, a, ids.main, m.price, share, m.retrainEvery, w.measured !== null),
        );
    }
    const washPrice = p.washTraders?.price ?? UNIT;
    const washShare = Math.round((p.washTraders?.dataShare ?? 1) * 1_000_000);
    for (const [i, t] of pops.washTraders.entries())
      out.push(...trainActions(w, t, [ids.wash[i]!], washPrice, washShare, 1));
    const g = p.manifestGamers;
    if (g) {
      const share = Math.round(g.dataShare * 1_000_000);
      for (const [i, a] of pops.manifestGamers.entries())
        out.push(
          ...trainActions(w, a, [ids.gamer[i]!, ...ids.main], g.price, share, 1, false, true),
        );
    }
  } else if (offset === PHASE.pay) {
    const models = liveModels(w.state, market.honestModels);
    for (const a of pops.consumers) out.push(...consumerActions(w, a, p.consumers!, models));
    for (const a of pops.licenceBuyers)
      out.push(...licenceBuyerActions(w, a, p.licenceBuyers!, ids.main, models));
    for (const [i, t] of pops.washTraders.entries()) {
      if (t.modelId === null || w.epoch < (p.washTraders?.startEpoch ?? 0)) continue;
      const own = liveModels(w.state, [t.modelId])[0];
      if (!own) continue;
      // The units are shared out among the trader's payers (the trader itself without any).
      const n = p.washTraders!.viaSecondAccount ? p.washTraders!.payers : 1;
      const units = Math.round(p.washTraders!.unitsPerEpoch);
      for (let j = 0; j < n; j++) {
        const payer = pops.washPayers[i * n + j] ?? t;
        const each = Math.floor(units / n) + (j < units % n ? 1 : 0);
        const call = pay(payer, own, each);
        if (call) out.push(call);
      }
    }
  }
  return out;
}
