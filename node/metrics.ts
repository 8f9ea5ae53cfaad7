// Prometheus metrics, declared in one place under Substrate's names so that existing dashboards and
// alerts work unchanged; `lineage_*` only where Substrate has no equivalent. Each node owns a fresh
// Registry (never prom-client's global one) because tests run several nodes in one process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { createRpcMetrics, type RpcMetrics } from "../rpc/metrics.ts";

export type NodeRole = "full" | "authority";

// Substrate's `substrate_node_roles` values.
const ROLE_VALUE: Record<NodeRole, number> = { full: 1, authority: 4 };

export interface NodeMetricsOptions {
  /** The chain spec id: every series carries `chain="<id>"`, as in Substrate. */
  readonly chain: string;
  /** Node name and version for `substrate_build_info`. */
  readonly name: string;
  readonly version: string;
  readonly role: NodeRole;
  /** Unix seconds; defaults to the process start time. */
  readonly startTimeSeconds?: number;
}

// Seconds: from 5 ms to ~20 s, the span block import and proposal times live in.
const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

export class NodeMetrics {
  readonly registry: Registry;

  // Chain
  readonly blockHeight: Gauge<"status">;
  readonly finalityLagBlocks: Gauge;
  readonly blockVerificationAndImportTime: Histogram;
  readonly importQueueProcessed: Counter<"result">;
  readonly statePrunedStates: Counter;
  readonly equivocations: Counter<"kind">;
  readonly gossipMessages: Counter<"topic" | "verdict">;
  readonly isMajorSyncing: Gauge;

  // Authoring
  readonly proposerBlockConstructed: Histogram;
  readonly proposerNumberOfTransactions: Gauge;

  // Transaction pool
  readonly readyTransactions: Gauge;
  readonly txpoolSubmitted: Counter;
  readonly txpoolValidationsInvalid: Counter;

  // Network
  readonly peersCount: Gauge;

  // RPC: the series are declared by the RPC layer (rpc/metrics.ts), in this node's registry.
  readonly rpc: RpcMetrics;

  // Process
  readonly buildInfo: Gauge<"name" | "version">;
  readonly nodeRoles: Gauge;
  readonly processStartTime: Gauge;
  readonly economy: EconomyGauges;

