// Shared pieces of the network tests: a synthetic chain served by a fake BlockProvider, nodes on
// 127.0.0.1 port 0, and waits bounded by timeouts.

import {
  type BlockData,
  type BlockProvider,
  type ChainStatus,
  type NetworkOptions,
  NetworkService,
} from "../../../node/network/index.ts";
import { blake2b256 } from "../../../primitives/hash.ts";

export const GENESIS_A = blake2b256(new TextEncoder().encode("genesis A"));
export const GENESIS_B = blake2b256(new TextEncoder().encode("genesis B"));

/** A hash sharing GENESIS_A's first 4 bytes (so its protocol ids), different after them. */
export const GENESIS_A_TWIN = (() => {
  const twin = GENESIS_A.slice();
  twin[31] = (twin[31] ?? 0) ^ 0xff;
  return twin;
})();

export function nodeKey(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

/** Blocks 0..length-1 of a synthetic chain; every fourth block has a justification. */
export function syntheticChain(genesisHash: Uint8Array, length: number): BlockData[] {
  const blocks: BlockData[] = [];
  for (let n = 0; n < length; n++) {
    const header = new TextEncoder().encode(`header ${n}`);
    const hash = n === 0 ? genesisHash : blake2b256(new Uint8Array([...genesisHash, ...header]));
    const block: BlockData = { hash, header, body: new Uint8Array(n * 3).fill(n & 0xff) };
    if (n % 4 === 0 && n > 0) block.justification = new Uint8Array([0xf1, n & 0xff]);
    blocks.push(block);
  }
  return blocks;
}

export class FakeProvider implements BlockProvider {
  blocks: BlockData[];
  finalized: number;
  readonly genesisHash: Uint8Array;
  roles: "full" | "authority" = "authority";

  constructor(genesisHash: Uint8Array, length: number) {
    this.genesisHash = genesisHash;
    this.blocks = syntheticChain(genesisHash, length);
    this.finalized = Math.max(0, length - 3);
  }

  status(): ChainStatus {
    const best = this.blocks.length - 1;
    return {
      genesisHash: this.genesisHash,
      best: { hash: this.blocks[best]!.hash, number: best },
      finalized: { hash: this.blocks[this.finalized]!.hash, number: this.finalized },
      roles: this.roles,
    };
  }

  byNumberRange(from: number, count: number): BlockData[] {
    return this.blocks.slice(from, from + count);
  }

  byHash(hash: Uint8Array, count: number): BlockData[] {
    const index = this.blocks.findIndex((b) => Buffer.from(b.hash).equals(hash));
    if (index < 0) return [];
    return this.blocks.slice(Math.max(0, index - count + 1), index + 1).reverse();
  }
}

export const quietLog = { debug() {}, info() {}, warn() {} };

/** A log that prints when LINEAGE_TEST_NETWORK_LOG is set, for debugging a failing test. */
export function testLog(name: string) {
  if (!process.env.LINEAGE_TEST_NETWORK_LOG) return quietLog;
  const line = (level: string) => (message: string) =>
    process.stderr.write(`${name} ${level} ${message}\n`);
  return { debug: line("DEBUG"), info: line("INFO"), warn: line("WARN") };
}

export interface TestNode {
  service: NetworkService;
  provider: FakeProvider;
  address: string;
}

export async function startNode(
  name: string,
  keyByte: number,
  options: Partial<NetworkOptions> & { chainLength?: number } = {},
): Promise<TestNode> {
  const genesisHash = options.genesisHash ?? GENESIS_A;
  const provider =
    (options.provider as FakeProvider | undefined) ??
    new FakeProvider(genesisHash, options.chainLength ?? 10);
  const service = await NetworkService.create({
    genesisHash,
    nodeKey: nodeKey(keyByte),
    listenAddresses: ["/ip4/127.0.0.1/tcp/0"],
    bootnodes: [],
    mdns: false,
    log: testLog(name),
    redialInitialMs: 200,
    redialMaxMs: 2000,
    handshakeTimeoutMs: 5000,
    requestTimeoutMs: 5000,
    ...options,
    provider,
  });
  await service.start();
  const address = service.listenAddresses().find((a) => a.startsWith("/ip4/127.0.0.1/tcp/"));
  if (!address) throw new Error(`${name} has no 127.0.0.1 address`);
  return { service, provider, address };
}

/** Resolves with the first event `subscribe` reports that `match` accepts; rejects after `ms`. */
export function nextEvent<A extends unknown[]>(
  subscribe: (listener: (...args: A) => void) => () => void,
  match: (...args: A) => boolean,
  what: string,
  ms = 10_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const unsubscribe = subscribe((...args: A) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(args);
    });
  });
}

/** Polls `condition` every 20 ms (for states libp2p reports no event for); rejects after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until `node` has completed a handshake with the peer. */
export async function handshaken(node: TestNode, peerId: string, what: string): Promise<void> {
  if (node.service.peers().some((p) => p.peerId === peerId)) return;
  await nextEvent(
    (l: (id: string) => void) => node.service.onPeerStatus((id) => l(id)),
    (id) => id === peerId,
    what,
  );
}
