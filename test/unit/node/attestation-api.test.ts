// attestation_* answers over a real chain: a measured window walked from running to final with
// real extrinsics (test/unit/runtime/fixtures/measured-market.ts), read back through the node's
// API, and a settled leaf served from a report fetched through the ReportStore.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AttestError,
  encodeReport,
  parseReport,
  type ReportDocument,
} from "../../../node/attest/files.ts";
import { type ReportFetcher, ReportStore } from "../../../node/attest/report-store.ts";
import { attestationApi } from "../../../node/attestation-api.ts";
import { attributionApi } from "../../../node/attribution-api.ts";
import { fromHex, toHex } from "../../../primitives/bytes.ts";
import type { DevAccountName } from "../../../primitives/dev-accounts.ts";
import { ss58Encode } from "../../../primitives/ss58.ts";
import type { Hex, RpcWindow } from "../../../rpc/node-api.ts";
import { verifyReportProof } from "../../../runtime/measurement/index.ts";
import {
  getModel,
  getWindowPot,
  windowEndEpoch,
} from "../../../runtime/pallets/attribution/index.ts";
import {
  ATTESTORS,
  buildMeasuredMarket,
  CONTRIBUTORS,
  claimArgs,
  commitArgs,
  distributable,
  MODEL,
  measuredChain,
  pay,
  QUERY_ROOT,
  report,
  revealArgs,
  selectedNames,
  submitQueryLog,
  until,
} from "../runtime/fixtures/measured-market.ts";
import { pub, type TestChain } from "../runtime/fixtures/test-chain.ts";

const PREFIX = 42;
const REPORT_URI = "file:///report.json";
const address = (name: DevAccountName) => ss58Encode(pub(name), PREFIX);

type Report = ReturnType<typeof report>;

/** Honest amounts summing to the window's distributable pot: 1 : 2 : 3 : 4 over contributions 0–3. */
function honest(chain: TestChain): Report {
  const pot = distributable(chain, 0);
  const unit = pot / 10n;
  return report([unit, 2n * unit, 3n * unit, pot - 6n * unit]);
}

/** The report document an attestor would publish for `r` (only its leaves and root matter here). */
function reportDocument(r: Report, root: Uint8Array = r.root): ReportDocument {
  return {
    model: MODEL,
    window: 0,
    method: { name: "knn-shapley", version: 1, params: "0x" },
    inputsHash: toHex(new Uint8Array(32)) as Hex,
    queryLog: { root: toHex(QUERY_ROOT) as Hex, count: 10 },
    pot: r.total,
    fee: 0n,
    distributable: r.total,
    total: r.total,
    root: toHex(root) as Hex,
    leaves: r.entries.map((e) => ({ contribution: e.contributionId, amount: e.amount, value: 1n })),
    zeroValued: [],
    collapsed: [],
    points: [],
  };
}

/** A fetcher serving `files` by URI and counting its fetches. */
function serving(files: Record<string, Uint8Array>) {
  const fetched: string[] = [];
  const fetcher: ReportFetcher = async (uri) => {
    fetched.push(uri);
    const bytes = files[uri];
    if (!bytes) throw new AttestError("ATTEST_FETCH", `${uri}: ENOENT`);
    return bytes;
  };
  return { fetcher, fetched };
}

const apiOver = (chain: TestChain, fetcher?: ReportFetcher) =>
  attestationApi(() => chain.state, PREFIX, new ReportStore(fetcher));

/** A market whose window 0 was paid for, then settled by the honest report of all three. */
function settledMarket() {
  const chain = measuredChain();
  buildMeasuredMarket(chain);
  pay(chain, "eve", 10);
  const running = apiOver(chain).window(MODEL, 0);
  until(chain, "WindowOpened");
  const opened = apiOver(chain).window(MODEL, 0);
  submitQueryLog(chain, 0, 10);
  const good = honest(chain);
  const names = selectedNames(chain, 0, 0);
  chain.block(
    names.map((n) => chain.sign(n, "Attestation.commitReport", commitArgs(0, 0, n, good))),
  );
  const committed = apiOver(chain).window(MODEL, 0);
  chain.block(names.map((n) => chain.sign(n, "Attestation.revealReport", revealArgs(0, 0, good))));
  const revealed = apiOver(chain).window(MODEL, 0);
  until(chain, "Finalized");
  return { chain, good, names, running, opened, committed, revealed };
}

