// Measured attribution's off-chain side in the simulator: the synthetic data behind every
// contribution and query (measured-data.ts), the files a measured model commits to (its inputs
// index, each window's query log) and the reports attestors make of a window: the honest one,
// computed with runtime/measurement exactly as the reference attestor computes it, and the wrong
// ones lazy and colluding attestors reveal instead. The chain only ever sees hashes and roots; the
// bytes live here, by content hash, as they would behind the URIs on a real network.
import { toHex, utf8 } from "../primitives/bytes.ts";
import { blake2b256 } from "../primitives/hash.ts";
import { merkleLevels, merkleRoot } from "../primitives/merkle.ts";
import {
  allocate,
  encodeVectors,
  findMethod,
  type LabelledVectors,
  type ReportEntry,
  reportLeaf,
  reportRoot,
} from "../runtime/measurement/index.ts";
import { getWindow } from "../runtime/pallets/attestation/index.ts";
import { getModel, type ManifestEntry } from "../runtime/pallets/attribution/index.ts";
import { getContribution, versionEntries } from "../runtime/pallets/registry/index.ts";
import type { StorageScan } from "../runtime/storage.ts";
import { type DataShape, SyntheticData } from "./measured-data.ts";
import type { Random } from "./random.ts";

/** The method every simulated measured model names (the dev chain spec registers it at genesis). */
export const METHOD = { name: "knn-shapley", version: 1 } as const;

/** The inputs index's format, as the reference attestor reads it (node/attest/files.ts). */
const INPUTS_FORMAT = "lineage-measurement-inputs/1";
/** Queries per query file of a window's log. */
const QUERIES_PER_FILE = 256;

export interface Content {
  vectors: LabelledVectors;
  /** The labelled-vector file: its blake2b-256 is the contribution's content hash. */
  file: Uint8Array;
  quality: number;
  /** For a near copy: the contribution it copies. */
  copyOf: number | null;
}

/** A report over a window's contributions: one leaf per contribution, ids ascending. */
export interface WindowReport {
  entries: ReportEntry[];
  root: Uint8Array;
  total: bigint;
}

/** The honest report with what it was computed from: each contribution's value and points. */
export interface Valuation extends WindowReport {
  /** knn-shapley v1's value of each contribution (units of 2⁻⁴⁰), in the entries' order. */
  values: bigint[];
  points: { total: number; kept: number }[];
}

/**
 * A window settled by a report root, with that report's leaves and its Merkle tree's levels (the
 * contributors' claims prove their leaves from them).
 */
export interface SettledReport {
  modelId: number;
  window: number;
  entries: ReportEntry[];
  levels: Uint8Array[][];
}

export function settledReport(
  modelId: number,
  window: number,
  entries: ReportEntry[],
): SettledReport {
  const levels = merkleLevels(entries.map((e) => reportLeaf(e.contributionId, e.amount)));
  return { modelId, window, entries, levels };
}

const windowKey = (modelId: number, window: number) => `${modelId}/${window}`;

/** Every contribution in the manifest's versions, each once, ids ascending (a report's leaves). */
function manifestContributions(s: StorageScan, manifest: readonly ManifestEntry[]): number[] {
  const ids = new Set<number>();
  for (const e of manifest)
    for (const { contributionId } of versionEntries(s, e.datanetId, e.version))
      ids.add(contributionId);
  return [...ids].sort((a, b) => a - b);
}

const modelContributions = (s: StorageScan, modelId: number) =>
  manifestContributions(s, getModel(s, modelId)?.manifest ?? []);

function report(entries: ReportEntry[]): WindowReport {
  return { entries, root: reportRoot(entries), total: entries.reduce((a, e) => a + e.amount, 0n) };
}

export class MeasuredMarket {
  readonly #data: SyntheticData;
  /** The method's parameter bytes, as the chain registered them. */
  readonly #params: Uint8Array;
  readonly #contents = new Map<string, Content>();
  readonly #queries = new Map<string, Uint8Array[]>();
  readonly #valuations = new Map<string, Valuation>();
  /** Every report an attestor committed to, by root: what a settled root's leaves are. */
  readonly #reports = new Map<string, ReportEntry[]>();

  constructor(shape: DataShape, rng: Random, params: Uint8Array) {
    this.#data = new SyntheticData(shape, rng);
    this.#params = params;
  }

