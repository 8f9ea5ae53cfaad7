// What the RPC server needs from a node. `node/` implements it; `rpc/` sees the chain only through
// this interface. Results are already in Substrate's JSON shapes (0x hex, hex header numbers), so the
// RPC layer only validates parameters, maps errors and moves bytes.
//
// Errors: implementations throw `LineageError` (primitives/errors.ts) with a stable `code`; the RPC
// layer maps codes to JSON-RPC errors (see rpc/errors.ts). Unknown errors become -32603.

export type Hex = `0x${string}`;

export interface RpcHeader {
  parentHash: Hex;
  number: Hex;
  stateRoot: Hex;
  extrinsicsRoot: Hex;
  digest: { logs: Hex[] };
}

export interface RpcSignedBlock {
  block: { header: RpcHeader; extrinsics: Hex[] };
  justifications: null | [number[], number[]][];
}

export interface RpcRuntimeVersion {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  apis: [Hex, number][];
  transactionVersion: number;
  systemVersion: number;
  stateVersion: number;
}

export interface RpcHealth {
  peers: number;
  isSyncing: boolean;
  shouldHavePeers: boolean;
}

export interface RpcFeeInfo {
  weight: { ref_time: number; proof_size: number };
  class: "normal" | "operational" | "mandatory";
  partialFee: string;
}

/** Transaction status values of author_submitAndWatchExtrinsic, as Substrate sends them. */
export type RpcTransactionStatus =
  | "future"
  | "ready"
  | { broadcast: string[] }
  | { inBlock: Hex }
  | { retracted: Hex }
  | { finalityTimeout: Hex }
  | { finalized: Hex }
  | { usurped: Hex }
  | "dropped"
  | "invalid";

export type Unsubscribe = () => void;

// ---- registry_* (amounts are decimal strings of planck, accounts SS58, hashes 0x hex) ----

export interface RpcDatanet {
  id: number;
  owner: string;
  name: string;
  modality: "text" | "image" | "audio" | "video" | "tabular" | "other";
  description: string;
  metadataUri: string;
  licence: {
    kind: "open" | "paid" | "restricted";
    fee: string;
    allowList: string[];
    commercial: boolean;
    attribution: boolean;
  };
  policy: {
    curators: string[];
    minBond: string;
    reviewWindow: number;
    challengeWindow: number;
    pendingLimit: number;
  };
  deposit: string;
  closed: boolean;
  createdAt: number;
  contributionCount: number;
  pendingCount: number;
  /** Open challenges and appeals. */
  openChallenges: number;
  versionCount: number;
  /** The curators' records: the owner's first, then each listed curator's, in policy order. */
  curation: RpcCurator[];
}

/** A curator's (or owner's) stake and record in one datanet. */
export interface RpcCurator {
  datanetId: number;
  account: string;
  /** "owner" (curating with the deposit as stake when the policy lists nobody) or "curator". */
  role: "owner" | "curator";
  /** Listed in the datanet's policy now. */
  listed: boolean;
  bond: string;
  /** What an overturned decision is slashed from: the bond, or an owner's deposit. */
  stake: string;
  /** May review now: a curator of the datanet with at least the minimum stake. */
  standing: boolean;
  /** Decisions still open to challenge or appeal. */
  open: number;
  decisions: number;
  stood: number;
  overturned: number;
  slashed: string;
  earned: string;
}

export type RpcContributionStatus = "pending" | "accepted" | "rejected" | "slashed" | "withdrawn";

export interface RpcContribution {
  id: number;
  datanetId: number;
  contributor: string;
  contentHash: Hex;
  size: number;
  metadataUri: string;
  bond: string;
  status: RpcContributionStatus;
  quality: number;
  weight: number;
  submittedAt: number;
  reviewedAt: number;
  releaseAt: number;
  reviewer: string | null;
  reason: string;
  /** The review fee still reserved (0 once paid or refunded). */
  reviewFee: string;
  /** The review decision may still be challenged or appealed. */
  decisionOpen: boolean;
  appealed: boolean;
  /** The open challenge (of an acceptance) or appeal (of a rejection; `challenger` is the appellant). */
  challenge: {
    kind: "challenge" | "appeal";
    challenger: string;
    bond: string;
    evidenceUri: string;
    openedAt: number;
    expiresAt: number;
  } | null;
}

export interface RpcPage<T> {
  items: T[];
  /** The id to pass as `start` for the next page; null at the end. */
  next: number | null;
}

