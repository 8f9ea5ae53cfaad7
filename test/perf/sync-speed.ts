// Sync speed: node A holds a pre-built dev chain of `blocks` blocks (authored in-process straight
// into its database) and runs as a full node, so it serves the chain but authors nothing; node B
// starts empty with A as its only bootnode. This process watches B's new heads over RPC and times
// B's start, first peer, first block and the block that reaches A's best. For a ratio within the
// run, the same blocks are also imported in-process into a fresh store: sync's ceiling without the
// network.
import { join } from "node:path";
import { BlockImporter } from "../../consensus/block-import.ts";
import { chainPaths } from "../../node/config.ts";
import { peerIdFromNodeKey } from "../../node/network/index.ts";
import { SignatureVerifier } from "../../primitives/signature-verifier.ts";
import { builtinChainSpec } from "../../runtime/chain-spec.ts";
import { type DevGenesis, devGenesis, openDevStore } from "./dev-chain.ts";
import {
  freePort,
  headerFromRpc,
  NodeFleet,
  nodeKeyArg,
  randomNodeKey,
  sleep,
} from "./node-process.ts";
import { buildSyncChain, type SyncChainOptions } from "./sync-chain.ts";

export interface SyncSpeedOptions extends SyncChainOptions {
  /** Stop when B has not reached the target after this long… */
  timeoutSeconds: number;
  /** …or when its best block has not moved for this long: the sync stalled. */
  stallSeconds: number;
}

export interface SyncSpeed {
  blocks: number;
  transfersPerBlock: number;
  /** Whether B reached A's best; if not, the figures below cover the blocks it did import. */
  completed: boolean;
  reachedNumber: number;
  /** B's peer count when the measurement stopped. */
  peersAtEnd: number;
  /** Authoring the chain into A's database, in-process (not timed as sync). */
  setupSeconds: number;
  /** Milliseconds after B's spawn: its RPC answers, it has a peer, its first block is imported. */
  rpcReadyMs: number;
  firstPeerMs: number;
  timeToFirstBlockMs: number;
  /** B's spawn until its best block is A's best (or, if it stalled, its last import). */
  totalSeconds: number;
  /** Blocks synced over the time from B's first peer to its last import: the headline. */
  blocksPerSecond: number;
  /** Blocks synced over the time from B's spawn (process start and connection included). */
  blocksPerSecondFromStart: number;
  /** The same blocks imported in-process, one at a time, into a fresh store (no network). */
  importBlocksPerSecond: number;
  /** `blocksPerSecond / importBlocksPerSecond`: the share of plain import speed sync achieves. */
  syncToImport: number;
  /** Seconds after B's spawn at which B's best passed each tenth of the chain. */
  progress: { number: number; seconds: number }[];
  /** Distinct warnings in each node's log: why a sync stalled, if it did. */
  warnings: { a: string[]; b: string[] };
}

const NODE_START_TIMEOUT_MS = 60_000;
const PEER_POLL_MS = 25;

