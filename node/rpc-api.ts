// The node's side of the RPC interface: answers in Substrate's JSON shapes, read from the chain
// store, the runtime and the transaction pool. The RPC layer validates parameters and maps the
// LineageErrors thrown here to JSON-RPC errors.
import { blake2b } from "@noble/hashes/blake2.js";
import type { FinalityVoter } from "../consensus/finality.ts";
import { fromHex, toHex, utf8 } from "../primitives/bytes.ts";
import {
  type DigestItem,
  decodeBody,
  decodeHeader,
  type Header,
  isSigned,
} from "../primitives/chain.ts";
import { encodeMessage, messageType } from "../primitives/codec.ts";
import { keypairFromSuri } from "../primitives/dev-accounts.ts";
import { LineageError } from "../primitives/errors.ts";
import { generateKeypair } from "../primitives/keys.ts";
import { parseAccountId, ss58Encode } from "../primitives/ss58.ts";
import type {
  Hex,
  NodeApi,
  RpcHeader,
  RpcRoundState,
  RpcRuntimeVersion,
  RpcSignedBlock,
  RpcSyncState,
  RpcTransactionStatus,
  Unsubscribe,
} from "../rpc/node-api.ts";
import type { ChainSpec } from "../runtime/chain-spec.ts";
import { runtimeMetadata } from "../runtime/metadata.ts";
import { readAccount } from "../runtime/pallets/system.ts";
import { computeFee } from "../runtime/pallets/transaction-payment.ts";
import { RUNTIME_VERSION } from "../runtime/runtime.ts";
import { decodeCall, decodeTransaction, nonceTag, weighCall } from "../runtime/transaction.ts";
import type { ChainStore } from "../state/chain-store.ts";
import type { TrieState } from "../state/trie-state.ts";
import { ReportStore } from "./attest/report-store.ts";
import { attestationApi } from "./attestation-api.ts";
import { attributionApi } from "./attribution-api.ts";
import { emissionApi } from "./emission-api.ts";
import type { Keystore } from "./keystore.ts";
import type { NodeMetrics } from "./metrics.ts";
import { paramsApi } from "./params-api.ts";
import { registryApi } from "./registry-api.ts";
import type { TransactionPool } from "./txpool/index.ts";

const DIGEST_ITEM = messageType("chain.proto", "lineage.v1.DigestItem");

/** The runtime APIs a client may look for in `state_getRuntimeVersion`, as Substrate lists them. */
const RUNTIME_APIS: [string, number][] = [
  ["Core", 1],
  ["BlockBuilder", 1],
  ["TaggedTransactionQueue", 1],
  ["AuraApi", 1],
  ["GrandpaApi", 1],
  ["TransactionPaymentApi", 1],
  ["Metadata", 1],
];

function apiId(name: string): Hex {
  return toHex(blake2b(utf8(name), { dkLen: 8 })) as Hex;
}

export function rpcHeader(header: Header): RpcHeader {
  return {
    parentHash: toHex(header.parentHash) as Hex,
    number: `0x${header.number.toString(16)}` as Hex,
    stateRoot: toHex(header.stateRoot) as Hex,
    extrinsicsRoot: toHex(header.extrinsicsRoot) as Hex,
    digest: {
      logs: header.digest.map((item: DigestItem) => toHex(encodeMessage(DIGEST_ITEM, item)) as Hex),
    },
  };
}

export interface HeadEvents {
  onNewHead(listener: (header: Header) => void): Unsubscribe;
  onFinalizedHead(listener: (header: Header) => void): Unsubscribe;
}

export interface NodeApiDeps {
  store: ChainStore;
  pool: TransactionPool;
  spec: ChainSpec;
  name: string;
  version: string;
  role: "full" | "authority";
  keystore: Keystore;
  metrics: NodeMetrics | null;
  network: NetworkView;
  sync: { state(): RpcSyncState; readonly isSyncing: boolean };
  voter: FinalityVoter;
  /** A transaction this node accepted from a client: the network gossips it. */
  onSubmitted: (bytes: Uint8Array) => void;
  heads: HeadEvents;
}

/** What the RPC needs of the network service. */
export interface NetworkView {
  readonly peerId: string;
  listenAddresses(): string[];
  peers(): { peerId: string; roles: string; bestHash: Uint8Array; bestNumber: number }[];
  reservedPeers(): string[];
  addReservedPeer(multiaddr: string): Promise<void>;
  removeReservedPeer(peerId: string): Promise<void>;
}