const market = settledMarket();

describe("attestation_window", () => {
  it("shows a running window: what it holds, no opening, no rounds", () => {
    const { chain, running } = market;
    const m = getModel(chain.state, MODEL)!.measurement!;
    const pot = getWindowPot(chain.state, MODEL, 0)!;
    assert.ok(running);
    assert.deepEqual(
      { ...running, held: undefined, emission: undefined },
      {
        model: MODEL,
        window: 0,
        startEpoch: m.startEpoch,
        endEpoch: windowEndEpoch(m, 0),
        phase: "running",
        deadline: null,
        held: undefined,
        fees: pot.fees.toString(),
        emission: undefined,
        units: 10,
        payments: 1,
        pot: null,
        fee: null,
        distributable: null,
        openedAt: null,
        queryLog: null,
        round: 0,
        result: null,
        rounds: [],
        settlement: null,
      },
    );
    // The pot holds the data shares paid plus the emission minted into it so far.
    assert.equal(BigInt(running.held), pot.fees + BigInt(running.emission));
  });

  it("shows an opened window with its pot, fee and query-log deadline", () => {
    const { opened } = market;
    assert.ok(opened);
    assert.equal(opened.phase, "queryLog");
    assert.equal(typeof opened.deadline, "number");
    assert.equal(BigInt(opened.pot!), BigInt(opened.fee!) + BigInt(opened.distributable!));
    assert.equal(opened.pot, opened.held);
    assert.equal(typeof opened.openedAt, "number");
    assert.equal(opened.queryLog, null);
    assert.equal(opened.result, null);
    assert.deepEqual(opened.rounds, []);
  });

  it("shows a round's selection, who committed, their reveals and the quorum root", () => {
    const { committed, revealed, names, good } = market;
    const round = (w: RpcWindow | null) => w!.rounds[0]!;
    assert.equal(committed!.phase, "reveal", "all committed: the reveals open at once");
    assert.deepEqual(committed!.queryLog, {
      root: toHex(QUERY_ROOT),
      count: 10,
      uri: "file:///queries.json",
    });
    assert.deepEqual(round(committed).selected, names.map(address));
    assert.equal(round(committed).quorum, 2);
    assert.deepEqual(round(committed).committed, names.map(address));
    assert.deepEqual(round(committed).reveals, []);
    assert.equal(round(committed).dispute, null);

    assert.equal(revealed!.phase, "dispute");
    assert.equal(typeof revealed!.deadline, "number");
    assert.deepEqual(revealed!.result, {
      root: toHex(good.root),
      total: good.total.toString(),
      leafCount: 4,
    });
    assert.deepEqual(
      round(revealed).reveals.map((r) => ({ ...r, revealedAt: 0 })),
      names.map((n) => ({
        account: address(n),
        root: toHex(good.root),
        total: good.total.toString(),
        leafCount: 4,
        reportUri: REPORT_URI,
        revealedAt: 0,
      })),
    );
  });

  it("shows a final window with its settlement and no deadline", () => {
    const { chain, good, names } = market;
    const final = apiOver(chain).window(MODEL, 0)!;
    assert.equal(final.phase, "final");
    assert.equal(final.deadline, null);
    assert.equal(final.result!.root, toHex(good.root));
    assert.deepEqual(final.rounds[0]!.committed, [], "commitments are deleted once settled");
    assert.equal(final.rounds[0]!.reveals.length, names.length);
    assert.deepEqual(
      { ...final.settlement!, settledAt: 0 },
      {
        measured: true,
        root: toHex(good.root),
        leafCount: 4,
        distributable: final.distributable,
        claimed: "0",
        fees: final.fee,
        settledAt: 0,
      },
    );
  });

  it("is null for a window that holds nothing, and for a model that does not exist", () => {
    const api = apiOver(market.chain);
    assert.equal(api.window(MODEL, 1), null);
    assert.equal(api.window(9, 0), null);
  });

  it("pages a model's windows that hold funds", () => {
    const { chain } = market;
    pay(chain, "eve", 3);
    const api = apiOver(chain);
    const all = api.windows(MODEL, null, 100);
    assert.ok(all.items.length >= 2, "window 0 and the one now running");
    assert.equal(all.next, null);
    assert.deepEqual(all.items[0], api.window(MODEL, 0));
    const first = api.windows(MODEL, null, 1);
    assert.deepEqual(
      first.items.map((w) => w.window),
      [0],
    );
    assert.equal(first.next, 0);
    const rest = api.windows(MODEL, first.next, 100);
    assert.deepEqual(rest.items, all.items.slice(1));
    assert.equal(rest.items.at(-1)!.phase, "running");
    assert.deepEqual(api.windows(9, null, 100), { items: [], next: null });
  });
});

