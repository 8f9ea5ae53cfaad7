// Parses the flags of `lineage` (the run command) into a validated NodeConfig. Substrate's flag names,
// defaults and implications, so a Substrate operator's command line works unchanged. The parser has no
// side effects: it never prints, exits or touches the disk; every user mistake is a LineageError with
// code INVALID_CLI and one readable line, and `--help` is a LineageError with code CLI_HELP whose
// message is the help text (the caller prints it and exits 0).
import { multiaddr } from "@multiformats/multiaddr";
import { Command, CommanderError, Option } from "commander";
import { LineageError } from "../primitives/errors.ts";
import {
  DEFAULTS,
  DEV_ACCOUNTS,
  type DevAccount,
  defaultBasePath,
  type NodeConfig,
  nodeNameProblem,
  RPC_METHODS,
  type RpcMethods,
  randomNodeName,
} from "./config.ts";
import { parseLogFilters } from "./logger.ts";

function invalid(message: string): LineageError {
  return new LineageError("INVALID_CLI", message);
}

const MB = 1024 * 1024;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const capitalized = (account: DevAccount) => account[0]!.toUpperCase() + account.slice(1);

/** The run command's flags; exported so that main.ts can mount it beside the subcommands. */
export function buildRunCommand(): Command {
  const command = new Command("lineage")
    .description("Run a Lineage node.")
    .helpOption("-h, --help", "print this help")
    .allowExcessArguments(false)
    .addOption(
      new Option(
        "--dev",
        "development chain: --chain dev --alice --force-authoring --rpc-cors all --tmp (unless --base-path), tx ban 0",
      ).default(false),
    )
    .addOption(
      new Option(
        "--chain <id|path>",
        "built-in chain id (dev, local) or chain spec JSON file",
      ).default(DEFAULTS.chain, `${DEFAULTS.chain}; ${DEFAULTS.devChain} with --dev`),
    )
    .addOption(
      new Option(
        "-d, --base-path <path>",
        "directory for chain data, keystore and node key (default: ~/.local/share/lineage, or $XDG_DATA_HOME/lineage)",
      ),
    )
    .addOption(
      new Option(
        "--tmp",
        "run on a temporary base path, deleted on exit (not with --base-path)",
      ).default(false),
    )
    .addOption(
      new Option(
        "--name <name>",
        "node name shown to peers and telemetry, under 64 chars, no '.' or '@' (default: random words; Alice with --alice, …)",
      ),
    )
    .addOption(
      new Option("--validator", "author blocks and vote on finality (authority role)").default(
        false,
      ),
    );
  for (const account of DEV_ACCOUNTS) {
    command.addOption(
      new Option(
        `--${account}`,
        `shortcut for --name ${capitalized(account)} --validator, with //${capitalized(account)}'s keys in the keystore`,
      ).default(false),
    );
  }
  return command
    .addOption(
      new Option("--force-authoring", "author blocks even while offline or syncing").default(
        false,
        "false; true with --dev",
      ),
    )
    .addOption(
      new Option("--port <port>", "libp2p TCP port (0: any free port)").default(DEFAULTS.port),
    )
    .addOption(
      new Option(
        "--bootnodes <multiaddr...>",
        "peers to connect to at start, besides the chain spec's",
      ).default([], "none"),
    )
    .addOption(
      new Option(
        "--listen-addr <multiaddr...>",
        "addresses to listen on for peers (default: /ip4/0.0.0.0/tcp/<--port>)",
      ).default([], "from --port"),
    )
    .addOption(
      new Option(
        "--reserved-nodes <multiaddr...>",
        "peers to stay connected to whatever the peer limits",
      ).default([], "none"),
    )
    .addOption(
      new Option("--in-peers <n>", "maximum inbound peer connections").default(DEFAULTS.inPeers),
    )
    .addOption(
      new Option("--out-peers <n>", "target number of outbound peer connections").default(
        DEFAULTS.outPeers,
      ),
    )
    .addOption(
      new Option(
        "--node-key <hex>",
        "the node's network key (32-byte ed25519 seed as 64 hex characters) instead of <base>/chains/<id>/network/secret_ed25519",
      ),
    )
    .addOption(
      new Option(
        "--discover-local",
        "find peers on the local network with mDNS (multicast; off by default)",
      ).default(false),
    )
    .addOption(
      new Option(
        "--rpc-port <port>",
        "JSON-RPC port, HTTP and WebSocket (0: any free port)",
      ).default(DEFAULTS.rpcPort),
    )
    .addOption(new Option("--rpc-external", "listen for RPC on all interfaces").default(false))
    .addOption(
      new Option(
        "--unsafe-rpc-external",
        "listen for RPC on all interfaces, even as a validator",
      ).default(false),
    )
    .addOption(
      new Option(
        "--rpc-methods <mode>",
        "RPC methods to serve: auto (unsafe ones only on localhost), safe, unsafe",
      ).default("auto", "auto"),
    )
    .addOption(
      new Option(
        "--rpc-cors <all|origins>",
        "allowed browser origins, comma-separated, or all (default: http(s)://localhost:*, http(s)://127.0.0.1:*, https://polkadot.js.org; all with --dev)",
      ),
    )
    .addOption(
      new Option("--rpc-max-connections <n>", "maximum RPC connections").default(
        DEFAULTS.rpcMaxConnections,
      ),
    )
    .addOption(
      new Option("--rpc-max-request-size <MB>", "maximum RPC request size in megabytes").default(
        DEFAULTS.rpcMaxRequestSizeMb,
      ),
    )
    .addOption(
      new Option("--rpc-max-response-size <MB>", "maximum RPC response size in megabytes").default(
        DEFAULTS.rpcMaxResponseSizeMb,
      ),
    )
    .addOption(
      new Option(
        "--rpc-max-subscriptions-per-connection <n>",
        "maximum subscriptions per RPC connection",
      ).default(DEFAULTS.rpcMaxSubscriptionsPerConnection),
    )
    .addOption(
      new Option(
        "--rpc-max-batch-request-len <n>",
        "maximum calls in one JSON-RPC batch (default: unlimited)",
      ),
    )
    .addOption(
      new Option("--prometheus-port <port>", "Prometheus metrics port (0: any free port)").default(
        DEFAULTS.prometheusPort,
      ),
    )
    .addOption(
      new Option("--prometheus-external", "serve metrics on all interfaces").default(false),
    )
    .addOption(new Option("--no-prometheus", "do not serve Prometheus metrics (default: served)"))
    .addOption(
      new Option(
        "--state-pruning <archive|n>",
        "keep the states of the last n finalized blocks, or all (archive)",
      ).default(DEFAULTS.statePruning),
    )
    .addOption(
      new Option(
        "-l, --log <filters>",
        "log filters, e.g. info or sync=debug,runtime=trace (repeatable)",
      )
        .default([], DEFAULTS.log)
        .argParser(collect),
    )
    .addOption(
      new Option("--pool-limit <n>", "maximum transactions in the ready queue").default(
        DEFAULTS.poolLimit,
      ),
    )
    .addOption(
      new Option("--pool-kbytes <kB>", "maximum size of the ready queue in kilobytes").default(
        DEFAULTS.poolKbytes,
      ),
    )
    .addOption(
      new Option("--tx-ban-seconds <s>", "how long an invalid transaction stays banned").default(
        DEFAULTS.txBanSeconds,
        `${DEFAULTS.txBanSeconds}; 0 with --dev`,
      ),
    );
}

