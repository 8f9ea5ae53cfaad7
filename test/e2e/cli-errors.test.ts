// User mistakes on the command line: each must end the process with status 1 and exactly one
// readable line on stderr, `Error: <message> [CODE]`, with no stack trace. The runs happen in a
// sandbox (cwd, HOME and XDG_DATA_HOME) so that a regression that starts a node anyway cannot
// touch the real home directory.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { builtinChainSpec } from "../../runtime/chain-spec.ts";
import { runCli, tempDir } from "./fixtures/index.ts";

/** A mistake is reported before anything starts; a run still going after this is a failure. */
const MISTAKE_TIMEOUT_MS = 15_000;

/** A localhost port with nothing listening on it (bound once by the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("CLI mistakes: one line, a stable code, exit 1", () => {
  const sandbox = tempDir("lineage-e2e-cli-");
  const env = { HOME: sandbox.path, XDG_DATA_HOME: join(sandbox.path, "data") };
  const file = (name: string, content: string) => {
    const path = join(sandbox.path, name);
    writeFileSync(path, content);
    return path;
  };
  let badJson: string;
  let badField: string;
  let badParam: string;

  before(() => {
    const dev = builtinChainSpec("dev")!;
    badJson = file("bad-json.json", "{ not json");
    const withField = structuredClone(dev) as unknown as {
      genesis: {
        runtimeGenesis: {
          config: { authorities: { slotDuration: unknown }; params: Record<string, string> };
        };
      };
    };
    withField.genesis.runtimeGenesis.config.authorities.slotDuration = "fast";
    badField = file("bad-field.json", JSON.stringify(withField));
    const withParam = structuredClone(dev) as unknown as typeof withField;
    withParam.genesis.runtimeGenesis.config.params.feeBurnPpm = "2000000";
    badParam = file("bad-param.json", JSON.stringify(withParam));
  });
  after(() => sandbox.remove());

  /** Runs `lineage <args>` and returns the one error line after checking the common contract. */
  async function mistake(args: string[], code: string): Promise<string> {
    const result = await runCli(args, { cwd: sandbox.path, env, timeoutMs: MISTAKE_TIMEOUT_MS });
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    assert.equal(result.code, 1, `exit status of lineage ${args.join(" ")}:\n${result.stderr}`);
    assert.ok(
      !lines.some((line) => line.startsWith("    at ")),
      `a stack trace:\n${result.stderr}`,
    );
    assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
    assert.equal(result.stdout, "");
    const line = lines[0]!;
    assert.match(line, new RegExp(`^Error: \\S.* \\[${code}\\]$`));
    return line;
  }

  it("an unknown flag", async () => {
    assert.match(await mistake(["--bogus-flag"], "INVALID_CLI"), /unknown option '--bogus-flag'/);
  });

  it("--rpc-port abc", async () => {
    assert.match(
      await mistake(["--rpc-port", "abc"], "INVALID_CLI"),
      /--rpc-port: expected an integer from 0 to 65535, got "abc"/,
    );
  });

  it("--tmp with --base-path", async () => {
    assert.match(
      await mistake(["--tmp", "--base-path", "x"], "INVALID_CLI"),
      /--tmp and --base-path cannot be used together/,
    );
  });

  it("--chain naming neither a built-in chain nor a file", async () => {
    assert.match(
      await mistake(["--chain", "/nonexistent.json"], "CHAIN_SPEC_NOT_FOUND"),
      /\/nonexistent\.json: not a built-in chain \(dev, local\) and no such file/,
    );
  });

  it("a chain spec file that is not JSON", async () => {
    assert.match(
      await mistake(["--chain", badJson], "INVALID_CHAIN_SPEC"),
      /bad-json\.json: not valid JSON/,
    );
  });

  it("a chain spec with a bad field names the field's path", async () => {
    assert.match(
      await mistake(["--chain", badField], "INVALID_CHAIN_SPEC"),
      /bad-field\.json: .*genesis\.runtimeGenesis\.config\.authorities\.slotDuration/,
    );
  });

  it("a chain spec with a parameter out of its bounds", async () => {
    assert.match(
      await mistake(["--chain", badParam], "INVALID_CHAIN_SPEC"),
      /genesis\.runtimeGenesis\.config\.params: feeBurnPpm must be within \[0, 1000000\]/,
    );
  });

  it("--name with a '.'", async () => {
    assert.match(await mistake(["--name", "a.b"], "INVALID_CLI"), /--name: /);
  });

  it("--rpc-external on a validator is refused", async () => {
    assert.match(
      await mistake(["--rpc-external", "--validator"], "INVALID_CLI"),
      /--rpc-external refused on a validator/,
    );
  });

  it("tx transfer to a malformed SS58 address", async () => {
    const port = await closedPort();
    await mistake(
      [
        "tx",
        "transfer",
        "--from",
        "alice",
        "--to",
        "5NotAnAddress",
        "--amount",
        "1",
        "--rpc",
        `ws://127.0.0.1:${port}`,
      ],
      "INVALID_SS58",
    );
  });

  it("tx transfer to an RPC URL where nothing listens", async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    const line = await mistake(
      ["tx", "transfer", "--from", "alice", "--to", "bob", "--amount", "1", "--rpc", url],
      "RPC_UNREACHABLE",
    );
    assert.ok(line.includes(`cannot connect to ${url}`), line);
  });

  it("a command group without its subcommand", async () => {
    assert.match(
      await mistake(["key"], "INVALID_CLI"),
      /missing subcommand; see lineage key --help/,
    );
    await mistake(["tx"], "INVALID_CLI");
  });

  it("an RPC port that is already taken", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      // The node has logged its start-up lines by then; the error is the last line, and alone.
      const result = await runCli(
        ["--dev", "--rpc-port", String(port), "--prometheus-port", "0", "--port", "0"],
        { cwd: sandbox.path, env, timeoutMs: MISTAKE_TIMEOUT_MS },
      );
      assert.equal(result.code, 1);
      const lines = result.stderr.split("\n").filter((line) => line !== "");
      const expected = `^Error: 127\\.0\\.0\\.1:${port} is already in use.*\\[ADDRESS_IN_USE\\]$`;
      assert.match(lines.at(-1) ?? "", new RegExp(expected));
      assert.equal(lines.filter((line) => line.startsWith("Error:")).length, 1);
      assert.ok(!lines.some((line) => line.startsWith("    at ")), "no stack trace");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("key inspect of garbage", async () => {
    await mistake(["key", "inspect", "garbage"], "UNSUPPORTED_SURI");
    await mistake(["key", "inspect", "0x1234"], "INVALID_SURI");
  });

  it("measured attribution's commands: missing or bad flags and files", async () => {
    const port = await closedPort();
    const rpc = ["--rpc", `ws://127.0.0.1:${port}`];
    assert.match(await mistake(["attest"], "INVALID_CLI"), /--key: the attestor's key is required/);
    assert.match(
      await mistake(["attest", "--key", "alice", "--fault", "oops", ...rpc], "INVALID_CLI"),
      /--fault: the only fault is wrong-root, got oops/,
    );
    const notVectors = file("not-vectors.lvec", "hello");
    assert.match(
      await mistake(
        ["attest", "query-log", "--model", "0", "--window", "0", "--out", "x.json", notVectors],
        "INVALID_CLI",
      ),
      /not-vectors\.lvec: .*shorter than the header/,
    );
    assert.match(
      await mistake(["attest", "inputs", "--out", "i.json", "3", ...[]], "INVALID_CLI"),
      /expected <id>=<file>, got 3/,
    );
    const model = [
      "tx",
      "attribution",
      "register-model",
      "--from",
      "alice",
      "--entry",
      "0:1:1000000",
      "--price",
      "1",
      "--data-share-ppm",
      "500000",
      ...rpc,
    ];
    assert.match(
      await mistake([...model, "--measured", "knn-shapley:1"], "INVALID_CLI"),
      /--inputs: a measured model commits to its inputs index/,
    );
    assert.match(
      await mistake([...model, "--measured", "knn-shapley"], "INVALID_CLI"),
      /--measured: expected <method>:<version>/,
    );
    assert.match(
      await mistake([...model, "--inputs", notVectors], "INVALID_CLI"),
      /need --measured/,
    );
    assert.match(
      await mistake(
        [...model, "--measured", "knn-shapley:1", "--inputs", notVectors],
        "INVALID_CLI",
      ),
      /--inputs: inputs index: not JSON/,
    );
    assert.match(
      await mistake(
        [
          "tx",
          "attestation",
          "submit-query-log",
          "--from",
          "alice",
          "--model",
          "0",
          "--window",
          "0",
          "--log",
          join(sandbox.path, "nope.json"),
          ...rpc,
        ],
        "INVALID_CLI",
      ),
      /--log: .*ENOENT/,
    );
  });
});