export interface RpcContributionFilter {
  datanet?: number;
  contributor?: string;
  status?: RpcContributionStatus;
}

export interface RpcDatanetVersion {
  datanetId: number;
  version: number;
  root: Hex;
  totalWeight: number;
  count: number;
  publishedAt: number;
  metadataUri: string;
  /** The storage key of this record, for `state_getReadProof` against a trusted header. */
  storageKey: Hex;
}

export interface RpcVersionProof {
  datanetId: number;
  version: number;
  contributionId: number;
  weight: number;
  root: Hex;
  totalWeight: number;
  proof: { index: number; count: number; siblings: Hex[] };
}

export interface RpcReputation {
  account: string;
  score: number;
  accepted: number;
  rejected: number;
  slashed: number;
  qualitySum: number;
}

// ---- attribution_* (amounts are decimal strings of planck, accounts SS58) ----

export interface RpcManifestEntry {
  datanet: number;
  version: number;
  weightPpm: number;
}

export interface RpcModel {
  id: number;
  owner: string;
  metadataUri: string;
  manifest: RpcManifestEntry[];
  pricePerUnit: string;
  dataSharePpm: number;
  retired: boolean;
  registeredAt: number;
  /** Null for a declared model (paid by its manifest). */
  measurement: RpcMeasurement | null;
}

/** Which claims to list: one contribution in one version, or an account's contributions. */
export type RpcClaimableQuery =
  | { contribution: { datanet: number; version: number; id: number } }
  | { contributor: string; start?: number; count?: number };

export interface RpcClaimableEntry {
  datanet: number;
  version: number;
  contribution: number;
  amount: string;
}

export interface RpcClaimable {
  /** By contribution: exactly one entry (amount may be "0"); by contributor: entries above zero. */
  items: RpcClaimableEntry[];
  /** Sum of the items' amounts. */
  total: string;
  /** By contributor: the contribution id to pass as `start` for the next page; null at the end. */
  next: number | null;
}

/** A datanet version's reward pool. */
export interface RpcPool {
  datanet: number;
  version: number;
  /** The version's total weight (the pool's scale is this × 10^18). */
  totalWeight: string;
  /** Weight still earning: total weight minus noted slashes. */
  liveWeight: string;
  /** Planck paid into the pool in all (licence fees and data shares). */
  deposited: string;
  /** Planck paid out in all (claims, and forfeits with no live weight left). */
  claimed: string;
  /** deposited − claimed: what the pool still holds. */
  balance: string;
  /** Reward-per-weight accumulator (planck·scale per unit of weight) and its carried remainder. */
  acc: string;
  carry: string;
  scale: string;
}

export interface RpcQuoteEntry extends RpcManifestEntry {
  /** This manifest entry's part of the data share, in planck. */
  amount: string;
}

// ---- attestation_* (measured attribution: amounts are decimal strings of planck, accounts
// SS58, hashes 0x hex) ----

/** A measured model's method and committed evaluation inputs. */
export interface RpcMeasurement {
  method: string;
  methodVersion: number;
  inputsHash: Hex;
  inputsUri: string;
  windowEpochs: number;
  startEpoch: number;
  /** An account besides the owner that may commit query logs; null for none. */
  server: string | null;
}

export interface RpcMethod {
  name: string;
  version: number;
  params: Hex;
  /** The parameters decoded, when this node knows the method; null otherwise. */
  described: Record<string, unknown> | null;
  specHash: Hex;
  registeredAt: number;
  retired: boolean;
}

export interface RpcAttestor {
  account: string;
  bond: string;
  /** Whether it can be selected now (bond ≥ attestationMinBond, not unbonding). */
  eligible: boolean;
  /** The block from which it may withdraw; null while active. */
  unbondingAt: number | null;
  selected: number;
  agreed: number;
  dissented: number;
  missed: number;
  slashed: string;
  earned: string;
  /** Rounds of windows not yet settled that selected it. */
  open: number;
  bondedAt: number;
}

export interface RpcAttestorPage {
  items: RpcAttestor[];
  /** The account to pass as `after` for the next page; null at the end. */
  next: string | null;
}

export type RpcWindowPhase =
  | "running"
  | "queryLog"
  | "commit"
  | "reveal"
  | "dispute"
  | "council"
  | "final"
  | "declared"
  | "selecting";

export interface RpcReveal {
  account: string;
  root: Hex;
  total: string;
  leafCount: number;
  reportUri: string;
  revealedAt: number;
}