describe("attestation_attestor(s) and attestation_methods", () => {
  it("pages the attestors in account order; eligible until one unbonds", () => {
    const { chain } = market;
    const api = apiOver(chain);
    const first = api.attestors(null, 2);
    assert.equal(first.items.length, 2);
    assert.equal(first.next, first.items[1]!.account);
    const second = api.attestors(first.next, 2);
    assert.equal(second.next, null);
    const all = [...first.items, ...second.items];
    assert.deepEqual(all.map((a) => a.account).sort(), ATTESTORS.map(address).sort());
    assert.ok(all.every((a) => a.eligible && a.unbondingAt === null && a.open === 0));
    assert.ok(all.every((a) => a.selected === 1 && a.agreed === 1 && BigInt(a.earned) > 0n));
    assert.equal(api.attestor(address("bob")), null);

    chain.block([chain.sign("ferdie", "Attestation.unbond", {})]);
    const ferdie = api.attestor(toHex(pub("ferdie")))!;
    assert.equal(ferdie.account, address("ferdie"), "a 0x account id is read too");
    assert.equal(ferdie.eligible, false);
    assert.equal(typeof ferdie.unbondingAt, "number");
    assert.equal(api.attestor(address("alice"))!.eligible, true);
  });

  it("lists the registered methods with their parameters decoded", () => {
    const [knn, ...others] = apiOver(market.chain).methods();
    assert.deepEqual(others, []);
    assert.equal(knn!.name, "knn-shapley");
    assert.equal(knn!.version, 1);
    assert.equal(knn!.retired, false);
    assert.equal(typeof knn!.described?.k, "number");
    assert.match(knn!.specHash, /^0x[0-9a-f]{64}$/);
  });

  it("shows how a model is measured in attribution_model", () => {
    const model = attributionApi(() => market.chain.state, PREFIX).model(MODEL)!;
    const m = getModel(market.chain.state, MODEL)!.measurement!;
    assert.deepEqual(model.measurement, {
      method: "knn-shapley",
      methodVersion: 1,
      inputsHash: toHex(m.inputsHash),
      inputsUri: "file:///inputs.json",
      windowEpochs: m.windowEpochs,
      startEpoch: m.startEpoch,
      server: null,
    });
  });
});

describe("attestation_contributions", () => {
  it("is the union of the manifest's versions, ids ascending, paged", () => {
    const api = apiOver(market.chain);
    const all = api.contributions(MODEL, 0, 100);
    assert.deepEqual(
      all.items.map((c) => [c.id, c.datanet, c.contributor, c.status]),
      [0, 1, 2, 3].map((id) => [id, id < 2 ? 0 : 1, address(CONTRIBUTORS[id]!), "accepted"]),
    );
    assert.equal(all.next, null);
    assert.equal(all.items[0]!.metadataUri, "file:///c0");
    assert.match(all.items[0]!.contentHash, /^0x[0-9a-f]{64}$/);
    const page = api.contributions(MODEL, 1, 2);
    assert.deepEqual(
      page.items.map((c) => c.id),
      [1, 2],
    );
    assert.equal(page.next, 3);
    assert.deepEqual(
      api.contributions(MODEL, 3, 2).items.map((c) => c.id),
      [3],
    );
    assert.deepEqual(api.contributions(MODEL, 4, 2), { items: [], next: null });
    assert.deepEqual(api.contributions(9, 0, 100), { items: [], next: null });
  });
});

