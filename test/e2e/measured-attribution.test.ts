// Proof of Attribution on a running dev node, over RPC and the CLI only. Three datanets of real
// MNIST digits: a careful contributor, one whose batches include mislabelled ones (a third of its
// labels wrong), and one who copies the careful one's images, exactly and with a little noise. A
// measured model (knn-shapley v1, K = 5) is paid for 100 held-out digits; its owner commits the
// window's query log; three `lineage attest` processes measure the window, two honestly and one
// revealing a wrong root. The honest root is final, the dissenter is slashed, and every
// contribution's claim is exactly what an independent implementation of the paper's formula
// (test/fixtures/knn-shapley-reference.ts) gives: mislabelled batches earn nothing, copies earn
// nothing, and what was claimed left the attribution account and nothing else.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseReport } from "../../node/attest/files.ts";
import { queryAccount } from "../../node/commands/wallet.ts";
import { UNIT, u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { devKeypair, keypairFromSuri } from "../../primitives/dev-accounts.ts";
import { blake2b256 } from "../../primitives/hash.ts";
import type { Keypair } from "../../primitives/keys.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { RpcWindow } from "../../rpc/node-api.ts";
import { builtinChainSpec, type ChainSpec } from "../../runtime/chain-spec.ts";
import { encodeVectors, reportRoot, verifyReportProof } from "../../runtime/measurement/index.ts";
import { ATTRIBUTION_ACCOUNT } from "../../runtime/pallets/attribution/index.ts";
import { referenceAllocation, referenceValues } from "../fixtures/knn-shapley-reference.ts";
import { asVectors, type Sample, sample } from "../fixtures/mnist.ts";
import { type InProcessNode, startDevNode } from "./fixtures/in-process-node.ts";
import { type FollowedProcess, runCli, startCli, tempDir } from "./fixtures/node-process.ts";
import { TxDriver } from "./fixtures/registry-ledger.ts";

const WAIT_MS = 120_000;
const K = 5;
const DUPLICATE_DISTANCE = 192;
const QUERIES = 100;
const PRICE = UNIT / 100n;

function spec(): ChainSpec {
  const dev = structuredClone(builtinChainSpec("dev")!);
  if (!("runtimeGenesis" in dev.genesis)) throw new Error("dev spec is raw");
  const config = dev.genesis.runtimeGenesis.config;
  config.authorities.slotDuration = 500;
  config.params = {
    ...config.params,
    epochLength: "8",
    attestationQueryLogBlocks: "200",
    attestationCommitBlocks: "40",
    attestationRevealBlocks: "40",
    attestationDisputeBlocks: "4",
  };
  return dev;
}

// ---- the data ----

/** Careful: 6 batches of 20 digits (images 0–11 of each digit), labels as written. */
const careful: Sample[][] = Array.from({ length: 6 }, (_, b) =>
  Array.from({ length: 20 }, (_, r) => sample(r % 10, b * 2 + Math.floor(r / 10))),
);
/** Sloppy: 6 batches of other images; batches 0 and 3 have every label wrong (a third of all). */
const MISLABELLED = new Set([0, 3]);
const sloppy: Sample[][] = Array.from({ length: 6 }, (_, b) =>
  Array.from({ length: 20 }, (_, r) => {
    const d = r % 10;
    return sample(
      d,
      100 + b * 2 + Math.floor(r / 10),
      MISLABELLED.has(b) ? (d + 1 + (r % 9)) % 10 : d,
    );
  }),
);
/**
 * Copier: the careful one's first 60 images in four batches: two exact, one with a little noise,
 * and one nudged all over — 2 up or down on 560 pixels, invisible, yet 1,120 away in L1, more than
 * the two closest distinct digits in the package (1,468 apart in L1, 268 in L2); in L2 it is 47.
 */
const nudge = (v: number, t: number) =>
  t % 7 < 5 ? (v >= 2 && t % 2 ? v - 2 : Math.min(255, v + 2)) : v;
const copies: Sample[][] = Array.from({ length: 4 }, (_, b) =>
  careful
    .flat()
    .slice(b * 15, b * 15 + 15)
    .map((s) =>
      b < 2
        ? s
        : {
            ...s,
            pixels: s.pixels.map((v, t) =>
              b === 2 ? (v > 0 && t % 5 === 0 ? Math.max(0, v - 2) : v) : nudge(v, t),
            ),
          },
    ),
);
const queries = Array.from({ length: QUERIES }, (_, i) => sample(i % 10, 500 + Math.floor(i / 10)));

describe("measured attribution on a running node: MNIST, three attestors, claims", () => {
  let node: InProcessNode;
  let tx: TxDriver;
  const dir = tempDir("lineage-e2e-poa-");
  const attestors: FollowedProcess[] = [];

  before(async () => {
    node = await startDevNode(spec());
    tx = new TxDriver(node.client, fromHex((await node.client.chain.getBlockHash(0))!), 60_000);
  });
  after(async () => {
    for (const a of attestors) await a.stop().catch(() => a.kill());
    await node?.stop();
    dir.remove();
  });

  const cli = async (args: string[]) => {
    const result = await runCli([...args, "--rpc", node.url], { timeoutMs: 90_000 });
    assert.equal(result.code, 0, `lineage ${args.join(" ")}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  const localCli = async (args: string[]) => {
    const result = await runCli(args);
    assert.equal(result.code, 0, `lineage ${args.join(" ")}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  /** Polls the window on every new head until `done` holds (bounded). */
  async function waitWindow(
    model: number,
    window: number,
    done: (w: RpcWindow) => boolean,
    what: string,
  ) {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const w = await node.client.attestation.window(model, window);
      if (w && done(w)) return w;
      if (Date.now() > deadline)
        throw new Error(
          `${what}: window is ${JSON.stringify(w?.phase)}\n${attestors.map((a) => a.lines().slice(-8).join("\n")).join("\n---\n")}`,
        );
      await new Promise<void>((resolve) => {
        let sub: { unsubscribe(): Promise<boolean> } | undefined;
        let fired = false;
        void node.client.chain
          .subscribeNewHeads(() => {
            if (fired) return;
            fired = true;
            void sub?.unsubscribe();
            resolve();
          })
          .then((s) => {
            sub = s;
            if (fired) void s.unsubscribe();
          });
      });
    }
  }

  it("pays every contribution exactly what knn-shapley measures; the dissenter is slashed", async () => {
    const [alice, bob, charlie, dave, ferdie] = (
      ["alice", "bob", "charlie", "dave", "ferdie"] as const
    ).map(devKeypair) as Keypair[] as [Keypair, Keypair, Keypair, Keypair, Keypair];
    const attestorKeys = [1, 2, 3].map((i) => keypairFromSuri(`//Attestor${i}`));
    const contributors = [bob, charlie, dave];
    const batches = [careful, sloppy, copies];

    // Files on disk, content-addressed: the registry holds each file's blake2b-256.
    const files: { path: string; hash: Uint8Array; size: number }[][] = batches.map((list, who) =>
      list.map((samples, b) => {
        const bytes = encodeVectors(asVectors(samples));
        const path = join(dir.path, `c${who}-${b}.lvec`);
        writeFileSync(path, bytes);
        return { path, hash: blake2b256(bytes), size: bytes.length };
      }),
    );

    // Three datanets, each owned and curated by its contributor; versions published.
    const open = {
      kind: 0,
      fee: u128ToBytes(0n),
      allowList: [],
      commercial: true,
      attribution: true,
    };
    const policy = {
      curators: [],
      minBond: u128ToBytes(UNIT),
      reviewWindow: 500,
      challengeWindow: 5,
      pendingLimit: 50,
    };
    const done = (xs: Awaited<ReturnType<TxDriver["batch"]>>) => {
      for (const x of xs)
        assert.ok(
          "blockNumber" in x && !x.events.some((e) => e.name === "ExtrinsicFailed"),
          JSON.stringify(x, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
        );
      return xs;
    };
    done(
      await tx.batch([
        ...contributors.map((who, i) => ({
          signer: who,
          call: "Registry.createDatanet",
          args: {
            name: `digits ${i}`,
            modality: 1,
            description: "",
            metadataUri: "",
            licence: open,
            policy,
          },
          label: `datanet ${i}`,
        })),
        ...attestorKeys.map((a, i) => ({
          signer: alice,
          call: "Balances.transfer",
          args: { dest: a.publicKey, value: u128ToBytes(1_000n * UNIT) },
          label: `fund attestor ${i}`,
        })),
      ]),
    );
    const ids: number[][] = [[], [], []];
    let next = 0;
    for (const [who, list] of files.entries()) {
      done(
        await tx.batch(
          list.map((f, b) => ({
            signer: contributors[who]!,
            call: "Registry.submitContribution",
            args: { datanetId: who, contentHash: f.hash, size: f.size, metadataUri: f.path },
            label: `submit ${who}/${b}`,
          })),
        ),
      );
      for (const _ of list) ids[who]!.push(next++);
    }
    done(
      await tx.batch(
        contributors.flatMap((who, d) =>
          ids[d]!.map((contributionId) => ({
            signer: who,
            call: "Registry.acceptContribution",
            args: { contributionId, quality: 50 },
            label: `accept ${contributionId}`,
          })),
        ),
      ),
    );
    done(
      await tx.batch(
        contributors.map((who, d) => ({
          signer: who,
          call: "Registry.publishVersion",
          args: { datanetId: d, metadataUri: "" },
          label: `publish ${d}`,
        })),
      ),
    );

    // The model's owner commits to its inputs (raw pixels: the contributions' own files).
    const inputs = join(dir.path, "inputs.json");
    await localCli([
      "attest",
      "inputs",
      "--out",
      inputs,
      ...files.flatMap((list, who) => list.map((f, b) => `${ids[who]![b]}=${f.path}`)),
    ]);
    await cli([
      "tx",
      "attribution",
      "register-model",
      "--from",
      "eve",
      "--entry",
      "0:1:333334",
      "--entry",
      "1:1:333333",
      "--entry",
      "2:1:333333",
      "--price",
      "0.01",
      "--data-share-ppm",
      "500000",
      "--measured",
      "knn-shapley:1",
      "--inputs",
      inputs,
      "--wait",
      "inBlock",
    ]);
    const model = (await node.client.attribution.models(0, 10)).items.at(-1)!;
    assert.equal(model.measurement?.method, "knn-shapley");
    for (const a of attestorKeys)
      await cli([
        "tx",
        "attestation",
        "bond",
        "--from",
        toHex(a.secretKey),
        "--amount",
        "200",
        "--wait",
        "inBlock",
      ]);
    for (const [i, a] of attestorKeys.entries())
      attestors.push(
        startCli([
          "attest",
          "--key",
          toHex(a.secretKey),
          "--rpc",
          node.url,
          "--report-dir",
          join(dir.path, `attestor${i}`, "reports"),
          "--state-dir",
          join(dir.path, `attestor${i}`, "state"),
          ...(i === 2 ? ["--fault", "wrong-root"] : []),
        ]),
      );
    for (const a of attestors) await a.waitForLine(/attest: 5\w+, bond /, { timeoutMs: 30_000 });

    // 100 units of inference in one window, paid by ferdie.
    const [paid] = done(
      await tx.batch([
        {
          signer: ferdie,
          call: "Attribution.payInference",
          args: {
            modelId: model.id,
            units: QUERIES,
            maxTotal: u128ToBytes(PRICE * BigInt(QUERIES)),
          },
          label: "pay",
        },
      ]),
    );
    const window = Number(
      (paid as { events: { name: string; data: Record<string, unknown> }[] }).events.find(
        (e) => e.name === "InferencePaid",
      )!.data.window,
    );
    await waitWindow(model.id, window, (w) => w.phase === "queryLog", "the window to open");

    // The owner writes and commits the window's query log: 100 held-out digits in two files.
    const queryFiles = [0, 1].map((half) => {
      const path = join(dir.path, `queries-${half}.lvec`);
      writeFileSync(path, encodeVectors(asVectors(queries.slice(half * 50, half * 50 + 50))));
      return path;
    });
    const log = join(dir.path, "query-log.json");
    await localCli([
      "attest",
      "query-log",
      "--model",
      String(model.id),
      "--window",
      String(window),
      "--out",
      log,
      ...queryFiles,
    ]);
    await cli([
      "tx",
      "attestation",
      "submit-query-log",
      "--from",
      "eve",
      "--model",
      String(model.id),
      "--window",
      String(window),
      "--log",
      log,
      "--wait",
      "inBlock",
    ]);

    const final = await waitWindow(
      model.id,
      window,
      (w) => w.phase === "final" || w.phase === "declared",
      "the report to be final",
    );
    assert.equal(final.phase, "final");

    // The independent computation: points in contribution order, then its allocation.
    const points = batches.flatMap((list, who) =>
      list.flatMap((samples, b) =>
        samples.map((s) => ({ contribution: ids[who]![b]!, pixels: s.pixels, label: s.label })),
      ),
    );
    const { values, collapsedInto } = referenceValues(
      points,
      queries.map((q) => ({ pixels: q.pixels, label: q.label })),
      K,
      DUPLICATE_DISTANCE,
    );
    const byContribution = new Map<number, bigint>(ids.flat().map((id) => [id, 0n]));
    for (const [j, p] of points.entries())
      byContribution.set(p.contribution, byContribution.get(p.contribution)! + values[j]!);
    const expected = referenceAllocation(BigInt(final.distributable!), byContribution);
    const expectedRoot = toHex(
      reportRoot([...expected].map(([contributionId, amount]) => ({ contributionId, amount }))),
    );
    assert.equal(final.result?.root, expectedRoot, "the final root is the honest report's");

    // The dissenter lost 10% of its bond; the two honest ones shared the fee.
    const records = await Promise.all(
      attestorKeys.map((a) => node.client.attestation.attestor(ss58Encode(a.publicKey))),
    );
    assert.equal(records[2]!.dissented, 1);
    assert.equal(BigInt(records[2]!.bond), 180n * UNIT);
    for (const r of records.slice(0, 2)) {
      assert.equal(r!.agreed, 1);
      assert.equal(BigInt(r!.bond), 200n * UNIT);
      assert.ok(BigInt(r!.earned) > 0n);
    }
    assert.equal(BigInt(records[0]!.earned) + BigInt(records[1]!.earned), BigInt(final.fee!));

    // Every contribution claims what the reference gives, with the node's proof; once.
    const potBefore = await balanceOf(ATTRIBUTION_ACCOUNT);
    let claimed = 0n;
    for (const [who, list] of ids.entries()) {
      for (const id of list) {
        const leaf = await node.client.attestation.measured(model.id, window, id);
        assert.ok(leaf, `contribution #${id} has a leaf`);
        assert.equal(BigInt(leaf.amount), expected.get(id), `contribution #${id}`);
        assert.ok(
          verifyReportProof(fromHex(final.result!.root), id, BigInt(leaf.amount), {
            ...leaf.proof,
            siblings: leaf.proof.siblings.map((s) => fromHex(s)),
          }),
        );
        if (BigInt(leaf.amount) === 0n) continue;
        await cli([
          "tx",
          "attestation",
          "claim",
          "--from",
          ["bob", "charlie", "dave"][who]!,
          "--model",
          String(model.id),
          "--window",
          String(window),
          "--contribution",
          String(id),
          "--wait",
          "inBlock",
        ]);
        claimed += BigInt(leaf.amount);
      }
    }
    const again = await runCli(
      [
        "tx",
        "attestation",
        "claim",
        "--from",
        "bob",
        "--model",
        String(model.id),
        "--window",
        String(window),
        "--contribution",
        String(ids[0]![0]),
        "--wait",
        "inBlock",
        "--rpc",
        node.url,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Attribution\.AlreadyClaimed/);
    assert.equal(
      claimed,
      BigInt(final.distributable!),
      "the leaves pay the whole distributable pot",
    );
    assert.equal(
      await balanceOf(ATTRIBUTION_ACCOUNT),
      potBefore - claimed,
      "and it came out of the attribution account",
    );

    // Mislabelled batches and copies earn nothing; the careful contributor earns far more per image.
    const earned = ids.map((list) => list.reduce((s, id) => s + expected.get(id)!, 0n));
    for (const b of MISLABELLED)
      assert.equal(expected.get(ids[1]![b]!), 0n, `mislabelled batch ${b}`);
    assert.equal(earned[2], 0n, "the copier earns nothing");
    const copyStart = points.findIndex((p) => p.contribution === ids[2]![0]);
    for (let j = copyStart; j < points.length; j++)
      assert.ok(
        collapsedInto[j]! >= 0 && collapsedInto[j]! < copyStart,
        `copy ${j} collapsed into an original`,
      );
    assert.ok(
      earned[0]! * 2n > earned[1]! * 3n,
      `careful ${earned[0]} vs sloppy ${earned[1]} for the same number of images`,
    );
    const mislabelled = points
      .map((p, j) => ({ p, v: values[j]! }))
      .filter(({ p }) => [...MISLABELLED].some((b) => p.contribution === ids[1]![b]));
    assert.ok(
      mislabelled.reduce((s, x) => s + x.v, 0n) < 0n,
      "mislabelled images are worth less than nothing in all",
    );
    assert.ok(
      mislabelled.filter((x) => x.v <= 0n).length * 4 >= mislabelled.length * 3,
      "and at least three in four of them each",
    );

    // The report an honest attestor published lists the zero-valued contributions as evidence,
    // and every copied point with the original it collapsed into.
    const honest = final.rounds
      .flatMap((r) => r.reveals)
      .find((r) => r.root === final.result!.root)!;
    const report = parseReport(readFileSync(honest.reportUri));
    assert.deepEqual(
      report.zeroValued,
      ids.flat().filter((id) => byContribution.get(id)! <= 0n),
    );
    assert.equal(report.collapsed.length, points.length - copyStart);
  });

  const balanceOf = async (who: Uint8Array) => (await queryAccount(node.url, who)).free;
});
