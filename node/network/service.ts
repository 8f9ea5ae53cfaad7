// The node's libp2p network: TCP, noise, yamux, identify and gossipsub, plus the two Lineage
// request-response protocols (status handshake, blocks by range or hash). It knows nothing of
// blocks beyond bytes: the node supplies its chain through a BlockProvider and judges gossip
// through validators; the service keeps the peer set healthy (handshakes, limits, quotas, scores,
// bans, redials) and never buffers without a bound.
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { generateKeyPairFromSeed } from "@libp2p/crypto/keys";
import { type GossipSub, gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import type {
  Connection,
  IdentifyResult,
  Libp2p,
  PeerId,
  PeerInfo,
  Stream,
} from "@libp2p/interface";
import { mdns } from "@libp2p/mdns";
import { peerIdFromPrivateKey, peerIdFromString } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { bytesEqual, toHex } from "../../primitives/bytes.ts";
import { HASH_LENGTH } from "../../primitives/hash.ts";
import { NODE_VERSION } from "../version.ts";
import { NetworkError } from "./errors.ts";
import {
  DEFAULT_GOSSIP_QUEUES,
  DEFAULT_MAX_GOSSIP_BYTES,
  type GossipListener,
  GossipPipeline,
  type GossipRouter,
  type GossipValidator,
} from "./gossip.ts";
import {
  type BlockData,
  type BlocksRequest,
  blockWireSize,
  type ChainStatus,
  decodeBlocksRequest,
  decodeResponse,
  decodeStatus,
  encodeBlocksRequest,
  encodeResponse,
  encodeStatus,
  MAX_BLOCKS_PER_RESPONSE,
  MAX_BLOCKS_REQUEST_FRAME,
  MAX_STATUS_FRAME,
  REFUSAL,
  type Response,
} from "./messages.ts";
import {
  type BlockProvider,
  DEFAULT_IN_PEERS,
  DEFAULT_OUT_PEERS,
  type NetworkLog,
  type NetworkMetrics,
  type NetworkOptions,
  type PeerSummary,
  type RefusalReason,
} from "./options.ts";
import { PeerScores } from "./peer-scores.ts";
import { type GossipTopic, type ProtocolIds, protocolIds } from "./protocols.ts";
import { type Quota, RateLimiter } from "./rate-limiter.ts";
import { RedialSchedule } from "./redial.ts";
import { describe, exchange, serve } from "./request-response.ts";
import { WireBytes } from "./wire-bytes.ts";

const DEFAULT_QUOTAS: Record<"status" | "blocks", Quota> = {
  status: { burst: 20, perSecond: 5 },
  blocks: { burst: 32, perSecond: 8 },
};

/** The largest frame a blocks response may be: the byte cap plus one maximal block. */
const MAX_BLOCKS_RESPONSE_FRAME = 16 * 1024 * 1024;
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAINTENANCE_INTERVAL_MS = 500;
/** Status announcements to one peer are at least this far apart (its quota refills 5 a second). */
const STATUS_ANNOUNCE_INTERVAL_MS = 250;
/** Concurrent dials to peers found by mDNS. */
const MAX_DISCOVERY_DIALS = 4;

interface Tuning {
  inPeers: number;
  outPeers: number;
  gossipRejectPenalty: number;
  requestAbusePenalty: number;
  maxGossipBytes: Record<GossipTopic, number>;
  maxResponseBytes: number;
  requestTimeoutMs: number;
  handshakeTimeoutMs: number;
  otherChainBanMs: number;
}

type Node = Libp2p<{ identify: unknown; pubsub: GossipSub }>;

interface ConnectedPeer {
  status: ChainStatus;
  /** Announcement to this peer in flight, and whether another is wanted after it. */
  announcing: boolean;
  announceAgain: boolean;
}

/** The peer id (base58 `12D3KooW…`) that a 32-byte node key seed gives. */
export async function peerIdFromNodeKey(nodeKey: Uint8Array): Promise<string> {
  return peerIdFromPrivateKey(await privateKeyFromNodeKey(nodeKey)).toString();
}

async function privateKeyFromNodeKey(nodeKey: Uint8Array) {
  if (!(nodeKey instanceof Uint8Array) || nodeKey.length !== 32) {
    throw new NetworkError("INVALID_OPTION", "the node key is a 32-byte ed25519 seed");
  }
  return generateKeyPairFromSeed("Ed25519", nodeKey);
}

/** Splits `/ip4/…/tcp/…/p2p/<id>` into the address and the peer id it names. */
function parsePeerAddress(address: string): { address: Multiaddr; peerId: string } {
  let parsed: Multiaddr;
  try {
    parsed = multiaddr(address);
  } catch (cause) {
    throw new NetworkError("INVALID_MULTIADDR", `not a multiaddr: ${address}`, { cause });
  }
  const p2p = parsed.getComponents().findLast((c) => c.name === "p2p");
  if (!p2p?.value) {
    throw new NetworkError(
      "INVALID_MULTIADDR",
      `${address} does not end in /p2p/<peer id>, so the peer cannot be authenticated`,
    );
  }
  try {
    return { address: parsed, peerId: peerIdFromString(p2p.value).toString() };
  } catch (cause) {
    throw new NetworkError("INVALID_MULTIADDR", `bad peer id in ${address}`, { cause });
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new NetworkError("INVALID_OPTION", `${name} must be a non-negative integer`);
  }
  return v;
}

function short(peer: string): string {
  return peer.length > 16 ? `…${peer.slice(-8)}` : peer;
}

export class NetworkService {
  readonly peerId: string;
  readonly #node: Node;
  readonly #gossip: GossipPipeline;
  readonly #ids: ProtocolIds;
  readonly #genesisHash: Uint8Array;
  readonly #provider: BlockProvider;
  readonly #log: NetworkLog;
  readonly #metrics: NetworkMetrics | null;
  readonly #tuning: Tuning;
  readonly #mdns: boolean;
  readonly #scores: PeerScores;
  readonly #quotas: Record<"status" | "blocks", RateLimiter>;
  readonly #statusListeners = new Set<(peerId: string, status: ChainStatus) => void>();
  readonly #disconnectListeners = new Set<(peerId: string) => void>();
  readonly #refusalListeners = new Set<(peerId: string, reason: RefusalReason) => void>();
  readonly #peers = new Map<string, ConnectedPeer>();
  readonly #handshakeTimers = new Map<string, NodeJS.Timeout>();
  readonly #bootnodes: RedialSchedule;
  readonly #reserved: RedialSchedule;
  readonly #discoveryDials = new Set<string>();
  readonly #wireBytes: WireBytes;
  readonly #stopController = new AbortController();
  #maintenance: NodeJS.Timeout | undefined;
  #state: "created" | "started" | "stopped" = "created";

  static async create(options: NetworkOptions): Promise<NetworkService> {
    if (
      !(options.genesisHash instanceof Uint8Array) ||
      options.genesisHash.length !== HASH_LENGTH
    ) {
      throw new NetworkError("INVALID_OPTION", `the genesis hash is ${HASH_LENGTH} bytes`);
    }
    const privateKey = await privateKeyFromNodeKey(options.nodeKey);
    const bootnodes = options.bootnodes.map(parsePeerAddress);
    const reserved = (options.reservedPeers ?? []).map(parsePeerAddress);
    const inPeers = positive(options.inPeers, DEFAULT_IN_PEERS, "inPeers");
    const outPeers = positive(options.outPeers, DEFAULT_OUT_PEERS, "outPeers");
    const maxGossipBytes = { ...DEFAULT_MAX_GOSSIP_BYTES, ...options.maxGossipBytes };
    const ids = protocolIds(options.genesisHash);
    const wireBytes = new WireBytes();

    // The gater runs inside libp2p before the service exists; it allows everything until the
    // service takes these two decisions over, right after it is constructed.
    const gate = {
      excluded: (_peerId: string) => false,
      denyInbound: (_peerId: string) => false,
    };
    const node = (await createLibp2p({
      start: false,
      privateKey,
      nodeInfo: { name: "lineage", version: NODE_VERSION },
      addresses: { listen: options.listenAddresses },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: (peerId: PeerId) => gate.excluded(peerId.toString()),
        denyInboundEncryptedConnection: (peerId: PeerId) => gate.denyInbound(peerId.toString()),
      },
      connectionManager: {
        // Our own limits (in/out peers) are stricter; this only stops libp2p pruning reserved peers.
        maxConnections: inPeers + outPeers + reserved.length + 8,
        // Local devnets connect many nodes from one address; the default (5/s per host) refuses them.
        inboundConnectionThreshold: 100,
      },
      peerDiscovery: options.mdns ? [mdns()] : [],
      metrics: () => wireBytes.component(),
      services: {
        identify: identify(),
        pubsub: gossipsub({
          // Lineage's payloads carry their own signatures; gossipsub's envelope stays anonymous
          // and message ids are hashes of the data, so the same transaction from two nodes is one.
          globalSignaturePolicy: "StrictNoSign",
          // Nothing is forwarded until our validator has accepted it.
          asyncValidation: true,
          allowedTopics: Object.values(ids.topics),
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          emitSelf: false,
          doPX: false,
          fallbackToFloodsub: false,
          maxInboundDataLength: Math.max(...Object.values(maxGossipBytes)) + 1024 * 1024,
          maxOutboundBufferSize: 32 * 1024 * 1024,
        }),
      },
    })) as unknown as Node;

    const service = new NetworkService(options, node, ids, wireBytes, {
      inPeers,
      outPeers,
      gossipRejectPenalty: options.gossipRejectPenalty ?? 10,
      requestAbusePenalty: options.requestAbusePenalty ?? 1,
      maxGossipBytes,
      maxResponseBytes: Math.min(
        options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        MAX_BLOCKS_RESPONSE_FRAME / 2,
      ),
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      otherChainBanMs: options.otherChainBanMs ?? 10 * 60_000,
    });
    gate.excluded = (peerId) => service.#excluded(peerId);
    gate.denyInbound = (peerId) => service.#denyInbound(peerId);
    for (const b of bootnodes) service.#bootnodes.add(b.peerId, b.address.toString());
    for (const r of reserved) service.#reserved.add(r.peerId, r.address.toString());
    return service;
  }

  private constructor(
    options: NetworkOptions,
    node: Node,
    ids: ProtocolIds,
    wireBytes: WireBytes,
    tuning: Tuning,
  ) {
    this.#node = node;
    this.peerId = node.peerId.toString();
    this.#ids = ids;
    this.#genesisHash = options.genesisHash;
    this.#provider = options.provider;
    this.#log = options.log;
    this.#metrics = options.metrics ?? null;
    this.#tuning = tuning;
    this.#mdns = options.mdns ?? false;
    this.#wireBytes = wireBytes;
    this.#scores = new PeerScores(options.scoring);
    this.#quotas = {
      status: new RateLimiter({ ...DEFAULT_QUOTAS.status, ...options.quotas?.status }),
      blocks: new RateLimiter({ ...DEFAULT_QUOTAS.blocks, ...options.quotas?.blocks }),
    };
    this.#gossip = new GossipPipeline(
      node.services.pubsub as GossipRouter,
      ids,
      {
        queues: { ...DEFAULT_GOSSIP_QUEUES, ...options.gossipQueues },
        maxBytes: tuning.maxGossipBytes,
      },
      {
        debug: (message) => this.#log.debug(message),
        warn: (message) => this.#log.warn(message),
        outcome: (topic, outcome) => this.#metrics?.gossip(topic, outcome),
        penalize: (peerId, reason) =>
          this.reportPeer(peerId, this.#tuning.gossipRejectPenalty, reason),
      },
    );
    const backoff = {
      initialMs: options.redialInitialMs ?? 1000,
      maxMs: options.redialMaxMs ?? 60_000,
    };
    this.#bootnodes = new RedialSchedule(backoff);
    this.#reserved = new RedialSchedule(backoff);
  }

  // ---- lifecycle ----

  async start(): Promise<void> {
    if (this.#state !== "created") throw new NetworkError("STOPPED", "a network starts once");
    this.#state = "started";
    const node = this.#node;
    await node.handle(
      this.#ids.status,
      (stream, connection) => this.#serveStatus(stream, connection),
      {
        maxInboundStreams: 4,
        maxOutboundStreams: 4,
      },
    );
    await node.handle(
      this.#ids.blocks,
      (stream, connection) => this.#serveBlocks(stream, connection),
      {
        maxInboundStreams: 16,
        maxOutboundStreams: 16,
      },
    );
    node.addEventListener("connection:open", (e) => this.#onConnectionOpen(e.detail));
    node.addEventListener("peer:disconnect", (e) => this.#onPeerDisconnect(e.detail));
    node.addEventListener("peer:identify", (e) => this.#onIdentify(e.detail));
    if (this.#mdns) node.addEventListener("peer:discovery", (e) => this.#onDiscovery(e.detail));
    this.#gossip.attach();
    try {
      await node.start();
    } catch (error) {
      throw listenError(error);
    }
    this.#gossip.subscribe();
    this.#log.info(
      `🏷  Local node identity is: ${this.peerId}; listening on ${this.listenAddresses().join(", ")}`,
    );
    this.#maintain();
    this.#maintenance = setInterval(() => this.#maintain(), MAINTENANCE_INTERVAL_MS);
    this.#maintenance.unref();
  }

  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    const wasStarted = this.#state === "started";
    this.#state = "stopped";
    clearInterval(this.#maintenance);
    this.#stopController.abort(new NetworkError("STOPPED", "the network is stopping"));
    for (const timer of this.#handshakeTimers.values()) clearTimeout(timer);
    this.#handshakeTimers.clear();
    this.#gossip.close();
    if (wasStarted) await this.#node.stop();
    this.#peers.clear();
    this.#metrics?.peers(0);
  }

  /** Our addresses, each ending in `/p2p/<our peer id>`. */
  listenAddresses(): string[] {
    return this.#node.getMultiaddrs().map((a) => a.toString());
  }

  // ---- peers ----

  /** Peers that completed the status handshake. */
  peers(): PeerSummary[] {
    return [...this.#peers].map(([peerId, { status }]) => ({
      peerId,
      roles: status.roles,
      bestHash: status.best.hash,
      bestNumber: status.best.number,
      finalizedNumber: status.finalized.number,
    }));
  }

  /** The latest status a handshaken peer sent. */
  peerStatus(peerId: string): ChainStatus | undefined {
    return this.#peers.get(peerId)?.status;
  }

  /** Every open connection, handshaken or not (for diagnostics). */
  connections(): { peerId: string; direction: "inbound" | "outbound"; address: string }[] {
    return this.#node.getConnections().map((c) => ({
      peerId: c.remotePeer.toString(),
      direction: c.direction,
      address: c.remoteAddr.toString(),
    }));
  }

  /** A peer's decayed score and whether its connections are refused now. */
  reputation(peerId: string): { score: number; refused: RefusalReason | null } {
    const exclusion = this.#scores.exclusion(peerId);
    const banReason = this.#scores.banReason(peerId);
    return {
      score: this.#scores.score(peerId),
      refused: exclusion ? (banReason === "other-chain" ? "other-chain" : exclusion.reason) : null,
    };
  }

  onPeerStatus(listener: (peerId: string, status: ChainStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  onPeerDisconnected(listener: (peerId: string) => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  /** A connection refused or dropped by policy (ban, score, other chain, limits, no handshake). */
  onPeerRefused(listener: (peerId: string, reason: RefusalReason) => void): () => void {
    this.#refusalListeners.add(listener);
    return () => this.#refusalListeners.delete(listener);
  }

  /**
   * Lowers a peer's score by `penalty` (raises it if negative). Below the disconnect threshold the
   * peer is disconnected; below the ban threshold it is also banned for a while.
   */
  reportPeer(peerId: string, penalty: number, reason: string): void {
    const action = this.#scores.report(peerId, penalty);
    const score = this.#scores.score(peerId).toFixed(1);
    if (action === "none") {
      this.#log.debug(`peer ${short(peerId)} ${-penalty} (${reason}), score ${score}`);
      return;
    }
    const refusal: RefusalReason = action === "ban" ? "banned" : "low-score";
    this.#log.warn(
      `${action === "ban" ? "banning" : "disconnecting"} peer ${peerId}: ${reason} (score ${score})`,
    );
    this.#drop(peerId, refusal);
  }

  async addReservedPeer(address: string): Promise<void> {
    const parsed = parsePeerAddress(address);
    if (parsed.peerId === this.peerId) {
      throw new NetworkError("INVALID_MULTIADDR", "a node cannot reserve itself");
    }
    this.#reserved.add(parsed.peerId, parsed.address.toString());
    this.#maintain();
  }

  async removeReservedPeer(peerId: string): Promise<void> {
    this.#reserved.remove(peerId);
  }

  reservedPeers(): string[] {
    return this.#reserved.peerIds();
  }

  bytesTransferred(): { inbound: number; outbound: number } {
    return this.#wireBytes.totals();
  }

  // ---- gossip ----

  /** Decides every received message on `topic`; only "accept" is delivered and forwarded. */
  setGossipValidator(topic: GossipTopic, validate: GossipValidator): void {
    this.#gossip.setValidator(topic, validate);
  }

  /** Accepted messages on `topic`, with the peer that forwarded each. */
  onGossip(topic: GossipTopic, listener: GossipListener): () => void {
    return this.#gossip.onMessage(topic, listener);
  }

  async publish(topic: GossipTopic, data: Uint8Array): Promise<void> {
    if (this.#state !== "started") throw new NetworkError("STOPPED", "the network is not running");
    await this.#gossip.publish(topic, data);
  }

  /** Peers in our gossipsub mesh for a topic (those we forward to). */
  meshPeers(topic: GossipTopic): string[] {
    return this.#gossip.meshPeers(topic);
  }

  // ---- requests ----

  /** Blocks from a handshaken peer, ascending by number or descending by ancestry from a hash. */
  async requestBlocks(peerId: string, request: BlocksRequest): Promise<BlockData[]> {
    const connection = this.#connectionTo(peerId);
    const count = Math.min(request.count, MAX_BLOCKS_PER_RESPONSE);
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new NetworkError("INVALID_OPTION", "a blocks request asks for 1 to 128 blocks");
    }
    const bytes = await exchange(
      connection,
      this.#ids.blocks,
      encodeBlocksRequest({ ...request, count }),
      { maxFrameBytes: MAX_BLOCKS_RESPONSE_FRAME, timeoutMs: this.#tuning.requestTimeoutMs },
      this.#stopController.signal,
    );
    const response = this.#decodeOrPenalize(peerId, bytes, MAX_BLOCKS_RESPONSE_FRAME);
    if (response.kind === "refusal") throw this.#refusalError(peerId, response);
    if (response.kind !== "blocks") {
      this.reportPeer(peerId, 10, "answered a blocks request with a status");
      throw new NetworkError("BAD_RESPONSE", "a blocks request answered with a status");
    }
    if (response.blocks.length > count) {
      this.reportPeer(peerId, 10, "sent more blocks than asked for");
      throw new NetworkError(
        "BAD_RESPONSE",
        `asked for ${count} blocks, got ${response.blocks.length}`,
      );
    }
    return response.blocks;
  }

  /** Sends our (changed) status to every handshaken peer; their replies refresh theirs. */
  announceStatus(): void {
    for (const peerId of this.#peers.keys()) this.#announceTo(peerId);
  }

  // ---- internals: connections and handshakes ----

  #connectionTo(peerId: string): Connection {
    if (this.#state !== "started") throw new NetworkError("STOPPED", "the network is not running");
    if (!this.#peers.has(peerId)) {
      throw new NetworkError("NOT_CONNECTED", `no handshaken connection to ${peerId}`);
    }
    const connection = this.#node
      .getConnections(peerIdFromString(peerId))
      .find((c) => c.status === "open");
    if (!connection) throw new NetworkError("NOT_CONNECTED", `no open connection to ${peerId}`);
    return connection;
  }

  #excluded(peerId: string): boolean {
    return this.#scores.exclusion(peerId) !== null;
  }

  #refusalReason(peerId: string): RefusalReason | null {
    return this.reputation(peerId).refused;
  }

  /** The gater's inbound check, after the noise handshake has authenticated the peer id. */
  #denyInbound(peerId: string): boolean {
    const refused = this.#refusalReason(peerId);
    if (refused) {
      this.#emitRefused(peerId, refused);
      return true;
    }
    if (this.#reserved.has(peerId)) return false;
    const inbound = this.#peerCount("inbound");
    if (inbound >= this.#tuning.inPeers) {
      this.#log.debug(`refusing ${short(peerId)}: ${inbound} inbound peers already`);
      this.#emitRefused(peerId, "in-peers-full");
      return true;
    }
    return false;
  }

  /** Distinct non-reserved peers with an open connection in `direction`. */
  #peerCount(direction: "inbound" | "outbound"): number {
    const peers = new Set<string>();
    for (const c of this.#node.getConnections()) {
      const id = c.remotePeer.toString();
      if (c.direction === direction && c.status === "open" && !this.#reserved.has(id))
        peers.add(id);
    }
    return peers.size;
  }

  #onConnectionOpen(connection: Connection): void {
    if (this.#state !== "started") return;
    const peerId = connection.remotePeer.toString();
    if (this.#peers.has(peerId)) return;
    if (!this.#handshakeTimers.has(peerId)) {
      const timer = setTimeout(() => {
        this.#handshakeTimers.delete(peerId);
        if (this.#state === "started" && !this.#peers.has(peerId)) {
          this.#log.debug(`no status handshake from ${short(peerId)} in time`);
          this.#drop(peerId, "handshake-timeout");
        }
      }, this.#tuning.handshakeTimeoutMs);
      timer.unref();
      this.#handshakeTimers.set(peerId, timer);
    }
    // The dialer opens the handshake; the listener answers it (and learns the dialer's status).
    if (connection.direction === "outbound") void this.#sendStatus(peerId, connection);
  }

  #onIdentify(result: IdentifyResult): void {
    if (this.#state !== "started") return;
    const peerId = result.peerId.toString();
    if (!result.protocols.includes(this.#ids.status)) {
      this.#rejectOtherChain(peerId, "does not speak our status protocol");
    }
  }

  #onPeerDisconnect(peer: PeerId): void {
    const peerId = peer.toString();
    const timer = this.#handshakeTimers.get(peerId);
    if (timer) clearTimeout(timer);
    this.#handshakeTimers.delete(peerId);
    this.#forget(peerId);
  }

  /** A peer we no longer talk to: gone from `peers()` at once, even before the socket closes. */
  #forget(peerId: string): void {
    if (!this.#peers.delete(peerId)) return;
    this.#log.debug(`peer ${short(peerId)} disconnected`);
    this.#metrics?.peers(this.#peers.size);
    for (const listener of this.#disconnectListeners) this.#safely(() => listener(peerId));
  }

  #onDiscovery(info: PeerInfo): void {
    if (this.#state !== "started") return;
    const peerId = info.id.toString();
    if (peerId === this.peerId || this.#discoveryDials.has(peerId)) return;
    if (this.#discoveryDials.size >= MAX_DISCOVERY_DIALS || this.#excluded(peerId)) return;
    if (this.#node.getConnections(info.id).length > 0) return;
    if (this.#peerCount("outbound") >= this.#tuning.outPeers) return;
    this.#discoveryDials.add(peerId);
    this.#node
      .dial(info.id, { signal: this.#stopController.signal })
      .catch((e) => this.#log.debug(`dialing discovered ${short(peerId)} failed: ${describe(e)}`))
      .finally(() => this.#discoveryDials.delete(peerId));
  }

  /** Redials reserved peers always, and bootnodes while we have outbound slots. */
  #maintain(): void {
    if (this.#state !== "started") return;
    const now = Date.now();
    const connected = (peerId: string) =>
      this.#node.getConnections(peerIdFromString(peerId)).length > 0;
    const due = [
      ...this.#reserved.due(now, connected).map((t) => ({ target: t, schedule: this.#reserved })),
      ...this.#bootnodes.due(now, connected).map((t) => ({ target: t, schedule: this.#bootnodes })),
    ];
    let outbound = this.#peerCount("outbound");
    for (const { target, schedule } of due) {
      const exclusion = this.#scores.exclusion(target.peerId);
      if (exclusion) {
        schedule.deferUntil(target.peerId, exclusion.until ?? now + 5_000);
        continue;
      }
      const isReserved = schedule === this.#reserved;
      if (!isReserved && this.#reserved.has(target.peerId)) continue;
      if (!isReserved && outbound >= this.#tuning.outPeers) continue;
      if (!isReserved) outbound += 1;
      schedule.started(target.peerId, now);
      this.#node
        .dial(multiaddr(target.address), {
          signal: AbortSignal.any([
            this.#stopController.signal,
            AbortSignal.timeout(this.#tuning.requestTimeoutMs),
          ]),
        })
        .catch((e) => {
          if (this.#state === "started") {
            this.#log.debug(`dialing ${target.address} failed: ${describe(e)}`);
          }
        })
        .finally(() => schedule.finished(target.peerId));
    }
  }

  /** Closes every connection to a peer and tells listeners why. */
  #drop(peerId: string, reason: RefusalReason): void {
    this.#emitRefused(peerId, reason);
    this.#forget(peerId);
    if (this.#state !== "started") return;
    this.#node
      .hangUp(peerIdFromString(peerId))
      .catch((e) => this.#log.debug(`closing ${short(peerId)}: ${describe(e)}`));
  }

  #rejectOtherChain(peerId: string, why: string): void {
    if (this.#scores.banReason(peerId) === "other-chain") return;
    this.#log.info(`peer ${peerId} is on another chain (${why}); not connecting to it for a while`);
    this.#scores.ban(peerId, this.#tuning.otherChainBanMs, "other-chain");
    this.#drop(peerId, "other-chain");
  }

  #emitRefused(peerId: string, reason: RefusalReason): void {
    for (const listener of this.#refusalListeners) this.#safely(() => listener(peerId, reason));
  }

  #safely(call: () => void): void {
    try {
      call();
    } catch (e) {
      this.#log.warn(`a network listener threw: ${describe(e)}`);
    }
  }

  /** Records a peer's status; false (and the peer dropped) when it is on another chain. */
  #acceptStatus(peerId: string, status: ChainStatus): boolean {
    if (!bytesEqual(status.genesisHash, this.#genesisHash)) {
      this.#rejectOtherChain(peerId, `genesis ${toHex(status.genesisHash)}`);
      return false;
    }
    if (this.#state !== "started" || this.#excluded(peerId)) return false;
    const known = this.#peers.get(peerId);
    if (known) {
      known.status = status;
    } else {
      this.#peers.set(peerId, { status, announcing: false, announceAgain: false });
      const timer = this.#handshakeTimers.get(peerId);
      if (timer) clearTimeout(timer);
      this.#handshakeTimers.delete(peerId);
      this.#bootnodes.welcomed(peerId);
      this.#reserved.welcomed(peerId);
      this.#log.debug(
        `peer ${short(peerId)} (${status.roles}) best #${status.best.number}, finalized #${status.finalized.number}`,
      );
      this.#metrics?.peers(this.#peers.size);
    }
    for (const listener of this.#statusListeners) this.#safely(() => listener(peerId, status));
    return true;
  }

  /** Sends our status to a peer and records the one it answers with. */
  async #sendStatus(peerId: string, connection?: Connection): Promise<void> {
    try {
      const conn = connection ?? this.#connectionTo(peerId);
      const bytes = await exchange(
        conn,
        this.#ids.status,
        encodeStatus(this.#provider.status()),
        { maxFrameBytes: MAX_STATUS_FRAME, timeoutMs: this.#tuning.requestTimeoutMs },
        this.#stopController.signal,
      );
      const response = this.#decodeOrPenalize(peerId, bytes, MAX_STATUS_FRAME);
      if (response.kind === "status") {
        this.#acceptStatus(peerId, response.status);
      } else if (response.kind === "refusal" && response.code === REFUSAL.otherChain) {
        this.#rejectOtherChain(peerId, response.reason);
      } else {
        this.#log.debug(`status to ${short(peerId)} not answered: ${JSON.stringify(response)}`);
      }
    } catch (e) {
      if (this.#state !== "started") return;
      if ((e as { cause?: { name?: string } }).cause?.name === "UnsupportedProtocolError") {
        this.#rejectOtherChain(peerId, "does not speak our status protocol");
        return;
      }
      this.#log.debug(`status exchange with ${short(peerId)} failed: ${describe(e)}`);
    }
  }

  /**
   * At most one announcement in flight per peer; a newer status waits for it and follows, no
   * sooner than STATUS_ANNOUNCE_INTERVAL_MS after it. Without that pause a node importing blocks
   * fast (syncing) announces after every block, runs over the peer's status quota and is
   * penalized, then disconnected, by honest peers.
   */
  #announceTo(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    if (peer.announcing) {
      peer.announceAgain = true;
      return;
    }
    peer.announcing = true;
    void this.#sendStatus(peerId).finally(() => {
      const next = setTimeout(() => {
        peer.announcing = false;
        if (peer.announceAgain && this.#peers.get(peerId) === peer && this.#state === "started") {
          peer.announceAgain = false;
          this.#announceTo(peerId);
        }
      }, STATUS_ANNOUNCE_INTERVAL_MS);
      next.unref();
    });
  }

  #decodeOrPenalize(peerId: string, bytes: Uint8Array, maxBytes: number): Response {
    try {
      return decodeResponse(bytes, maxBytes);
    } catch (e) {
      this.reportPeer(peerId, 20, `malformed response: ${describe(e)}`);
      throw e instanceof NetworkError
        ? e
        : new NetworkError("BAD_RESPONSE", describe(e), { cause: e });
    }
  }

  #refusalError(peerId: string, refusal: Extract<Response, { kind: "refusal" }>): NetworkError {
    const error = new NetworkError(
      "REFUSED",
      `${short(peerId)} refused the request (code ${refusal.code}): ${refusal.reason}`,
    );
    (error as NetworkError & { refusal?: number }).refusal = refusal.code;
    return error;
  }

  // ---- internals: serving requests ----

  /** A request over quota or malformed costs the requester a little score and gets a refusal. */
  #refuse(peerId: string, code: number, reason: string): Uint8Array {
    if (code === REFUSAL.overQuota || code === REFUSAL.badRequest) {
      this.reportPeer(peerId, this.#tuning.requestAbusePenalty, reason);
    }
    return encodeResponse({ kind: "refusal", code: code as 1, reason });
  }

  async #serveStatus(stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer.toString();
    let otherChain = false;
    await serve(
      stream,
      { maxFrameBytes: MAX_STATUS_FRAME, timeoutMs: this.#tuning.requestTimeoutMs },
      (request) => {
        if (!this.#quotas.status.tryTake(peerId)) {
          return this.#refuse(peerId, REFUSAL.overQuota, "status requests over quota");
        }
        let status: ChainStatus;
        try {
          status = decodeStatus(request);
        } catch (e) {
          return this.#refuse(peerId, REFUSAL.badRequest, `malformed status: ${describe(e)}`);
        }
        if (!bytesEqual(status.genesisHash, this.#genesisHash)) {
          otherChain = true;
          return encodeResponse({
            kind: "refusal",
            code: REFUSAL.otherChain,
            reason: `genesis is ${toHex(this.#genesisHash)}`,
          });
        }
        this.#acceptStatus(peerId, status);
        return encodeResponse({ kind: "status", status: this.#provider.status() });
      },
      this.#stopController.signal,
    ).catch((e) => this.#log.debug(`serving status to ${short(peerId)}: ${describe(e)}`));
    // Answered first, so that the other side learns why before the connection closes.
    if (otherChain) this.#rejectOtherChain(peerId, "its status names another genesis");
  }

  async #serveBlocks(stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer.toString();
    await serve(
      stream,
      { maxFrameBytes: MAX_BLOCKS_REQUEST_FRAME, timeoutMs: this.#tuning.requestTimeoutMs },
      (request) => {
        if (!this.#quotas.blocks.tryTake(peerId)) {
          return this.#refuse(peerId, REFUSAL.overQuota, "block requests over quota");
        }
        let parsed: BlocksRequest;
        try {
          parsed = decodeBlocksRequest(request);
        } catch (e) {
          return this.#refuse(
            peerId,
            REFUSAL.badRequest,
            `malformed block request: ${describe(e)}`,
          );
        }
        let blocks: BlockData[];
        try {
          blocks = this.#blocksFor(parsed);
        } catch (e) {
          this.#log.warn(`serving blocks to ${short(peerId)} failed: ${describe(e)}`);
          return encodeResponse({
            kind: "refusal",
            code: REFUSAL.internal,
            reason: "internal error",
          });
        }
        return encodeResponse({ kind: "blocks", blocks });
      },
      this.#stopController.signal,
    ).catch((e) => this.#log.debug(`serving blocks to ${short(peerId)}: ${describe(e)}`));
  }

  /** At most 128 blocks, and no more once the byte cap is reached (but always the first). */
  #blocksFor(request: BlocksRequest): BlockData[] {
    const count = Math.min(request.count, MAX_BLOCKS_PER_RESPONSE);
    const all =
      "fromHash" in request
        ? this.#provider.byHash(request.fromHash, count)
        : this.#provider.byNumberRange(request.fromNumber, count);
    const out: BlockData[] = [];
    let bytes = 0;
    for (const block of all.slice(0, count)) {
      const size = blockWireSize(block);
      if (out.length > 0 && bytes + size > this.#tuning.maxResponseBytes) break;
      if (size > MAX_BLOCKS_RESPONSE_FRAME - 1024) throw new Error("a block larger than a frame");
      out.push(block);
      bytes += size;
    }
    return out;
  }
}

/**
 * A listen address libp2p could not bind, as one line: libp2p reports every failed address with
 * its stack trace inside one message.
 */
function listenError(error: unknown): unknown {
  const message = (error as Error).message ?? "";
  const busy = /EADDRINUSE[^\n]*?address already in use ([^\s]+)/.exec(message);
  if (busy)
    return new NetworkError(
      "PORT_IN_USE",
      `the p2p address ${busy[1]} is already in use (another node?): choose another --port or --listen-addr, or stop the other process`,
    );
  const refused = /(EADDRNOTAVAIL|EACCES)[^\n]*?(\S+:\d+)/.exec(message);
  if (refused)
    return new NetworkError(
      "LISTEN_FAILED",
      `cannot listen for p2p on ${refused[2]} (${refused[1]}): choose another --port or --listen-addr`,
    );
  return error;
}