export interface RpcRound {
  round: number;
  selected: string[];
  quorum: number;
  seed: Hex;
  startedAt: number;
  /** Who committed (commitments are deleted once the window settles). */
  committed: string[];
  reveals: RpcReveal[];
  dispute: { disputer: string; bond: string; root: Hex } | null;
}

export interface RpcSettlement {
  /** True: paid by its final report root; false: by the declared manifest. */
  measured: boolean;
  root: Hex | null;
  leafCount: number;
  distributable: string;
  claimed: string;
  fees: string;
  settledAt: number;
}

export interface RpcWindow {
  model: number;
  window: number;
  /** Epochs the window covers: [startEpoch, endEpoch). */
  startEpoch: number;
  endEpoch: number;
  phase: RpcWindowPhase;
  /** The block at whose start the current phase ends; null once settled or while running. */
  deadline: number | null;
  /** What the pot holds: data shares and emission, and the inference units paid. */
  held: string;
  fees: string;
  emission: string;
  units: number;
  payments: number;
  /** From the window's opening (null while it runs): the pot, the attestors' fee, what leaves share. */
  pot: string | null;
  fee: string | null;
  distributable: string | null;
  openedAt: number | null;
  queryLog: { root: Hex; count: number; uri: string } | null;
  round: number;
  /** The quorum root in the dispute phase, the final root once settled. */
  result: { root: Hex; total: string; leafCount: number } | null;
  rounds: RpcRound[];
  settlement: RpcSettlement | null;
}

export interface RpcWindowPage {
  items: RpcWindow[];
  /** The window to pass as `after` for the next page; null at the end. */
  next: number | null;
}

/** A contribution a measured model's reports cover (every version of its manifest). */
export interface RpcMeasuredContribution {
  id: number;
  datanet: number;
  contributor: string;
  contentHash: Hex;
  metadataUri: string;
  status: RpcContributionStatus;
}

/** One report leaf of a settled window, with the proof `claimMeasured` takes. */
export interface RpcMeasuredAmount {
  model: number;
  window: number;
  contribution: number;
  amount: string;
  /** The block it was claimed in; null while unclaimed. */
  claimedAt: number | null;
  root: Hex;
  proof: { index: number; count: number; siblings: Hex[] };
  /** Where the report came from (a reveal of the final root). */
  reportUri: string;
}

// ---- emission_* (amounts are decimal strings of planck) ----

/** One epoch's economic health record, as the emission pallet wrote it on chain. */
export interface RpcHealthRecord {
  epoch: number;
  /** The block whose execution completed the record. */
  closedAt: number;
  /** The schedule's emission for the epoch, and what was minted by share. */
  scheduled: string;
  validators: string;
  contributors: string;
  treasury: string;
  /** validators + contributors + treasury. */
  emitted: string;
  /** k × volume: the most contributors could receive from the volume side. */
  contributorCap: string;
  /** Marketplace volume (inference and licences), self-dealing excluded; self-dealing apart. */
  volume: string;
  selfDealing: string;
  /** The part of the volume paid by accounts with a stake in the data they paid for. */
  suspectedWash: string;
  /** Data fees the pools earned from payments that were not self-dealing. */
  eligibleFees: string;
  /** Protocol fees those payments paid; contributors receive at most λ × this. */
  protocolFees: string;
  /** emitted × 10⁶ / volume; null when there was no volume. */
  emissionPerVolumePpm: string | null;
  payers: number;
  activeContributors: number;
  passiveContributors: number;
  accepted: number;
  rejected: number;
  /** The high-quality cohort of R epochs ago and how many of it submitted in the epoch. */
  cohort: number;
  retained: number;
  /** retained × 10⁶ / cohort; null when the cohort is empty. */
  retentionPpm: number | null;
  earners: number;
  /** Gini coefficient of the epoch's earnings over its earners, in ppm. */
  giniPpm: number;
  totalIssuance: string;
}

export interface RpcHealthPage {
  items: RpcHealthRecord[];
  /** The latest epoch with a record; null before the first epoch closes. */
  latest: number | null;
}

export interface RpcScheduleEpoch {
  epoch: number;
  scheduled: string;
  validators: string;
  /** Contributors' share of the schedule: what they receive at most (volume permitting). */
  contributorsMax: string;
  treasury: string;
  /** Supply scheduled once this epoch is (genesis issuance plus every schedule so far). */
  scheduledSupply: string;
}

