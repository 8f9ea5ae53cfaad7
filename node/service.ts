// The node service: opens the database, writes genesis, and wires the importer, transaction pool,
// slot authorship, finality, RPC, metrics and informant together. Everything is passed in or
// created here, nothing is global, so several nodes can run in one process (tests).
import { accessSync, constants, mkdirSync } from "node:fs";
import {
  type BlockEquivocation,
  BlockImporter,
  type ImportedBlock,
} from "../consensus/block-import.ts";
import { headerOf } from "../consensus/chain-view.ts";
import { FinalityVoter, type SignedVote, type VoteEquivocation } from "../consensus/finality.ts";
import { treeRoute } from "../consensus/tree-route.ts";
import { fromHex, toHex } from "../primitives/bytes.ts";
import {
  decodeBody,
  encodeBody,
  encodeHeader,
  extrinsicHash,
  type Header,
  headerHash,
} from "../primitives/chain.ts";
import { devKeypair } from "../primitives/dev-accounts.ts";
import { LineageError } from "../primitives/errors.ts";
import { type Keypair, keypairFromSeed, verifyFast } from "../primitives/keys.ts";
import { SignatureVerifier } from "../primitives/signature-verifier.ts";
import { createRpcServer } from "../rpc/node-rpc.ts";
import type { RpcServer } from "../rpc/server.ts";
import type { ChainSpec } from "../runtime/chain-spec.ts";
import { checkInvariants } from "../runtime/executive.ts";
import { genesisHeader, genesisStorage } from "../runtime/genesis.ts";
import { storage as authorityStorage } from "../runtime/pallets/authorities.ts";
import { healthRecord, latestHealthEpoch } from "../runtime/pallets/emission/index.ts";
import { RUNTIME_VERSION } from "../runtime/runtime.ts";
import { checkTransaction } from "../runtime/transaction.ts";
import { ChainStore } from "../state/chain-store.ts";
import { EMPTY_ROOT } from "../state/trie/node-codec.ts";
import { MemoryNodeSource } from "../state/trie/node-source.ts";
import { trieState } from "../state/trie-state.ts";
import { SlotWorker } from "./authorship.ts";
import { chainProvider } from "./block-provider.ts";
import { chainPaths, type NodeConfig } from "./config.ts";
import { formatImportedLine, formatReorgLine, Informant } from "./informant.ts";
import { Keystore, loadOrCreateNodeKey } from "./keystore.ts";
import type { NodeLogger } from "./logger.ts";
import { MetricsServer, NodeMetrics } from "./metrics.ts";
import { NetworkService } from "./network/index.ts";
import { createNodeApi } from "./rpc-api.ts";
import { ChainSync } from "./sync.ts";
import { limitsFromCli, TransactionPool, type ValidTransaction } from "./txpool/index.ts";
import { IMPLEMENTATION_NAME, NODE_VERSION } from "./version.ts";
import { readVoterRecord, voterRecordPath, writeVoterRecord } from "./voter-record.ts";

/** Key type of block-authoring keys in the keystore (Substrate's `aura`). */
export const AURA_KEY_TYPE = "aura";

/** Equivocation evidence kept in memory. */
const MAX_EVIDENCE = 1024;

export interface NodeServiceOptions {
  config: NodeConfig;
  spec: ChainSpec;
  /** The resolved base path (a temp directory with `--tmp`). */
  basePath: string;
  logger: NodeLogger;
  /** Run the runtime invariants after every imported block (tests). */
  checkInvariants?: boolean;
  now?: () => number;
}

export interface ChainGenesis {
  hash: Uint8Array;
  header: Header;
  storage: [Uint8Array, Uint8Array][];
}

/** The genesis block a chain spec describes. */
export function chainGenesis(spec: ChainSpec): ChainGenesis {
  const storage = genesisStorage(spec);
  const root = trieState(new MemoryNodeSource(), EMPTY_ROOT).applyChanges(
    storage.map(([key, value]) => ({ key, value })),
  ).root;
  const header = genesisHeader(root);
  return { hash: headerHash(header), header, storage };
}

/** Commits the genesis block and state into a store that holds no chain yet (else a no-op). */
export async function writeGenesis(store: ChainStore, genesis: ChainGenesis): Promise<void> {
  if (store.genesisHash() !== undefined) return;
  const trie = trieState(store.nodeSource, EMPTY_ROOT).applyChanges(
    genesis.storage.map(([key, value]) => ({ key, value })),
  );
  await store.commitGenesis({
    hash: genesis.hash,
    header: encodeHeader(genesis.header),
    body: encodeBody([]),
    stateRoot: trie.root,
    trie,
  });
}

