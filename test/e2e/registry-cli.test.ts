// `lineage tx registry …` and `lineage query registry …` as child processes against a dev node:
// alice creates a paid vision datanet, bob submits a contribution, alice accepts it and publishes a
// version; the queries print JSON records that show it, and the proof query checks the inclusion
// proof against the version root read by a state proof. Curation: a curator bonds, rejects, the
// contributor appeals, the owner overturns, the curator's record shows it. Mistakes: one line, a
// code, exit 1.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UNIT } from "../../primitives/amount.ts";
import { toHex } from "../../primitives/bytes.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type {
  RpcContribution,
  RpcCurator,
  RpcDatanet,
  RpcDatanetVersion,
  RpcPage,
  RpcReputation,
  RpcVersionProof,
} from "../../rpc/node-api.ts";
import {
  cliJson,
  expectCliMistake,
  type RunningNode,
  runCli,
  startNode,
} from "./fixtures/index.ts";

/** Each CLI run waits for finality of its own transaction at most this long. */
const CLI_TIMEOUT_MS = 30_000;

const ALICE = ss58Encode(devKeypair("alice").publicKey);
const BOB = ss58Encode(devKeypair("bob").publicKey);
const CHARLIE = ss58Encode(devKeypair("charlie").publicKey);
const CONTENT = toHex(hash(new TextEncoder().encode("pallet-picking frames, batch 1")));