describe("attestation_measured", () => {
  it("serves a leaf and its proof from the report, fetched once, with when it was claimed", async () => {
    const { chain, good } = market;
    const files = serving({ [REPORT_URI]: encodeReport(reportDocument(good)) });
    const api = apiOver(chain, files.fetcher);
    for (const entry of good.entries) {
      const leaf = (await api.measured(MODEL, 0, entry.contributionId))!;
      assert.equal(leaf.amount, entry.amount.toString());
      assert.equal(leaf.root, toHex(good.root));
      assert.equal(leaf.reportUri, REPORT_URI);
      assert.equal(leaf.claimedAt, null);
      const proof = { ...leaf.proof, siblings: leaf.proof.siblings.map((h) => fromHex(h)) };
      assert.ok(verifyReportProof(good.root, entry.contributionId, entry.amount, proof));
    }
    assert.deepEqual(files.fetched, [REPORT_URI], "one fetch for every leaf");
    assert.equal(await api.measured(MODEL, 0, 9), null, "no leaf for it in the report");
    assert.equal(await api.measured(MODEL, 1, 0), null, "not settled");
    assert.deepEqual(files.fetched, [REPORT_URI]);

    chain.block([chain.sign("eve", "Attribution.claimMeasured", claimArgs(0, good.entries, 2))]);
    assert.equal((await api.measured(MODEL, 0, 2))!.claimedAt, chain.headNumber);
  });

  it("refuses a report of another root, naming the URIs it tried", async () => {
    const { chain, good } = market;
    const other = report([good.total, 0n, 0n, 0n]);
    const api = apiOver(
      chain,
      serving({ [REPORT_URI]: encodeReport(reportDocument(other)) }).fetcher,
    );
    await assert.rejects(api.measured(MODEL, 0, 0), (error: unknown) => {
      assert.ok(error instanceof AttestError);
      assert.equal(error.code, "ATTEST_FETCH");
      assert.match(
        error.message,
        new RegExp(`${REPORT_URI}: a report of root ${toHex(other.root)}`),
      );
      return true;
    });
    const missing = apiOver(chain, serving({}).fetcher);
    await assert.rejects(missing.measured(MODEL, 0, 0), /file:\/\/\/report\.json: ENOENT/);
  });

  it("refuses a report whose leaves do not rebuild the root it states", async () => {
    const { chain, good } = market;
    // The chain's root, stated over the wrong leaves.
    const forged = encodeReport(reportDocument(report([good.total, 0n, 0n, 0n]), good.root));
    assert.throws(
      () => parseReport(forged),
      (error: unknown) => error instanceof AttestError && error.code === "ATTEST_FORMAT",
    );
    const api = apiOver(chain, serving({ [REPORT_URI]: forged }).fetcher);
    await assert.rejects(api.measured(MODEL, 0, 0), (error: unknown) => {
      assert.ok(error instanceof AttestError);
      assert.match(error.message, /its leaves rebuild the root/);
      return true;
    });
  });
});

describe("ReportStore", () => {
  const { good } = market;
  const root = toHex(good.root) as Hex;
  const bytes = encodeReport(reportDocument(good));

  it("tries the URIs in order and keeps the report that has the root", async () => {
    const other = encodeReport(reportDocument(report([good.total, 0n, 0n, 0n])));
    const files = serving({ "b://other": other, "c://good": bytes });
    const store = new ReportStore(files.fetcher);
    const leaf = await store.leaf(root, ["a://gone", "b://other", "c://good"], 1);
    assert.equal(leaf!.reportUri, "c://good");
    await store.leaf(root, ["a://gone", "b://other", "c://good"], 2);
    assert.deepEqual(files.fetched, ["a://gone", "b://other", "c://good"]);
    await assert.rejects(new ReportStore(files.fetcher).leaf(root, [], 0), /no attestor revealed/);
  });

  it("shares one fetch between concurrent asks and evicts the least recently used", async () => {
    const reports = [0, 1, 2].map((i) => report([good.total - BigInt(i), BigInt(i), 0n, 0n]));
    const files = serving(
      Object.fromEntries(reports.map((r, i) => [`r${i}`, encodeReport(reportDocument(r))])),
    );
    const store = new ReportStore(files.fetcher, 2);
    const rootOf = (i: number) => toHex(reports[i]!.root) as Hex;
    await Promise.all([store.leaf(rootOf(0), ["r0"], 0), store.leaf(rootOf(0), ["r0"], 1)]);
    await store.leaf(rootOf(1), ["r1"], 0);
    await store.leaf(rootOf(0), ["r0"], 0); // r0 is now the most recently used
    await store.leaf(rootOf(2), ["r2"], 0); // evicts r1
    await store.leaf(rootOf(0), ["r0"], 0);
    await store.leaf(rootOf(1), ["r1"], 0);
    assert.deepEqual(files.fetched, ["r0", "r1", "r2", "r1"]);
  });
});
