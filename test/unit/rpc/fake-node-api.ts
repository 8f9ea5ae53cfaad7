// A scripted NodeApi for RPC tests: canned answers, recorded calls, and hooks to push heads and
// transaction statuses or make a call throw a given LineageError.
import { LineageError } from "../../../primitives/errors.ts";
import type {
  Hex,
  NodeApi,
  RpcHeader,
  RpcTransactionStatus,
  Unsubscribe,
} from "../../../rpc/node-api.ts";

export const HASH_A = `0x${"aa".repeat(32)}` as Hex;
export const HASH_B = `0x${"bb".repeat(32)}` as Hex;
export const XT = "0x0102030405" as Hex;

export function header(number: number, parentHash: Hex = HASH_A): RpcHeader {
  return {
    parentHash,
    number: `0x${number.toString(16)}` as Hex,
    stateRoot: HASH_B,
    extrinsicsRoot: HASH_B,
    digest: { logs: [] },
  };
}

export interface FakeNode {
  api: NodeApi;
  calls: { method: string; args: unknown[] }[];
  /** Make the next calls of `method` throw this. */
  failWith(method: string, error: Error): void;
  pushNewHead(h: RpcHeader): void;
  pushFinalizedHead(h: RpcHeader): void;
  pushStatus(status: RpcTransactionStatus): void;
  listenerCounts(): { newHeads: number; finalized: number; watches: number };
  unsubscribed: string[];
}

