// attestation_* answers: measured attribution's methods, the attestors, a measured model's windows
// with their rounds and settlement, the contributions its reports cover, and a contribution's leaf
// of a settled window with its proof, read from a block's state and turned into JSON (amounts as
// decimal strings, accounts as SS58, hashes as hex). The leaf comes from the report an attestor
// revealed, fetched through the ReportStore: the chain holds only its root.
import { bytesEqual, concatBytes, toHex, u32be, u64be } from "../primitives/bytes.ts";
import { parseAccountId, ss58Encode } from "../primitives/ss58.ts";
import type {
  Hex,
  NodeApi,
  RpcAttestor,
  RpcMethod,
  RpcReveal,
  RpcRound,
  RpcWindow,
  RpcWindowPhase,
} from "../rpc/node-api.ts";
import { findMethod, MeasurementError } from "../runtime/measurement/index.ts";
import {
  type Attestor,
  getAttestor,
  getCommit,
  getDispute,
  getReveal,
  getRound,
  getWindow,
  listAttestors,
  PHASE_NAMES,
  type Reveal,
  type WindowRecord,
} from "../runtime/pallets/attestation/index.ts";
import {
  getModel,
  getSettlement,
  getWindowPot,
  leafClaimedAt,
  listMethods,
  type Measurement,
  type MethodEntry,
  measuredStorage,
  windowEndEpoch,
} from "../runtime/pallets/attribution/index.ts";
import { param } from "../runtime/pallets/params.ts";
import { getContribution, versionEntriesFrom } from "../runtime/pallets/registry/index.ts";
import { rangeAfter, type StorageScan } from "../runtime/storage.ts";
import type { ReportStore } from "./attest/report-store.ts";
import { STATUS_NAMES } from "./registry-api.ts";

/** Phases with no deadline: settled, or not opened yet. */
const UNTIMED: ReadonlySet<RpcWindowPhase> = new Set(["running", "final", "declared"]);

const hex = (bytes: Uint8Array) => toHex(bytes) as Hex;

/** A method's parameters as the node's table decodes them; null for a method it does not know. */
function describeMethod(m: MethodEntry): Record<string, unknown> | null {
  try {
    return findMethod(m.name, m.version)?.describe(m.params) ?? null;
  } catch (error) {
    // Registered parameters this node's version of the method cannot read: shown raw only.
    if (error instanceof MeasurementError) return null;
    throw error;
  }
}