export interface RpcSchedule {
  maxSupply: string;
  /** Supply scheduled so far, and the issuance now (less than scheduled: unminted and burned). */
  scheduledSupply: string;
  totalIssuance: string;
  currentEpoch: number;
  /** The epoch whose close is pending or in progress. */
  closing: number;
  epochs: RpcScheduleEpoch[];
}

/** The price of `units` inference units of a model and how it splits; the parts sum to total. */
export interface RpcQuote {
  model: number;
  units: number;
  pricePerUnit: string;
  total: string;
  burned: string;
  toTreasury: string;
  toOwner: string;
  dataShare: string;
  perEntry: RpcQuoteEntry[];
}

// ---- params_* and council_* (values are decimal strings, accounts SS58) ----

export interface RpcParam {
  name: string;
  /** The value in force at the block (the default unless set at genesis or by governance). */
  value: string;
  default: string;
  min: string;
  max: string;
  /** planck, ppm, blocks, weight, bytes, fixed18, planckPerMillionWeight, count or points. */
  unit: string;
  doc: string;
}

/** An open council proposal. For `Params.setParam`, the parameter and both values are given. */
export interface RpcProposal {
  id: number;
  /** The proposed root call as `Pallet.call`. */
  call: string;
  /** Params.setParam only (null otherwise): the parameter, the proposed and the current value. */
  name: string | null;
  newValue: string | null;
  currentValue: string | null;
  proposer: string;
  approvals: string[];
  cancelVotes: string[];
  /** Approvals (and cancel votes) needed: the council's current threshold. */
  threshold: number;
  status: "pending" | "scheduled";
  /** The block in which a scheduled proposal is enacted (before its extrinsics); null if pending. */
  enactAt: number | null;
  proposedAt: number;
}

export interface RpcCouncil {
  members: string[];
  threshold: number;
}

export interface RpcPeerInfo {
  peerId: string;
  roles: string;
  bestHash: Hex;
  bestNumber: number;
}

export interface RpcSyncState {
  startingBlock: number;
  currentBlock: number;
  highestBlock: number;
}

export interface RpcVoteTally {
  currentWeight: number;
  /** SS58 addresses of authorities whose vote has not arrived. */
  missing: string[];
}

export interface RpcRoundState {
  setId: number;
  best: {
    round: number;
    totalWeight: number;
    thresholdWeight: number;
    prevotes: RpcVoteTally;
    precommits: RpcVoteTally;
  };
  background: never[];
}