type HeaderListener = (header: Header) => void;

export class NodeService {
  readonly config: NodeConfig;
  readonly spec: ChainSpec;
  readonly store: ChainStore;
  readonly pool: TransactionPool;
  readonly importer: BlockImporter;
  readonly genesisHash: Uint8Array;
  readonly metrics: NodeMetrics;
  readonly keystore: Keystore;
  readonly #logger: NodeLogger;
  readonly #verifier: SignatureVerifier;
  readonly #finality: FinalityVoter;
  readonly #finalityTimer: NodeJS.Timeout;
  /** Equivocation evidence, newest last, for a later slashing step. */
  readonly voteEquivocations: VoteEquivocation[] = [];
  readonly blockEquivocations: BlockEquivocation[] = [];
  readonly #slots: SlotWorker | null;
  readonly network: NetworkService;
  readonly sync: ChainSync;
  readonly #rpc: RpcServer;
  readonly #metricsServer: MetricsServer | null;
  readonly #informant: Informant;
  readonly #newHeads = new Set<HeaderListener>();
  readonly #finalizedHeads = new Set<HeaderListener>();
  #stopped = false;
  /** The best block whose health record the metrics show. */
  #healthShown: string | undefined;
  #lastFinalized: number;

  private constructor(
    options: NodeServiceOptions,
    store: ChainStore,
    genesisHash: Uint8Array,
    keystore: Keystore,
    network: NetworkService,
  ) {
    const { config, spec, logger } = options;
    this.config = config;
    this.spec = spec;
    this.store = store;
    this.genesisHash = genesisHash;
    this.keystore = keystore;
    this.network = network;
    this.#lastFinalized = store.finalized().number;
    this.#logger = logger;
    const now = options.now ?? Date.now;
    this.metrics = new NodeMetrics({
      chain: spec.id,
      name: config.name,
      version: NODE_VERSION,
      role: config.role,
    });
    this.#verifier = new SignatureVerifier();
    this.importer = new BlockImporter({
      store,
      verifier: this.#verifier,
      genesisHash,
      now,
      checkInvariants: options.checkInvariants ? checkInvariants : undefined,
      onListenerError: (error) => this.#warn("substrate", error),
      onEquivocation: (evidence) => {
        this.blockEquivocations.push(evidence);
        if (this.blockEquivocations.length > MAX_EVIDENCE) this.blockEquivocations.shift();
        this.metrics.equivocations.inc({ kind: "block" });
        logger
          .child("aura")
          .warn(
            `⚠️  Equivocation: ${toHex(evidence.author)} sealed two blocks in slot ${evidence.slot}: ${toHex(headerHash(evidence.first))} and ${toHex(headerHash(evidence.second))}`,
          );
      },
    });
    this.pool = new TransactionPool({
      validate: (bytes, at) => this.#validate(bytes, at),
      best: store.best(),
      limits: limitsFromCli(config.pool.readyLimit, config.pool.readyBytes / 1024),
      banTimeSeconds: config.pool.banSeconds,
    });
    const keys = () => this.authorityKeys();
    const slotMs = authorityStorage.slotDuration.get(store.stateAtBlock(store.best().hash));
    const roundFile = voterRecordPath(chainPaths(options.basePath, spec.id).root);
    const record = readVoterRecord(roundFile, genesisHash);
    const finalityLog = logger.child("finality");
    this.#finality = new FinalityVoter({
      store,
      genesisHash,
      localKeys: keys,
      broadcast: (vote) => this.#broadcastVote(vote),
      onFinalized: (block) => this.#onFinalized(block),
      onEquivocation: (evidence) => {
        this.voteEquivocations.push(evidence);
        if (this.voteEquivocations.length > MAX_EVIDENCE) this.voteEquivocations.shift();
        this.metrics.equivocations.inc({ kind: "vote" });
        finalityLog.warn(
          `⚠️  Equivocation by ${toHex(evidence.authority)} in round ${evidence.round}: ${toHex(evidence.first.targetHash)} and ${toHex(evidence.second.targetHash)}`,
        );
      },
      initialRound: record.round,
      initialVotes: record.votes,
      onRound: (round) => {
        if (round !== record.round) record.votes = [];
        record.round = round;
        writeVoterRecord(roundFile, genesisHash, record);
      },
      onVoted: (vote) => {
        if (vote.round !== record.round) return;
        record.votes.push(vote);
        writeVoterRecord(roundFile, genesisHash, record);
      },
      onError: (error) => this.#warn("finality", error),
      roundTimeoutMs: Math.max(1000, 2 * slotMs),
      rebroadcastMs: Math.max(500, slotMs),
    });
    this.#finalityTimer = setInterval(
      () => {
        try {
          this.#finality.tick(now());
        } catch (error) {
          this.#warn("finality", error);
        }
      },
      Math.max(100, Math.floor(slotMs / 4)),
    );
    this.#finalityTimer.unref();
    this.#slots =
      config.role === "authority"
        ? new SlotWorker({
            store,
            importer: this.importer,
            pool: this.pool,
            genesisHash,
            keys,
            log: logger.child("aura"),
            metrics: this.metrics,
            now,
          })
        : null;
    this.importer.onImported((block) => this.#onImported(block));
    this.sync = new ChainSync({
      store,
      importer: this.importer,
      voter: this.#finality,
      pool: this.pool,
      network,
      log: logger.child("sync"),
    });

    const api = createNodeApi({
      store,
      pool: this.pool,
      spec,
      name: IMPLEMENTATION_NAME,
      version: NODE_VERSION,
      role: config.role,
      keystore,
      metrics: this.metrics,
      network,
      sync: this.sync,
      voter: this.#finality,
      onSubmitted: (bytes) => this.sync.announceTransaction(bytes),
      heads: {
        onNewHead: (listener) => subscribe(this.#newHeads, listener),
        onFinalizedHead: (listener) => subscribe(this.#finalizedHeads, listener),
      },
    });
    const rpcLog = logger.child("rpc");
    this.#rpc = createRpcServer(api, {
      host: config.rpc.external ? "0.0.0.0" : "127.0.0.1",
      port: config.rpc.port,
      methods: config.rpc.methods,
      cors: config.rpc.cors === "all" ? "all" : [...config.rpc.cors],
      maxConnections: config.rpc.maxConnections,
      maxRequestBytes: config.rpc.maxRequestBytes,
      maxResponseBytes: config.rpc.maxResponseBytes,
      maxSubscriptionsPerConnection: config.rpc.maxSubscriptionsPerConnection,
      maxBatchLength: config.rpc.maxBatchRequestLen ?? Number.MAX_SAFE_INTEGER,
      logger: {
        debug: (m) => rpcLog.debug(m),
        info: (m) => rpcLog.info(m),
        warn: (m) => rpcLog.warn(m),
      },
      metrics: this.metrics.rpc,
    });
    this.#metricsServer = config.prometheus.enabled
      ? new MetricsServer(this.metrics.registry, {
          port: config.prometheus.port,
          external: config.prometheus.external,
        })
      : null;
    const substrateLog = logger.child("substrate");
    this.#informant = new Informant({
      log: { info: (m) => substrateLog.info(m) },
      status: () => {
        const bytes = network.bytesTransferred();
        const sync = this.sync.state();
        return {
          sync: this.sync.isSyncing
            ? { kind: "syncing" as const, target: sync.highestBlock }
            : { kind: "idle" as const },
          peers: network.peers().length,
          best: { number: store.best().number, hash: toHex(store.best().hash) },
          finalized: { number: store.finalized().number, hash: toHex(store.finalized().hash) },
          totalBytesInbound: bytes.inbound,
          totalBytesOutbound: bytes.outbound,
        };
      },
    });
  }

  /** Opens (or creates) the chain under the base path and starts every service. */
  static async start(options: NodeServiceOptions): Promise<NodeService> {
    const { config, spec, logger } = options;
    const log = logger.child("lineage");
    const paths = chainPaths(options.basePath, spec.id);
    prepareBasePath(options.basePath, paths.root);
    const genesis = chainGenesis(spec);
    const store = await ChainStore.open(
      { path: paths.database },
      {
        pruning: config.statePruning === "archive" ? "archive" : { keep: config.statePruning },
        genesisHash: genesis.hash,
      },
    );
    let service: NodeService | undefined;
    let network: NetworkService | undefined;
    try {
      await writeGenesis(store, genesis);
      const keystore = new Keystore(paths.keystore);
      if (config.devAccount !== undefined) {
        keystore.insertSeed(AURA_KEY_TYPE, devKeypair(config.devAccount).secretKey);
      }
      const nodeKey =
        config.network.nodeKey !== undefined
          ? fromHex(`0x${config.network.nodeKey}`, 32)
          : loadOrCreateNodeKey(paths.nodeKey).secret;
      const networkLog = logger.child("network");
      network = await NetworkService.create({
        genesisHash: genesis.hash,
        nodeKey,
        listenAddresses: [...config.network.listenAddresses],
        bootnodes: [...config.network.bootnodes, ...spec.bootNodes],
        reservedPeers: [...config.network.reservedNodes],
        inPeers: config.network.inPeers,
        outPeers: config.network.outPeers,
        mdns: config.network.discoverLocal,
        provider: chainProvider(store, genesis.hash, config.role),
        log: networkLog,
        // The service (and its metrics) exist by the time the network starts receiving.
        metrics: {
          gossip: (topic, outcome) =>
            service?.metrics.gossipMessages.inc({ topic, verdict: outcome }),
          peers: (count) => service?.metrics.peersCount.set(count),
        },
      });
      service = new NodeService(options, store, genesis.hash, keystore, network);
      log.info(`📋 Chain specification: ${spec.name}`);
      log.info(`🏷  Node name: ${config.name}`);
      log.info(`👤 Role: ${config.role === "authority" ? "AUTHORITY" : "FULL"}`);
      log.info(`💾 Database: LevelDB at ${paths.database}`);
      log.info(
        `🔨 Initializing Genesis block/state (state: ${toHex(genesis.header.stateRoot)}, header-hash: ${toHex(genesis.hash)})`,
      );
      const best = store.best();
      log.info(`📦 Highest known block at #${best.number}`);
      await service.#startServices();
      return service;
    } catch (error) {
      if (service) await service.stop();
      else {
        await network?.stop();
        await store.close();
      }
      throw error;
    }
  }

  async #startServices(): Promise<void> {
    this.#updateHeights();
    await this.#rpc.start();
    if (this.#metricsServer) {
      const { host, port } = await this.#metricsServer.start();
      this.#logger.child("lineage").info(`〽️ Prometheus exporter started at ${host}:${port}`);
    }
    this.sync.start();
    await this.network.start();
    this.#informant.start();
    // A restart may find blocks authored after the last finalization: vote on them.
    this.#finality.onBlock();
    this.#slots?.start();
  }

  /** Stops authoring first, then waits for the block in flight, then closes everything. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#slots?.stop();
    clearInterval(this.#finalityTimer);
    await this.sync.stop();
    await this.network.stop();
    // Blocks in flight may still hand the voter work: let them land first.
    await this.importer.idle();
    await this.#finality.idle();
    this.#informant.stop();
    await this.#rpc.stop();
    await this.#metricsServer?.stop();
    await this.importer.idle();
    await this.#verifier.close();
    await this.store.close();
  }

  rpcAddress(): { host: string; port: number } {
    return this.#rpc.address();
  }

  metricsAddress(): { host: string; port: number } | null {
    return this.#metricsServer?.address() ?? null;
  }

  /** The authority keys in this node's keystore. */
  authorityKeys(): Keypair[] {
    return this.keystore
      .list(AURA_KEY_TYPE)
      .map((publicKey) => this.keystore.get(AURA_KEY_TYPE, publicKey))
      .filter((seed): seed is Uint8Array => seed !== undefined)
      .map((seed) => keypairFromSeed(seed));
  }

  /** Finality votes this node signs go out as gossip. */
  #broadcastVote(vote: SignedVote): void {
    this.sync?.announceVote(vote);
  }

  #validate(bytes: Uint8Array, at: { number: number; hash: Uint8Array }): ValidTransaction {
    const checked = checkTransaction(
      this.store.stateAtBlock(at.hash),
      bytes,
      {
        blockNumber: at.number + 1,
        parentHash: at.hash,
        genesisHash: this.genesisHash,
        version: RUNTIME_VERSION,
      },
      { exactNonce: false, verifySignature: verifyFast },
    );
    return {
      priority: checked.priority,
      provides: checked.provides,
      requires: checked.requires,
      longevity: checked.longevity,
      propagate: true,
    };
  }

  #onImported(block: ImportedBlock): void {
    const log = this.#logger.child("substrate");
    const number = block.header.number;
    log.info(
      formatImportedLine({
        number,
        hash: toHex(block.hash),
        parentHash: toHex(block.header.parentHash),
        isNewBest: block.isBest,
      }),
    );
    this.metrics.importQueueProcessed.inc({ result: "success" });
    this.metrics.blockVerificationAndImportTime.observe(block.importMs / 1000);
    this.#updateHeights();
    if (!block.isBest) return;
    const ref = { hash: block.hash, number };
    const route = treeRoute(this.store, block.previousBest, ref);
    if (route.retracted.length > 0) {
      log.info(formatReorgLine(hexRef(block.previousBest), hexRef(ref), hexRef(route.common)));
      const retracted = route.retracted.map((r) => ({
        hash: r.hash,
        transactions: this.#bodyOf(r.hash),
      }));
      this.pool.resubmit(retracted).catch((e) => this.#warn("txpool", e));
    }
    this.pool
      .onBlockImported({
        number,
        hash: block.hash,
        includedHashes: block.extrinsics.map(extrinsicHash),
      })
      .then(() => this.metrics.readyTransactions.set(this.pool.status().ready))
      .catch((e) => this.#warn("txpool", e));
    if (block.origin === "own") {
      this.sync.announceBlock({ header: block.header, extrinsics: block.extrinsics });
    } else {
      this.network.announceStatus();
    }
    for (const listener of this.#newHeads) listener(block.header);
    this.#finality.onBlock();
  }

  #onFinalized(block: { hash: Uint8Array; number: number }): void {
    this.#updateHeights();
    this.network.announceStatus();
    // Every block from the previous finalized one up is now final, in order.
    for (let n = this.#lastFinalized + 1; n <= block.number; n++) {
      const hash = this.store.getCanonicalHash(n);
      if (hash === undefined) continue;
      this.pool.onFinalized(hash, this.#bodyOf(hash).map(extrinsicHash));
    }
    this.#lastFinalized = block.number;
    const header = headerOf(this.store, block.hash);
    if (header === undefined) return;
    for (const listener of this.#finalizedHeads) listener(header);
  }

  /** Shows the best block's latest economic health record (a reorg may change it). */
  #updateHealth(): void {
    const best = this.store.best().hash;
    const key = toHex(best);
    if (key === this.#healthShown) return;
    this.#healthShown = key;
    const state = this.store.stateAtBlock(best);
    const epoch = latestHealthEpoch(state);
    const record = epoch === undefined ? undefined : healthRecord(state, epoch);
    if (record) this.metrics.setHealth(record);
  }

  #bodyOf(hash: Uint8Array): Uint8Array[] {
    const block = this.store.getBody(hash);
    return block ? decodeBody(block) : [];
  }

  #updateHeights(): void {
    this.metrics.setBlockHeights(this.store.best().number, this.store.finalized().number);
    this.#updateHealth();
    this.metrics.blockHeight.set({ status: "sync_target" }, this.sync.state().highestBlock);
    this.metrics.isMajorSyncing.set(this.sync.isSyncing ? 1 : 0);
  }

  #warn(target: string, error: unknown): void {
    if (this.#stopped) return;
    this.#logger.child(target).warn((error as Error).message ?? String(error));
  }
}

function subscribe(set: Set<HeaderListener>, listener: HeaderListener): () => void {
  set.add(listener);
  return () => set.delete(listener);
}

function hexRef(ref: { hash: Uint8Array; number: number }) {
  return { number: ref.number, hash: toHex(ref.hash) };
}

/**
 * Creates the chain's directory under the base path and checks it can be written, so that a base
 * path that is a file, or one this user may not write, is one clear line before anything starts.
 */
export function prepareBasePath(basePath: string, root: string): void {
  try {
    mkdirSync(root, { recursive: true });
    accessSync(root, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOTDIR" || code === "EEXIST"
        ? "a file is in the way (the base path, or a directory under it, is not a directory)"
        : code === "EACCES" || code === "EPERM" || code === "EROFS"
          ? "it cannot be written by this user (read-only, or owned by another)"
          : (error as Error).message;
    throw new LineageError(
      "BASE_PATH_UNUSABLE",
      `--base-path ${basePath}: ${why}; choose another --base-path`,
    );
  }
}