  #store(vectors: LabelledVectors, quality: number, copyOf: number | null) {
    const file = encodeVectors(vectors);
    const hash = blake2b256(file);
    this.#contents.set(toHex(hash), { vectors, file, quality, copyOf });
    return { hash, size: file.length };
  }

  /** New data of true quality `quality`: its content hash and size. */
  contribute(quality: number): { hash: Uint8Array; size: number } {
    return this.#store(this.#data.contribution(quality), quality, null);
  }

  /** A near copy of the content `original` (contribution `originalId`). */
  copy(original: string, originalId: number): { hash: Uint8Array; size: number } {
    const source = this.#contents.get(original);
    if (!source) throw new Error(`no data behind content ${original}`);
    return this.#store(this.#data.nearCopy(source.vectors), source.quality, originalId);
  }

  content(hash: string): Content | undefined {
    return this.#contents.get(hash);
  }

  /** Whether `hash` is data of the simulation's own making, not a copy. */
  isOriginal(hash: string): boolean {
    const c = this.#contents.get(hash);
    return c !== undefined && c.copyOf === null;
  }

  /**
   * registerModel's `measurement`: knn-shapley v1 over the manifest's contributions, committed to
   * by the blake2b-256 of its inputs index (each contribution's vector file, ids ascending).
   */
  measurementArgs(
    s: StorageScan,
    manifest: ManifestEntry[],
    owner: { role: string; index: number },
    epoch: number,
  ) {
    const contributions = manifestContributions(s, manifest).map((id) => {
      const hash = toHex(getContribution(s, id)!.contentHash);
      return { contribution: id, uri: `sim://data/${hash}`, hash };
    });
    const index = `${JSON.stringify({ format: INPUTS_FORMAT, contributions }, null, 1)}\n`;
    return {
      methodName: METHOD.name,
      methodVersion: METHOD.version,
      inputsHash: blake2b256(utf8(index)),
      inputsUri: `sim://inputs/${owner.role}/${owner.index}/${epoch}`,
      server: new Uint8Array(),
    };
  }

  /**
   * The window's query log: one held-out query per paid unit, in files of at most 256, committed
   * by the Merkle root over the files' hashes.
   */
  queryLog(modelId: number, window: number, units: number) {
    const files: Uint8Array[] = [];
    for (let done = 0; done < units; done += QUERIES_PER_FILE)
      files.push(encodeVectors(this.#data.queries(Math.min(QUERIES_PER_FILE, units - done))));
    this.#queries.set(windowKey(modelId, window), files);
    return {
      modelId,
      window,
      root: merkleRoot(files.map(blake2b256)),
      count: units,
      uri: `sim://queries/${modelId}/${window}`,
    };
  }

  /**
   * The honest report: knn-shapley v1 over the window's contributions and queries, the window's
   * distributable pot allocated by the values. Every honest attestor computes the same bytes, so
   * it is computed once per window.
   */
  valuation(s: StorageScan, modelId: number, window: number): Valuation {
    const key = windowKey(modelId, window);
    const known = this.#valuations.get(key);
    if (known) return known;
    const queries = this.#queries.get(key);
    const win = getWindow(s, modelId, window);
    if (!queries || !win) throw new Error(`window ${key} has no query log yet`);
    const method = findMethod(METHOD.name, METHOD.version)!;
    // With rawFeatures the feature file is the registered content: found here by its hash.
    const contributions = modelContributions(s, modelId).map((id) => ({
      id,
      features: this.#contents.get(toHex(getContribution(s, id)!.contentHash))!.file,
    }));
    const outcome = method.measure({ params: this.#params, contributions, queries });
    const values = outcome.values.map((value, i) => ({
      contributionId: contributions[i]!.id,
      value,
    }));
    const amounts = allocate(win.distributable, values);
    const valuation = {
      ...report(amounts.map((amount, i) => ({ contributionId: contributions[i]!.id, amount }))),
      values: outcome.values,
      points: outcome.points,
    };
    this.#valuations.set(key, valuation);
    return valuation;
  }

  /**
   * The colluders' report: the whole distributable pot to the window's near copies (split evenly
   * by the allocation's rule), or undefined when the window holds no copy to favour.
   */
  collusive(s: StorageScan, modelId: number, window: number): WindowReport | undefined {
    const ids = modelContributions(s, modelId);
    const copies = ids.map((id) => this.#copyOf(s, id) !== null);
    if (!copies.includes(true)) return undefined;
    const pot = getWindow(s, modelId, window)!.distributable;
    const amounts = allocate(
      pot,
      ids.map((id, i) => ({ contributionId: id, value: copies[i] ? 1n : 0n })),
    );
    return report(amounts.map((amount, i) => ({ contributionId: ids[i]!, amount })));
  }

  /** A guess that needs no data: the distributable pot split evenly over the contributions. */
  guess(s: StorageScan, modelId: number, window: number): WindowReport {
    const ids = modelContributions(s, modelId);
    const pot = getWindow(s, modelId, window)!.distributable;
    const amounts = allocate(
      pot,
      ids.map((id) => ({ contributionId: id, value: 1n })),
    );
    return report(amounts.map((amount, i) => ({ contributionId: ids[i]!, amount })));
  }

  #copyOf(s: StorageScan, id: number): number | null {
    const c = getContribution(s, id);
    return c ? (this.#contents.get(toHex(c.contentHash))?.copyOf ?? null) : null;
  }

  /** Keeps a committed report's leaves, so that its root can be claimed against if it wins. */
  remember(r: WindowReport): void {
    this.#reports.set(toHex(r.root), r.entries);
  }

  /** The leaves of a report some attestor committed to, by its root. */
  reportOf(root: Uint8Array): ReportEntry[] | undefined {
    return this.#reports.get(toHex(root));
  }
}
