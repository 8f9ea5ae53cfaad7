// `lineage tx attribution …` and `lineage query attribution …` as child processes against a dev
// node: a paid vision datanet with one accepted contribution of bob's and a version (through
// `tx registry`), then dave buys a licence, eve registers a model on the version, dave pays for
// inference after reading the quote, and bob claims exactly what `query attribution claimable`
// showed. Mistakes: one line, a code, exit 1.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatLin, UNIT } from "../../primitives/amount.ts";
import { toHex } from "../../primitives/bytes.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { hash } from "../../primitives/hash.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { RpcClaimable, RpcModel, RpcPage, RpcPool, RpcQuote } from "../../rpc/node-api.ts";
import {
  cliJson,
  expectCliMistake,
  type RunningNode,
  runCli,
  startNode,
} from "./fixtures/index.ts";

const CLI_TIMEOUT_MS = 30_000;
const EVE = ss58Encode(devKeypair("eve").publicKey);
const CONTENT = toHex(hash(new TextEncoder().encode("gripper frames")));

describe("lineage tx/query attribution against a dev node", () => {
  let node: RunningNode;

  before(async () => {
    node = await startNode(["--dev"]);
  });
  after(async () => {
    await node?.dispose();
  });

  const cli = (args: string[]) =>
    runCli([...args, "--rpc", node.wsUrl], { timeoutMs: CLI_TIMEOUT_MS });

  async function tx(pallet: string, args: string[], event: string): Promise<string> {
    const result = await cli(["tx", pallet.toLowerCase(), ...args]);
    assert.equal(result.code, 0, `${args.join(" ")}:\n${result.stderr}${result.stdout}`);
    assert.match(result.stdout, /System\.ExtrinsicSuccess/);
    const line = result.stdout.split("\n").find((l) => l.includes(`${pallet}.${event} {`));
    assert.ok(line, `${pallet}.${event} in\n${result.stdout}`);
    return line;
  }

  async function query<T>(args: string[]): Promise<T> {
    return cliJson<T>(await cli(["query", "attribution", ...args]), args.join(" "));
  }

  it("licence, model, quoted payment and an exact claim", async () => {
    const created = await tx(
      "Registry",
      [
        "create-datanet",
        "--from",
        "alice",
        "--name",
        "warehouse-vision",
        "--modality",
        "image",
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
    const datanet = created.match(/datanetId: (\d+)/)![1]!;
    const submitted = await tx(
      "Registry",
      [
        "submit",
        "--from",
        "bob",
        "--datanet",
        datanet,
        "--content-hash",
        CONTENT,
        "--size",
        "1000",
      ],
      "ContributionSubmitted",
    );
    const contribution = submitted.match(/contributionId: (\d+)/)![1]!;
    await tx(
      "Registry",
      ["accept", "--from", "alice", "--contribution", contribution, "--quality", "80"],
      "ContributionAccepted",
    );
    await tx(
      "Registry",
      ["publish-version", "--from", "alice", "--datanet", datanet],
      "VersionPublished",
    );

    await tx(
      "Attribution",
      ["purchase-licence", "--from", "dave", "--datanet", datanet, "--version", "1"],
      "LicencePurchased",
    );
    const registered = await tx(
      "Attribution",
      [
        "register-model",
        "--from",
        "eve",
        "--metadata-uri",
        "ipfs://grasp-net",
        "--entry",
        `${datanet}:1:1000000`,
        "--price",
        "0.001",
        "--data-share-ppm",
        "300000",
      ],
      "ModelRegistered",
    );
    const modelId = registered.match(/modelId: (\d+)/)![1]!;
    const model = await query<RpcModel>(["model", modelId]);
    assert.equal(model.owner, EVE);
    assert.equal(model.pricePerUnit, (UNIT / 1000n).toString());
    const models = await query<RpcPage<RpcModel>>(["models"]);
    assert.deepEqual(models, { items: [model], next: null });

    const quote = await query<RpcQuote>(["quote", modelId, "1000"]);
    assert.equal(quote.total, UNIT.toString());
    const tooLow = await cli([
      "tx",
      "attribution",
      "pay-inference",
      "--from",
      "dave",
      "--model",
      modelId,
      "--units",
      "1000",
      "--max-total",
      formatLin(BigInt(quote.total) - 1n),
    ]);
    assert.match(expectCliMistake(tooLow, "TX_FAILED"), /Attribution\.PriceAboveMax/);
    await tx(
      "Attribution",
      [
        "pay-inference",
        "--from",
        "dave",
        "--model",
        modelId,
        "--units",
        "1000",
        "--max-total",
        formatLin(BigInt(quote.total)),
      ],
      "InferencePaid",
    );

    const pool = await query<RpcPool>(["pool", datanet, "1"]);
    // Two licence fees (dave's and eve's, less the 5% protocol fee and the owner's 10% of the
    // rest) and the data share.
    const licenceFee = 20n * UNIT;
    const licenceProtocol = (licenceFee * 50_000n) / 1_000_000n;
    const licenceToPool =
      licenceFee - licenceProtocol - ((licenceFee - licenceProtocol) * 100_000n) / 1_000_000n;
    assert.equal(BigInt(pool.deposited), 2n * licenceToPool + BigInt(quote.dataShare));
    const claimable = await query<RpcClaimable>(["claimable", "bob"]);
    assert.equal(claimable.total, pool.deposited, "the only contribution is owed everything");
    assert.deepEqual(
      await query<RpcClaimable>([
        "claimable",
        "--datanet",
        datanet,
        "--version",
        "1",
        "--contribution",
        contribution,
      ]),
      claimable,
    );
    const stolen = await cli([
      "tx",
      "attribution",
      "claim",
      "--from",
      "charlie",
      "--datanet",
      datanet,
      "--version",
      "1",
      "--contribution",
      contribution,
    ]);
    assert.match(expectCliMistake(stolen, "TX_FAILED"), /Attribution\.NotContributor/);
    const claimed = await tx(
      "Attribution",
      [
        "claim",
        "--from",
        "bob",
        "--datanet",
        datanet,
        "--version",
        "1",
        "--contribution",
        contribution,
      ],
      "Claimed",
    );
    assert.ok(claimed.includes(`amount: ${formatLin(BigInt(claimable.total))} }`), claimed);
    const after = await query<RpcPool>(["pool", datanet, "1"]);
    assert.equal(after.balance, "0");
    assert.equal((await query<RpcClaimable>(["claimable", "bob"])).total, "0");
  });

  it("flag mistakes fail before signing", async () => {
    const bad = await cli([
      "tx",
      "attribution",
      "register-model",
      "--from",
      "eve",
      "--entry",
      "0:1:400000",
      "--price",
      "1",
      "--data-share-ppm",
      "300000",
    ]);
    assert.match(expectCliMistake(bad, "INVALID_CLI"), /must sum to 1000000/);
    expectCliMistake(await cli(["query", "attribution", "model", "99"]), "NOT_FOUND");
  });
});