export async function measureSyncSpeed(
  dir: string,
  options: SyncSpeedOptions,
  log: (line: string) => void,
): Promise<SyncSpeed> {
  const spec = builtinChainSpec("dev")!;
  const dev = devGenesis();
  const baseA = join(dir, "a");
  const setupStart = performance.now();
  const store = await openDevStore(chainPaths(baseA, spec.id).database, dev);
  const verifier = new SignatureVerifier();
  let blocks: Uint8Array[];
  let importSeconds: number;
  try {
    const importer = new BlockImporter({
      store,
      verifier,
      genesisHash: dev.genesisHash,
      // The author's clock: its own blocks are never in its future.
      now: () => Number.MAX_SAFE_INTEGER,
    });
    blocks = await buildSyncChain(store, importer, dev, options);
    importSeconds = await timeImport(join(dir, "import"), dev, verifier, blocks);
  } finally {
    await verifier.close();
    await store.close();
  }
  const setupSeconds = (performance.now() - setupStart) / 1000 - importSeconds;
  const importBlocksPerSecond = blocks.length / importSeconds;
  log(
    `sync: ${options.blocks} blocks with ${options.transfersPerBlock} transfers each ` +
      `built into node A's database in ${setupSeconds.toFixed(1)} s; imported in-process at ` +
      `${importBlocksPerSecond.toFixed(0)} blocks/s`,
  );

  const keyA = randomNodeKey();
  const [p2pA, rpcA, p2pB, rpcB] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const common = (base: string, p2p: number, rpc: number, key: Uint8Array) => [
    "--chain",
    spec.id,
    "--base-path",
    base,
    "--listen-addr",
    `/ip4/127.0.0.1/tcp/${p2p}`,
    "--node-key",
    nodeKeyArg(key),
    "--rpc-port",
    String(rpc),
    "--no-prometheus",
  ];
  const fleet = new NodeFleet();
  try {
    const nodeA = fleet.start({
      name: "A",
      logFile: join(dir, "a.log"),
      args: common(baseA, p2pA, rpcA, keyA),
    });
    const clientA = await fleet.connect(
      nodeA,
      `ws://127.0.0.1:${rpcA}`,
      performance.now() + NODE_START_TIMEOUT_MS,
    );
    const bestA = await clientA.chain.getHeader();
    const target = bestA ? headerFromRpc(bestA).number : 0;
    if (target !== options.blocks) {
      throw new Error(`node A's best is #${target}, not #${options.blocks}:\n${nodeA.logTail()}`);
    }

    const bootnode = `/ip4/127.0.0.1/tcp/${p2pA}/p2p/${await peerIdFromNodeKey(keyA)}`;
    const nodeB = fleet.start({
      name: "B",
      logFile: join(dir, "b.log"),
      args: [...common(join(dir, "b"), p2pB, rpcB, randomNodeKey()), "--bootnodes", bootnode],
    });
    const since = (t: number) => t - nodeB.spawnedAt;
    const client = await fleet.connect(
      nodeB,
      `ws://127.0.0.1:${rpcB}`,
      nodeB.spawnedAt + NODE_START_TIMEOUT_MS,
    );
    const rpcReadyMs = since(performance.now());

    let firstBlockAt: number | undefined;
    let firstNumber: number | undefined;
    let best = 0;
    let bestAt: number | undefined;
    const progress: SyncSpeed["progress"] = [];
    const step = Math.max(1, Math.floor(target / 10));
    await client.chain.subscribeNewHeads((rpc) => {
      const now = performance.now();
      const number = Number.parseInt(rpc.number.slice(2), 16);
      // The subscription opens with B's current best: genesis, unless B was quicker than us.
      if (number === 0) return;
      firstNumber ??= number;
      firstBlockAt ??= now;
      if (number > best) [best, bestAt] = [number, now];
      if (number >= (progress.length + 1) * step) {
        progress.push({ number, seconds: since(now) / 1000 });
      }
    });

    let firstPeerAt: number | undefined;
    const deadline = nodeB.spawnedAt + options.timeoutSeconds * 1000;
    let stalled = false;
    while (best < target) {
      if (firstPeerAt === undefined && (await client.system.health()).peers > 0) {
        firstPeerAt = performance.now();
      }
      for (const node of [nodeA, nodeB]) {
        if (!node.running) throw new Error(`node ${node.name} exited:\n${node.logTail()}`);
      }
      const now = performance.now();
      if (now > deadline || now - (bestAt ?? nodeB.spawnedAt) > options.stallSeconds * 1000) {
        stalled = true;
        break;
      }
      await sleep(PEER_POLL_MS);
    }
    if (firstBlockAt === undefined || bestAt === undefined) {
      throw new Error(`node B imported no block in ${options.stallSeconds} s:\n${nodeB.logTail()}`);
    }
    if (firstNumber !== 1) {
      throw new Error(
        `node B imported #1 before its RPC subscription was open (first seen #${firstNumber})`,
      );
    }
    const peersAtEnd = (await client.system.health()).peers;
    // The poll may miss a connection made just before the first block arrived.
    firstPeerAt = Math.min(firstPeerAt ?? firstBlockAt, firstBlockAt);
    const blocksPerSecond = (best * 1000) / (bestAt - firstPeerAt);
    return {
      blocks: target,
      transfersPerBlock: options.transfersPerBlock,
      completed: !stalled,
      reachedNumber: best,
      peersAtEnd,
      setupSeconds,
      rpcReadyMs,
      firstPeerMs: since(firstPeerAt),
      timeToFirstBlockMs: since(firstBlockAt),
      totalSeconds: since(bestAt) / 1000,
      blocksPerSecond,
      blocksPerSecondFromStart: (best * 1000) / since(bestAt),
      importBlocksPerSecond,
      syncToImport: blocksPerSecond / importBlocksPerSecond,
      progress,
      warnings: { a: nodeA.warnings(), b: nodeB.warnings() },
    };
  } finally {
    await fleet.stopAll();
  }
}

/** Seconds to import `blocks` as they come from the network into a fresh store. */
async function timeImport(
  path: string,
  dev: DevGenesis,
  verifier: SignatureVerifier,
  blocks: readonly Uint8Array[],
): Promise<number> {
  const store = await openDevStore(path, dev);
  try {
    const importer = new BlockImporter({
      store,
      verifier,
      genesisHash: dev.genesisHash,
      now: () => Number.MAX_SAFE_INTEGER,
    });
    const start = performance.now();
    for (const block of blocks) await importer.importBlock(block, "network");
    return (performance.now() - start) / 1000;
  } finally {
    await store.close();
  }
}