/** Blocks `grandpa_proveFinality` looks through for the justification covering a height. */
const MAX_PROOF_SCAN = 4096;

function ss58PrefixOf(spec: ChainSpec): number {
  return Number((spec.properties as { ss58Format?: unknown } | null)?.ss58Format ?? 42);
}

function roundState(voter: FinalityVoter, spec: ChainSpec): RpcRoundState {
  const state = voter.roundState();
  const prefix = ss58PrefixOf(spec);
  const tally = (votes: ReadonlyMap<string, unknown> | undefined) => ({
    currentWeight: votes?.size ?? 0,
    missing: voter.authorities
      .filter((a) => !votes?.has(toHex(a)))
      .map((a) => ss58Encode(a, prefix)),
  });
  return {
    setId: voter.setId,
    best: {
      round: voter.round,
      totalWeight: voter.authorities.length,
      thresholdWeight: voter.threshold,
      prevotes: tally(state?.prevotes),
      precommits: tally(state?.precommits),
    },
    background: [],
  };
}

export function createNodeApi(deps: NodeApiDeps): NodeApi {
  const { store, pool, spec } = deps;

  const headerAt = (hash: Uint8Array): Header | undefined => {
    const bytes = store.getHeader(hash);
    return bytes ? decodeHeader(bytes) : undefined;
  };
  const blockHash = (at: Hex | undefined): Uint8Array => {
    if (at === undefined) return store.best().hash;
    const hash = fromHex(at, 32);
    if (!store.getBlockMeta(hash)) {
      throw new LineageError("UNKNOWN_BLOCK", `unknown block ${at}`);
    }
    return hash;
  };
  const stateAt = (at: Hex | undefined): TrieState => store.stateAtBlock(blockHash(at));

  const api: NodeApi = {
    system: {
      name: () => deps.name,
      version: () => deps.version,
      chain: () => spec.name,
      chainType: () => spec.chainType,
      properties: () => ({ ...(spec.properties ?? {}) }),
      nodeRoles: () => [deps.role === "authority" ? "Authority" : "Full"],
      health: () => ({
        peers: deps.network.peers().length,
        isSyncing: deps.sync.isSyncing,
        shouldHavePeers: spec.chainType !== "Development",
      }),
      peers: () =>
        deps.network.peers().map((p) => ({
          peerId: p.peerId,
          roles: p.roles === "authority" ? "AUTHORITY" : "FULL",
          bestHash: toHex(p.bestHash) as Hex,
          bestNumber: p.bestNumber,
        })),
      syncState: () => deps.sync.state(),
      localPeerId: () => deps.network.peerId,
      localListenAddresses: () => deps.network.listenAddresses(),
      reservedPeers: () => deps.network.reservedPeers(),
      addReservedPeer: (multiaddr) => deps.network.addReservedPeer(multiaddr),
      removeReservedPeer: (peerId) => deps.network.removeReservedPeer(peerId),
      accountNextIndex: (account) => {
        const who = parseAccountId(account);
        let nonce = readAccount(store.stateAtBlock(store.best().hash), who).nonce;
        while (pool.hasTag(nonceTag(who, nonce))) nonce++;
        return nonce;
      },
    },
    chain: {
      getHeader: (at) => {
        const header = headerAt(at === undefined ? store.best().hash : fromHex(at, 32));
        return header ? rpcHeader(header) : null;
      },
      getBlock: (at) => {
        const hash = at === undefined ? store.best().hash : fromHex(at, 32);
        const header = headerAt(hash);
        const body = store.getBody(hash);
        if (!header || !body) return null;
        const justification = store.getJustification(hash);
        const block: RpcSignedBlock = {
          block: {
            header: rpcHeader(header),
            extrinsics: decodeBody(body).map((x) => toHex(x) as Hex),
          },
          justifications: justification ? [[[...utf8("FRNK")], [...justification]]] : null,
        };
        return block;
      },
      getBlockHash: (height) => {
        const hash = height === undefined ? store.best().hash : store.getCanonicalHash(height);
        return hash ? (toHex(hash) as Hex) : null;
      },
      getFinalizedHead: () => toHex(store.finalized().hash) as Hex,
      subscribeNewHeads: (listener) => deps.heads.onNewHead((h) => listener(rpcHeader(h))),
      subscribeFinalizedHeads: (listener) =>
        deps.heads.onFinalizedHead((h) => listener(rpcHeader(h))),
    },
    state: {
      getStorage: (key, at) => {
        const value = stateAt(at).get(fromHex(key));
        return value === undefined ? null : (toHex(value) as Hex);
      },
      getKeysPaged: (prefix, count, startKey, at) =>
        stateAt(at)
          .keysPaged(fromHex(prefix), count, startKey === undefined ? undefined : fromHex(startKey))
          .map((k) => toHex(k) as Hex),
      getReadProof: (keys, at) => {
        const hash = blockHash(at);
        const proof = store.stateAtBlock(hash).prove(keys.map((k) => fromHex(k)));
        return { at: toHex(hash) as Hex, proof: proof.map((n) => toHex(n) as Hex) };
      },
      getRuntimeVersion: (at) => {
        if (at !== undefined) blockHash(at);
        const version: RpcRuntimeVersion = {
          ...RUNTIME_VERSION,
          apis: RUNTIME_APIS.map(([name, v]) => [apiId(name), v]),
          systemVersion: RUNTIME_VERSION.stateVersion,
        };
        return version;
      },
      getMetadata: (at) => {
        if (at !== undefined) blockHash(at);
        return runtimeMetadata();
      },
    },
    author: {
      submitExtrinsic: async (extrinsic) => {
        deps.metrics?.txpoolSubmitted.inc();
        const bytes = fromHex(extrinsic);
        const hash = await pool.submit(bytes, "local");
        deps.onSubmitted(bytes);
        return toHex(hash) as Hex;
      },
      submitAndWatchExtrinsic: async (extrinsic, listener) => {
        deps.metrics?.txpoolSubmitted.inc();
        const bytes = fromHex(extrinsic);
        const { unsubscribe } = await pool.submitAndWatch(
          bytes,
          "local",
          (status: RpcTransactionStatus) => listener(status),
        );
        deps.onSubmitted(bytes);
        return unsubscribe;
      },
      pendingExtrinsics: () => [...pool.ready()].map((tx) => toHex(tx.bytes) as Hex),
      insertKey: (keyType, suri, publicKey) => {
        const pair = keypairFromSuri(suri);
        if (toHex(pair.publicKey) !== publicKey.toLowerCase()) {
          throw new LineageError(
            "KEY_MISMATCH",
            `the secret URI gives public key ${toHex(pair.publicKey)}, not ${publicKey}`,
          );
        }
        deps.keystore.insert(keyType, pair.secretKey, pair.publicKey);
      },
      hasKey: (publicKey, keyType) => deps.keystore.has(keyType, fromHex(publicKey, 32)),
      rotateKeys: () => {
        const pair = generateKeypair();
        deps.keystore.insert("aura", pair.secretKey, pair.publicKey);
        return toHex(pair.publicKey) as Hex;
      },
    },
    params: paramsApi(stateAt, ss58PrefixOf(spec)),
    registry: registryApi(stateAt, ss58PrefixOf(spec)),
    attribution: attributionApi(stateAt, ss58PrefixOf(spec)),
    attestation: attestationApi(stateAt, ss58PrefixOf(spec), new ReportStore()),
    emission: emissionApi(stateAt),
    grandpa: {
      roundState: () => roundState(deps.voter, spec),
      proveFinality: (number) => {
        const finalized = store.finalized();
        if (number > finalized.number) return null;
        // Every finalized target carries a justification, so one is near; the scan is bounded.
        const last = Math.min(finalized.number, number + MAX_PROOF_SCAN);
        for (let n = number; n <= last; n++) {
          const hash = store.getCanonicalHash(n);
          const justification = hash && store.getJustification(hash);
          if (justification) return toHex(justification) as Hex;
        }
        return null;
      },
    },
    payment: {
      queryInfo: (extrinsic, at) => {
        const bytes = fromHex(extrinsic);
        const decoded = decodeTransaction(bytes);
        const call = decodeCall(decoded.call);
        const weight = weighCall(decoded.call);
        const state = stateAt(at);
        const fee = computeFee(state, bytes.length, weight, 0n);
        return {
          weight: { ref_time: Number(weight), proof_size: 0 },
          class: isSigned(decoded) ? (call.resolved.def.dispatchClass ?? "normal") : "mandatory",
          partialFee: fee.inclusionFee.toString(),
        };
      },
    },
  };
  return api;
}
