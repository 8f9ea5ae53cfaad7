// NetworkService over real sockets on 127.0.0.1: several nodes in this process, each on tcp port
// 0 with a fake chain. Waits are on the service's events, bounded by timeouts; where libp2p has no
// event (the gossipsub mesh, a closed connection) a bounded poll stands in.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, describe, it } from "node:test";
import {
  type GossipTopic,
  NetworkError,
  NetworkService,
  peerIdFromNodeKey,
  type Verdict,
} from "../../../node/network/index.ts";
import {
  FakeProvider,
  GENESIS_A,
  GENESIS_A_TWIN,
  GENESIS_B,
  handshaken,
  nextEvent,
  nodeKey,
  quietLog,
  startNode,
  type TestNode,
  until,
} from "./fixtures.ts";

const running: TestNode[] = [];
after(async () => {
  await Promise.all(running.map((n) => n.service.stop()));
});

let nextKey = 1;
async function node(
  name: string,
  options: Parameters<typeof startNode>[2] = {},
): Promise<TestNode> {
  const n = await startNode(name, nextKey++, options);
  running.push(n);
  return n;
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function refused(n: TestNode, peerId: string, reason: string) {
  return nextEvent(
    (l: (id: string, r: string) => void) => n.service.onPeerRefused(l),
    (id, r) => id === peerId && r === reason,
    `${reason} refusal of ${peerId.slice(-6)}`,
  );
}

function disconnected(n: TestNode, peerId: string) {
  return nextEvent(
    (l: (id: string) => void) => n.service.onPeerDisconnected(l),
    (id) => id === peerId,
    `disconnect of ${peerId.slice(-6)}`,
  );
}

function connectedTo(n: TestNode, peerId: string): boolean {
  return n.service.connections().some((c) => c.peerId === peerId);
}

async function meshed(n: TestNode, topic: GossipTopic, peerIds: string[]): Promise<void> {
  await until(
    () => peerIds.every((p) => n.service.meshPeers(topic).includes(p)),
    `${topic} mesh of ${n.service.peerId.slice(-6)}`,
  );
}

/** Collects what a node delivers on a topic, and lets a test wait for one message. */
function inbox(n: TestNode, topic: GossipTopic) {
  const got: { data: string; from: string }[] = [];
  n.service.onGossip(topic, (data, from) => got.push({ data: str(data), from }));
  return {
    got,
    waitFor: (data: string) =>
      nextEvent<[Uint8Array, string]>(
        (l) => n.service.onGossip(topic, l),
        (d) => str(d) === data,
        `gossip "${data}"`,
      ),
  };
}

describe("identity", () => {
  it("derives the same peer id from the same node key seed, across instances", async () => {
    const first = await peerIdFromNodeKey(nodeKey(200));
    assert.equal(await peerIdFromNodeKey(nodeKey(200)), first);
    assert.notEqual(await peerIdFromNodeKey(nodeKey(201)), first);
    assert.match(first, /^12D3KooW/);
    const service = await NetworkService.create({
      genesisHash: GENESIS_A,
      nodeKey: nodeKey(200),
      listenAddresses: ["/ip4/127.0.0.1/tcp/0"],
      bootnodes: [],
      provider: new FakeProvider(GENESIS_A, 2),
      log: quietLog,
    });
    assert.equal(service.peerId, first);
    await service.stop();
  });

  it("rejects a bad node key, genesis hash or bootnode", async () => {
    const base = {
      genesisHash: GENESIS_A,
      nodeKey: nodeKey(1),
      listenAddresses: [],
      bootnodes: [],
      provider: new FakeProvider(GENESIS_A, 2),
      log: quietLog,
    };
    await assert.rejects(NetworkService.create({ ...base, nodeKey: new Uint8Array(31) }), {
      code: "INVALID_OPTION",
    });
    await assert.rejects(NetworkService.create({ ...base, genesisHash: new Uint8Array(4) }), {
      code: "INVALID_OPTION",
    });
    await assert.rejects(NetworkService.create({ ...base, bootnodes: ["/ip4/127.0.0.1/tcp/1"] }), {
      code: "INVALID_MULTIADDR",
    });
    await assert.rejects(NetworkService.create({ ...base, bootnodes: ["not an address"] }), {
      code: "INVALID_MULTIADDR",
    });
  });
});

describe("handshake", () => {
  it("connects two nodes through a bootnode and exchanges statuses both ways", async () => {
    const a = await node("A", { chainLength: 10 });
    const b = await node("B", { chainLength: 4, bootnodes: [a.address] });
    b.provider.roles = "full";
    await Promise.all([
      handshaken(a, b.service.peerId, "A sees B"),
      handshaken(b, a.service.peerId, "B sees A"),
    ]);
    assert.ok(a.address.endsWith(`/p2p/${a.service.peerId}`));
    const [seenByB] = b.service.peers();
    assert.equal(seenByB?.peerId, a.service.peerId);
    assert.equal(seenByB?.bestNumber, 9);
    assert.equal(seenByB?.finalizedNumber, 7);
    assert.deepEqual(seenByB?.bestHash, a.provider.blocks[9]!.hash);
    assert.equal(seenByB?.roles, "authority");
    assert.equal(a.service.peers()[0]?.bestNumber, 3);

    // A new best block at A reaches B through announceStatus.
    a.provider.blocks = a.provider.blocks.concat(new FakeProvider(GENESIS_A, 12).blocks.slice(10));
    const update = nextEvent(
      (l: (id: string, s: { best: { number: number } }) => void) => b.service.onPeerStatus(l),
      (id, s) => id === a.service.peerId && s.best.number === 11,
      "A's new status at B",
    );
    a.service.announceStatus();
    await update;
    assert.equal(b.service.peerStatus(a.service.peerId)?.best.number, 11);
    assert.ok(b.service.bytesTransferred().inbound > 0);
    assert.ok(b.service.bytesTransferred().outbound > 0);
  });

  it("connects three nodes in a line", async () => {
    const a = await node("A3");
    const b = await node("B3", { bootnodes: [a.address] });
    const c = await node("C3", { bootnodes: [b.address] });
    await Promise.all([
      handshaken(b, a.service.peerId, "B sees A"),
      handshaken(b, c.service.peerId, "B sees C"),
      handshaken(c, b.service.peerId, "C sees B"),
    ]);
    assert.equal(b.service.peers().length, 2);
    assert.equal(a.service.peers().length, 1);
    assert.equal(c.service.peers().length, 1);
  });

  it("drops a peer on another genesis and does not redial it", async () => {
    const a = await node("G-A");
    const d = await node("G-D", { genesisHash: GENESIS_B, bootnodes: [a.address] });
    await refused(d, a.service.peerId, "other-chain");
    await until(
      () => !connectedTo(d, a.service.peerId) && !connectedTo(a, d.service.peerId),
      "the connection to close",
    );
    assert.equal(d.service.reputation(a.service.peerId).refused, "other-chain");
    assert.deepEqual(d.service.peers(), []);
    assert.deepEqual(a.service.peers(), []);
  });

  it("drops a peer whose genesis shares our prefix but differs, on both sides", async () => {
    const a = await node("T-A");
    const refusedAtA = new Promise<void>((resolve) => {
      a.service.onPeerRefused((_id, reason) => reason === "other-chain" && resolve());
    });
    const t = await node("T-T", { genesisHash: GENESIS_A_TWIN, bootnodes: [a.address] });
    await Promise.all([refused(t, a.service.peerId, "other-chain"), refusedAtA]);
    assert.equal(a.service.reputation(t.service.peerId).refused, "other-chain");
    assert.deepEqual(a.service.peers(), []);
  });

  it("refuses inbound peers beyond --in-peers", async () => {
    const hub = await node("L-hub", { inPeers: 1 });
    const x = await node("L-x", { bootnodes: [hub.address] });
    await handshaken(hub, x.service.peerId, "hub sees x");
    const y = await node("L-y", { bootnodes: [hub.address] });
    await refused(hub, y.service.peerId, "in-peers-full");
    assert.deepEqual(
      hub.service.peers().map((p) => p.peerId),
      [x.service.peerId],
    );
  });

  it("keeps a reserved peer connected, redialing it after it restarts with the same key", async () => {
    const keyByte = 150;
    const first = await startNode("R-peer", keyByte);
    const port = first.address.split("/")[4];
    const r = await node("R");
    await r.service.addReservedPeer(first.address);
    assert.deepEqual(r.service.reservedPeers(), [first.service.peerId]);
    await handshaken(r, first.service.peerId, "R sees the reserved peer");
    const gone = disconnected(r, first.service.peerId);
    await first.service.stop();
    await gone;
    const again = await startNode("R-peer again", keyByte, {
      listenAddresses: [`/ip4/127.0.0.1/tcp/${port}`],
    });
    running.push(again);
    assert.equal(again.service.peerId, first.service.peerId, "same key, same peer id");
    await handshaken(r, again.service.peerId, "R redials the reserved peer");
    await r.service.removeReservedPeer(again.service.peerId);
    assert.deepEqual(r.service.reservedPeers(), []);
  });
});

describe("gossip", () => {
  it("forwards from A to C through B only what B's validator accepts", async () => {
    const outcomes: string[] = [];
    const a = await node("GA");
    const b = await node("GB", {
      bootnodes: [a.address],
      metrics: { gossip: (topic, outcome) => outcomes.push(`${topic}:${outcome}`), peers() {} },
    });
    const c = await node("GC", { bootnodes: [b.address] });
    const verdictAtB = (data: Uint8Array): Verdict =>
      str(data).startsWith("bad") ? "reject" : "accept";
    b.service.setGossipValidator("transactions", verdictAtB);
    c.service.setGossipValidator("transactions", () => "accept");
    const atB = inbox(b, "transactions");
    const atC = inbox(c, "transactions");
    await Promise.all([
      handshaken(b, a.service.peerId, "B sees A"),
      handshaken(b, c.service.peerId, "B sees C"),
    ]);
    await meshed(b, "transactions", [a.service.peerId, c.service.peerId]);
    await meshed(a, "transactions", [b.service.peerId]);
    await meshed(c, "transactions", [b.service.peerId]);

    const good = atC.waitFor("good 1");
    await a.service.publish("transactions", text("bad 1"));
    await a.service.publish("transactions", text("good 1"));
    const [, from] = await good;
    assert.equal(from, b.service.peerId, "C got it from B, the node that forwarded it");
    // B validates one transaction at a time in arrival order, so "bad 1" was decided first.
    assert.deepEqual(
      atC.got.map((m) => m.data),
      ["good 1"],
    );
    assert.deepEqual(
      atB.got.map((m) => m.data),
      ["good 1"],
    );
    assert.deepEqual(outcomes, ["transactions:reject", "transactions:accept"]);
    const score = b.service.reputation(a.service.peerId).score;
    assert.ok(score < -9 && score > -10.1, `one rejection costs 10, score is ${score}`);
    assert.ok(
      b.service.peers().some((p) => p.peerId === a.service.peerId),
      "still connected",
    );
  });

  it("ignores messages on a topic with no validator, and refuses oversized ones", async () => {
    const outcomes: string[] = [];
    const a = await node("SA", { maxGossipBytes: { finality: 4096 } });
    const b = await node("SB", {
      bootnodes: [a.address],
      maxGossipBytes: { finality: 1024 },
      metrics: { gossip: (topic, outcome) => outcomes.push(`${topic}:${outcome}`), peers() {} },
    });
    await handshaken(b, a.service.peerId, "B sees A");
    await meshed(a, "finality", [b.service.peerId]);
    await meshed(a, "blocks", [b.service.peerId]);
    await assert.rejects(a.service.publish("finality", new Uint8Array(5000)), {
      code: "MESSAGE_TOO_LARGE",
    });
    await a.service.publish("blocks", text("no validator"));
    await until(() => outcomes.length === 1, "the blocks message to be judged");
    assert.deepEqual(outcomes, ["blocks:ignore"]);
    await a.service.publish("finality", new Uint8Array(2000));
    await until(() => outcomes.length === 2, "the oversized vote to be judged");
    assert.deepEqual(outcomes, ["blocks:ignore", "finality:reject"]);
    assert.ok(b.service.reputation(a.service.peerId).score < 0);
  });

  it("drops messages, with a metric, when a topic's queue is full", async () => {
    const outcomes: string[] = [];
    const a = await node("QA");
    const b = await node("QB", {
      bootnodes: [a.address],
      gossipQueues: { transactions: { capacity: 1, concurrency: 1 } },
      metrics: { gossip: (topic, outcome) => outcomes.push(`${topic}:${outcome}`), peers() {} },
    });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const validating = new Promise<void>((resolve) => {
      started = resolve;
    });
    b.service.setGossipValidator("transactions", async (): Promise<Verdict> => {
      started();
      await gate;
      return "accept";
    });
    const atB = inbox(b, "transactions");
    await handshaken(b, a.service.peerId, "B sees A");
    await meshed(a, "transactions", [b.service.peerId]);
    await a.service.publish("transactions", text("one"));
    await validating;
    await a.service.publish("transactions", text("two"));
    await a.service.publish("transactions", text("three"));
    await until(() => outcomes.includes("transactions:dropped"), "a dropped message");
    release();
    await until(() => atB.got.length === 2, "the two queued messages");
    assert.deepEqual(
      atB.got.map((m) => m.data),
      ["one", "two"],
    );
    assert.deepEqual(outcomes, [
      "transactions:dropped",
      "transactions:accept",
      "transactions:accept",
    ]);
  });

  it("disconnects and bans a peer whose gossip is rejected, and refuses its redial", async () => {
    const b = await node("BanB", { gossipRejectPenalty: 90 });
    const a = await node("BanA", { bootnodes: [b.address] });
    b.service.setGossipValidator("finality", () => "reject");
    await handshaken(b, a.service.peerId, "B sees A");
    await meshed(a, "finality", [b.service.peerId]);
    const banned = refused(b, a.service.peerId, "banned");
    const gone = disconnected(b, a.service.peerId);
    await a.service.publish("finality", text("forged vote"));
    await Promise.all([banned, gone]);
    assert.equal(b.service.reputation(a.service.peerId).refused, "banned");
    // A keeps B as a bootnode and redials it; B's gater refuses the new connection.
    await refused(b, a.service.peerId, "banned");
    assert.ok(!b.service.peers().some((p) => p.peerId === a.service.peerId));
  });

  it("disconnects a peer that falls below the disconnect threshold without banning it", async () => {
    const b = await node("LowB");
    const a = await node("LowA", { bootnodes: [b.address] });
    await handshaken(b, a.service.peerId, "B sees A");
    const gone = disconnected(b, a.service.peerId);
    b.service.reportPeer(a.service.peerId, 60, "invalid block");
    await gone;
    assert.equal(b.service.reputation(a.service.peerId).refused, "low-score");
  });
});

describe("block requests", () => {
  it("serves blocks by range and by hash, with bodies and justifications", async () => {
    const server = await node("S", { chainLength: 300 });
    const client = await node("Cl", { bootnodes: [server.address] });
    await handshaken(client, server.service.peerId, "client sees server");
    const blocks = server.provider.blocks;
    const id = server.service.peerId;

    assert.deepEqual(
      await client.service.requestBlocks(id, { fromNumber: 2, count: 3 }),
      blocks.slice(2, 5),
    );
    const withJustification = await client.service.requestBlocks(id, { fromNumber: 8, count: 1 });
    assert.deepEqual(withJustification[0]?.justification, new Uint8Array([0xf1, 8]));
    assert.deepEqual(
      await client.service.requestBlocks(id, { fromNumber: 298, count: 10 }),
      blocks.slice(298),
      "fewer at the head",
    );
    assert.deepEqual(
      await client.service.requestBlocks(id, { fromHash: blocks[6]!.hash, count: 3 }),
      [blocks[6], blocks[5], blocks[4]],
    );
    assert.deepEqual(
      await client.service.requestBlocks(id, { fromHash: new Uint8Array(32).fill(7), count: 3 }),
      [],
    );
    const many = await client.service.requestBlocks(id, { fromNumber: 0, count: 500 });
    assert.equal(many.length, 128, "at most 128 blocks per response");
    await assert.rejects(
      client.service.requestBlocks("12D3KooWnotapeer", { fromNumber: 0, count: 1 }),
      {
        code: "NOT_CONNECTED",
      },
    );
  });

  it("stops adding blocks at the byte cap but always sends one", async () => {
    const server = await node("Cap", { chainLength: 200, maxResponseBytes: 20_000 });
    const client = await node("CapC", { bootnodes: [server.address] });
    await handshaken(client, server.service.peerId, "client sees server");
    const got = await client.service.requestBlocks(server.service.peerId, {
      fromNumber: 100,
      count: 128,
    });
    assert.ok(got.length > 1 && got.length < 128, `${got.length} blocks`);
    assert.deepEqual(got, server.provider.blocks.slice(100, 100 + got.length));
    const bytes = got.reduce((sum, b) => sum + b.hash.length + b.header.length + b.body.length, 0);
    assert.ok(bytes <= 20_000);
  });

  it("refuses requests over the per-peer quota", async () => {
    const server = await node("Qs", { quotas: { blocks: { burst: 4, perSecond: 0.5 } } });
    const client = await node("Qc", { bootnodes: [server.address] });
    await handshaken(client, server.service.peerId, "client sees server");
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        client.service.requestBlocks(server.service.peerId, { fromNumber: 0, count: 1 }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const refusals = results.filter(
      (r) =>
        r.status === "rejected" &&
        r.reason instanceof NetworkError &&
        r.reason.code === "REFUSED" &&
        (r.reason as NetworkError & { refusal?: number }).refusal === 1,
    ).length;
    assert.ok(ok >= 4 && ok <= 5, `${ok} served`);
    assert.equal(ok + refusals, 12, "the rest refused as over quota");
    assert.ok(server.service.reputation(client.service.peerId).score < 0);
  });
});

describe("shutdown", () => {
  it("closes the listener and every connection", async () => {
    const a = await startNode("X-A", 240);
    const b = await startNode("X-B", 241, { bootnodes: [a.address] });
    await handshaken(b, a.service.peerId, "B sees A");
    const port = Number(a.address.split("/")[4]);
    const gone = disconnected(b, a.service.peerId);
    await a.service.stop();
    await gone;
    assert.deepEqual(a.service.connections(), []);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => reject(new Error("still listening")));
      socket.once("error", () => resolve());
    });
    await b.service.stop();
    await b.service.stop();
    await assert.rejects(b.service.publish("blocks", text("late")), { code: "STOPPED" });
  });
});
