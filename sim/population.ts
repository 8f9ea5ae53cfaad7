// The agents of a scenario: their accounts, endowments and starting traits, and the genesis that
// funds them and makes the validators the Aura authorities.
import { UNIT } from "../primitives/amount.ts";
import { toHex, utf8 } from "../primitives/bytes.ts";
import { blake2b256 } from "../primitives/hash.ts";
import { keypairFromSeed } from "../primitives/keys.ts";
import { builtinChainSpec, type ChainSpec } from "../runtime/chain-spec.ts";
import {
  type Agent,
  type HonestContributor,
  type ModelOwner,
  makeAgent,
  type Role,
  type Spammer,
} from "./agents.ts";
import type { Attestor, AttestorKind } from "./attestors.ts";
import type { Random } from "./random.ts";
import { ATTESTOR_ENDOWMENT, type Scenario } from "./scenario.ts";

const DEFAULT_ENDOWMENT: Record<Role, bigint> = {
  owner: 1_000n * UNIT,
  honest: 1_000n * UNIT,
  spammer: 1_000n * UNIT,
  curator: 100n * UNIT,
  challenger: 1_000n * UNIT,
  consumer: 100_000n * UNIT,
  licenceBuyer: 1_000_000n * UNIT,
  modelOwner: 100_000n * UNIT,
  washTrader: 1_000_000n * UNIT,
  washPayer: 1_000_000n * UNIT,
  copier: 1_000n * UNIT,
  colludingCurator: 1_000n * UNIT,
  colludingPartner: 1_000n * UNIT,
  manifestGamer: 100_000n * UNIT,
  honestAttestor: ATTESTOR_ENDOWMENT,
  lazyAttestor: ATTESTOR_ENDOWMENT,
  colludingAttestor: ATTESTOR_ENDOWMENT,
  validator: UNIT,
};

const ATTESTOR_ROLES: Record<AttestorKind, Role> = {
  honest: "honestAttestor",
  lazy: "lazyAttestor",
  colluding: "colludingAttestor",
};

/** A deterministic account id per role and index (no key: the simulator signs nothing). */
function simAccount(role: Role, index: number): Uint8Array {
  return blake2b256(utf8(`lineage-sim/${role}/${index}`));
}

export interface Populations {
  owners: Agent[];
  honest: HonestContributor[];
  spammers: Spammer[];
  curators: Agent[];
  challengers: Agent[];
  consumers: Agent[];
  licenceBuyers: Agent[];
  modelOwners: ModelOwner[];
  washTraders: ModelOwner[];
  /**
   * The wash traders' second accounts, which pay their models (washTraders.viaSecondAccount):
   * `payers` of them per trader, trader 0's first.
   */
  washPayers: Agent[];
  /** Curators listed on the main datanets who accept their partners' junk. */
  colludingCurators: Agent[];
  /** The colluding curators' partners (pair i: curator i, partner i). */
  colludingPartners: Agent[];
  /** Owners of a datanet and models over it and the main ones, skewed as far as the bound allows. */
  manifestGamers: ModelOwner[];
  validators: Agent[];
  copiers: Agent[];
  /** Honest, then lazy, then colluding attestors. */
  attestors: Attestor[];
}

