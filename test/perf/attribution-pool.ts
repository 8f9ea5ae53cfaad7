// Attribution at scale: inference payments into one datanet version's reward pool, and claims from
// it, with the version holding 1k, 100k and 1M contributions. Both go through the attribution
// pallet's real call handlers (payInference, claim) over a StateOverlay on the dev genesis state,
// as in a block. The version's contributions are written straight into the registry's storage
// (its Versions record and one VersionEntries weight per contribution) rather than submitted,
// reviewed and frozen through blocks: a payment reads only the pool, never the entries, and a
// claim reads only its own contributions. Claimed contributions also get a Contributions record.
// The figure that matters is the ratio between sizes within one run: it should stay near 1.
import { u128ToBytes } from "../../primitives/amount.ts";
import { concatBytes, u32be, u64be } from "../../primitives/bytes.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { builtinChainSpec } from "../../runtime/chain-spec.ts";
import { genesisStorage } from "../../runtime/genesis.ts";
import type { CallDef, CallerOrigin, RuntimeContext } from "../../runtime/pallet.ts";
import {
  ATTRIBUTION_ACCOUNT,
  attribution,
  storage as attributionStorage,
  getPool,
  poolBalance,
} from "../../runtime/pallets/attribution/index.ts";
import { storage as registryStorage } from "../../runtime/pallets/registry/storage.ts";
import { type Contribution, ContributionStatus } from "../../runtime/pallets/registry/types.ts";
import { readAccount } from "../../runtime/pallets/system.ts";
import { StateOverlay } from "../../state/overlay.ts";
import { EMPTY_ROOT } from "../../state/trie/node-codec.ts";
import { MemoryNodeSource } from "../../state/trie/node-source.ts";
import { trieState } from "../../state/trie-state.ts";

export interface AttributionPoolOptions {
  /** Contribution counts of the version, one measurement each. */
  sizes: number[];
  /** Seconds of timed payments per size (after a warm-up). */
  paymentSeconds: number;
  /** Seconds of timed claims per size. */
  claimSeconds: number;
}

export interface PoolSizeFigures {
  contributions: number;
  /** Seconds spent writing the version's entries into the store (not timed below). */
  setupSeconds: number;
  payments: number;
  paymentsPerSecond: number;
  /** Mean microseconds per payInference call. */
  paymentMicros: number;
  /** claim calls, one contribution each, every one paying a positive amount. */
  claims: number;
  claimsPerSecond: number;
  claimMicros: number;
}

export interface AttributionPoolThroughput {
  /** Units per payment, price per unit (planck) and the version's weight per contribution. */
  unitsPerPayment: number;
  pricePerUnit: string;
  bySize: PoolSizeFigures[];
  /** Each size's rate divided by the smallest size's rate (1 = no growth in cost). */
  ratio: { paymentsVsSmallest: number[]; claimsVsSmallest: number[] };
}

const DATANET = 0;
const VERSION = 1;
const MODEL = 0;
const PRICE = 10n ** 12n;
const UNITS = 1;
/** Contributions the claims are drawn from (each claimed at most once per size). */
const CLAIM_SAMPLE = 200_000;

const callOf = (name: string) => {
  const call = attribution.calls.find((c) => c.name === name);
  if (!call) throw new Error(`Attribution has no call ${name}`);
  return call as unknown as CallDef<object>;
};

/** Commits an overlay's writes into the trie under it; a fresh overlay over the result. */
function committed(source: MemoryNodeSource, overlay: StateOverlay): StateOverlay {
  const update = overlay.update();
  for (const { hash, node } of update.inserted) source.put(hash, node);
  return new StateOverlay(trieState(source, update.root));
}

/** The dev genesis state, then `populate`'s writes, committed to an in-memory trie. */
function state(populate: (overlay: StateOverlay) => void): StateOverlay {
  const spec = builtinChainSpec("dev");
  if (!spec) throw new Error("the built-in dev chain spec is missing");
  const source = new MemoryNodeSource();
  const genesis = new StateOverlay(trieState(source, EMPTY_ROOT));
  for (const [key, value] of genesisStorage(spec)) genesis.set(key, value);
  const block = committed(source, genesis);
  populate(block);
  return committed(source, block);
}

function context(overlay: StateOverlay, blockNumber: number): RuntimeContext {
  return {
    storage: overlay,
    blockNumber,
    extrinsicIndex: 1,
    author: null,
    deposit() {},
    transactional<R>(body: () => R): R {
      overlay.startTransaction();
      try {
        const result = body();
        overlay.commitTransaction();
        return result;
      } catch (error) {
        overlay.rollbackTransaction();
        throw error;
      }
    },
    dispatch() {
      throw new Error("no nested dispatch in the attribution bench");
    },
  };
}

/** Weight of contribution `id`: 1..100, deterministic. */
const weightOf = (id: number) => 1 + ((id * 2_654_435_761) % 100);

