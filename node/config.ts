// The validated node configuration that `lineage` runs with, and the on-disk layout under the base
// path. Defaults are Substrate's so that operators' habits and firewall rules carry over.
import { mkdtemp } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { LineageError } from "../primitives/errors.ts";

export const DEV_ACCOUNTS = ["alice", "bob", "charlie", "dave", "eve", "ferdie"] as const;
export type DevAccount = (typeof DEV_ACCOUNTS)[number];

export const RPC_METHODS = ["auto", "safe", "unsafe"] as const;
export type RpcMethods = (typeof RPC_METHODS)[number];

export type NodeRole = "full" | "authority";

export const DEFAULTS = {
  /** The chain when neither `--chain` nor `--dev` is given (Substrate node-template's `""`/`local`). */
  chain: "local",
  devChain: "dev",
  port: 30333,
  inPeers: 32,
  outPeers: 8,
  rpcPort: 9944,
  rpcMaxConnections: 100,
  rpcMaxRequestSizeMb: 15,
  rpcMaxResponseSizeMb: 15,
  rpcMaxSubscriptionsPerConnection: 1024,
  /** Substrate's default origins when `--rpc-cors` is not given (and not `--dev`). */
  rpcCors: [
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://polkadot.js.org",
  ],
  prometheusPort: 9615,
  statePruning: 256,
  log: "info",
  poolLimit: 8192,
  poolKbytes: 20480,
  txBanSeconds: 1800,
} as const;

export const NODE_NAME_MAX_LENGTH = 64;

export interface NetworkConfig {
  readonly port: number;
  readonly bootnodes: readonly string[];
  /** Multiaddrs to listen on; default `/ip4/0.0.0.0/tcp/<port>`. */
  readonly listenAddresses: readonly string[];
  readonly reservedNodes: readonly string[];
  readonly inPeers: number;
  readonly outPeers: number;
  /** `--node-key`: the 32-byte ed25519 seed as 64 hex characters, instead of the key file. */
  readonly nodeKey: string | undefined;
  /** mDNS discovery on the local network (`--discover-local`). */
  readonly discoverLocal: boolean;
}

export interface RpcConfig {
  readonly port: number;
  /** Listen on all interfaces (`--rpc-external` or `--unsafe-rpc-external`). */
  readonly external: boolean;
  readonly methods: RpcMethods;
  /** `"all"` turns the origin check off. */
  readonly cors: "all" | readonly string[];
  readonly maxConnections: number;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly maxSubscriptionsPerConnection: number;
  /** Undefined: batches of any length. */
  readonly maxBatchRequestLen: number | undefined;
}

export interface PrometheusConfig {
  readonly enabled: boolean;
  readonly port: number;
  readonly external: boolean;
}

export interface PoolConfig {
  readonly readyLimit: number;
  readonly readyBytes: number;
  readonly banSeconds: number;
}

export interface NodeConfig {
  /** A built-in chain id (`dev`, `local`) or a path to a chain spec JSON file. */
  readonly chain: string;
  readonly dev: boolean;
  /** Undefined exactly when `tmp`: the caller creates a throwaway directory (`createTmpBasePath`). */
  readonly basePath: string | undefined;
  readonly tmp: boolean;
  readonly name: string;
  readonly role: NodeRole;
  /** The dev account whose keys the node inserts into its keystore at start (`--alice`, `--dev`). */
  readonly devAccount: DevAccount | undefined;
  readonly forceAuthoring: boolean;
  readonly network: NetworkConfig;
  readonly rpc: RpcConfig;
  readonly prometheus: PrometheusConfig;
  /** Number of recent finalized states kept, or every state. */
  readonly statePruning: "archive" | number;
  /** The `--log` filter string, already validated by `parseLogFilters`. */
  readonly log: string;
  readonly pool: PoolConfig;
}

/** Unsafe RPC methods are served when asked for, or under `auto` only while listening locally. */
export function allowsUnsafeRpc(rpc: RpcConfig): boolean {
  return rpc.methods === "unsafe" || (rpc.methods === "auto" && !rpc.external);
}

/** `$XDG_DATA_HOME/lineage`, else `~/.local/share/lineage`, as Substrate's data directory on Linux. */
export function defaultBasePath(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  const dataHome = env.XDG_DATA_HOME;
  return join(
    dataHome !== undefined && dataHome !== "" ? dataHome : join(home, ".local", "share"),
    "lineage",
  );
}

const SPEC_ID_RE = /^[A-Za-z0-9_-]+$/;

/** `<base>/chains/<spec id>`; the id comes from a spec file, so it must be one safe path segment. */
export function chainDirectory(basePath: string, specId: string): string {
  if (!SPEC_ID_RE.test(specId)) {
    throw new LineageError(
      "INVALID_CHAIN_ID",
      `chain spec id ${JSON.stringify(specId)} must be letters, digits, '_' or '-'`,
    );
  }
  return join(basePath, "chains", specId);
}

/** The directories and files of one chain, as Substrate lays them out. */
export function chainPaths(basePath: string, specId: string) {
  const root = chainDirectory(basePath, specId);
  return {
    root,
    database: join(root, "db", "full"),
    keystore: join(root, "keystore"),
    network: join(root, "network"),
    nodeKey: join(root, "network", "secret_ed25519"),
  } as const;
}

/** A fresh directory for `--tmp`; the caller deletes it on exit. */
export function createTmpBasePath(): Promise<string> {
  return mkdtemp(join(tmpdir(), "lineage-"));
}

/** Substrate's node-name rule: the reason it is refused, or undefined when it is fine. */
export function nodeNameProblem(name: string): string | undefined {
  if (name.length === 0) return "node name cannot be empty";
  if ([...name].length >= NODE_NAME_MAX_LENGTH) {
    return `node name must be under ${NODE_NAME_MAX_LENGTH} characters`;
  }
  if (/[\\.@]/.test(name)) return "node name must not contain '.', '@' or '\\'";
  if (/^https?:/.test(name)) return "node name must not be a URL";
  return undefined;
}

const ADJECTIVES = [
  "amber",
  "brisk",
  "calm",
  "deft",
  "eager",
  "fair",
  "gentle",
  "hardy",
  "keen",
  "lucid",
];
const NOUNS = [
  "badger",
  "comet",
  "delta",
  "ember",
  "falcon",
  "grove",
  "harbor",
  "meadow",
  "quartz",
  "river",
];

/** A random default name like Substrate's (`brisk-comet-4821`), so telemetry can tell nodes apart. */
export function randomNodeName(random: () => number = Math.random): string {
  const pick = (words: readonly string[]) => words[Math.floor(random() * words.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(random() * 10_000)}`;
}
