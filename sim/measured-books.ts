// What the engine learns about measured attribution from the chain's events, and the figures it
// reports: per epoch, the windows that ended in it and how they were settled, the attestors' fees
// and slashes for them and each kind of attestor's net return; after the run, one row per
// contribution (its true quality against what it was paid) and one per attestor.
//
// A window's figures belong to the epoch it ends in (the epoch whose payments it held, with one
// epoch per window), even though it settles, and its fees and slashes move, in the next one.
import { u128FromBytes } from "../primitives/amount.ts";
import { toHex } from "../primitives/bytes.ts";
import { getAttestor } from "../runtime/pallets/attestation/index.ts";
import {
  claimableFor,
  getModel,
  getSettlement,
  windowEndEpoch,
} from "../runtime/pallets/attribution/index.ts";
import {
  ContributionStatus,
  datanetContributionIds,
  getContribution,
  getDatanet,
} from "../runtime/pallets/registry/index.ts";
import type { StorageScan } from "../runtime/storage.ts";
import { type Agent, netReturn } from "./agents.ts";
import type { Attestor, AttestorKind, WindowRef } from "./attestors.ts";
import type { DecodedEvent } from "./chain.ts";
import { type MeasuredMarket, type SettledReport, settledReport } from "./measured.ts";

/** One epoch's measured-attribution figures (amounts in planck). */
export interface MeasuredEpochFigures {
  /** Windows that ended in the epoch (held payments). */
  measuredWindows: number;
  /** Of those, settled by a final report root, and by the declared manifest (the fallback). */
  windowsByReport: number;
  windowsByDeclared: number;
  /** Fees paid to attestors, and bonds slashed, for the epoch's windows. */
  attestorFees: bigint;
  attestorSlashes: bigint;
  /** Quorum roots of the epoch's windows that someone disputed. */
  disputes: number;
  /** Report leaves claimed in the epoch. */
  measuredClaimed: bigint;
  /** Each kind's holdings minus endowment at the epoch's end; null when the kind is absent. */
  honestAttestorNetReturn: bigint | null;
  lazyAttestorNetReturn: bigint | null;
  colludingAttestorNetReturn: bigint | null;
}

/** A contribution's true quality against what measured attribution made of it. */
export interface ContributionFigures {
  contributionId: number;
  datanetId: number;
  /** Who submitted it, as `role/index`. */
  contributor: string;
  status: string;
  /** 1..100; its labels are flipped with probability 1 − quality / 100 (`labelNoise`). */
  trueQuality: number;
  labelNoise: number;
  /** For a near copy: the contribution it copies. */
  copyOf: number | null;
  points: number;
  /** Points not collapsed as near duplicates, in the last window that valued it. */
  keptPoints: number | null;
  /** Windows settled by a report that covered it. */
  windows: number;
  /** Its knn-shapley v1 value summed over those windows (units of 2⁻⁴⁰; any sign). */
  measuredValue: bigint;
  /** Its leaves' amounts in those windows' final reports, claimed or not. */
  measuredPayout: bigint;
  /**
   * What version pools paid it or still owe it (windows paid by the declared manifest end up
   * there): claimed, plus claimable at the end.
   */
  poolPayout: bigint;
  /** Report leaves of it claimed. */
  measuredClaimed: bigint;
  /** measuredPayout + poolPayout. */
  payout: bigint;
  /** payout ÷ points, floored. */
  payoutPerPoint: bigint;
}

/** An attestor's record at the end of the run (amounts in planck). */
export interface AttestorFigures {
  kind: AttestorKind;
  index: number;
  selected: number;
  agreed: number;
  dissented: number;
  missed: number;
  earned: bigint;
  slashed: bigint;
  bond: bigint;
  /** Holdings minus endowment: fees and dispute rewards, less slashes and transaction fees. */
  netReturn: bigint;
}

interface WindowBooks extends WindowRef {
  endEpoch: number;
  fees: bigint;
  slashes: bigint;
  disputes: number;
}

const STATUS_NAMES = Object.fromEntries(
  Object.entries(ContributionStatus).map(([name, value]) => [value, name]),
) as Record<number, string>;

const KINDS: readonly AttestorKind[] = ["honest", "lazy", "colluding"];

const windowKey = (modelId: number, window: number) => `${modelId}/${window}`;