export function createFakeNode(): FakeNode {
  const calls: FakeNode["calls"] = [];
  const failures = new Map<string, Error>();
  const newHeads = new Set<(h: RpcHeader) => void>();
  const finalized = new Set<(h: RpcHeader) => void>();
  const watches = new Set<(s: RpcTransactionStatus) => void>();
  const unsubscribed: string[] = [];
  const record = (method: string, args: unknown[]) => {
    calls.push({ method, args });
    const failure = failures.get(method);
    if (failure) throw failure;
  };
  const listen = <T>(set: Set<T>, listener: T, name: string): Unsubscribe => {
    set.add(listener);
    return () => {
      set.delete(listener);
      unsubscribed.push(name);
    };
  };
  const api: NodeApi = {
    system: {
      name: () => "Lineage Node",
      version: () => "0.1.0-test",
      chain: () => "Development",
      chainType: () => "Development",
      properties: () => ({ ss58Format: 42, tokenDecimals: 12, tokenSymbol: "LIN" }),
      nodeRoles: () => ["Authority"],
      health: () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }),
      accountNextIndex: (account) => {
        record("system_accountNextIndex", [account]);
        return 7;
      },
      peers: () => [],
      syncState: () => ({ startingBlock: 0, currentBlock: 9, highestBlock: 9 }),
      localPeerId: () => "12D3KooWFakePeer",
      localListenAddresses: () => [],
      reservedPeers: () => [],
      addReservedPeer: async (address) => {
        record("system_addReservedPeer", [address]);
      },
      removeReservedPeer: async (id) => {
        record("system_removeReservedPeer", [id]);
      },
    },
    emission: {
      health: (from, to, at) => {
        record("emission_health", [from, to, at]);
        return { items: [], latest: null };
      },
      schedule: (count, at) => {
        record("emission_schedule", [count, at]);
        return {
          maxSupply: "0",
          scheduledSupply: "0",
          totalIssuance: "0",
          currentEpoch: 0,
          closing: 0,
          epochs: [],
        };
      },
    },
    attribution: {
      model: (id, at) => {
        record("attribution_model", [id, at]);
        return null;
      },
      models: (start, count, at) => {
        record("attribution_models", [start, count, at]);
        return { items: [], next: null };
      },
      claimable: (query, at) => {
        record("attribution_claimable", [query, at]);
        return { items: [], total: "0", next: null };
      },
      pool: (datanet, version, at) => {
        record("attribution_pool", [datanet, version, at]);
        return null;
      },
      quote: (model, units, at) => {
        record("attribution_quote", [model, units, at]);
        return null;
      },
    },
    attestation: {
      methods: (at) => {
        record("attestation_methods", [at]);
        return [];
      },
      attestor: (account, at) => {
        record("attestation_attestor", [account, at]);
        return null;
      },
      attestors: (after, count, at) => {
        record("attestation_attestors", [after, count, at]);
        return { items: [], next: null };
      },
      window: (model, window, at) => {
        record("attestation_window", [model, window, at]);
        return null;
      },
      windows: (model, after, count, at) => {
        record("attestation_windows", [model, after, count, at]);
        return { items: [], next: null };
      },
      contributions: (model, start, count, at) => {
        record("attestation_contributions", [model, start, count, at]);
        return { items: [], next: null };
      },
      measured: async (model, window, contribution, at) => {
        record("attestation_measured", [model, window, contribution, at]);
        return null;
      },
    },
    params: {
      list: (at) => {
        record("params_list", [at]);
        return [];
      },
      pending: (at) => {
        record("params_pending", [at]);
        return [];
      },
      councilMembers: (at) => {
        record("council_members", [at]);
        return { members: [], threshold: 0 };
      },
    },
    registry: {
      datanet: (id, at) => {
        record("registry_datanet", [id, at]);
        return null;
      },
      datanets: (start, count, at) => {
        record("registry_datanets", [start, count, at]);
        return { items: [], next: null };
      },
      contribution: (id, at) => {
        record("registry_contribution", [id, at]);
        return null;
      },
      contributions: (filter, start, count, at) => {
        record("registry_contributions", [filter, start, count, at]);
        return { items: [], next: null };
      },
      version: (datanet, version, at) => {
        record("registry_version", [datanet, version, at]);
        return null;
      },
      proof: (datanet, version, contribution, at) => {
        record("registry_proof", [datanet, version, contribution, at]);
        return null;
      },
      reputation: (account, at) => {
        record("registry_reputation", [account, at]);
        return { account, score: 0, accepted: 0, rejected: 0, slashed: 0, qualitySum: 0 };
      },
      curator: (datanet, account, at) => {
        record("registry_curator", [datanet, account, at]);
        return null;
      },
    },
    grandpa: {
      roundState: () => ({
        setId: 0,
        best: {
          round: 1,
          totalWeight: 1,
          thresholdWeight: 1,
          prevotes: { currentWeight: 0, missing: [] },
          precommits: { currentWeight: 0, missing: [] },
        },
        background: [],
      }),
      proveFinality: () => null,
    },
    chain: {
      getHeader: (at) => {
        record("chain_getHeader", [at]);
        return at === HASH_B ? null : header(5);
      },
      getBlock: (at) => {
        record("chain_getBlock", [at]);
        return { block: { header: header(5), extrinsics: [XT] }, justifications: null };
      },
      getBlockHash: (height) => {
        record("chain_getBlockHash", [height]);
        return height === undefined || height <= 5 ? HASH_A : null;
      },
      getFinalizedHead: () => HASH_A,
      subscribeNewHeads: (listener) => listen(newHeads, listener, "newHeads"),
      subscribeFinalizedHeads: (listener) => listen(finalized, listener, "finalizedHeads"),
    },
    state: {
      getStorage: (key, at) => {
        record("state_getStorage", [key, at]);
        return key === "0x" ? null : "0xbeef";
      },
      getKeysPaged: (prefix, count, startKey, at) => {
        record("state_getKeysPaged", [prefix, count, startKey, at]);
        return [`${prefix}01` as Hex];
      },
      getReadProof: (keys, at) => {
        record("state_getReadProof", [keys, at]);
        return { at: at ?? HASH_A, proof: ["0x00"] };
      },
      getRuntimeVersion: (at) => {
        record("state_getRuntimeVersion", [at]);
        return {
          specName: "lineage",
          implName: "lineage-node",
          authoringVersion: 1,
          specVersion: 100,
          implVersion: 1,
          apis: [],
          transactionVersion: 1,
          systemVersion: 1,
          stateVersion: 1,
        };
      },
      getMetadata: (at) => {
        record("state_getMetadata", [at]);
        return { pallets: [] };
      },
    },
    author: {
      submitExtrinsic: async (xt) => {
        record("author_submitExtrinsic", [xt]);
        return HASH_B;
      },
      submitAndWatchExtrinsic: async (xt, listener) => {
        record("author_submitAndWatchExtrinsic", [xt]);
        // Like a real pool: "ready" is reported before the call returns.
        listener("ready");
        return listen(watches, listener, "watch");
      },
      pendingExtrinsics: () => [XT],
      insertKey: (...args) => {
        record("author_insertKey", args);
      },
      hasKey: (...args) => {
        record("author_hasKey", args);
        return true;
      },
      rotateKeys: () => {
        record("author_rotateKeys", []);
        return HASH_B;
      },
    },
    payment: {
      queryInfo: (xt, at) => {
        record("payment_queryInfo", [xt, at]);
        return {
          weight: { ref_time: 100, proof_size: 0 },
          class: "normal",
          partialFee: "1000000",
        };
      },
    },
  };
  return {
    api,
    calls,
    unsubscribed,
    failWith: (method, error) => failures.set(method, error),
    pushNewHead: (h) => {
      for (const l of [...newHeads]) l(h);
    },
    pushFinalizedHead: (h) => {
      for (const l of [...finalized]) l(h);
    },
    pushStatus: (status) => {
      for (const l of [...watches]) l(status);
    },
    listenerCounts: () => ({
      newHeads: newHeads.size,
      finalized: finalized.size,
      watches: watches.size,
    }),
  };
}

export function lineageError(code: string, message = code): LineageError {
  return new LineageError(code, message);
}