export function populate(scenario: Scenario, rng: Random): Populations {
  const p = scenario.populations;
  const make = (role: Role, n: number, endowment: bigint | undefined) =>
    Array.from({ length: n }, (_, i) =>
      makeAgent(role, i, simAccount(role, i), endowment ?? DEFAULT_ENDOWMENT[role]),
    );
  const maxQuality = 100;
  const honest = make("honest", p.honestContributors?.count ?? 0, p.honestContributors?.endowment);
  const q = p.honestContributors?.quality ?? { mean: 50, spread: 0 };
  const spamStart = p.spammers?.startEpoch ?? 0;
  return {
    owners: make("owner", scenario.datanets.count, undefined),
    honest: honest.map((a) => ({
      ...a,
      quality: Math.max(
        1,
        Math.min(maxQuality, Math.round(rng.between(q.mean - q.spread, q.mean + q.spread))),
      ),
      active: true,
    })),
    spammers: make("spammer", p.spammers?.count ?? 0, p.spammers?.endowment).map((a) => ({
      ...a,
      stopped: false,
      startEpoch: spamStart,
    })),
    curators: make("curator", p.curators?.count ?? 0, p.curators?.endowment),
    challengers: make("challenger", p.challengers?.count ?? 0, p.challengers?.endowment),
    consumers: make("consumer", p.consumers?.count ?? 0, p.consumers?.endowment),
    licenceBuyers: make("licenceBuyer", p.licenceBuyers?.count ?? 0, p.licenceBuyers?.endowment),
    modelOwners: make("modelOwner", p.modelOwners?.count ?? 0, p.modelOwners?.endowment).map(
      (a) => ({ ...a, modelId: null, manifestKey: "" }),
    ),
    washTraders: make("washTrader", p.washTraders?.count ?? 0, p.washTraders?.endowment).map(
      (a) => ({ ...a, modelId: null, manifestKey: "" }),
    ),
    washPayers: p.washTraders?.viaSecondAccount
      ? make("washPayer", p.washTraders.count * p.washTraders.payers, p.washTraders.endowment)
      : [],
    colludingCurators: make("colludingCurator", p.colluders?.count ?? 0, p.colluders?.endowment),
    colludingPartners: make("colludingPartner", p.colluders?.count ?? 0, p.colluders?.endowment),
    manifestGamers: make(
      "manifestGamer",
      p.manifestGamers?.count ?? 0,
      p.manifestGamers?.endowment,
    ).map((a) => ({ ...a, modelId: null, manifestKey: "" })),
    validators: Array.from({ length: p.validators.count }, (_, i) =>
      makeAgent(
        "validator",
        i,
        keypairFromSeed(simAccount("validator", i)).publicKey,
        DEFAULT_ENDOWMENT.validator,
      ),
    ),
    copiers: make("copier", p.copiers?.count ?? 0, p.copiers?.endowment),
    attestors: (["honest", "lazy", "colluding"] as const).flatMap((kind) =>
      make(ATTESTOR_ROLES[kind], p.attestors?.[kind] ?? 0, p.attestors?.endowment).map((a) => ({
        ...a,
        kind,
        committed: new Map(),
      })),
    ),
  };
}

export function allAgents(pops: Populations): Agent[] {
  return Object.values(pops).flat() as Agent[];
}

/** The dev spec with the agents as its only accounts, the validators as authorities, no sudo. */
export function genesisSpec(pops: Populations, params: Record<string, bigint>): ChainSpec {
  const spec = structuredClone(builtinChainSpec("dev")!);
  if (!("runtimeGenesis" in spec.genesis)) throw new Error("the dev spec is raw");
  const config = spec.genesis.runtimeGenesis.config;
  config.balances.balances = allAgents(pops).map((a) => [toHex(a.account), a.endowment.toString()]);
  config.authorities.authorities = pops.validators.map((v) => toHex(v.account));
  config.sudo = { key: null };
  config.params = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, value.toString()]),
  );
  return spec;
}

/**
 * Datanet ids: the owners' come first (0..count-1), then one per wash trader, then one per
 * manifest gamer.
 */
export interface DatanetIds {
  main: number[];
  wash: number[];
  gamer: number[];
}

export function datanetIds(pops: Populations): DatanetIds {
  const wash = pops.owners.length;
  const gamer = wash + pops.washTraders.length;
  return {
    main: pops.owners.map((_, i) => i),
    wash: pops.washTraders.map((_, i) => wash + i),
    gamer: pops.manifestGamers.map((_, i) => gamer + i),
  };
}
