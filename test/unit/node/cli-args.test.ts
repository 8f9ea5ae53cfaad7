import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseRunArgs, runHelpText } from "../../../node/cli-args.ts";
import {
  allowsUnsafeRpc,
  chainDirectory,
  chainPaths,
  nodeNameProblem,
} from "../../../node/config.ts";
import { LineageError } from "../../../primitives/errors.ts";

const env = { env: {}, home: "/home/op", randomName: () => "calm-river-42" };
const parse = (...argv: string[]) => parseRunArgs(argv, env);

function rejects(argv: string[], message: RegExp): void {
  assert.throws(
    () => parse(...argv),
    (error: unknown) => {
      assert.ok(error instanceof LineageError, `not a LineageError: ${String(error)}`);
      assert.equal(error.code, "INVALID_CLI");
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"), "one line");
      return true;
    },
    argv.join(" "),
  );
}

describe("parseRunArgs defaults", () => {
  it("uses Substrate's defaults", () => {
    const config = parse();
    assert.deepEqual(config, {
      chain: "local",
      dev: false,
      basePath: "/home/op/.local/share/lineage",
      tmp: false,
      name: "calm-river-42",
      role: "full",
      devAccount: undefined,
      forceAuthoring: false,
      network: {
        port: 30333,
        bootnodes: [],
        listenAddresses: ["/ip4/0.0.0.0/tcp/30333"],
        reservedNodes: [],
        inPeers: 32,
        outPeers: 8,
        nodeKey: undefined,
        discoverLocal: false,
      },
      rpc: {
        port: 9944,
        external: false,
        methods: "auto",
        cors: [
          "http://localhost:*",
          "http://127.0.0.1:*",
          "https://localhost:*",
          "https://127.0.0.1:*",
          "https://polkadot.js.org",
        ],
        maxConnections: 100,
        maxRequestBytes: 15 * 1024 * 1024,
        maxResponseBytes: 15 * 1024 * 1024,
        maxSubscriptionsPerConnection: 1024,
        maxBatchRequestLen: undefined,
      },
      prometheus: { enabled: true, port: 9615, external: false },
      statePruning: 256,
      log: "info",
      pool: { readyLimit: 8192, readyBytes: 20480 * 1024, banSeconds: 1800 },
    });
    assert.equal(allowsUnsafeRpc(config.rpc), true);
  });

  it("honours XDG_DATA_HOME for the default base path", () => {
    const config = parseRunArgs([], { ...env, env: { XDG_DATA_HOME: "/data" } });
    assert.equal(config.basePath, "/data/lineage");
  });
});

describe("--dev", () => {
  it("implies chain dev, Alice's key, authority, authoring, open CORS, tmp, no tx ban", () => {
    const config = parse("--dev");
    assert.equal(config.chain, "dev");
    assert.equal(config.dev, true);
    assert.equal(config.devAccount, "alice");
    assert.equal(config.role, "authority");
    assert.equal(config.forceAuthoring, true);
    assert.equal(config.rpc.cors, "all");
    assert.equal(config.tmp, true);
    assert.equal(config.basePath, undefined);
    assert.equal(config.pool.banSeconds, 0);
    assert.equal(config.name, "calm-river-42", "Substrate keeps a random name with --dev");
  });

  it("lets explicit flags win", () => {
    const config = parse(
      "--dev",
      "--chain",
      "local",
      "-d",
      "/srv/lineage",
      "--bob",
      "--rpc-cors",
      "https://app.example.org",
      "--tx-ban-seconds",
      "60",
    );
    assert.equal(config.chain, "local");
    assert.equal(config.tmp, false);
    assert.equal(config.basePath, "/srv/lineage");
    assert.equal(config.devAccount, "bob");
    assert.equal(config.name, "Bob");
    assert.deepEqual(config.rpc.cors, ["https://app.example.org"]);
    assert.equal(config.pool.banSeconds, 60);
  });
});