/** The run command's help text (every flag with its default). */
export function runHelpText(): string {
  return buildRunCommand().helpInformation();
}

/** Optional environment for tests: where `~` is and how the random name is picked. */
export interface ParseEnvironment {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly randomName?: () => string;
}

/** Parses the user's arguments (without `node` and the script) into a NodeConfig. */
export function parseRunArgs(
  argv: readonly string[],
  environment: ParseEnvironment = {},
): NodeConfig {
  const command = buildRunCommand();
  let output = "";
  command.exitOverride().configureOutput({
    writeOut: (text) => {
      output += text;
    },
    writeErr: () => {},
  });
  try {
    command.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") {
        throw new LineageError("CLI_HELP", output);
      }
      throw invalid(error.message.replace(/^error: /, ""));
    }
    throw error;
  }
  return toNodeConfig(command, environment);
}

function integer(value: unknown, flag: string, min: number, max: number): number {
  const text = String(value);
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw invalid(`${flag}: expected an integer ${range}, got ${JSON.stringify(text)}`);
  }
  return n;
}

const port = (value: unknown, flag: string) => integer(value, flag, 0, 65535);
const positive = (value: unknown, flag: string) => integer(value, flag, 1, Number.MAX_SAFE_INTEGER);

function parseCors(value: string): "all" | string[] {
  const trimmed = value.trim();
  if (trimmed === "all" || trimmed === "*") return "all";
  const origins = trimmed.split(",").map((origin) => origin.trim());
  for (const origin of origins) {
    if (origin !== "null" && !/^[a-z][a-z0-9+.-]*:\/\/[^\s/]+$/i.test(origin)) {
      throw invalid(
        `--rpc-cors: ${JSON.stringify(origin)} is not an origin such as https://example.org or http://localhost:*; use "all" to allow any`,
      );
    }
  }
  return origins;
}

