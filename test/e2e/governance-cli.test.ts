// Governance through the CLI against a dev node: alice shortens the enactment delay with sudo
// (`tx params set`), proposes a parameter change (`tx council propose-param`), bob approves it,
// `params_pending` shows it scheduled, and `params_list` shows the new value exactly from its
// enactment block (the block before still has the old one). A change outside the bounds is
// refused when proposed, and by sudo: one line, a code, exit 1.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import { RpcClient } from "../../rpc/client.ts";
import type { RpcCouncil, RpcParam, RpcProposal } from "../../rpc/node-api.ts";
import { PARAMS } from "../../runtime/pallets/params.ts";
import { expectCliMistake, type RunningNode, runCli, startNode } from "./fixtures/index.ts";
import { until } from "./fixtures/network-devnet.ts";

const CLI_TIMEOUT_MS = 30_000;
const ENACT_TIMEOUT_MS = 60_000;
const DELAY = 3n;
const NEW_BASE_FEE = PARAMS.baseFee.default + 4_321n;
const BOB = ss58Encode(devKeypair("bob").publicKey);

describe("lineage tx council / tx params / query params against a dev node", () => {
  let node: RunningNode;
  let client: RpcClient;

  before(async () => {
    node = await startNode(["--dev"]);
    client = await RpcClient.connect(node.wsUrl);
  });
  after(async () => {
    await client?.close();
    await node?.dispose();
  });

  const cli = (args: string[]) =>
    runCli([...args, "--rpc", node.wsUrl], { timeoutMs: CLI_TIMEOUT_MS });

  async function tx(args: string[], event: string): Promise<string> {
    const result = await cli(["tx", ...args, "--wait", "inBlock"]);
    assert.equal(result.code, 0, `${args.join(" ")}:\n${result.stderr}${result.stdout}`);
    const line = result.stdout.split("\n").find((l) => l.includes(`${event} {`));
    assert.ok(line, `${event} in\n${result.stdout}`);
    return line;
  }

  async function queryParam(name: string): Promise<RpcParam> {
    const result = await cli(["query", "params", "--name", name]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as RpcParam;
  }

  const valueAt = async (height: number, name: string) => {
    const hash = (await client.chain.getBlockHash(height))!;
    return (await client.params.list(hash)).find((p) => p.name === name)!.value;
  };

  it("sudo sets the enactment delay at once", async () => {
    const sudid = await tx(
      [
        "params",
        "set",
        "--name",
        "councilEnactmentDelay",
        "--value",
        String(DELAY),
        "--from",
        "alice",
      ],
      "Sudo.Sudid",
    );
    assert.match(sudid, /ok: true/);
    assert.equal((await queryParam("councilEnactmentDelay")).value, String(DELAY));
  });

  it("a council change takes effect exactly at its enactment block", async () => {
    const council = JSON.parse((await cli(["query", "council"])).stdout) as RpcCouncil & {
      proposals: RpcProposal[];
    };
    assert.equal(council.threshold, 2);
    assert.ok(council.members.includes(BOB));
    assert.deepEqual(council.proposals, []);

    const proposed = await tx(
      [
        "council",
        "propose-param",
        "--name",
        "baseFee",
        "--value",
        String(NEW_BASE_FEE),
        "--from",
        "alice",
      ],
      "Council.Proposed",
    );
    const id = Number(/id: (\d+)/.exec(proposed)![1]);
    const [pending] = await client.params.pending();
    assert.equal(pending!.id, id);
    assert.deepEqual(
      [pending!.status, pending!.name, pending!.newValue, pending!.currentValue, pending!.enactAt],
      ["pending", "baseFee", String(NEW_BASE_FEE), String(PARAMS.baseFee.default), null],
    );

    const scheduled = await tx(
      ["council", "approve", "--id", String(id), "--from", "bob"],
      "Council.Scheduled",
    );
    const enactAt = Number(/enactAt: (\d+)/.exec(scheduled)![1]);
    const [queued] = await client.params.pending();
    assert.equal(queued?.status, "scheduled");
    assert.equal(queued?.enactAt, enactAt);
    assert.equal(queued?.approvals.length, 2);

    await until(
      `block #${enactAt}`,
      async () => ((await client.chain.getBlockHash(enactAt)) ? true : undefined),
      ENACT_TIMEOUT_MS,
    );
    assert.equal(await valueAt(enactAt - 1, "baseFee"), String(PARAMS.baseFee.default));
    assert.equal(await valueAt(enactAt, "baseFee"), String(NEW_BASE_FEE));
    assert.equal((await queryParam("baseFee")).value, String(NEW_BASE_FEE));
    assert.deepEqual(await client.params.pending(), []);
  });

  it("refuses a change outside the bounds when it is proposed", async () => {
    const refused = await cli([
      "tx",
      "council",
      "propose-param",
      "--name",
      "feeBurnPpm",
      "--value",
      String(PARAMS.feeBurnPpm.max + 1n),
      "--from",
      "alice",
      "--wait",
      "inBlock",
    ]);
    assert.match(
      expectCliMistake(refused, "TX_FAILED"),
      /Params\.OutOfBounds \(value out of bounds\)/,
    );
    assert.deepEqual(await client.params.pending(), []);
    const bySudo = await cli([
      "tx",
      "params",
      "set",
      "--name",
      "feeBurnPpm",
      "--value",
      String(PARAMS.feeBurnPpm.max + 1n),
      "--from",
      "alice",
      "--wait",
      "inBlock",
    ]);
    assert.match(expectCliMistake(bySudo, "TX_FAILED"), /Params\.OutOfBounds/);
    assert.equal((await queryParam("feeBurnPpm")).value, String(PARAMS.feeBurnPpm.default));
    assert.match(
      expectCliMistake(
        await cli(["tx", "council", "approve", "--id", "x", "--from", "bob"]),
        "INVALID_CLI",
      ),
      /--id/,
    );
  });
});
