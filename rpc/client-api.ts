// The typed surface of the Lineage RPC, shared by the WebSocket and HTTP clients: one function per
// method, named after its namespace, returning the shapes of node-api.ts.
import type {
  Hex,
  RpcAttestor,
  RpcAttestorPage,
  RpcClaimable,
  RpcClaimableQuery,
  RpcContribution,
  RpcContributionFilter,
  RpcCouncil,
  RpcCurator,
  RpcDatanet,
  RpcDatanetVersion,
  RpcFeeInfo,
  RpcHeader,
  RpcHealth,
  RpcHealthPage,
  RpcMeasuredAmount,
  RpcMeasuredContribution,
  RpcMethod,
  RpcModel,
  RpcPage,
  RpcParam,
  RpcPeerInfo,
  RpcPool,
  RpcProposal,
  RpcQuote,
  RpcReputation,
  RpcRoundState,
  RpcRuntimeVersion,
  RpcSchedule,
  RpcSignedBlock,
  RpcSyncState,
  RpcVersionProof,
  RpcWindow,
  RpcWindowPage,
} from "./node-api.ts";

export type RequestFn = <T>(method: string, params?: unknown[]) => Promise<T>;

export interface ParamsRpc {
  list(at?: Hex): Promise<RpcParam[]>;
  pending(at?: Hex): Promise<RpcProposal[]>;
}

export interface CouncilRpc {
  members(at?: Hex): Promise<RpcCouncil>;
}

export interface RegistryRpc {
  datanet(id: number, at?: Hex): Promise<RpcDatanet | null>;
  datanets(start?: number, count?: number, at?: Hex): Promise<RpcPage<RpcDatanet>>;
  contribution(id: number, at?: Hex): Promise<RpcContribution | null>;
  contributions(
    filter: RpcContributionFilter,
    start?: number,
    count?: number,
    at?: Hex,
  ): Promise<RpcPage<RpcContribution>>;
  version(datanet: number, version: number, at?: Hex): Promise<RpcDatanetVersion | null>;
  proof(
    datanet: number,
    version: number,
    contribution: number,
    at?: Hex,
  ): Promise<RpcVersionProof | null>;
  reputation(account: string, at?: Hex): Promise<RpcReputation>;
  curator(datanet: number, account: string, at?: Hex): Promise<RpcCurator | null>;
}

export interface AttributionRpc {
  model(id: number, at?: Hex): Promise<RpcModel | null>;
  models(start?: number, count?: number, at?: Hex): Promise<RpcPage<RpcModel>>;
  claimable(query: RpcClaimableQuery, at?: Hex): Promise<RpcClaimable>;
  pool(datanet: number, version: number, at?: Hex): Promise<RpcPool | null>;
  quote(model: number, units: number, at?: Hex): Promise<RpcQuote | null>;
}

export interface AttestationRpc {
  methods(at?: Hex): Promise<RpcMethod[]>;
  attestor(account: string, at?: Hex): Promise<RpcAttestor | null>;
  attestors(after?: string | null, count?: number, at?: Hex): Promise<RpcAttestorPage>;
  window(model: number, window: number, at?: Hex): Promise<RpcWindow | null>;
  windows(model: number, after?: number | null, count?: number, at?: Hex): Promise<RpcWindowPage>;
  contributions(
    model: number,
    start?: number,
    count?: number,
    at?: Hex,
  ): Promise<RpcPage<RpcMeasuredContribution>>;
  /** Unsafe: the node fetches the report; a node refuses it on an external interface. */
  measured(
    model: number,
    window: number,
    contribution: number,
    at?: Hex,
  ): Promise<RpcMeasuredAmount | null>;
}

export interface EmissionRpc {
  health(from: number, to?: number, at?: Hex): Promise<RpcHealthPage>;
  schedule(count?: number, at?: Hex): Promise<RpcSchedule>;
}

export interface GrandpaRpc {
  roundState(): Promise<RpcRoundState>;
  proveFinality(number: number): Promise<Hex | null>;
}

export interface SystemRpc {
  name(): Promise<string>;
  version(): Promise<string>;
  chain(): Promise<string>;
  chainType(): Promise<string | { Custom: string }>;
  properties(): Promise<Record<string, unknown>>;
  health(): Promise<RpcHealth>;
  nodeRoles(): Promise<string[]>;
  accountNextIndex(account: string): Promise<number>;
  peers(): Promise<RpcPeerInfo[]>;
  syncState(): Promise<RpcSyncState>;
  localPeerId(): Promise<string>;
  localListenAddresses(): Promise<string[]>;
  reservedPeers(): Promise<string[]>;
  addReservedPeer(multiaddr: string): Promise<null>;
  removeReservedPeer(peerId: string): Promise<null>;
}

export interface ChainRpc {
  getHeader(at?: Hex): Promise<RpcHeader | null>;
  getBlock(at?: Hex): Promise<RpcSignedBlock | null>;
  getBlockHash(height?: number | Hex): Promise<Hex | null>;
  getBlockHashes(heights: (number | Hex)[]): Promise<(Hex | null)[]>;
  getFinalizedHead(): Promise<Hex>;
}

export interface StateRpc {
  getStorage(key: Hex, at?: Hex): Promise<Hex | null>;
  getKeysPaged(prefix: Hex, count: number, startKey?: Hex, at?: Hex): Promise<Hex[]>;
  getReadProof(keys: Hex[], at?: Hex): Promise<{ at: Hex; proof: Hex[] }>;
  getRuntimeVersion(at?: Hex): Promise<RpcRuntimeVersion>;
  getMetadata(at?: Hex): Promise<unknown>;
}