function parsePruning(value: unknown): "archive" | number {
  if (value === "archive") return "archive";
  return integer(value, "--state-pruning", 1, Number.MAX_SAFE_INTEGER);
}

function toNodeConfig(command: Command, environment: ParseEnvironment): NodeConfig {
  const o = command.opts();
  const given = (key: string) => {
    const source = command.getOptionValueSource(key);
    return source !== undefined && source !== "default" && source !== "implied";
  };
  const dev = o.dev === true;

  const accounts = DEV_ACCOUNTS.filter((account) => o[account] === true);
  if (accounts.length > 1) {
    throw invalid(`choose one dev account, not ${accounts.map((a) => `--${a}`).join(" and ")}`);
  }
  const flagAccount = accounts[0];
  const devAccount: DevAccount | undefined = flagAccount ?? (dev ? "alice" : undefined);

  if (o.tmp === true && given("basePath"))
    throw invalid("--tmp and --base-path cannot be used together");
  const tmp = o.tmp === true || (dev && !given("basePath"));
  let basePath: string | undefined;
  if (!tmp) {
    const raw = given("basePath")
      ? String(o.basePath)
      : defaultBasePath(environment.env, environment.home);
    if (raw.trim() === "") throw invalid("--base-path: must not be empty");
    basePath = raw;
  }

  let name: string;
  if (given("name")) {
    name = String(o.name);
    const problem = nodeNameProblem(name);
    if (problem !== undefined) throw invalid(`--name: ${problem}`);
  } else if (flagAccount !== undefined) {
    // Substrate names the node after the account only for --alice…; --dev keeps a random name.
    name = capitalized(flagAccount);
  } else {
    name = (environment.randomName ?? randomNodeName)();
  }

  const validator = o.validator === true || devAccount !== undefined;

  const methods = String(o.rpcMethods) as RpcMethods;
  if (!RPC_METHODS.includes(methods)) {
    throw invalid(
      `--rpc-methods: expected auto, safe or unsafe, got ${JSON.stringify(o.rpcMethods)}`,
    );
  }
  const unsafeExternal = o.unsafeRpcExternal === true;
  const external = o.rpcExternal === true || unsafeExternal;
  if (validator && o.rpcExternal === true && !unsafeExternal && methods !== "unsafe") {
    throw invalid(
      "--rpc-external refused on a validator: it would expose unsafe RPC methods to the network; " +
        "add --unsafe-rpc-external or --rpc-methods unsafe if you accept the risk",
    );
  }
  const cors = given("rpcCors")
    ? parseCors(String(o.rpcCors))
    : dev
      ? "all"
      : [...DEFAULTS.rpcCors];

  const bootnodes = multiaddrs(o.bootnodes as string[], "--bootnodes", true);
  const reservedNodes = multiaddrs(o.reservedNodes as string[], "--reserved-nodes", true);
  const listenAddresses = multiaddrs(o.listenAddr as string[], "--listen-addr", false);
  const networkPort = port(o.port, "--port");
  let nodeKey: string | undefined;
  if (given("nodeKey")) {
    nodeKey = String(o.nodeKey).replace(/^0x/, "");
    if (!/^[0-9a-fA-F]{64}$/.test(nodeKey)) {
      throw invalid("--node-key: expected 64 hex characters (a 32-byte ed25519 seed)");
    }
  }

  const logParts = o.log as string[];
  const log = logParts.length === 0 ? DEFAULTS.log : logParts.join(",");
  try {
    parseLogFilters(log);
  } catch (error) {
    throw new LineageError("INVALID_CLI", `--log: ${(error as Error).message}`, { cause: error });
  }

  return {
    chain: given("chain")
      ? nonEmpty(String(o.chain), "--chain")
      : dev
        ? DEFAULTS.devChain
        : DEFAULTS.chain,
    dev,
    basePath,
    tmp,
    name,
    role: validator ? "authority" : "full",
    devAccount,
    forceAuthoring: o.forceAuthoring === true || dev,
    network: {
      port: networkPort,
      bootnodes,
      listenAddresses:
        listenAddresses.length > 0 ? listenAddresses : [`/ip4/0.0.0.0/tcp/${networkPort}`],
      reservedNodes,
      inPeers: integer(o.inPeers, "--in-peers", 0, 10_000),
      outPeers: integer(o.outPeers, "--out-peers", 0, 10_000),
      nodeKey,
      discoverLocal: o.discoverLocal === true,
    },
    rpc: {
      port: port(o.rpcPort, "--rpc-port"),
      external,
      methods,
      cors,
      maxConnections: positive(o.rpcMaxConnections, "--rpc-max-connections"),
      maxRequestBytes: positive(o.rpcMaxRequestSize, "--rpc-max-request-size") * MB,
      maxResponseBytes: positive(o.rpcMaxResponseSize, "--rpc-max-response-size") * MB,
      maxSubscriptionsPerConnection: positive(
        o.rpcMaxSubscriptionsPerConnection,
        "--rpc-max-subscriptions-per-connection",
      ),
      maxBatchRequestLen: given("rpcMaxBatchRequestLen")
        ? positive(o.rpcMaxBatchRequestLen, "--rpc-max-batch-request-len")
        : undefined,
    },
    prometheus: {
      enabled: o.prometheus !== false,
      port: port(o.prometheusPort, "--prometheus-port"),
      external: o.prometheusExternal === true,
    },
    statePruning: parsePruning(o.statePruning),
    log,
    pool: {
      readyLimit: positive(o.poolLimit, "--pool-limit"),
      readyBytes: positive(o.poolKbytes, "--pool-kbytes") * 1024,
      banSeconds: given("txBanSeconds")
        ? integer(o.txBanSeconds, "--tx-ban-seconds", 0, Number.MAX_SAFE_INTEGER)
        : dev
          ? 0
          : DEFAULTS.txBanSeconds,
    },
  };
}

/** Comma- or space-separated multiaddrs; peers must name their id (`/p2p/…`). */
function multiaddrs(values: string[], flag: string, needsPeerId: boolean): string[] {
  const list = values
    .flatMap((entry) => entry.split(","))
    .map((a) => a.trim())
    .filter((a) => a !== "");
  for (const address of list) {
    const example = needsPeerId ? "/ip4/1.2.3.4/tcp/30333/p2p/12D3Koo…" : "/ip4/0.0.0.0/tcp/30333";
    if (!/^\/\S+$/.test(address) || (needsPeerId && !/\/p2p\/\w+$/.test(address))) {
      throw invalid(`${flag}: ${JSON.stringify(address)} is not a multiaddr such as ${example}`);
    }
    // The shape is right: the parts must be too (an IPv4 address, a port), or the network would
    // fail after RPC and metrics have started.
    try {
      multiaddr(address);
    } catch (error) {
      throw invalid(
        `${flag}: ${JSON.stringify(address)} is not a valid multiaddr: ${(error as Error).message}`,
      );
    }
  }
  return list;
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === "") throw invalid(`${flag}: must not be empty`);
  return value;
}