export function attestationApi(
  stateAt: (at: Hex | undefined) => StorageScan,
  ss58Prefix: number,
  reports: Pick<ReportStore, "leaf">,
): NodeApi["attestation"] {
  const address = (who: Uint8Array) => ss58Encode(who, ss58Prefix);
  const methodJson = (m: MethodEntry): RpcMethod => ({
    name: m.name,
    version: m.version,
    params: hex(m.params),
    described: describeMethod(m),
    specHash: hex(m.specHash),
    registeredAt: m.registeredAt,
    retired: m.retired,
  });
  const attestorJson = (who: Uint8Array, a: Attestor, minBond: bigint): RpcAttestor => ({
    account: address(who),
    bond: a.bond.toString(),
    eligible: a.unbondingAt === 0 && a.bond >= minBond,
    unbondingAt: a.unbondingAt === 0 ? null : a.unbondingAt,
    selected: a.selected,
    agreed: a.agreed,
    dissented: a.dissented,
    missed: a.missed,
    slashed: a.slashed.toString(),
    earned: a.earned.toString(),
    open: a.open,
    bondedAt: a.bondedAt,
  });
  const revealJson = (who: Uint8Array, r: Reveal): RpcReveal => ({
    account: address(who),
    root: hex(r.root),
    total: r.total.toString(),
    leafCount: r.leafCount,
    reportUri: r.reportUri,
    revealedAt: r.revealedAt,
  });
  const roundsOf = (s: StorageScan, model: number, w: number, record: WindowRecord): RpcRound[] => {
    const rounds: RpcRound[] = [];
    for (let r = 0; r <= record.round; r++) {
      const round = getRound(s, model, w, r);
      if (!round) continue;
      const dispute = getDispute(s, model, w, r);
      rounds.push({
        round: r,
        selected: round.selected.map(address),
        quorum: round.quorum,
        seed: hex(round.seed),
        startedAt: round.startedAt,
        committed: round.selected.filter((who) => getCommit(s, model, w, r, who)).map(address),
        reveals: round.selected.flatMap((who) => {
          const reveal = getReveal(s, model, w, r, who);
          return reveal ? [revealJson(who, reveal)] : [];
        }),
        dispute: dispute
          ? {
              disputer: address(dispute.disputer),
              bond: dispute.bond.toString(),
              root: hex(dispute.root),
            }
          : null,
      });
    }
    return rounds;
  };
  /** A window of a measured model; null when it holds nothing and was never opened. */
  const windowJson = (
    s: StorageScan,
    model: number,
    m: Measurement,
    w: number,
  ): RpcWindow | null => {
    const pot = getWindowPot(s, model, w);
    const record = getWindow(s, model, w);
    if (!pot && !record) return null;
    const phase: RpcWindowPhase = record
      ? ((PHASE_NAMES[record.phase] as RpcWindowPhase | undefined) ?? "queryLog")
      : "running";
    const settlement = getSettlement(s, model, w);
    return {
      model,
      window: w,
      startEpoch: m.startEpoch + w * m.windowEpochs,
      endEpoch: windowEndEpoch(m, w),
      phase,
      deadline: record && !UNTIMED.has(phase) ? record.deadline : null,
      held: (pot?.held ?? 0n).toString(),
      fees: (pot?.fees ?? 0n).toString(),
      emission: (pot?.emission ?? 0n).toString(),
      units: pot?.units ?? 0,
      payments: pot?.payments ?? 0,
      pot: record ? record.pot.toString() : null,
      fee: record ? record.fee.toString() : null,
      distributable: record ? record.distributable.toString() : null,
      openedAt: record ? record.openedAt : null,
      queryLog:
        record && record.queryRoot.length > 0
          ? { root: hex(record.queryRoot), count: record.queryCount, uri: record.queryUri }
          : null,
      round: record?.round ?? 0,
      result:
        record && record.resultRoot.length > 0
          ? {
              root: hex(record.resultRoot),
              total: record.resultTotal.toString(),
              leafCount: record.resultLeafCount,
            }
          : null,
      rounds: record ? roundsOf(s, model, w, record) : [],
      settlement: settlement
        ? {
            measured: settlement.measured,
            root: settlement.measured ? hex(settlement.root) : null,
            leafCount: settlement.leafCount,
            distributable: settlement.distributable.toString(),
            claimed: settlement.claimed.toString(),
            fees: settlement.fees.toString(),
            settledAt: settlement.settledAt,
          }
        : null,
    };
  };
  /** The report URIs of every reveal of `root` in the window's rounds, each once, in round order. */
  const revealedUris = (s: StorageScan, model: number, w: number, root: Uint8Array): string[] => {
    const uris = new Set<string>();
    const last = getWindow(s, model, w)?.round ?? -1;
    for (let r = 0; r <= last; r++) {
      for (const who of getRound(s, model, w, r)?.selected ?? []) {
        const reveal = getReveal(s, model, w, r, who);
        if (reveal && bytesEqual(reveal.root, root)) uris.add(reveal.reportUri);
      }
    }
    return [...uris];
  };
  return {
    methods: (at) => listMethods(stateAt(at)).map(methodJson),
    attestor: (account, at) => {
      const s = stateAt(at);
      const who = parseAccountId(account);
      const a = getAttestor(s, who);
      return a ? attestorJson(who, a, param(s, "attestationMinBond")) : null;
    },
    attestors: (after, count, at) => {
      const s = stateAt(at);
      const minBond = param(s, "attestationMinBond");
      const page = listAttestors(s, after === null ? null : parseAccountId(after), count + 1);
      const items = page.slice(0, count).map((e) => attestorJson(e.account, e.attestor, minBond));
      return { items, next: page.length > count ? items.at(-1)!.account : null };
    },
    window: (model, w, at) => {
      const s = stateAt(at);
      const measurement = getModel(s, model)?.measurement;
      return measurement ? windowJson(s, model, measurement, w) : null;
    },
    windows: (model, after, count, at) => {
      const s = stateAt(at);
      const measurement = getModel(s, model)?.measurement;
      if (!measurement) return { items: [], next: null };
      const prefix = concatBytes(measuredStorage.windowPots.prefix, u64be(model));
      const page = rangeAfter(s, prefix, after === null ? null : u32be(after), count + 1);
      const windowOf = (key: Uint8Array) => new DataView(key.buffer, key.byteOffset).getUint32(0);
      const items = page
        .slice(0, count)
        .map(([key]) => windowJson(s, model, measurement, windowOf(key))!);
      return { items, next: page.length > count ? items.at(-1)!.window : null };
    },
    contributions: (model, start, count, at) => {
      const s = stateAt(at);
      const manifest = getModel(s, model)?.manifest ?? [];
      // Each entry's ids ascend from `start`, so the first count + 1 of the union are among the
      // first count + 1 of each entry.
      const ids = new Set<number>();
      for (const e of manifest) {
        const entries = versionEntriesFrom(s, e.datanetId, e.version, start, count + 1);
        for (const { contributionId } of entries) ids.add(contributionId);
      }
      const sorted = [...ids].sort((a, b) => a - b);
      const items = sorted.slice(0, count).map((id) => {
        const c = getContribution(s, id)!;
        return {
          id,
          datanet: c.datanetId,
          contributor: address(c.contributor),
          contentHash: hex(c.contentHash),
          metadataUri: c.metadataUri,
          status: STATUS_NAMES[c.status] ?? "pending",
        };
      });
      return { items, next: sorted[count] ?? null };
    },
    measured: async (model, w, contribution, at) => {
      const s = stateAt(at);
      const settlement = getSettlement(s, model, w);
      if (!settlement?.measured) return null;
      const root = hex(settlement.root);
      const leaf = await reports.leaf(
        root,
        revealedUris(s, model, w, settlement.root),
        contribution,
      );
      if (!leaf) return null;
      return {
        model,
        window: w,
        contribution,
        amount: leaf.amount.toString(),
        claimedAt: leafClaimedAt(s, model, w, contribution) ?? null,
        root,
        proof: {
          index: leaf.proof.index,
          count: leaf.proof.count,
          siblings: leaf.proof.siblings.map(hex),
        },
        reportUri: leaf.reportUri,
      };
    },
  };
}