export interface AuthorRpc {
  submitExtrinsic(extrinsic: Hex): Promise<Hex>;
  pendingExtrinsics(): Promise<Hex[]>;
  insertKey(keyType: string, suri: string, publicKey: Hex): Promise<null>;
  hasKey(publicKey: Hex, keyType: string): Promise<boolean>;
  rotateKeys(): Promise<Hex>;
}

export interface PaymentRpc {
  queryInfo(extrinsic: Hex, at?: Hex): Promise<RpcFeeInfo>;
}

export interface RpcMethodsRpc {
  methods(): Promise<{ methods: string[] }>;
}

export interface LineageRpcApi {
  system: SystemRpc;
  chain: ChainRpc;
  state: StateRpc;
  author: AuthorRpc;
  payment: PaymentRpc;
  grandpa: GrandpaRpc;
  params: ParamsRpc;
  council: CouncilRpc;
  registry: RegistryRpc;
  attribution: AttributionRpc;
  attestation: AttestationRpc;
  emission: EmissionRpc;
  rpc: RpcMethodsRpc;
}

/** Trailing undefined params are dropped so that the server applies its defaults. */
export function trimParams(params: unknown[]): unknown[] {
  let end = params.length;
  while (end > 0 && params[end - 1] === undefined) end--;
  return params.slice(0, end).map((param) => (param === undefined ? null : param));
}

export function bindRpcApi(request: RequestFn): LineageRpcApi {
  const call = <T>(method: string, ...params: unknown[]) => request<T>(method, trimParams(params));
  return {
    system: {
      name: () => call("system_name"),
      version: () => call("system_version"),
      chain: () => call("system_chain"),
      chainType: () => call("system_chainType"),
      properties: () => call("system_properties"),
      health: () => call("system_health"),
      nodeRoles: () => call("system_nodeRoles"),
      accountNextIndex: (account) => call("system_accountNextIndex", account),
      peers: () => call("system_peers"),
      syncState: () => call("system_syncState"),
      localPeerId: () => call("system_localPeerId"),
      localListenAddresses: () => call("system_localListenAddresses"),
      reservedPeers: () => call("system_reservedPeers"),
      addReservedPeer: (multiaddr) => call("system_addReservedPeer", multiaddr),
      removeReservedPeer: (peerId) => call("system_removeReservedPeer", peerId),
    },
    params: {
      list: (at) => call("params_list", at),
      pending: (at) => call("params_pending", at),
    },
    council: {
      members: (at) => call("council_members", at),
    },
    registry: {
      datanet: (id, at) => call("registry_datanet", id, at),
      datanets: (start, count, at) => call("registry_datanets", start, count, at),
      contribution: (id, at) => call("registry_contribution", id, at),
      contributions: (filter, start, count, at) =>
        call("registry_contributions", filter, start, count, at),
      version: (datanet, version, at) => call("registry_version", datanet, version, at),
      proof: (datanet, version, contribution, at) =>
        call("registry_proof", datanet, version, contribution, at),
      reputation: (account, at) => call("registry_reputation", account, at),
      curator: (datanet, account, at) => call("registry_curator", datanet, account, at),
    },
    attribution: {
      model: (id, at) => call("attribution_model", id, at),
      models: (start, count, at) => call("attribution_models", start, count, at),
      claimable: (query, at) => call("attribution_claimable", query, at),
      pool: (datanet, version, at) => call("attribution_pool", datanet, version, at),
      quote: (model, units, at) => call("attribution_quote", model, units, at),
    },
    attestation: {
      methods: (at) => call("attestation_methods", at),
      attestor: (account, at) => call("attestation_attestor", account, at),
      attestors: (after, count, at) => call("attestation_attestors", after, count, at),
      window: (model, window, at) => call("attestation_window", model, window, at),
      windows: (model, after, count, at) => call("attestation_windows", model, after, count, at),
      contributions: (model, start, count, at) =>
        call("attestation_contributions", model, start, count, at),
      measured: (model, window, contribution, at) =>
        call("attestation_measured", model, window, contribution, at),
    },
    emission: {
      health: (from, to, at) => call("emission_health", from, to, at),
      schedule: (count, at) => call("emission_schedule", count, at),
    },
    grandpa: {
      roundState: () => call("grandpa_roundState"),
      proveFinality: (number) => call("grandpa_proveFinality", number),
    },
    chain: {
      getHeader: (at) => call("chain_getHeader", at),
      getBlock: (at) => call("chain_getBlock", at),
      getBlockHash: (height) => call("chain_getBlockHash", height),
      getBlockHashes: (heights) => call("chain_getBlockHash", heights),
      getFinalizedHead: () => call("chain_getFinalizedHead"),
    },
    state: {
      getStorage: (key, at) => call("state_getStorage", key, at),
      getKeysPaged: (prefix, count, startKey, at) =>
        call("state_getKeysPaged", prefix, count, startKey, at),
      getReadProof: (keys, at) => call("state_getReadProof", keys, at),
      getRuntimeVersion: (at) => call("state_getRuntimeVersion", at),
      getMetadata: (at) => call("state_getMetadata", at),
    },
    author: {
      submitExtrinsic: (extrinsic) => call("author_submitExtrinsic", extrinsic),
      pendingExtrinsics: () => call("author_pendingExtrinsics"),
      insertKey: (keyType, suri, publicKey) => call("author_insertKey", keyType, suri, publicKey),
      hasKey: (publicKey, keyType) => call("author_hasKey", publicKey, keyType),
      rotateKeys: () => call("author_rotateKeys"),
    },
    payment: {
      queryInfo: (extrinsic, at) => call("payment_queryInfo", extrinsic, at),
    },
    rpc: {
      methods: () => call("rpc_methods"),
    },
  };
}
