// `lineage devnet --validators N`: a local multi-validator network on 127.0.0.1. It writes a chain
// spec with the first N dev accounts as authorities, gives each validator a fresh base path, a
// node key (so every peer id is known before start), free ports and every other node as a
// bootnode, starts them as child processes, prints their RPC URLs and PIDs, writes them to
// devnet.json, streams their logs with a name prefix, and stops them all on Ctrl-C.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Command } from "commander";
import { DEV_ACCOUNT_NAMES, devKeypair } from "../../primitives/dev-accounts.ts";
import { LineageError } from "../../primitives/errors.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import { builtinChainSpec, type ChainSpec } from "../../runtime/chain-spec.ts";
import { chainPaths } from "../config.ts";
import { peerIdFromNodeKey } from "../network/index.ts";

/** How long the nodes get to shut down cleanly before they are killed. */
const STOP_GRACE_MS = 15_000;

export interface DevnetNode {
  name: string;
  pid: number;
  peerId: string;
  multiaddr: string;
  rpc: string;
  http: string;
  prometheus: string;
  basePath: string;
}

/** `count` distinct ports the kernel says are free on 127.0.0.1 (all held open until chosen). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolveServer, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

/** The `local` spec with the first `count` dev accounts as authorities and the given slot. */
export function devnetSpec(count: number, slotMs: number | undefined): ChainSpec {
  const spec = structuredClone(builtinChainSpec("local")!);
  if (!("runtimeGenesis" in spec.genesis)) throw new Error("the local spec is not raw");
  const config = spec.genesis.runtimeGenesis.config;
  config.authorities.authorities = DEV_ACCOUNT_NAMES.slice(0, count).map((n) =>
    ss58Encode(devKeypair(n).publicKey, 42),
  );
  if (slotMs !== undefined) config.authorities.slotDuration = slotMs;
  return { ...spec, name: `Local Devnet (${count} validators)`, id: "devnet" };
}

function writeNodeKey(basePath: string, specId: string): Uint8Array {
  const key = new Uint8Array(randomBytes(32));
  const path = chainPaths(basePath, specId).nodeKey;
  mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}

export function devnetCommand(print: (text: string) => void): Command {
  return new Command("devnet")
    .description("Start N local validators on 127.0.0.1 and stop them all on Ctrl-C.")
    .option("--validators <n>", "number of validators, 1 to 6 (alice, bob, …)", "4")
    .option("-d, --base-path <dir>", "keep the network here (default: a temp dir, deleted on exit)")
    .option("--slot-duration <ms>", "slot duration in milliseconds (default: the local chain's)")
    .option("-l, --log <filters>", "log filters passed to every node", "info")
    .action(
      async (o: { validators: string; basePath?: string; slotDuration?: string; log: string }) => {
        const count = Number(o.validators);
        if (!/^\d+$/.test(o.validators) || count < 1 || count > DEV_ACCOUNT_NAMES.length) {
          throw new LineageError(
            "INVALID_CLI",
            `--validators: expected 1 to ${DEV_ACCOUNT_NAMES.length}, got ${o.validators}`,
          );
        }
        let slotMs: number | undefined;
        if (o.slotDuration !== undefined) {
          slotMs = Number(o.slotDuration);
          if (!/^\d+$/.test(o.slotDuration) || slotMs < 100) {
            throw new LineageError("INVALID_CLI", "--slot-duration: expected milliseconds ≥ 100");
          }
        }
        const temporary = o.basePath === undefined;
        const dir = o.basePath
          ? resolve(o.basePath)
          : mkdtempSync(join(tmpdir(), "lineage-devnet-"));
        mkdirSync(dir, { recursive: true });
        try {
          process.exitCode = await runDevnet(dir, count, slotMs, o.log, print);
        } finally {
          if (temporary) rmSync(dir, { recursive: true, force: true });
        }
      },
    );
}

async function runDevnet(
  dir: string,
  count: number,
  slotMs: number | undefined,
  log: string,
  print: (text: string) => void,
): Promise<number> {
  const spec = devnetSpec(count, slotMs);
  const specPath = join(dir, "spec.json");
  writeFileSync(specPath, `${JSON.stringify(spec, null, 2)}\n`);
  const plans = [];
  const ports = await freePorts(3 * count);
  for (const [i, name] of DEV_ACCOUNT_NAMES.slice(0, count).entries()) {
    const basePath = join(dir, name);
    const key = writeNodeKey(basePath, spec.id);
    const peerId = await peerIdFromNodeKey(key);
    const [p2p, rpc, prometheus] = ports.slice(3 * i, 3 * i + 3) as [number, number, number];
    plans.push({ name, basePath, peerId, p2p, rpc, prometheus });
  }
  const children: ChildProcess[] = [];
  const nodes: DevnetNode[] = [];
  let stopping = false;
  const exited: Promise<void>[] = [];
  for (const plan of plans) {
    const multiaddr = `/ip4/127.0.0.1/tcp/${plan.p2p}/p2p/${plan.peerId}`;
    const bootnodes = plans
      .filter((other) => other !== plan)
      .map((other) => `/ip4/127.0.0.1/tcp/${other.p2p}/p2p/${other.peerId}`);
    const args = [
      // The script this process runs: `lineage` itself (node/main.ts).
      process.argv[1]!,
      "--chain",
      specPath,
      `--${plan.name}`,
      "--base-path",
      plan.basePath,
      "--listen-addr",
      `/ip4/127.0.0.1/tcp/${plan.p2p}`,
      "--rpc-port",
      String(plan.rpc),
      "--prometheus-port",
      String(plan.prometheus),
      "--log",
      log,
      ...(bootnodes.length > 0 ? ["--bootnodes", ...bootnodes] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    const prefix = `[${plan.name}] `;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on("line", (line) => print(`${prefix}${line}\n`));
    }
    exited.push(
      new Promise((resolveExit) => {
        child.once("exit", (code, signal) => {
          if (!stopping) print(`${prefix}exited (${signal ?? `code ${code}`})\n`);
          resolveExit();
        });
      }),
    );
    nodes.push({
      name: plan.name,
      pid: child.pid ?? -1,
      peerId: plan.peerId,
      multiaddr,
      rpc: `ws://127.0.0.1:${plan.rpc}`,
      http: `http://127.0.0.1:${plan.rpc}`,
      prometheus: `http://127.0.0.1:${plan.prometheus}/metrics`,
      basePath: plan.basePath,
    });
  }
  const manifest = join(dir, "devnet.json");
  writeFileSync(manifest, `${JSON.stringify({ chain: specPath, nodes }, null, 2)}\n`);
  for (const node of nodes) print(`${node.name}: ${node.rpc} (pid ${node.pid})\n`);
  print(`Nodes written to ${manifest}; Ctrl-C stops them all.\n`);

  const signal = await Promise.race([
    new Promise<string>((resolveSignal) => {
      process.on("SIGINT", () => resolveSignal("SIGINT"));
      process.on("SIGTERM", () => resolveSignal("SIGTERM"));
    }),
    Promise.all(exited).then(() => "all nodes exited"),
  ]);
  stopping = true;
  print(`Stopping the devnet (${signal})\n`);
  for (const child of children) if (child.exitCode === null) child.kill("SIGINT");
  const killer = setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }, STOP_GRACE_MS);
  await Promise.all(exited);
  clearTimeout(killer);
  return signal === "all nodes exited" ? 1 : 0;
}
