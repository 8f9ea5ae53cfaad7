// The reports behind settled windows' final roots, for attestation_measured: fetched from the URIs
// the attestors revealed, believed only when their leaves rebuild the root the chain holds, and
// kept (the few most recently used) with their Merkle tree's levels, so that a contributor's proof
// costs neither a fetch nor a rebuild of the tree.
import { type MerkleProof, merkleLevels, proofFromLevels } from "../../primitives/merkle.ts";
import type { Hex } from "../../rpc/node-api.ts";
import { reportLeaf } from "../../runtime/measurement/index.ts";
import { AttestError, fetchUri, MAX_INDEX_BYTES, parseReport } from "./files.ts";

/** The bytes behind a URI, at most `maxBytes`; throws AttestError when it cannot have them. */
export type ReportFetcher = (uri: string, maxBytes: number) => Promise<Uint8Array>;

export interface ReportLeafProof {
  amount: bigint;
  proof: MerkleProof;
  /** The URI whose report gave the leaf. */
  reportUri: string;
}

interface LoadedReport {
  /** Contribution id → its leaf's position and amount. */
  leaves: Map<number, { index: number; amount: bigint }>;
  levels: Uint8Array[][];
  uri: string;
}

export const DEFAULT_REPORT_CACHE = 8;

export class ReportStore {
  readonly #fetch: ReportFetcher;
  readonly #capacity: number;
  /**
   * By root, least recently used first (a Map keeps insertion order). A load in flight is kept
   * too, so that proofs asked for together share one fetch; a failed load is forgotten.
   */
  readonly #reports = new Map<Hex, Promise<LoadedReport>>();

  constructor(fetcher: ReportFetcher = fetchUri, capacity = DEFAULT_REPORT_CACHE) {
    this.#fetch = fetcher;
    this.#capacity = capacity;
  }

  /**
   * The leaf of `contribution` in the report whose root is `root`, from the first of `uris` that
   * serves that report; null when the report has no leaf for it. Throws ATTEST_FETCH when none of
   * the URIs does.
   */
  async leaf(root: Hex, uris: string[], contribution: number): Promise<ReportLeafProof | null> {
    const report = await this.#report(root, uris);
    const leaf = report.leaves.get(contribution);
    if (!leaf) return null;
    return {
      amount: leaf.amount,
      proof: proofFromLevels(report.levels, leaf.index),
      reportUri: report.uri,
    };
  }

  #report(root: Hex, uris: string[]): Promise<LoadedReport> {
    let report = this.#reports.get(root);
    if (report) {
      this.#reports.delete(root);
    } else {
      report = this.#load(root, uris);
      const loading = report;
      loading.catch(() => {
        if (this.#reports.get(root) === loading) this.#reports.delete(root);
      });
    }
    this.#reports.set(root, report);
    for (const oldest of this.#reports.keys()) {
      if (this.#reports.size <= this.#capacity) break;
      this.#reports.delete(oldest);
    }
    return report;
  }

  async #load(root: Hex, uris: string[]): Promise<LoadedReport> {
    const failures: string[] = [];
    for (const uri of uris) {
      let report: ReturnType<typeof parseReport>;
      try {
        report = parseReport(await this.#fetch(uri, MAX_INDEX_BYTES));
      } catch (error) {
        if (!(error instanceof AttestError)) throw error;
        failures.push(`${uri}: ${error.message}`);
        continue;
      }
      if (report.root !== root) {
        failures.push(`${uri}: a report of root ${report.root}`);
        continue;
      }
      return {
        leaves: new Map(
          report.leaves.map((l, index) => [l.contribution, { index, amount: l.amount }]),
        ),
        levels: merkleLevels(report.leaves.map((l) => reportLeaf(l.contribution, l.amount))),
        uri,
      };
    }
    throw new AttestError(
      "ATTEST_FETCH",
      uris.length === 0
        ? `no attestor revealed root ${root}: there is no report to fetch`
        : `no report of root ${root} at ${uris.join(", ")} (${failures.join("; ")})`,
    );
  }
}
