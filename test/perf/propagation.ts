// Block propagation latency across local validators: N `lineage` processes on 127.0.0.1 with a
// devnet spec (the first N dev accounts as Aura authorities, every other node as a bootnode), and
// this process subscribed to chain_subscribeNewHeads on each. Every notification is stamped on
// this process's clock when it arrives; a block's latency at a node is its arrival there minus its
// first arrival anywhere, which is at its author (checked against the slot's Aura author).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { headerSlot } from "../../consensus/aura.ts";
import { devnetSpec } from "../../node/commands/devnet.ts";
import { peerIdFromNodeKey } from "../../node/network/index.ts";
import { toHex } from "../../primitives/bytes.ts";
import { headerHash } from "../../primitives/chain.ts";
import { DEV_ACCOUNT_NAMES } from "../../primitives/dev-accounts.ts";
import type { RpcClient } from "../../rpc/client.ts";
import {
  freePort,
  headerFromRpc,
  NodeFleet,
  nodeKeyArg,
  randomNodeKey,
  sleep,
} from "./node-process.ts";

export interface PropagationOptions {
  validators: number;
  slotMs: number;
  /** Blocks to collect after warm-up, each seen by every node. */
  blocks: number;
  /** Blocks authored after every node has all its peers, before collecting starts. */
  warmUpBlocks: number;
}

export interface LatencyDistribution {
  samples: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export interface BlockArrival {
  number: number;
  slot: number;
  /** Index of the node that saw the block first, and of the slot's Aura author. */
  firstNode: number;
  authorNode: number;
  /** Milliseconds after the first arrival, per node (0 at the first). */
  latencyMs: number[];
}

export interface PropagationLatency {
  validators: number;
  slotMs: number;
  /** From the first spawn until every node had all its peers. */
  startupSeconds: number;
  /** Blocks seen by every node and measured. */
  blocks: number;
  /** Blocks after warm-up that some node never reported as its new best (forks, missed). */
  incompleteBlocks: number;
  /** Measured blocks first reported by a node other than the slot's author. */
  firstNotAuthor: number;
  /** Each non-first node's arrival minus the first arrival: (validators − 1) samples per block. */
  perNodeMs: LatencyDistribution;
  /** Last arrival minus first: when the whole network has the block. */
  allNodesMs: LatencyDistribution;
  perBlock: BlockArrival[];
}

/** Time for the nodes to start and connect, and for the measured blocks beyond their slots. */
const STARTUP_TIMEOUT_MS = 60_000;
const COLLECT_SLACK_MS = 30_000;

export async function measurePropagation(
  dir: string,
  options: PropagationOptions,
  log: (line: string) => void,
): Promise<PropagationLatency> {
  const spec = devnetSpec(options.validators, options.slotMs);
  const specPath = join(dir, "spec.json");
  await writeFile(specPath, `${JSON.stringify(spec, null, 2)}\n`);
  const plans: { name: string; key: Uint8Array; p2p: number; rpc: number; addr: string }[] = [];
  for (const name of DEV_ACCOUNT_NAMES.slice(0, options.validators)) {
    const key = randomNodeKey();
    const peerId = await peerIdFromNodeKey(key);
    const p2p = await freePort();
    const rpc = await freePort();
    plans.push({ name, key, p2p, rpc, addr: `/ip4/127.0.0.1/tcp/${p2p}/p2p/${peerId}` });
  }

  const fleet = new NodeFleet();
  try {
    const startedAt = performance.now();
    const deadline = startedAt + STARTUP_TIMEOUT_MS;
    const nodes = plans.map((plan) =>
      fleet.start({
        name: plan.name,
        logFile: join(dir, `${plan.name}.log`),
        args: [
          "--chain",
          specPath,
          `--${plan.name}`,
          "--base-path",
          join(dir, plan.name),
          "--listen-addr",
          `/ip4/127.0.0.1/tcp/${plan.p2p}`,
          "--node-key",
          nodeKeyArg(plan.key),
          "--rpc-port",
          String(plan.rpc),
          "--no-prometheus",
          "--bootnodes",
          ...plans.filter((other) => other !== plan).map((other) => other.addr),
        ],
      }),
    );
    const clients = await Promise.all(
      nodes.map((node, i) => fleet.connect(node, `ws://127.0.0.1:${plans[i]!.rpc}`, deadline)),
    );

    const recorder = new ArrivalRecorder(options.validators);
    await Promise.all(
      clients.map((client, i) =>
        client.chain.subscribeNewHeads((header) => recorder.arrived(i, performance.now(), header)),
      ),
    );
    await waitForFullMesh(clients, options.validators - 1, deadline);
    const startupSeconds = (performance.now() - startedAt) / 1000;
    log(
      `propagation: ${options.validators} validators connected in ${startupSeconds.toFixed(1)} s; ` +
        `warming up for ${options.warmUpBlocks} blocks`,
    );

    // Blocks above this number, authored once everyone is connected and warmed up, are measured.
    const meshBest = recorder.highestNumber();
    const collectFrom = meshBest + options.warmUpBlocks + 1;
    const collectUntil =
      performance.now() +
      (options.warmUpBlocks + options.blocks) * options.slotMs * 2 +
      COLLECT_SLACK_MS;
    while (recorder.completeFrom(collectFrom).length < options.blocks) {
      if (performance.now() > collectUntil) break;
      if (recorder.error) throw recorder.error;
      const dead = nodes.find((node) => !node.running);
      if (dead) throw new Error(`${dead.name} exited during the measurement:\n${dead.logTail()}`);
      await sleep(50);
    }
    // Below the last measured block, a block some node never made its best lost a fork race.
    const complete = recorder.completeFrom(collectFrom).slice(0, options.blocks);
    if (complete.length === 0) {
      throw new Error(
        `no block reached all ${options.validators} nodes in time:\n${nodes[0]!.logTail()}`,
      );
    }
    const lastNumber = complete[complete.length - 1]!.number;
    const perBlock = complete.map((block) => block.arrival(options.validators));
    const perNode = perBlock.flatMap((b) => b.latencyMs.filter((_, i) => i !== b.firstNode));
    return {
      validators: options.validators,
      slotMs: options.slotMs,
      startupSeconds,
      blocks: perBlock.length,
      incompleteBlocks: recorder.incompleteBetween(collectFrom, lastNumber).length,
      firstNotAuthor: perBlock.filter((b) => b.firstNode !== b.authorNode).length,
      perNodeMs: distribution(perNode),
      allNodesMs: distribution(perBlock.map((b) => Math.max(...b.latencyMs))),
      perBlock,
    };
  } finally {
    await fleet.stopAll();
  }
}

/** Waits until every node reports `peers` connected peers. */
async function waitForFullMesh(
  clients: RpcClient[],
  peers: number,
  deadline: number,
): Promise<void> {
  for (;;) {
    const health = await Promise.all(clients.map((client) => client.system.health()));
    if (health.every((h) => h.peers >= peers)) return;
    if (performance.now() > deadline) {
      throw new Error(
        `the validators did not all connect in time (peers: ${health.map((h) => h.peers).join(", ")})`,
      );
    }
    await sleep(100);
  }
}

class SeenBlock {
  readonly number: number;
  readonly slot: number;
  readonly arrivals: (number | undefined)[];