describe("flags", () => {
  it("--alice … --ferdie imply the name and validator", () => {
    for (const [flag, name] of [
      ["--alice", "Alice"],
      ["--charlie", "Charlie"],
      ["--ferdie", "Ferdie"],
    ] as const) {
      const config = parse(flag);
      assert.equal(config.name, name);
      assert.equal(config.role, "authority");
      assert.equal(config.devAccount, flag.slice(2));
      assert.equal(config.chain, "local");
    }
    assert.equal(parse("--eve", "--name", "Evelyn").name, "Evelyn");
  });

  it("reads ports, limits, pruning, logs and prometheus", () => {
    const config = parse(
      "--port",
      "0",
      "--rpc-port",
      "0",
      "--prometheus-port",
      "0",
      "--prometheus-external",
      "--rpc-max-connections",
      "5",
      "--rpc-max-request-size",
      "1",
      "--rpc-max-batch-request-len",
      "10",
      "--state-pruning",
      "archive",
      "-l",
      "sync=debug",
      "--log",
      "warn,rpc=trace",
      "--pool-limit",
      "10",
      "--pool-kbytes",
      "1",
      "--bootnodes",
      "/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWA",
      "/ip4/127.0.0.1/tcp/30334/p2p/12D3KooWB",
    );
    assert.equal(config.network.port, 0);
    assert.equal(config.rpc.port, 0);
    assert.deepEqual(config.prometheus, { enabled: true, port: 0, external: true });
    assert.equal(config.rpc.maxConnections, 5);
    assert.equal(config.rpc.maxRequestBytes, 1024 * 1024);
    assert.equal(config.rpc.maxBatchRequestLen, 10);
    assert.equal(config.statePruning, "archive");
    assert.equal(config.log, "sync=debug,warn,rpc=trace");
    assert.deepEqual(config.pool, { readyLimit: 10, readyBytes: 1024, banSeconds: 1800 });
    assert.equal(config.network.bootnodes.length, 2);
    assert.deepEqual(config.network.listenAddresses, ["/ip4/0.0.0.0/tcp/0"]);
    const network = parse(
      "--listen-addr",
      "/ip4/127.0.0.1/tcp/4000",
      "--reserved-nodes",
      "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWA",
      "--in-peers",
      "3",
      "--out-peers",
      "2",
      "--node-key",
      `0x${"11".repeat(32)}`,
      "--discover-local",
    ).network;
    assert.deepEqual(network.listenAddresses, ["/ip4/127.0.0.1/tcp/4000"]);
    assert.deepEqual(network.reservedNodes, ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWA"]);
    assert.equal(network.inPeers, 3);
    assert.equal(network.outPeers, 2);
    assert.equal(network.nodeKey, "11".repeat(32));
    assert.equal(network.discoverLocal, true);
    assert.equal(parse("--state-pruning", "1000").statePruning, 1000);
    assert.equal(parse("--no-prometheus").prometheus.enabled, false);
    assert.equal(parse("--rpc-cors", "*").rpc.cors, "all");
  });

  it("resolves external RPC and unsafe methods", () => {
    const external = parse("--rpc-external");
    assert.equal(external.rpc.external, true);
    assert.equal(allowsUnsafeRpc(external.rpc), false);
    const unsafe = parse("--validator", "--unsafe-rpc-external");
    assert.equal(unsafe.rpc.external, true);
    const opted = parse("--validator", "--rpc-external", "--rpc-methods", "unsafe");
    assert.equal(allowsUnsafeRpc(opted.rpc), true);
    assert.equal(allowsUnsafeRpc(parse("--rpc-methods", "safe").rpc), false);
  });
});

describe("validation errors are INVALID_CLI with one clear line", () => {
  const cases: [string[], RegExp][] = [
    [["--tmp", "--base-path", "/x"], /--tmp and --base-path cannot be used together/],
    [["--port", "65536"], /--port: expected an integer from 0 to 65535, got "65536"/],
    [["--rpc-port", "-1"], /--rpc-port/],
    [["--prometheus-port", "80.5"], /--prometheus-port/],
    [["--port", "0x10"], /--port/],
    [["--rpc-max-connections", "0"], /--rpc-max-connections: expected an integer 1 or more/],
    [["--pool-limit", "many"], /--pool-limit/],
    [["--tx-ban-seconds", "-5"], /--tx-ban-seconds/],
    [["--state-pruning", "0"], /--state-pruning/],
    [["--state-pruning", "archive-all"], /--state-pruning/],
    [["--rpc-methods", "all"], /--rpc-methods: expected auto, safe or unsafe/],
    [["--rpc-cors", "example.org"], /--rpc-cors: "example.org" is not an origin/],
    [["--name", "x".repeat(64)], /--name: node name must be under 64 characters/],
    [["--name", "node.one"], /--name: .*'\.'/],
    [["--name", "me@host"], /--name: .*'@'/],
    [["--name", "https://evil"], /--name: node name must not be a URL/],
    [["--name", ""], /--name: node name cannot be empty/],
    [
      ["--validator", "--rpc-external"],
      /--rpc-external refused on a validator.*--unsafe-rpc-external/,
    ],
    [["--alice", "--rpc-external"], /--rpc-external refused on a validator/],
    [["--dev", "--rpc-external"], /--rpc-external refused on a validator/],
    [["--alice", "--bob"], /choose one dev account, not --alice and --bob/],
    [["-l", "sync=noisy"], /--log: invalid log filter "sync=noisy"/],
    [["--bootnodes", "127.0.0.1:30333"], /--bootnodes: "127.0.0.1:30333" is not a multiaddr/],
    [
      ["--bootnodes", "/ip4/127.0.0.1/tcp/1"],
      /--bootnodes: .* is not a multiaddr such as .*\/p2p\//,
    ],
    [["--reserved-nodes", "x"], /--reserved-nodes: "x" is not a multiaddr/],
    [["--listen-addr", "0.0.0.0:1"], /--listen-addr: "0.0.0.0:1" is not a multiaddr/],
    [
      ["--listen-addr", "/ip4/999.1.1.1/tcp/1"],
      /--listen-addr: "\/ip4\/999.1.1.1\/tcp\/1" is not a valid multiaddr: Invalid IPv4 address/,
    ],
    [["--listen-addr", "/ip4/0.0.0.0/tcp/99999"], /--listen-addr: .* is not a valid multiaddr/],
    [["--node-key", "abc"], /--node-key: expected 64 hex characters/],
    [["--in-peers", "-1"], /--in-peers: expected an integer/],
    [["--chain", ""], /--chain: must not be empty/],
    [["--frobnicate"], /unknown option '--frobnicate'/],
    [["--port"], /argument missing/],
    [["extra"], /too many arguments/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(" ") || "(empty)", () => rejects(argv, message));
  }
  it("a 63-character name is fine", () => {
    assert.equal(parse("--name", "x".repeat(63)).name.length, 63);
    assert.equal(nodeNameProblem("Alice"), undefined);
  });
});

describe("help and paths", () => {
  it("lists every flag with its default", () => {
    const help = runHelpText();
    const flags = [
      ["--dev", "false"],
      ["--chain", "local"],
      ["--base-path", "~/.local/share/lineage"],
      ["--tmp", "false"],
      ["--name", "random"],
      ["--validator", "false"],
      ["--alice", "false"],
      ["--ferdie", "false"],
      ["--force-authoring", "false"],
      ["--port", "30333"],
      ["--bootnodes", "none"],
      ["--rpc-port", "9944"],
      ["--rpc-external", "false"],
      ["--unsafe-rpc-external", "false"],
      ["--rpc-methods", "auto"],
      ["--rpc-cors", "polkadot.js.org"],
      ["--rpc-max-connections", "100"],
      ["--rpc-max-request-size", "15"],
      ["--rpc-max-response-size", "15"],
      ["--rpc-max-subscriptions-per-connection", "1024"],
      ["--rpc-max-batch-request-len", "unlimited"],
      ["--prometheus-port", "9615"],
      ["--prometheus-external", "false"],
      ["--no-prometheus", "served"],
      ["--state-pruning", "256"],
      ["--log", "info"],
      ["--pool-limit", "8192"],
      ["--pool-kbytes", "20480"],
      ["--tx-ban-seconds", "1800"],
    ];
    // One entry per option: its first line and any wrapped continuation lines.
    const entries = help.split(/\n(?= {2}-)/);
    for (const [flag, value] of flags) {
      const entry = entries.find((e) => new RegExp(`^ {2}(-\\w, )?${flag}( |$)`).test(e));
      assert.ok(entry !== undefined, `help lacks ${flag}`);
      assert.ok(entry.replace(/\s+/g, " ").includes("default: "), `${flag} shows no default`);
      assert.ok(
        entry.replace(/\s+/g, " ").includes(value!),
        `${flag} default should mention ${value}`,
      );
    }
  });

  it("reports --help as CLI_HELP carrying the text", () => {
    assert.throws(
      () => parse("--help"),
      (error: unknown) => {
        assert.ok(error instanceof LineageError);
        assert.equal(error.code, "CLI_HELP");
        assert.match(error.message, /Usage: lineage/);
        return true;
      },
    );
  });

  it("builds the chain directory layout", () => {
    assert.equal(chainDirectory("/b", "lineage_dev"), join("/b", "chains", "lineage_dev"));
    assert.deepEqual(chainPaths("/b", "dev"), {
      root: "/b/chains/dev",
      database: "/b/chains/dev/db/full",
      keystore: "/b/chains/dev/keystore",
      network: "/b/chains/dev/network",
      nodeKey: "/b/chains/dev/network/secret_ed25519",
    });
    for (const bad of ["../x", "a/b", "", "."]) {
      assert.throws(() => chainDirectory("/b", bad), { code: "INVALID_CHAIN_ID" });
    }
  });
});
