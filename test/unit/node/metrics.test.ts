import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MetricsServer, NodeMetrics } from "../../../node/metrics.ts";

function newMetrics(chain = "lineage-test"): NodeMetrics {
  return new NodeMetrics({
    chain,
    name: "Alice",
    version: "0.1.0-abc",
    role: "authority",
    startTimeSeconds: 1_700_000_000,
  });
}

describe("NodeMetrics over HTTP", () => {
  const metrics = newMetrics();
  const server = new MetricsServer(metrics.registry, { port: 0 });
  let base = "";

  before(async () => {
    const { host, port } = await server.start();
    assert.equal(host, "127.0.0.1");
    base = `http://127.0.0.1:${port}`;
  });
  after(() => server.stop());

  it("serves Substrate's metric names with the chain label", async () => {
    metrics.setBlockHeights(1234, 1231);
    metrics.readyTransactions.set(7);
    metrics.importQueueProcessed.inc({ result: "success" });
    metrics.blockVerificationAndImportTime.observe(0.02);
    metrics.rpc.callStarted("http", "chain_getHeader");
    metrics.rpc.callFinished("http", "chain_getHeader", false, 120);
    metrics.statePrunedStates.inc(3);

    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await response.text();
    const expected = [
      'substrate_block_height{status="best",chain="lineage-test"} 1234',
      'substrate_block_height{status="finalized",chain="lineage-test"} 1231',
      'lineage_finality_lag_blocks{chain="lineage-test"} 3',
      'substrate_ready_transactions_number{chain="lineage-test"} 7',
      'substrate_import_queue_processed_total{result="success",chain="lineage-test"} 1',
      'substrate_block_verification_and_import_time_count{chain="lineage-test"} 1',
      'substrate_build_info{name="Alice",version="0.1.0-abc",chain="lineage-test"} 1',
      'substrate_node_roles{chain="lineage-test"} 4',
      'substrate_process_start_time_seconds{chain="lineage-test"} 1700000000',
      'substrate_rpc_calls_started{protocol="http",method="chain_getHeader",chain="lineage-test"} 1',
      'substrate_rpc_calls_finished{protocol="http",method="chain_getHeader",is_error="false",chain="lineage-test"} 1',
      'lineage_state_pruned_states_total{chain="lineage-test"} 3',
    ];
    for (const line of expected) assert.ok(text.includes(`${line}\n`), `missing: ${line}`);
    for (const name of [
      "substrate_proposer_block_constructed",
      "substrate_proposer_number_of_transactions",
      "substrate_sub_libp2p_peers_count",
      "substrate_sub_txpool_submitted_transactions",
      "substrate_sub_txpool_validations_invalid",
      "substrate_rpc_calls_time",
      "substrate_rpc_sessions_opened",
      "substrate_rpc_sessions_closed",
    ]) {
      assert.ok(text.includes(`# TYPE ${name} `), `missing declaration: ${name}`);
    }
  });

  it("answers 404 elsewhere", async () => {
    for (const path of ["/", "/metrics/x", "/favicon.ico"]) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 404, path);
      await response.text();
    }
    const post = await fetch(`${base}/metrics`, { method: "POST" });
    assert.equal(post.status, 404);
    await post.text();
  });
});

describe("NodeMetrics isolation", () => {
  it("gives each node its own registry", async () => {
    const a = newMetrics("chain-a");
    const b = newMetrics("chain-b");
    a.peersCount.set(5);
    b.peersCount.set(2);
    assert.match(await a.render(), /substrate_sub_libp2p_peers_count\{chain="chain-a"\} 5\n/);
    assert.match(await b.render(), /substrate_sub_libp2p_peers_count\{chain="chain-b"\} 2\n/);
    assert.doesNotMatch(await a.render(), /chain-b/);
  });

  it("reports a full node as role 1 and binds all interfaces when external", async () => {
    const full = new NodeMetrics({ chain: "c", name: "n", version: "v", role: "full" });
    assert.match(await full.render(), /substrate_node_roles\{chain="c"\} 1\n/);
    const server = new MetricsServer(full.registry, { port: 0, external: true });
    const { host, port } = await server.start();
    try {
      assert.equal(host, "0.0.0.0");
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(response.status, 200);
      await response.text();
    } finally {
      await server.stop();
    }
    await server.stop(); // idempotent
  });
});

describe("economic health gauges", () => {
  it("show the latest health record under lineage_* names, NaN where a ratio is undefined", async () => {
    const metrics = newMetrics();
    const record = {
      epoch: 12,
      scheduled: 1_000n,
      validators: 200n,
      contributors: 150n,
      treasury: 200n,
      volume: 300n,
      selfDealing: 40n,
      suspectedWash: 25n,
      emissionPerVolumePpm: 1_833_333n,
      payers: 3,
      activeContributors: 5,
      passiveContributors: 2,
      accepted: 7,
      rejected: 1,
      retentionPpm: 500_000,
      giniPpm: 250_000,
      totalIssuance: 9_000_000n,
    };
    metrics.setHealth(record);
    const text = await metrics.render();
    for (const line of [
      'lineage_health_epoch{chain="lineage-test"} 12',
      'lineage_emission_minted_planck{share="contributors",chain="lineage-test"} 150',
      'lineage_emission_scheduled_planck{chain="lineage-test"} 1000',
      'lineage_marketplace_volume_planck{chain="lineage-test"} 300',
      'lineage_suspected_wash_planck{chain="lineage-test"} 25',
      'lineage_emission_volume_ratio{chain="lineage-test"} 1.833333',
      'lineage_paying_consumers{chain="lineage-test"} 3',
      'lineage_contributors{state="passive",chain="lineage-test"} 2',
      'lineage_contributions_reviewed{outcome="rejected",chain="lineage-test"} 1',
      'lineage_high_quality_retention_ratio{chain="lineage-test"} 0.5',
      'lineage_reward_gini{chain="lineage-test"} 0.25',
      'lineage_total_issuance_planck{chain="lineage-test"} 9000000',
    ])
      assert.ok(text.includes(line), `${line}\n${text}`);
    metrics.setHealth({ ...record, emissionPerVolumePpm: null, retentionPpm: null });
    // prom-client writes NaN as "Nan", which Prometheus parses case-insensitively.
    const after = await metrics.render();
    assert.ok(after.includes('lineage_emission_volume_ratio{chain="lineage-test"} Nan'));
    assert.ok(after.includes('lineage_high_quality_retention_ratio{chain="lineage-test"} Nan'));
  });
});