  constructor(options: NodeMetricsOptions) {
    const registry = new Registry();
    registry.setDefaultLabels({ chain: options.chain });
    this.registry = registry;
    const registers = [registry];

    this.blockHeight = new Gauge({
      name: "substrate_block_height",
      help: "Block height info of the chain",
      labelNames: ["status"],
      registers,
    });
    this.finalityLagBlocks = new Gauge({
      name: "lineage_finality_lag_blocks",
      help: "Best block number minus finalized block number",
      registers,
    });
    this.blockVerificationAndImportTime = new Histogram({
      name: "substrate_block_verification_and_import_time",
      help: "Time taken to verify and import blocks (seconds)",
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.importQueueProcessed = new Counter({
      name: "substrate_import_queue_processed_total",
      help: "Blocks processed by the import queue, by result",
      labelNames: ["result"],
      registers,
    });
    this.statePrunedStates = new Counter({
      name: "lineage_state_pruned_states_total",
      help: "Block states removed by state pruning",
      registers,
    });
    this.equivocations = new Counter({
      name: "lineage_equivocations_total",
      help: "Equivocations detected: two blocks by one author in one slot, or two votes in one round",
      labelNames: ["kind"],
      registers,
    });
    this.gossipMessages = new Counter({
      name: "lineage_gossip_messages_total",
      help: "Gossip messages received, by topic and verdict (accept, ignore, reject, dropped)",
      labelNames: ["topic", "verdict"],
      registers,
    });
    this.isMajorSyncing = new Gauge({
      name: "substrate_sub_libp2p_is_major_syncing",
      help: "Whether the node is catching up with peers (1) or following the chain (0)",
      registers,
    });
    this.proposerBlockConstructed = new Histogram({
      name: "substrate_proposer_block_constructed",
      help: "Time taken to construct new block (seconds)",
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.proposerNumberOfTransactions = new Gauge({
      name: "substrate_proposer_number_of_transactions",
      help: "Number of transactions included in the last proposed block",
      registers,
    });
    this.readyTransactions = new Gauge({
      name: "substrate_ready_transactions_number",
      help: "Number of transactions in the ready queue",
      registers,
    });
    this.txpoolSubmitted = new Counter({
      name: "substrate_sub_txpool_submitted_transactions",
      help: "Total number of transactions submitted",
      registers,
    });
    this.txpoolValidationsInvalid = new Counter({
      name: "substrate_sub_txpool_validations_invalid",
      help: "Total number of transactions that were removed from the pool as invalid",
      registers,
    });
    this.peersCount = new Gauge({
      name: "substrate_sub_libp2p_peers_count",
      help: "Number of connected peers",
      registers,
    });
    this.buildInfo = new Gauge({
      name: "substrate_build_info",
      help: "A metric with a constant '1' value labeled by name, version",
      labelNames: ["name", "version"],
      registers,
    });
    this.nodeRoles = new Gauge({
      name: "substrate_node_roles",
      help: "The roles the node is running as (1 = full, 4 = authority)",
      registers,
    });
    this.processStartTime = new Gauge({
      name: "substrate_process_start_time_seconds",
      help: "Number of seconds between the UNIX epoch and the moment the process started",
      registers,
    });

    this.rpc = createRpcMetrics(registry);
    this.economy = createEconomyGauges(registers);

    this.buildInfo.set({ name: options.name, version: options.version }, 1);
    this.nodeRoles.set(ROLE_VALUE[options.role]);
    this.processStartTime.set(
      options.startTimeSeconds ?? Math.floor(Date.now() / 1000 - process.uptime()),
    );
  }

  /** Sets best and finalized heights together so that the finality lag stays consistent. */
  setBlockHeights(best: number, finalized: number): void {
    this.blockHeight.set({ status: "best" }, best);
    this.blockHeight.set({ status: "finalized" }, finalized);
    this.finalityLagBlocks.set(Math.max(0, best - finalized));
  }

  /** Shows the latest economic health record (amounts in planck, as float64 gauges). */
  setHealth(r: HealthFigures): void {
    const g = this.economy;
    g.epoch.set(r.epoch);
    g.emitted.set({ share: "validators" }, Number(r.validators));
    g.emitted.set({ share: "contributors" }, Number(r.contributors));
    g.emitted.set({ share: "treasury" }, Number(r.treasury));
    g.scheduled.set(Number(r.scheduled));
    g.volume.set(Number(r.volume));
    g.selfDealing.set(Number(r.selfDealing));
    g.suspectedWash.set(Number(r.suspectedWash));
    g.ratio.set(
      r.emissionPerVolumePpm === null ? Number.NaN : Number(r.emissionPerVolumePpm) / 1e6,
    );
    g.payers.set(r.payers);
    g.contributors.set({ state: "active" }, r.activeContributors);
    g.contributors.set({ state: "passive" }, r.passiveContributors);
    g.reviewed.set({ outcome: "accepted" }, r.accepted);
    g.reviewed.set({ outcome: "rejected" }, r.rejected);
    g.retention.set(r.retentionPpm === null ? Number.NaN : r.retentionPpm / 1e6);
    g.gini.set(r.giniPpm / 1e6);
    g.issuance.set(Number(r.totalIssuance));
  }

  /** The Prometheus text exposition of every metric of this node. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** What the metrics show of an epoch's health record (the runtime's HealthRecord fits). */
export interface HealthFigures {
  epoch: number;
  scheduled: bigint;
  validators: bigint;
  contributors: bigint;
  treasury: bigint;
  volume: bigint;
  selfDealing: bigint;
  suspectedWash: bigint;
  emissionPerVolumePpm: bigint | null;
  payers: number;
  activeContributors: number;
  passiveContributors: number;
  accepted: number;
  rejected: number;
  retentionPpm: number | null;
  giniPpm: number;
  totalIssuance: bigint;
}

interface EconomyGauges {
  epoch: Gauge;
  emitted: Gauge<"share">;
  scheduled: Gauge;
  volume: Gauge;
  selfDealing: Gauge;
  suspectedWash: Gauge;
  ratio: Gauge;
  payers: Gauge;
  contributors: Gauge<"state">;
  reviewed: Gauge<"outcome">;
  retention: Gauge;
  gini: Gauge;
  issuance: Gauge;
}

/** `lineage_*` gauges of the latest closed epoch's health record (docs/economics.md). */
function createEconomyGauges(registers: Registry[]): EconomyGauges {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
  return {
    epoch: gauge("lineage_health_epoch", "The latest epoch with an economic health record"),
    emitted: new Gauge({
      name: "lineage_emission_minted_planck",
      help: "Emission minted in the latest closed epoch, by share",
      labelNames: ["share"],
      registers,
    }),
    scheduled: gauge(
      "lineage_emission_scheduled_planck",
      "The schedule's emission for the latest closed epoch",
    ),
    volume: gauge(
      "lineage_marketplace_volume_planck",
      "Marketplace volume of the latest closed epoch, self-dealing excluded",
    ),
    selfDealing: gauge(
      "lineage_self_dealing_planck",
      "Self-dealing payments of the latest closed epoch",
    ),
    suspectedWash: gauge(
      "lineage_suspected_wash_planck",
      "Volume of the latest closed epoch paid by accounts with a stake in the data they paid for",
    ),
    ratio: gauge(
      "lineage_emission_volume_ratio",
      "Emission minted / marketplace volume in the latest closed epoch (NaN without volume)",
    ),
    payers: gauge(
      "lineage_paying_consumers",
      "Distinct paying accounts in the latest closed epoch (self-dealing excluded)",
    ),
    contributors: new Gauge({
      name: "lineage_contributors",
      help: "Contributors who earned in the latest closed epoch (active) and those with accepted data and no earnings for N epochs (passive)",
      labelNames: ["state"],
      registers,
    }),
    reviewed: new Gauge({
      name: "lineage_contributions_reviewed",
      help: "Contributions accepted and rejected in the latest closed epoch",
      labelNames: ["outcome"],
      registers,
    }),
    retention: gauge(
      "lineage_high_quality_retention_ratio",
      "Share of the high-quality cohort of R epochs ago still contributing or earning (NaN for an empty cohort)",
    ),
    gini: gauge(
      "lineage_reward_gini",
      "Gini coefficient of the latest closed epoch's earnings over its earners",
    ),
    issuance: gauge(
      "lineage_total_issuance_planck",
      "Total issuance when the latest health record was written",
    ),
  };
}

export interface MetricsServerOptions {
  /** Default 9615; 0 picks a free port (tests). */
  readonly port?: number;
  /** Bind 0.0.0.0 instead of 127.0.0.1 (`--prometheus-external`). */
  readonly external?: boolean;
}

export const DEFAULT_PROMETHEUS_PORT = 9615;

/** Serves `GET /metrics` in the Prometheus text format; every other request gets 404. */
export class MetricsServer {
  readonly #registry: Registry;
  readonly #port: number;
  readonly #host: string;
  #server: Server | undefined;

  constructor(registry: Registry, options: MetricsServerOptions = {}) {
    this.#registry = registry;
    this.#port = options.port ?? DEFAULT_PROMETHEUS_PORT;
    this.#host = options.external === true ? "0.0.0.0" : "127.0.0.1";
  }

  /** Resolves once listening; the address tells the real port when 0 was asked for. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.#server !== undefined) throw new Error("metrics server already started");
    const server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, this.#host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    return this.address();
  }

  address(): { host: string; port: number } {
    const address = this.#server?.address();
    if (address === undefined || address === null || typeof address === "string") {
      throw new Error("metrics server is not listening");
    }
    return { host: address.address, port: address.port };
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    // Scrapers keep connections alive; without this close() would wait for them to time out.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end("Not found.\n");
      return;
    }
    try {
      const body = await this.#registry.metrics();
      response.writeHead(200, { "content-type": this.#registry.contentType });
      response.end(body);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end(`${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}