export class MeasuredBooks {
  readonly #market: MeasuredMarket;
  readonly #byAccount: Map<string, Agent>;
  /** Every window that held a payment, in the order first paid. */
  readonly #windows = new Map<string, WindowBooks>();
  /** Windows that held a payment and are not settled yet. */
  readonly #unsettled = new Set<string>();
  /** Windows opened for attestation and not settled, in the order opened. */
  readonly #open = new Map<string, WindowRef>();
  /** Windows settled by a report since the contributors last claimed. */
  #settled: SettledReport[] = [];
  readonly #poolClaimed = new Map<number, bigint>();
  readonly #measuredClaimed = new Map<number, bigint>();
  readonly #claimedByEpoch = new Map<number, bigint>();

  constructor(market: MeasuredMarket, byAccount: Map<string, Agent>) {
    this.#market = market;
    this.#byAccount = byAccount;
  }

  /** Opened windows waiting for their owner or attestors, ordered by model then window. */
  openWindows(): WindowRef[] {
    return [...this.#open.values()].sort((a, b) => a.modelId - b.modelId || a.window - b.window);
  }

  /** Whether every window that held a payment has been settled. */
  get allSettled(): boolean {
    return this.#unsettled.size === 0;
  }

  /** The reports settled since the last call: what the contributors claim against. */
  takeSettled(): SettledReport[] {
    const out = this.#settled;
    this.#settled = [];
    return out;
  }

  observe(s: StorageScan, e: DecodedEvent, epoch: number): void {
    const d = e.data;
    const amount = (field: string) =>
      d[field] instanceof Uint8Array ? u128FromBytes(d[field] as Uint8Array) : 0n;
    const key = `${e.pallet}.${e.name}`;
    const at = () => windowKey(Number(d.modelId), Number(d.window));
    if (key === "Attribution.InferencePaid" && d.measured === true) {
      const ref = { modelId: Number(d.modelId), window: Number(d.window) };
      if (!this.#windows.has(at())) {
        const m = getModel(s, ref.modelId)!.measurement!;
        this.#windows.set(at(), {
          ...ref,
          endEpoch: windowEndEpoch(m, ref.window) - 1,
          fees: 0n,
          slashes: 0n,
          disputes: 0,
        });
        this.#unsettled.add(at());
      }
    } else if (key === "Attestation.WindowOpened") {
      this.#open.set(at(), { modelId: Number(d.modelId), window: Number(d.window) });
    } else if (key === "Attribution.WindowSettled") {
      this.#open.delete(at());
      this.#unsettled.delete(at());
      const entries = d.measured === true ? this.#market.reportOf(d.root as Uint8Array) : undefined;
      if (entries) this.#settled.push(settledReport(Number(d.modelId), Number(d.window), entries));
    } else if (key === "Attestation.AttestorPaid") {
      const w = this.#windows.get(at());
      if (w && d.kind === 0 && this.#isAttestor(d.account)) w.fees += amount("amount");
    } else if (key === "Attestation.AttestorSlashed") {
      const w = this.#windows.get(at());
      if (w) w.slashes += amount("amount");
    } else if (key === "Attestation.Disputed") {
      const w = this.#windows.get(at());
      if (w) w.disputes++;
    } else if (key === "Attribution.Claimed") {
      add(this.#poolClaimed, Number(d.contributionId), amount("amount"));
    } else if (key === "Attribution.MeasuredClaimed") {
      add(this.#measuredClaimed, Number(d.contributionId), amount("amount"));
      add(this.#claimedByEpoch, epoch, amount("amount"));
    }
  }

  #isAttestor(account: unknown): boolean {
    if (!(account instanceof Uint8Array)) return false;
    const role = this.#byAccount.get(toHex(account))?.role;
    return role === "honestAttestor" || role === "lazyAttestor" || role === "colludingAttestor";
  }

  /** The epoch's figures: net returns now (at its end), the windows' once the run is over. */
  epochFigures(s: StorageScan, epoch: number, attestors: Attestor[]): MeasuredEpochFigures {
    const returnOf = (kind: AttestorKind) => {
      const of = attestors.filter((a) => a.kind === kind);
      return of.length === 0 ? null : of.reduce((sum, a) => sum + netReturn(s, a), 0n);
    };
    return {
      measuredWindows: 0,
      windowsByReport: 0,
      windowsByDeclared: 0,
      attestorFees: 0n,
      attestorSlashes: 0n,
      disputes: 0,
      measuredClaimed: this.#claimedByEpoch.get(epoch) ?? 0n,
      honestAttestorNetReturn: returnOf("honest"),
      lazyAttestorNetReturn: returnOf("lazy"),
      colludingAttestorNetReturn: returnOf("colluding"),
    };
  }

  /** Adds each window's settlement, fees and slashes to the figures of the epoch it ended in. */
  settleFigures(s: StorageScan, figures: Map<number, MeasuredEpochFigures>): void {
    for (const w of this.#windows.values()) {
      const f = figures.get(w.endEpoch);
      if (!f) continue;
      f.measuredWindows++;
      const settlement = getSettlement(s, w.modelId, w.window);
      if (settlement?.measured) f.windowsByReport++;
      else if (settlement) f.windowsByDeclared++;
      f.attestorFees += w.fees;
      f.attestorSlashes += w.slashes;
      f.disputes += w.disputes;
    }
  }

  /** One row per contribution to `datanets`, in id order (see ContributionFigures). */
  contributions(s: StorageScan, datanets: number[]): ContributionFigures[] {
    const value = new Map<number, bigint>();
    const paid = new Map<number, bigint>();
    const windows = new Map<number, number>();
    const kept = new Map<number, number>();
    for (const w of this.#windows.values()) {
      const settlement = getSettlement(s, w.modelId, w.window);
      if (!settlement?.measured) continue;
      const valuation = this.#market.valuation(s, w.modelId, w.window);
      const final = this.#market.reportOf(settlement.root) ?? [];
      valuation.entries.forEach((e, i) => {
        add(value, e.contributionId, valuation.values[i]!);
        windows.set(e.contributionId, (windows.get(e.contributionId) ?? 0) + 1);
        kept.set(e.contributionId, valuation.points[i]!.kept);
      });
      for (const e of final) add(paid, e.contributionId, e.amount);
    }
    const ids = datanets.flatMap((d) => datanetContributionIds(s, d, 0, Number.MAX_SAFE_INTEGER));
    return ids
      .sort((a, b) => a - b)
      .map((id) => {
        const c = getContribution(s, id)!;
        const content = this.#market.content(toHex(c.contentHash));
        const agent = this.#byAccount.get(toHex(c.contributor));
        const points = content?.vectors.labels.length ?? 0;
        const quality = content?.quality ?? 0;
        const measuredPayout = paid.get(id) ?? 0n;
        let poolPayout = this.#poolClaimed.get(id) ?? 0n;
        const versions = getDatanet(s, c.datanetId)?.versionCount ?? 0;
        for (let v = 1; v <= versions; v++) poolPayout += claimableFor(s, c.datanetId, v, id);
        const payout = measuredPayout + poolPayout;
        return {
          contributionId: id,
          datanetId: c.datanetId,
          contributor: agent ? `${agent.role}/${agent.index}` : toHex(c.contributor),
          status: STATUS_NAMES[c.status] ?? String(c.status),
          trueQuality: quality,
          labelNoise: (100 - quality) / 100,
          copyOf: content?.copyOf ?? null,
          points,
          keptPoints: kept.get(id) ?? null,
          windows: windows.get(id) ?? 0,
          measuredValue: value.get(id) ?? 0n,
          measuredPayout,
          poolPayout,
          measuredClaimed: this.#measuredClaimed.get(id) ?? 0n,
          payout,
          payoutPerPoint: points > 0 ? payout / BigInt(points) : 0n,
        };
      });
  }

  /** One row per attestor, honest then lazy then colluding, from its on-chain record. */
  attestors(s: StorageScan, attestors: Attestor[]): AttestorFigures[] {
    const order = (a: Attestor) => KINDS.indexOf(a.kind);
    return [...attestors]
      .sort((a, b) => order(a) - order(b) || a.index - b.index)
      .map((a) => {
        const r = getAttestor(s, a.account);
        return {
          kind: a.kind,
          index: a.index,
          selected: r?.selected ?? 0,
          agreed: r?.agreed ?? 0,
          dissented: r?.dissented ?? 0,
          missed: r?.missed ?? 0,
          earned: r?.earned ?? 0n,
          slashed: r?.slashed ?? 0n,
          bond: r?.bond ?? 0n,
          netReturn: netReturn(s, a),
        };
      });
  }
}

function add<K>(map: Map<K, bigint>, key: K, value: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + value);
}