/** A version of `n` contributions by `contributor`, and a model trained on it alone. */
function populate(overlay: StateOverlay, n: number, owner: Uint8Array, contributor: Uint8Array) {
  let total = 0;
  const entryKey = concatBytes(u64be(DATANET), u32be(VERSION));
  for (let id = 0; id < n; id++) {
    const weight = weightOf(id);
    total += weight;
    registryStorage.versionEntries.set(overlay, concatBytes(entryKey, u64be(id)), weight);
  }
  registryStorage.versions.set(overlay, entryKey, {
    root: new Uint8Array(32),
    totalWeight: total,
    count: n,
    publishedAt: 1,
    metadataUri: "",
  });
  // Claims read the contribution record (its contributor and status): written for the sample.
  for (const id of claimIds(n)) {
    registryStorage.contributions.set(overlay, id, {
      ...sampleContribution,
      contributor,
    });
  }
  attributionStorage.models.set(overlay, MODEL, {
    owner,
    measurement: null,
    metadataUri: "",
    manifest: [{ datanetId: DATANET, version: VERSION, weightPpm: 1_000_000 }],
    pricePerUnit: PRICE,
    dataSharePpm: 500_000,
    retired: false,
    registeredAt: 1,
  });
}

/** The contribution ids claims go through: spread evenly over the version. */
function claimIds(n: number): number[] {
  const count = Math.min(n, CLAIM_SAMPLE);
  const step = n / count;
  return Array.from({ length: count }, (_, i) => Math.floor(i * step));
}

// Fields the claim handler does not read are filled with plausible values.
const sampleContribution: Contribution = {
  datanetId: DATANET,
  contributor: new Uint8Array(32),
  contentHash: new Uint8Array(32),
  size: 1,
  metadataUri: "",
  bond: 0n,
  status: ContributionStatus.accepted,
  quality: 50,
  weight: 50,
  submittedAt: 1,
  reviewedAt: 1,
  releaseAt: 0,
  reviewer: new Uint8Array(32),
  reason: "",
  reviewFee: 0n,
  decisionOpen: false,
  appealed: false,
};

/** Runs `step(i)` for `seconds` (after `warmUp` untimed steps); count and elapsed seconds. */
function timed(seconds: number, warmUp: number, step: (i: number) => boolean) {
  let i = 0;
  for (; i < warmUp; i++) if (!step(i)) throw new Error("ran out of work during warm-up");
  const start = performance.now();
  const end = start + seconds * 1000;
  let done = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++, i++, done++) if (!step(i)) return finish();
  }
  return finish();
  function finish() {
    return { count: done, seconds: (performance.now() - start) / 1000 };
  }
}

function measureSize(n: number, options: AttributionPoolOptions): PoolSizeFigures {
  const payer = devKeypair("alice").publicKey;
  const contributor = devKeypair("bob").publicKey;
  const setupStart = performance.now();
  const overlay = state((o) => populate(o, n, devKeypair("charlie").publicKey, contributor));
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const ctx = context(overlay, 2);

  const pay = callOf("payInference");
  const payOrigin: CallerOrigin = { kind: "signed", account: payer };
  const payArgs = { modelId: MODEL, units: UNITS, maxTotal: u128ToBytes(PRICE * BigInt(UNITS)) };
  const potBefore = readAccount(overlay, ATTRIBUTION_ACCOUNT).free;
  const payments = timed(options.paymentSeconds, 200, () => {
    ctx.transactional(() => pay.handler(ctx, payOrigin, payArgs));
    return true;
  });

  const claim = callOf("claim");
  const claimOrigin: CallerOrigin = { kind: "signed", account: contributor };
  const ids = claimIds(n);
  const claims = timed(options.claimSeconds, Math.min(200, ids.length >> 2), (i) => {
    const id = ids[i];
    if (id === undefined) return false;
    ctx.transactional(() =>
      claim.handler(ctx, claimOrigin, {
        datanetId: DATANET,
        version: VERSION,
        contributionIds: [id],
      }),
    );
    return true;
  });

  // Exactness at scale: the pot holds exactly what the pool was paid and has not paid out.
  const pool = getPool(overlay, DATANET, VERSION);
  if (!pool) throw new Error("no pool after the payments");
  const held = readAccount(overlay, ATTRIBUTION_ACCOUNT).free - potBefore;
  if (held !== poolBalance(pool))
    throw new Error(`the attribution account holds ${held}, the pool ${poolBalance(pool)}`);
  if (pool.claimed === 0n) throw new Error("the claims paid nothing");

  return {
    contributions: n,
    setupSeconds,
    payments: payments.count,
    paymentsPerSecond: payments.count / payments.seconds,
    paymentMicros: (payments.seconds * 1e6) / payments.count,
    claims: claims.count,
    claimsPerSecond: claims.count / claims.seconds,
    claimMicros: (claims.seconds * 1e6) / claims.count,
  };
}

export function measureAttributionPool(
  options: AttributionPoolOptions,
  log: (line: string) => void,
): AttributionPoolThroughput {
  const bySize: PoolSizeFigures[] = [];
  for (const n of options.sizes) {
    const f = measureSize(n, options);
    bySize.push(f);
    log(
      `attribution: ${n.toLocaleString("en-US")} contributions (written in ${f.setupSeconds.toFixed(1)} s): ` +
        `${Math.round(f.paymentsPerSecond).toLocaleString("en-US")} payments/s (${f.paymentMicros.toFixed(0)} µs), ` +
        `${Math.round(f.claimsPerSecond).toLocaleString("en-US")} claims/s (${f.claimMicros.toFixed(0)} µs)`,
    );
  }
  const first = bySize[0]!;
  return {
    unitsPerPayment: UNITS,
    pricePerUnit: PRICE.toString(),
    bySize,
    ratio: {
      paymentsVsSmallest: bySize.map((f) => f.paymentsPerSecond / first.paymentsPerSecond),
      claimsVsSmallest: bySize.map((f) => f.claimsPerSecond / first.claimsPerSecond),
    },
  };
}