export interface NodeApi {
  system: {
    name(): string;
    version(): string;
    chain(): string;
    chainType(): string | { Custom: string };
    properties(): Record<string, unknown>;
    nodeRoles(): string[];
    health(): RpcHealth;
    /** Next nonce for an account (SS58 or 0x hex account id), counting pooled transactions. */
    accountNextIndex(account: string): number;
    /** Unsafe: connected peers that completed the status handshake. */
    peers(): RpcPeerInfo[];
    syncState(): RpcSyncState;
    localPeerId(): string;
    localListenAddresses(): string[];
    /** Unsafe: adds a reserved peer (a multiaddr ending in /p2p/<peer id>) and dials it. */
    addReservedPeer(multiaddr: string): Promise<void>;
    /** Unsafe: removes a reserved peer by its peer id. */
    removeReservedPeer(peerId: string): Promise<void>;
    reservedPeers(): string[];
  };
  params: {
    /** Every runtime parameter, in declaration order. */
    list(at?: Hex): RpcParam[];
    /** Open council proposals in id order: parameter changes with their values, others by call. */
    pending(at?: Hex): RpcProposal[];
    /** council_members: the council's members and threshold (empty and 0: no council). */
    councilMembers(at?: Hex): RpcCouncil;
  };
  registry: {
    datanet(id: number, at?: Hex): RpcDatanet | null;
    datanets(start: number, count: number, at?: Hex): RpcPage<RpcDatanet>;
    contribution(id: number, at?: Hex): RpcContribution | null;
    contributions(
      filter: RpcContributionFilter,
      start: number,
      count: number,
      at?: Hex,
    ): RpcPage<RpcContribution>;
    version(datanet: number, version: number, at?: Hex): RpcDatanetVersion | null;
    /** Null when the contribution is not in that version. */
    proof(datanet: number, version: number, contribution: number, at?: Hex): RpcVersionProof | null;
    reputation(account: string, at?: Hex): RpcReputation;
    /** Null for an unknown datanet; a record of zeros for an account that never bonded or decided. */
    curator(datanet: number, account: string, at?: Hex): RpcCurator | null;
  };
  attribution: {
    model(id: number, at?: Hex): RpcModel | null;
    models(start: number, count: number, at?: Hex): RpcPage<RpcModel>;
    claimable(query: RpcClaimableQuery, at?: Hex): RpcClaimable;
    /** Null when the version has no pool yet (nothing paid into it). */
    pool(datanet: number, version: number, at?: Hex): RpcPool | null;
    /** Null for an unknown model. */
    quote(model: number, units: number, at?: Hex): RpcQuote | null;
  };
  attestation: {
    methods(at?: Hex): RpcMethod[];
    attestor(account: string, at?: Hex): RpcAttestor | null;
    /** Attestors in account order after `after` (an SS58 address), at most `count`. */
    attestors(after: string | null, count: number, at?: Hex): RpcAttestorPage;
    /** A measured model's window (running or opened); null when it holds nothing. */
    window(model: number, window: number, at?: Hex): RpcWindow | null;
    /** A model's windows that hold funds, in window order after `after`, at most `count`. */
    windows(model: number, after: number | null, count: number, at?: Hex): RpcWindowPage;
    /** The contributions a measured model's reports cover, ids ascending from `start`. */
    contributions(
      model: number,
      start: number,
      count: number,
      at?: Hex,
    ): RpcPage<RpcMeasuredContribution>;
    /**
     * Unsafe (fetches the report from the URI an attestor revealed): a contribution's leaf of a
     * settled window and its proof; null when the window is not settled by a report.
     */
    measured(
      model: number,
      window: number,
      contribution: number,
      at?: Hex,
    ): Promise<RpcMeasuredAmount | null>;
  };
  emission: {
    /** Health records of epochs `from`..`to` (inclusive; `to` defaults to the latest). */
    health(from: number, to: number | undefined, at?: Hex): RpcHealthPage;
    /** The schedule projected `count` epochs ahead from the next unscheduled epoch. */
    schedule(count: number, at?: Hex): RpcSchedule;
  };
  grandpa: {
    /** The finality voter's current round; throws NODE_NOT_READY before it runs. */
    roundState(): RpcRoundState;
    /** The justification that finalized the block at `number` (or the first justified block
     * above it), hex-encoded; null when that height is not final yet. */
    proveFinality(number: number): Hex | null;
  };
  chain: {
    /** Undefined `at` means the best block. Null when the block is unknown. */
    getHeader(at?: Hex): RpcHeader | null;
    getBlock(at?: Hex): RpcSignedBlock | null;
    /** Canonical hash at a height; undefined means the best block. */
    getBlockHash(height?: number): Hex | null;
    getFinalizedHead(): Hex;
    subscribeNewHeads(listener: (header: RpcHeader) => void): Unsubscribe;
    subscribeFinalizedHeads(listener: (header: RpcHeader) => void): Unsubscribe;
  };
  state: {
    getStorage(key: Hex, at?: Hex): Hex | null;
    getKeysPaged(prefix: Hex, count: number, startKey?: Hex, at?: Hex): Hex[];
    getReadProof(keys: Hex[], at?: Hex): { at: Hex; proof: Hex[] };
    getRuntimeVersion(at?: Hex): RpcRuntimeVersion;
    /** Runtime metadata as JSON (Lineage does not speak SCALE metadata). */
    getMetadata(at?: Hex): unknown;
  };
  author: {
    /** Validates and pools a transaction; resolves to its hash. */
    submitExtrinsic(extrinsic: Hex): Promise<Hex>;
    submitAndWatchExtrinsic(
      extrinsic: Hex,
      listener: (status: RpcTransactionStatus) => void,
    ): Promise<Unsubscribe>;
    pendingExtrinsics(): Hex[];
    /** Unsafe: puts a key into the node's keystore (`aura` for block authoring). */
    insertKey(keyType: string, suri: string, publicKey: Hex): void;
    /** Unsafe: whether the keystore holds this public key under this key type. */
    hasKey(publicKey: Hex, keyType: string): boolean;
    /** Unsafe: generates a new authoring key in the keystore and returns its public key. */
    rotateKeys(): Hex;
  };
  payment: {
    queryInfo(extrinsic: Hex, at?: Hex): RpcFeeInfo;
  };
}