describe("lineage tx/query registry against a dev node", () => {
  let node: RunningNode;
  let datanetId: number;
  let contributionId: number;

  before(async () => {
    node = await startNode(["--dev"]);
  });
  after(async () => {
    await node?.dispose();
  });

  const cli = (args: string[]) =>
    runCli([...args, "--rpc", node.wsUrl], { timeoutMs: CLI_TIMEOUT_MS });

  /** A transaction that must land finalized and emit `event`; returns the event's line. */
  async function tx(args: string[], event: string): Promise<string> {
    const result = await cli(["tx", "registry", ...args]);
    assert.equal(result.code, 0, `${args.join(" ")}:\n${result.stderr}${result.stdout}`);
    assert.match(result.stdout, /^Transaction hash: 0x[0-9a-f]{64}$/m);
    assert.match(result.stdout, /^Finalized: #\d+ \(0x[0-9a-f]{64}\)$/m);
    assert.match(result.stdout, /System\.ExtrinsicSuccess/);
    const line = result.stdout.split("\n").find((l) => l.includes(`Registry.${event} {`));
    assert.ok(line, `Registry.${event} in\n${result.stdout}`);
    return line;
  }

  async function query<T>(args: string[]): Promise<T> {
    return cliJson<T>(await cli(["query", "registry", ...args]), args.join(" "));
  }

  it("creates a datanet, takes bob's contribution, accepts it and publishes a version", async () => {
    const created = await tx(
      [
        "create-datanet",
        "--from",
        "alice",
        "--name",
        "warehouse-vision",
        "--modality",
        "image",
        "--description",
        "pallet-picking camera frames",
        "--metadata-uri",
        "ipfs://datanet",
        "--licence",
        "paid",
        "--fee",
        "20",
        "--commercial",
        "--min-bond",
        "2",
        "--review-window",
        "1000",
        "--challenge-window",
        "1000",
        "--pending-limit",
        "5",
      ],
      "DatanetCreated",
    );
    datanetId = Number(created.match(/datanetId: (\d+)/)![1]);

    const submitted = await tx(
      [
        "submit",
        "--from",
        "bob",
        "--datanet",
        String(datanetId),
        "--content-hash",
        CONTENT,
        "--size",
        "1000000",
        "--metadata-uri",
        "ipfs://bob",
      ],
      "ContributionSubmitted",
    );
    contributionId = Number(submitted.match(/contributionId: (\d+)/)![1]);
    assert.match(submitted, /amount: 2 LIN/, "a fresh account posts the minimum bond");

    await tx(
      ["accept", "--from", "alice", "--contribution", String(contributionId), "--quality", "80"],
      "ContributionAccepted",
    );
    const published = await tx(
      ["publish-version", "--from", "alice", "--datanet", String(datanetId)],
      "VersionPublished",
    );
    assert.match(published, /root: 0x[0-9a-f]{64}/, "the root prints as a hash");
  });

  it("a call that lands but fails exits 1 with the pallet's error", async () => {
    const result = await cli([
      "tx",
      "registry",
      "accept",
      "--from",
      "bob",
      "--contribution",
      String(contributionId),
      "--quality",
      "10",
    ]);
    assert.match(expectCliMistake(result, "TX_FAILED"), /Registry\.WrongStatus/);
    assert.match(result.stdout, /System\.ExtrinsicFailed/);
  });

  it("query registry prints the records as JSON", async () => {
    const datanet = await query<RpcDatanet>(["datanet", String(datanetId)]);
    assert.equal(datanet.name, "warehouse-vision");
    assert.equal(datanet.owner, ALICE);
    assert.equal(datanet.modality, "image");
    assert.equal(datanet.licence.kind, "paid");
    assert.equal(datanet.licence.fee, (20n * UNIT).toString());
    assert.equal(datanet.licence.commercial, true);
    assert.equal(datanet.policy.minBond, (2n * UNIT).toString());
    assert.equal(datanet.versionCount, 1);

    const page = await query<RpcPage<RpcDatanet>>(["datanets", "--count", "10"]);
    assert.deepEqual(
      page.items.map((d) => d.id),
      [datanetId],
    );

    const contribution = await query<RpcContribution>(["contribution", String(contributionId)]);
    assert.equal(contribution.contributor, BOB);
    assert.equal(contribution.contentHash, CONTENT);
    assert.equal(contribution.status, "accepted");
    assert.equal(contribution.quality, 80);

    const accepted = await query<RpcPage<RpcContribution>>([
      "contributions",
      "--datanet",
      String(datanetId),
      "--contributor",
      "bob",
      "--status",
      "accepted",
    ]);
    assert.deepEqual(
      accepted.items.map((c) => c.id),
      [contributionId],
    );
    const pending = await query<RpcPage<RpcContribution>>(["contributions", "--status", "pending"]);
    assert.equal(pending.items.length, 0);

    const version = await query<RpcDatanetVersion>(["version", String(datanetId), "1"]);
    assert.equal(version.count, 1);
    assert.equal(version.totalWeight, 80);
    assert.match(version.storageKey, /^0x[0-9a-f]+$/);

    const reputation = await query<RpcReputation>(["reputation", "bob"]);
    assert.equal(reputation.account, BOB);
    assert.equal(reputation.accepted, 1);
    assert.ok(reputation.score > 0);
  });

  it("query registry proof checks the proof against the version root", async () => {
    const proof = await query<
      RpcVersionProof & {
        verifies: boolean;
        checkedAgainst: { versionRoot: string; rootInStateProof: boolean; trust: string };
      }
    >(["proof", String(datanetId), "1", String(contributionId)]);
    assert.equal(proof.contributionId, contributionId);
    assert.equal(proof.weight, 80);
    assert.equal(proof.verifies, true);
    assert.equal(proof.checkedAgainst.rootInStateProof, true);
    assert.equal(proof.checkedAgainst.versionRoot, proof.root);
    assert.match(proof.checkedAgainst.trust, /same node/);
  });

  it("curation: bond-curator, reject, appeal, resolve-appeal, unbond-curator, top-up-deposit; query curator", async () => {
    const created = await tx(
      [
        "create-datanet",
        "--from",
        "alice",
        "--name",
        "curated-frames",
        "--modality",
        "image",
        "--curator",
        "charlie",
        "--review-window",
        "1000",
        "--challenge-window",
        "1000",
      ],
      "DatanetCreated",
    );
    const datanet = created.match(/datanetId: (\d+)/)![1]!;
    const bonded = await tx(
      ["bond-curator", "--from", "charlie", "--datanet", datanet, "--amount", "10"],
      "CuratorBonded",
    );
    assert.match(bonded, /stake: 10 LIN/);
    const submitted = await tx(
      [
        "submit",
        "--from",
        "bob",
        "--datanet",
        datanet,
        "--content-hash",
        toHex(hash(new TextEncoder().encode("curated frames, batch 1"))),
        "--size",
        "1000",
      ],
      "ContributionSubmitted",
    );
    const id = submitted.match(/contributionId: (\d+)/)![1]!;
    await tx(
      ["reject", "--from", "charlie", "--contribution", id, "--reason", "blurry"],
      "ContributionRejected",
    );
    await tx(
      ["appeal", "--from", "bob", "--contribution", id, "--evidence-uri", "ipfs://sharp"],
      "AppealOpened",
    );
    const appealed = await query<RpcContribution>(["contribution", id]);
    assert.equal(appealed.challenge?.kind, "appeal");
    await tx(
      ["resolve-appeal", "--from", "alice", "--contribution", id, "--overturn", "--quality", "60"],
      "CuratorSlashed",
    );
    const overturned = await query<RpcContribution>(["contribution", id]);
    assert.deepEqual([overturned.status, overturned.quality], ["accepted", 60]);
    const record = await query<RpcCurator>(["curator", datanet, "charlie"]);
    assert.equal(record.account, CHARLIE);
    assert.deepEqual(
      [record.decisions, record.overturned, record.open, record.standing],
      [1, 1, 0, false],
    );
    assert.equal(record.bond, (5n * UNIT).toString());
    const unbonded = await tx(
      ["unbond-curator", "--from", "charlie", "--datanet", datanet],
      "CuratorUnbonded",
    );
    assert.match(unbonded, /amount: 5 LIN/);
    await tx(
      ["top-up-deposit", "--from", "alice", "--datanet", datanet, "--amount", "1"],
      "DepositToppedUp",
    );
    const owner = await query<RpcCurator>(["curator", datanet, "alice"]);
    assert.deepEqual([owner.role, owner.stake, owner.open], ["owner", (11n * UNIT).toString(), 1]);
  });

  it("bad flags and missing records: one line, a code, exit 1", async () => {
    const base = ["tx", "registry"];
    assert.match(
      expectCliMistake(
        await cli([
          ...base,
          "submit",
          "--from",
          "bob",
          "--datanet",
          "0",
          "--content-hash",
          "0x12",
          "--size",
          "1",
        ]),
        "INVALID_CLI",
      ),
      /--content-hash/,
    );
    assert.match(
      expectCliMistake(
        await cli([
          ...base,
          "create-datanet",
          "--from",
          "alice",
          "--name",
          "x",
          "--modality",
          "smell",
        ]),
        "INVALID_CLI",
      ),
      /--modality/,
    );
    assert.match(
      expectCliMistake(
        await cli([
          ...base,
          "create-datanet",
          "--from",
          "alice",
          "--name",
          "x",
          "--modality",
          "text",
          "--licence",
          "paid",
        ]),
        "INVALID_CLI",
      ),
      /--fee/,
    );
    assert.match(
      expectCliMistake(
        await cli([...base, "resolve", "--from", "alice", "--contribution", "0"]),
        "INVALID_CLI",
      ),
      /--uphold or --dismiss/,
    );
    expectCliMistake(
      await cli([...base, "accept", "--from", "alice", "--contribution", "-1", "--quality", "5"]),
      "INVALID_CLI",
    );
    assert.match(
      expectCliMistake(
        await cli([...base, "resolve-appeal", "--from", "alice", "--contribution", "0"]),
        "INVALID_CLI",
      ),
      /--overturn --quality <score> or --dismiss/,
    );
    assert.match(
      expectCliMistake(
        await cli([
          ...base,
          "bond-curator",
          "--from",
          "charlie",
          "--datanet",
          "0",
          "--amount",
          "0",
        ]),
        "INVALID_CLI",
      ),
      /--amount/,
    );
    expectCliMistake(await cli(["query", "registry", "datanet", "99"]), "NOT_FOUND");
    expectCliMistake(await cli(["query", "registry", "curator", "99", "alice"]), "NOT_FOUND");
    expectCliMistake(
      await cli(["query", "registry", "contributions", "--status", "lost"]),
      "INVALID_CLI",
    );
  });
});