  constructor(number: number, slot: number, nodes: number) {
    this.number = number;
    this.slot = slot;
    this.arrivals = new Array(nodes).fill(undefined);
  }

  get complete(): boolean {
    return this.arrivals.every((t) => t !== undefined);
  }

  arrival(validators: number): BlockArrival {
    const times = this.arrivals as number[];
    const first = Math.min(...times);
    return {
      number: this.number,
      slot: this.slot,
      firstNode: times.indexOf(first),
      // Aura: the slot's author is authorities[slot % n], and node i runs authority i.
      authorNode: this.slot % validators,
      latencyMs: times.map((t) => t - first),
    };
  }
}

/** Arrival times of new-best notifications per block hash and node, on one clock. */
class ArrivalRecorder {
  readonly #nodes: number;
  readonly #blocks = new Map<string, SeenBlock>();

  constructor(nodes: number) {
    this.#nodes = nodes;
  }

  /** The first notification that could not be read; thrown by the measurement loop. */
  error: Error | undefined;

  arrived(node: number, at: number, rpc: Parameters<typeof headerFromRpc>[0]): void {
    try {
      this.#arrived(node, at, rpc);
    } catch (error) {
      this.error ??= error as Error;
    }
  }

  #arrived(node: number, at: number, rpc: Parameters<typeof headerFromRpc>[0]): void {
    const header = headerFromRpc(rpc);
    // The subscription starts with the current best, which may be genesis (no slot).
    if (header.number === 0) return;
    const hash = toHex(headerHash(header));
    let block = this.#blocks.get(hash);
    if (block === undefined) {
      block = new SeenBlock(header.number, headerSlot(header), this.#nodes);
      this.#blocks.set(hash, block);
    }
    // A block can become best twice at a node (a reorg back to it): its first arrival counts.
    block.arrivals[node] ??= at;
  }

  highestNumber(): number {
    return Math.max(0, ...[...this.#blocks.values()].map((b) => b.number));
  }

  /** Blocks every node reported, numbered `from` or higher, in order. */
  completeFrom(from: number): SeenBlock[] {
    return [...this.#blocks.values()]
      .filter((b) => b.number >= from && b.complete)
      .sort((a, b) => a.number - b.number || a.slot - b.slot);
  }

  incompleteBetween(from: number, to: number): SeenBlock[] {
    return [...this.#blocks.values()].filter(
      (b) => b.number >= from && b.number <= to && !b.complete,
    );
  }
}

/** Nearest-rank percentiles. */
export function distribution(values: readonly number[]): LatencyDistribution {
  const sorted = values.toSorted((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return {
    samples: sorted.length,
    p50: rank(50),
    p95: rank(95),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
  };
}
